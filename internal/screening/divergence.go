package screening

// divergence explains why the US and Mexican determinations differ, naming
// the difference between the statutes that changes the outcome (SOURCES.md,
// "Differences US vs MX"). It returns nil when they agree.
func divergence(f *facts, us, mx judgment) *Divergence {
	if us.label == mx.label {
		return nil
	}
	code := divergenceCode(f, us, mx)
	t := divergenceTexts[code]
	d := &Divergence{Code: code, EN: t[0], ES: t[1]}
	if us.label.Trafficking() && mx.label.Trafficking() {
		d.EN = "Both laws find trafficking, under different forms. " + d.EN
		d.ES = "Las dos leyes encuentran trata de personas, en formas distintas. " + d.ES
	}
	return d
}

func divergenceCode(f *facts, us, mx judgment) string {
	switch {
	case mx.label.Trafficking() && !us.label.Trafficking() && us.label != InsufficientInformation:
		return mxOnlyCode(f, mx.r)
	case mx.label.Trafficking() && us.label.Trafficking():
		return "forms"
	case us.label.Trafficking() && mx.label != InsufficientInformation && us.r == rUSLaborFraud:
		return "fraud_servitude"
	case us.label == InsufficientInformation || mx.label == InsufficientInformation:
		return "open_elements"
	}
	return "other"
}

// mxOnlyCode names why Mexican law finds trafficking where US law does not.
func mxOnlyCode(f *facts, r route) string {
	switch r {
	case rMXLaborArt21:
		if f.minor.yes() {
			return "minor_labor"
		}
		return "means_adults"
	case rMXSexMeans:
		if f.vulnOnly {
			return "vulnerability"
		}
	case rMXCrimMinor:
		return "minor_criminality"
	case rMXBeg:
		if f.minor.yes() {
			return "minor_begging"
		}
		return "deception"
	case rMXMarriage, rMXAdoption, rMXOrgans:
		return "forms"
	}
	return "other"
}

var divergenceTexts = map[string][2]string{
	"means_adults": {
		"Mexico's art. 21 (labor exploitation) needs no force, fraud or coercion: recruiting, moving or housing a person and profiting from their work in abusive conditions is trata de personas. US law needs force, fraud or coercion for labor trafficking (22 U.S.C. 7102(11)(B); 18 U.S.C. 1589), so in the US it is labor exploitation.",
		"El art. 21 de la ley mexicana (explotación laboral) no exige fuerza, engaño ni coerción: captar, trasladar o alojar a una persona y beneficiarse de su trabajo en condiciones abusivas es trata de personas. La ley de EE. UU. exige fuerza, fraude o coerción para la trata laboral (22 U.S.C. 7102(11)(B); 18 U.S.C. 1589), así que allá es explotación laboral.",
	},
	"minor_labor": {
		"US labor trafficking has no exception for minors: without force, fraud or coercion a child's exploitative work is a child-labor violation, not trafficking (22 U.S.C. 7102(11)(B)). Mexico needs no means for labor exploitation, at any age (LGPSEDMTP art. 21).",
		"La trata laboral en la ley de EE. UU. no tiene excepción para menores de edad: sin fuerza, fraude ni coerción, el trabajo abusivo de una niña o un niño es una violación de las leyes de trabajo infantil, no trata de personas (22 U.S.C. 7102(11)(B)). México no exige medios para la explotación laboral, a ninguna edad (art. 21 de la LGPSEDMTP).",
	},
	"vulnerability": {
		"Mexico (LGPSEDMTP art. 13) and the Palermo Protocol accept taking advantage of a situation of vulnerability as a means; for adults US law accepts only force, fraud or coercion (22 U.S.C. 7102(11)(A)).",
		"México (art. 13 de la LGPSEDMTP) y el Protocolo de Palermo aceptan como medio el aprovechamiento de una situación de vulnerabilidad; para personas adultas, la ley de EE. UU. solo acepta fuerza, fraude o coerción (22 U.S.C. 7102(11)(A)).",
	},
	"minor_criminality": {
		"Mexico treats using a person under 18 in criminal activity as trata de personas with no means needed (LGPSEDMTP art. 10 fr. VII, art. 25); in the US it is forced labor only with force, fraud or coercion (18 U.S.C. 1589).",
		"México considera trata de personas utilizar a una persona menor de 18 años en actividades delictivas, sin exigir medios (art. 10 fr. VII y art. 25 de la LGPSEDMTP); en EE. UU. solo es trabajo forzado si hay fuerza, fraude o coerción (18 U.S.C. 1589).",
	},
	"minor_begging": {
		"Mexico treats using a child for begging as trata de personas (LGPSEDMTP art. 10 fr. VI, art. 24); in the US it is forced labor only with force, fraud or coercion (18 U.S.C. 1589).",
		"México considera trata de personas utilizar a una niña o un niño para pedir dinero (art. 10 fr. VI y art. 24 de la LGPSEDMTP); en EE. UU. solo es trabajo forzado si hay fuerza, fraude o coerción (18 U.S.C. 1589).",
	},
	"deception": {
		"Mexico accepts deception alone as a means of forced begging (LGPSEDMTP art. 24); US law counts fraud only when the purpose is debt bondage or servitude (22 U.S.C. 7102(11)(B)).",
		"México acepta el engaño por sí solo como medio de la mendicidad forzosa (art. 24 de la LGPSEDMTP); la ley de EE. UU. cuenta el fraude solo cuando el fin es la servidumbre por deudas u otra servidumbre (22 U.S.C. 7102(11)(B)).",
	},
	"forms": {
		"Mexico lists forced or servile marriage, illegal adoption, trafficking in organs and illicit biomedical experimentation as forms of exploitation of their own (LGPSEDMTP art. 10 fr. VIII-XI); the US severe forms of trafficking cover only commercial sex and labor or services (22 U.S.C. 7102(11)).",
		"México enumera el matrimonio forzoso o servil, la adopción ilegal, el tráfico de órganos y la experimentación biomédica ilícita como formas propias de explotación (art. 10 fr. VIII-XI de la LGPSEDMTP); las formas graves de trata de personas en EE. UU. cubren solo el sexo comercial y el trabajo o servicios (22 U.S.C. 7102(11)).",
	},
	"fraud_servitude": {
		"US law counts fraud as a means when the purpose is debt bondage or servitude (22 U.S.C. 7102(11)(B)); in Mexico deception alone does not make work forced labor (LGPSEDMTP art. 22), and art. 21 needs abusive conditions of work.",
		"La ley de EE. UU. cuenta el fraude como medio cuando el fin es la servidumbre por deudas u otra servidumbre (22 U.S.C. 7102(11)(B)); en México el engaño por sí solo no convierte el trabajo en trabajo forzado (art. 22 de la LGPSEDMTP), y el art. 21 exige condiciones de trabajo abusivas.",
	},
	"open_elements": {
		"The two laws need different elements: the answers settle the case under one and leave an element open under the other. See the questions listed as missing.",
		"Las dos leyes exigen elementos distintos: las respuestas deciden el caso en una y dejan un elemento abierto en la otra. Vea las preguntas que faltan.",
	},
	"other": {
		"US and Mexican law define the elements differently here; see each explanation.",
		"La ley de EE. UU. y la ley mexicana definen los elementos de forma distinta en este caso; vea cada explicación.",
	},
}
