package screening

// route names the rule that decided a determination. It keys the statute
// cited and the reasoning given, so each rule explains itself in one place.
type route int

const (
	rInsufficient route = iota
	rNone
	rRansom
	rLaborExploitation
	rSmuggling

	rUSSexMinor
	rUSSexMeans
	rUSLaborForce
	rUSLaborFraud
	rUSCrim
	rUSBeg
	rUSOtherForm
	rUSNoMeansSex
	rUSNoMeansServices

	rMXSexMinor
	rMXSexMeans
	rMXCrimMinor
	rMXCrimForced
	rMXBeg
	rMXMarriage
	rMXAdoption
	rMXOrgans
	rMXLaborForced
	rMXLaborArt21
	rMXNoMeansSex
	rMXNoMeansCrim
	rMXNoMeansBeg

	rUNSex
	rUNCrim
	rUNBeg
	rUNOther
	rUNMarriage
	rUNLabor
	rUNNotTrafficking
	rUNOtherForm

	numRoutes
)

// reason is a route's statute and its reasoning in both languages.
type reason struct {
	cite   []string
	en, es string
}

// Citations used in more than one place.
const (
	citeTVPASex    = "22 U.S.C. 7102(11)(A)"
	citeTVPALabor  = "22 U.S.C. 7102(11)(B)"
	citeTVPA       = "22 U.S.C. 7102(11)"
	cite1589       = "18 U.S.C. 1589(a)"
	cite1591       = "18 U.S.C. 1591(a)"
	citeArt10      = "LGPSEDMTP art. 10"
	citeArt40      = "LGPSEDMTP art. 40"
	citePalermo3a  = "Palermo Protocol art. 3(a)"
	citePalermo3b  = "Palermo Protocol art. 3(b)"
	citePalermo3cd = "Palermo Protocol art. 3(c)-(d)"
)

