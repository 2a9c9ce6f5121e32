package screening

// form is a form of trafficking, in the order a determination prefers them:
// the more specific form wins when several are proven (begging and criminal
// activity are also "services"; a forced marriage often includes work).
type form int

const (
	formSex form = iota
	formCrim
	formBeg
	formOther
	formLabor
	numForms
	noForm form = -1
)

var formLabels = [numForms]Label{TraffickingSex, TraffickingForcedCriminality, TraffickingForcedBegging, TraffickingOther, TraffickingLabor}

// formEval is whether one form of trafficking is made out, and the rule
// (route) that makes it out or would.
type formEval struct {
	v val
	r route
}

type forms [numForms]formEval

// rules are one jurisdiction's rules for the five forms.
type rules func(f *facts) forms

func rulesFor(j Jurisdiction) rules {
	switch j {
	case US:
		return usRules
	case MX:
		return mxRules
	case UN:
		return unRules
	}
	return nil
}

// judgment is a determination before it is written up.
type judgment struct {
	label   Label
	r       route
	focus   form // the form found, or the one the missing answers would decide, or noForm
	missing idset
}

// decide turns the forms into a determination. A form that is made out
// wins, the most specific first; forms ranked before it that are still open
// are reported as questions that could change the label. With no form made
// out, any open form means insufficient_information: an unknown never
// defaults to "not trafficking". Only when every form is ruled out do the
// other determinations apply.
func decide(fs forms, f *facts, j Jurisdiction) judgment {
	jd := judgment{focus: noForm}
	var open idset
	for i, fe := range fs {
		switch {
		case fe.v.yes():
			jd.label, jd.r, jd.focus, jd.missing = formLabels[i], fe.r, form(i), open
			return jd
		case fe.v.unknown():
			open |= fe.v.miss
			if jd.focus == noForm {
				jd.focus = form(i)
			}
		}
	}
	if jd.focus != noForm {
		jd.label, jd.r, jd.missing = InsufficientInformation, rInsufficient, open
		return jd
	}
	jd.label, jd.r, jd.focus = nonTrafficking(f, j)
	return jd
}

// nonTrafficking chooses among the determinations that are not trafficking,
// once every form of trafficking is ruled out. Kidnapping or extortion comes
// first, then a form of exploitation the law does not treat as trafficking
// without the missing element, then labor exploitation, then smuggling.
func nonTrafficking(f *facts, j Jurisdiction) (Label, route, form) {
	switch {
	case f.ransom:
		return NotTraffickingOtherCrime, rRansom, noForm
	case f.sex.yes():
		return NotTraffickingOtherCrime, pick(j, rUSNoMeansSex, rMXNoMeansSex, rUNNotTrafficking), formSex
	case f.crim.yes():
		return NotTraffickingOtherCrime, pick(j, rUSNoMeansServices, rMXNoMeansCrim, rUNNotTrafficking), formCrim
	case f.beg.yes():
		return NotTraffickingOtherCrime, pick(j, rUSNoMeansServices, rMXNoMeansBeg, rUNNotTrafficking), formBeg
	case f.organs.yes() || f.marriage.yes():
		// Mexico never gets here: arts. 26-31 need neither act nor means.
		return NotTraffickingOtherCrime, pick(j, rUSOtherForm, rNone, rUNNotTrafficking), formOther
	case f.adoption.yes():
		return NotTraffickingOtherCrime, pick(j, rUSOtherForm, rNone, rUNOtherForm), formOther
	case f.labor.yes() && f.exploitSigns:
		return LaborExploitationNotTrafficking, rLaborExploitation, formLabor
	case f.smuggling:
		return SmugglingOnly, rSmuggling, noForm
	}
	return NotTraffickingOtherCrime, rNone, noForm
}

func pick(j Jurisdiction, us, mx, un route) route {
	switch j {
	case US:
		return us
	case MX:
		return mx
	}
	return un
}

// judge applies one jurisdiction's rules to the facts. When the person was
// taken for an adult only from their age now, it also asks whether being a
// minor at the time would change the determination, and if so lists CTX01.
func judge(f *facts, j Jurisdiction) judgment {
	r := rulesFor(j)
	jd := decide(r(f), f, j)
	if f.adultPresumed {
		alt := *f
		alt.minor = vTrue
		if decide(r(&alt), &alt, j).label != jd.label {
			jd.missing |= f.ctx01
		}
	}
	return jd
}
