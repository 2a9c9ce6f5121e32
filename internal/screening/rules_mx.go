package screening

// Mexico: Ley General para Prevenir, Sancionar y Erradicar los Delitos en
// Materia de Trata de Personas (LGPSEDMTP, 2012). Art. 10 defines trata as an
// act (captar, enganchar, transportar, transferir, retener, entregar,
// recibir, alojar) with a purpose of exploitation, and names no means; the
// forms of exploitation in its fractions I–XI are defined by the articles
// that follow, some with means and some without. Consent is no defence
// (Art. 40).

func mxRules(f *facts) forms {
	return forms{
		formSex:   mxSex(f),
		formCrim:  mxCrim(f),
		formBeg:   mxBeg(f),
		formOther: mxOther(f),
		formLabor: mxLabor(f),
	}
}

// mxSex is Art. 10 fr. III and Art. 13: whoever benefits from another's
// prostitution or any paid sexual activity through deception, physical or
// moral violence, abuse of power, taking advantage of a situation of
// vulnerability, serious harm or its threat, or a threat of denunciation to
// the migration authorities. For a person under 18 no means are needed.
func mxSex(f *facts) formEval {
	r := rMXSexMeans
	if f.minor.yes() {
		r = rMXSexMinor
	}
	return formEval{v: and(f.sex, or(f.minor, f.mxMeans)), r: r}
}

// mxCrim is Art. 10 fr. VII and Art. 25: using a person under 18 in criminal
// activity, with no means; an adult forced into it is trabajo o servicios
// forzados (Art. 10 fr. V, Art. 22), which needs force, threats, serious
// harm or abuse of the legal process.
func mxCrim(f *facts) formEval {
	r := rMXCrimForced
	if f.minor.yes() {
		r = rMXCrimMinor
	}
	return formEval{v: and(f.crim, or(f.minor, f.force)), r: r}
}

// mxBeg is Art. 10 fr. VI and Art. 24: obliging a person to beg for
// another's benefit by threats, serious harm, force, other coercion or
// deception. A child is taken to be used, not to consent (Art. 40).
func mxBeg(f *facts) formEval {
	return formEval{v: and(f.beg, or(f.minor, f.force, f.fraud)), r: rMXBeg}
}

// mxOther is Art. 10 fr. VIII–XI: illegal adoption of a person under 18
// (Art. 26), forced or servile marriage (Art. 28), trafficking in organs,
// tissue or cells (Art. 30) and illicit biomedical experimentation (Art.
// 31). None of them needs means.
func mxOther(f *facts) formEval {
	switch {
	case f.marriage.yes():
		return formEval{v: vTrue, r: rMXMarriage}
	case f.adoption.yes():
		return formEval{v: vTrue, r: rMXAdoption}
	case f.organs.yes():
		return formEval{v: vTrue, r: rMXOrgans}
	}
	return formEval{v: or(f.marriage, f.adoption, f.organs), r: rMXMarriage}
}

// mxLabor is Art. 10 fr. II, IV and V. Labor obtained by force, threats,
// serious harm or abuse of the legal process is trabajo forzado (Art. 22); a
// debt that grows or is never paid off is servidumbre (Art. 12). Without any
// means, Art. 21 explotación laboral applies when someone obtains an
// unjustifiable benefit from another's work through dangerous or unhealthy
// conditions, pay manifestly out of proportion to the work or below the
// legal minimum, or hours beyond the legal limit, at any age.
//
// Art. 21 requires "sometiendo a la persona", subjecting the person to
// those practices: here, an Art. 10 act by which the person was recruited,
// brought, housed or held for the work. When no such act is reported and
// the person could have left freely (FL01 yes), or the act is ruled out,
// the case is a labor dispute, not trata. (A 2021 tesis, I.9o.P.321 P, holds
// that art. 21 does not need the art. 10 verbs; the act element's note says
// so, and the choice is ours.)
// Long hours count only with deductions that leave little pay, since paid
// overtime within the limits of Ley Federal del Trabajo Arts. 66–68 is lawful.
func mxLabor(f *facts) formEval {
	if f.force.yes() {
		return formEval{v: f.labor, r: rMXLaborForced}
	}
	return formEval{v: and(f.labor, or(f.force, and(f.art21, f.subjection))), r: rMXLaborArt21}
}