// reasons holds the routes whose statute does not depend on the
// jurisdiction; the shared routes (insufficient, none, ransom, labor
// exploitation, smuggling) are in sharedReasons.
var reasons = [numRoutes]reason{
	rUSSexMinor: {[]string{citeTVPASex, cite1591},
		"A person under 18 took part in a commercial sex act (anything of value, given to anyone); no force, fraud or coercion has to be shown, and whoever obtained or paid for the person did the act.",
		"Una persona menor de 18 años participó en un acto sexual comercial (a cambio de cualquier cosa de valor, para cualquier persona); no hace falta probar fuerza, fraude ni coerción, y quien la obtuvo o pagó por ella realizó la acción."},
	rUSSexMeans: {[]string{citeTVPASex, cite1591},
		"A commercial sex act was obtained by force, fraud or coercion.",
		"Se obtuvo un acto sexual comercial mediante fuerza, fraude o coerción."},
	rUSLaborForce: {[]string{cite1589, citeTVPALabor},
		"Labor or services were obtained by force, restraint, serious harm or threats of it, a scheme such as taking papers or holding back pay, or abuse of the legal process; obtaining work that way is forced labor, at any age.",
		"Se obtuvo trabajo o servicios mediante fuerza, encierro, daño grave o amenazas, un plan como quitarle los papeles o retenerle el pago, o abuso del proceso legal; obtener así un trabajo es trabajo forzado, a cualquier edad."},
	rUSLaborFraud: {[]string{citeTVPALabor, "18 U.S.C. 1581"},
		"Labor was obtained by fraud, for a purpose of debt bondage or servitude.",
		"Se obtuvo trabajo mediante fraude, con el fin de someter a la persona a servidumbre por deudas u otra servidumbre."},
	rUSCrim: {[]string{cite1589, citeTVPALabor},
		"Illegal work was obtained from the person by force, fraud or coercion. Illegal work is read as \"labor or services\" under 18 U.S.C. 1589, an interpretation to confirm with counsel; the person should not be punished for what they were made to do.",
		"Se obtuvo de la persona trabajo ilegal mediante fuerza, fraude o coerción. El trabajo ilegal se lee como \"trabajo o servicios\" del 18 U.S.C. 1589, interpretación que debe confirmar un abogado; no se debe castigar a la persona por lo que la obligaron a hacer."},
	rUSBeg: {[]string{cite1589, citeTVPALabor},
		"Begging was obtained from the person by force, fraud or coercion, read as \"services\" under 18 U.S.C. 1589 (an interpretation to confirm with counsel).",
		"Se obligó a la persona a pedir dinero mediante fuerza, fraude o coerción, lo que se lee como \"servicios\" del 18 U.S.C. 1589 (interpretación que debe confirmar un abogado)."},
	rUSOtherForm: {[]string{citeTVPA},
		"The severe forms of trafficking in US law cover commercial sex and labor or services only; organ removal, forced marriage and illegal adoption are other crimes unless they include forced labor or commercial sex.",
		"Las formas graves de trata de personas en la ley de EE. UU. cubren solo el sexo comercial y el trabajo o servicios; la extracción de órganos, el matrimonio forzado y la adopción ilegal son otros delitos, salvo que incluyan trabajo forzado o sexo comercial."},
	rUSNoMeansSex: {[]string{citeTVPASex},
		"A commercial sex act by an adult, without force, fraud or coercion, is not sex trafficking in US law; taking advantage of vulnerability alone is not a US means.",
		"Un acto sexual comercial de una persona adulta, sin fuerza, fraude ni coerción, no es trata de personas en la ley de EE. UU.; el solo aprovechamiento de la vulnerabilidad no es un medio en esa ley."},
	rUSNoMeansServices: {[]string{cite1589, citeTVPALabor},
		"Illegal work or begging without force, fraud or coercion is not forced labor in US law, at any age.",
		"El trabajo ilegal o la mendicidad sin fuerza, fraude ni coerción no es trabajo forzado en la ley de EE. UU., a ninguna edad."},

	rMXSexMinor: {[]string{"LGPSEDMTP art. 10 fr. III", "LGPSEDMTP art. 13", citeArt40},
		"A person under 18 was used in paid sexual activity; art. 13 needs no means for minors, and consent is no defence.",
		"Se utilizó a una persona menor de 18 años en actividad sexual remunerada; el art. 13 no exige medios para personas menores de edad, y el consentimiento no es excusa."},
	rMXSexMeans: {[]string{"LGPSEDMTP art. 10 fr. III", "LGPSEDMTP art. 13", citeArt40},
		"Someone benefited from the person's paid sexual activity through a means of art. 13: deception, violence, abuse of power, taking advantage of vulnerability, serious harm or threats, or threats of denunciation to migration.",
		"Alguien se benefició de la actividad sexual remunerada de la persona mediante un medio del art. 13: engaño, violencia, abuso de poder, aprovechamiento de una situación de vulnerabilidad, daño grave o amenaza, o amenaza de denunciarla ante migración."},
	rMXCrimMinor: {[]string{"LGPSEDMTP art. 10 fr. VII", "LGPSEDMTP art. 25"},
		"A person under 18 was used in criminal activity; art. 10 fr. VII and art. 25 need no means.",
		"Se utilizó a una persona menor de 18 años en actividades delictivas; el art. 10 fr. VII y el art. 25 no exigen medios."},
	rMXCrimForced: {[]string{"LGPSEDMTP art. 10 fr. V", "LGPSEDMTP art. 22"},
		"An adult was made to do criminal work by force, threats or serious harm: forced labor or services (art. 22).",
		"Se obligó a una persona adulta a hacer trabajos delictivos mediante fuerza, amenazas o daño grave: trabajo o servicios forzados (art. 22)."},
	rMXBeg: {[]string{"LGPSEDMTP art. 10 fr. VI", "LGPSEDMTP art. 24"},
		"The person was made to beg for someone else's benefit by force, threats or deception, or was a child.",
		"Se obligó a la persona a pedir dinero en beneficio de otra mediante fuerza, amenazas o engaño, o era una niña o un niño."},
	rMXMarriage: {[]string{"LGPSEDMTP art. 10 fr. IX", "LGPSEDMTP art. 28"},
		"Forced or servile marriage is a form of exploitation in Mexican law; no means are needed.",
		"El matrimonio forzoso o servil es una forma de explotación en la ley mexicana; no se exigen medios."},
	rMXAdoption: {[]string{"LGPSEDMTP art. 10 fr. VIII", "LGPSEDMTP art. 26"},
		"Giving a child to another family for money outside the law is illegal adoption, a form of exploitation; no means are needed.",
		"Entregar a una niña o un niño a otra familia a cambio de dinero, fuera de la ley, es adopción ilegal, una forma de explotación; no se exigen medios."},
	rMXOrgans: {[]string{"LGPSEDMTP art. 10 fr. X-XI", "LGPSEDMTP arts. 30-31", citeArt40},
		"Obtaining an organ, tissue or cells for a benefit, or illicit medical experimentation, is a form of exploitation in Mexican law, even with consent.",
		"Obtener un órgano, tejido o células a cambio de un beneficio, o la experimentación médica ilícita, es una forma de explotación en la ley mexicana, aun con consentimiento."},
	rMXLaborForced: {[]string{"LGPSEDMTP art. 10 fr. V", "LGPSEDMTP art. 22"},
		"Work was obtained by force, threats, serious harm, a debt that never ends or threats of denunciation: forced labor (art. 22) or servitude (art. 12).",
		"Se obtuvo trabajo mediante fuerza, amenazas, daño grave, una deuda que no se termina o amenazas de denuncia: trabajo forzado (art. 22) o condición de siervo (art. 12)."},
	rMXLaborArt21: {[]string{"LGPSEDMTP art. 10 fr. IV", "LGPSEDMTP art. 21"},
		"Someone recruited, brought, housed or held the person and profited from their work through dangerous conditions, pay far below the work or the legal minimum, or excessive hours: labor exploitation (art. 21), which needs no force, fraud or coercion, at any age.",
		"Alguien captó, trasladó, alojó o retuvo a la persona y se benefició de su trabajo con condiciones peligrosas, un pago muy por debajo del trabajo o del mínimo legal, o jornadas excesivas: explotación laboral (art. 21), que no exige fuerza, engaño ni coerción, a ninguna edad."},
	rMXNoMeansSex: {[]string{"LGPSEDMTP art. 13"},
		"Paid sexual activity by an adult without any of the means of art. 13 is not trata in Mexican law.",
		"La actividad sexual remunerada de una persona adulta sin ninguno de los medios del art. 13 no es trata de personas en la ley mexicana."},
	rMXNoMeansCrim: {[]string{"LGPSEDMTP art. 22", "LGPSEDMTP art. 25"},
		"An adult's criminal activity without force, threats or serious harm is not forced labor (art. 22); art. 25 protects only minors.",
		"La actividad delictiva de una persona adulta sin fuerza, amenazas ni daño grave no es trabajo forzado (art. 22); el art. 25 protege solo a menores de edad."},
	rMXNoMeansBeg: {[]string{"LGPSEDMTP art. 24"},
		"Begging by an adult without force, threats or deception is not forced begging (art. 24).",
		"Pedir dinero siendo una persona adulta, sin fuerza, amenazas ni engaño, no es mendicidad forzosa (art. 24)."},

	rUNSex:   {[]string{citePalermo3a}, "sexual exploitation", "explotación sexual"},
	rUNCrim:  {[]string{citePalermo3a}, "forced services in criminal activity", "servicios forzados en actividades delictivas"},
	rUNBeg:   {[]string{citePalermo3a}, "forced begging", "mendicidad forzosa"},
	rUNOther: {[]string{citePalermo3a}, "removal of organs", "extracción de órganos"},
	rUNMarriage: {[]string{citePalermo3a, "1956 Supplementary Convention on the Abolition of Slavery art. 1(c)"},
		"servile marriage, a practice similar to slavery", "matrimonio servil, una práctica análoga a la esclavitud"},
	rUNLabor: {[]string{citePalermo3a, "ILO Forced Labour Convention, 1930 (No. 29) art. 2(1)"}, "forced labour, servitude or debt bondage", "trabajo forzoso, servidumbre o servidumbre por deudas"},
	rUNNotTrafficking: {[]string{citePalermo3a},
		"A purpose of exploitation is present, but not the act, or the means the Protocol requires for an adult; other law may apply.",
		"Hay un fin de explotación, pero no la acción, o el medio que el Protocolo exige para una persona adulta; puede aplicar otra ley."},
	rUNOtherForm: {[]string{citePalermo3a, "1956 Supplementary Convention on the Abolition of Slavery art. 1(d)"},
		"Illegal adoption falls under the Protocol only when it amounts to a practice similar to slavery, that is, when the child is exploited; other law applies.",
		"La adopción ilegal entra en el Protocolo solo cuando equivale a una práctica análoga a la esclavitud, es decir, cuando se explota a la niña o al niño; aplica otra ley."},
}

// sharedReasons are the routes every jurisdiction has, with its own statute.
var sharedReasons = map[Jurisdiction][rSmuggling + 1]reason{
	US: {
		rInsufficient:      {[]string{citeTVPA}, insufficientEN, insufficientES},
		rNone:              {[]string{citeTVPA}, noneEN, noneES},
		rRansom:            {[]string{"18 U.S.C. 1201", citeTVPA}, ransomEN, ransomES},
		rLaborExploitation: {[]string{"29 U.S.C. 201 et seq. (Fair Labor Standards Act)", citeTVPALabor}, exploitationEN, exploitationES},
		rSmuggling:         {[]string{"8 U.S.C. 1324"}, smugglingEN, smugglingES},
	},
	MX: {
		rInsufficient:      {[]string{citeArt10}, insufficientEN, insufficientES},
		rNone:              {[]string{citeArt10}, noneEN, noneES},
		rRansom:            {[]string{"Ley General para Prevenir y Sancionar los Delitos en Materia de Secuestro art. 9", citeArt10}, ransomEN, ransomES},
		rLaborExploitation: {[]string{"Ley Federal del Trabajo", "LGPSEDMTP art. 21"}, exploitationEN, exploitationES},
		rSmuggling:         {[]string{"Ley de Migración art. 159"}, smugglingEN, smugglingES},
	},
	UN: {
		rInsufficient:      {[]string{citePalermo3a}, insufficientEN, insufficientES},
		rNone:              {[]string{citePalermo3a}, noneEN, noneES},
		rRansom:            {[]string{citePalermo3a}, ransomEN, ransomES},
		rLaborExploitation: {[]string{"ILO Forced Labour Convention, 1930 (No. 29) art. 2(1)", citePalermo3a}, exploitationEN, exploitationES},
		rSmuggling:         {[]string{"Smuggling of Migrants Protocol art. 3(a)"}, smugglingEN, smugglingES},
	},
}

const (
	insufficientEN = "The answers leave open an element the law needs, so no determination is made; this is not a finding of \"no trafficking\"."
	insufficientES = "Las respuestas dejan abierto un elemento que la ley exige, así que no se decide; esto no significa que no haya trata de personas."
	noneEN         = "No trafficking was found, and no smuggling or labor exploitation either; any other crime falls outside this screening."
	noneES         = "No se encontró trata de personas, ni tráfico ilícito de migrantes, ni explotación laboral; cualquier otro delito queda fuera de esta evaluación."
	ransomEN       = "Holding a person to get money from their family, with no purpose of exploitation, is kidnapping or extortion, not trafficking."
	ransomES       = "Retener a una persona para sacarle dinero a su familia, sin un fin de explotación, es secuestro o extorsión, no trata de personas."
	exploitationEN = "The work was exploitative but lacks the elements of trafficking: a labor-rights matter (pay, hours, safety)."
	exploitationES = "El trabajo fue abusivo, pero faltan los elementos de la trata de personas: es un asunto de derechos laborales (pago, horas, seguridad)."
	smugglingEN    = "Someone was paid to help the person cross or travel, and no exploitation followed: smuggling of migrants, not trafficking."
	smugglingES    = "Se le pagó a alguien para ayudar a la persona a cruzar o viajar, y no hubo explotación después: tráfico ilícito de migrantes, no trata de personas."
)

func (r route) reason(j Jurisdiction) reason {
	if r <= rSmuggling {
		return sharedReasons[j][r]
	}
	return reasons[r]
}
