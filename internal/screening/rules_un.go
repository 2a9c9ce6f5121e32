package screening

// UN: Protocol to Prevent, Suppress and Punish Trafficking in Persons,
// Especially Women and Children (Palermo, 2000), Art. 3: an act
// (recruitment, transportation, transfer, harbouring, receipt), by a means
// (threat or use of force, other coercion, abduction, fraud, deception,
// abuse of power or of a position of vulnerability, payments to a person in
// control), for the purpose of exploitation; for a child, act and purpose
// suffice (Art. 3(c)); consent is irrelevant once a means is used (3(b)).

func unRules(f *facts) forms {
	base := and(f.act, or(f.minor, f.mxMeans))
	return forms{
		formSex:   {v: and(base, f.sex), r: rUNSex},
		formCrim:  {v: and(base, f.crim, or(f.minor, f.force)), r: rUNCrim},
		formBeg:   {v: and(base, f.beg, or(f.minor, f.force)), r: rUNBeg},
		formOther: unOther(f, base),
		formLabor: {v: and(base, f.labor, unForcedLabor(f)), r: rUNLabor},
	}
}

// unForcedLabor is the exploitation purpose for labor: forced labour or
// services, servitude or slavery-like practices such as debt bondage, or
// (our reading, flagged) manifestly exploitative work a person was brought
// into by one of the means — or, for a child, manifestly exploitative work
// in itself (ILO Convention 182, worst forms of child labour).
func unForcedLabor(f *facts) val {
	return or(f.force, and(f.art21, or(f.minor, f.mxMeans)))
}

// unOther is a servile marriage (a practice similar to slavery, 1956
// Supplementary Convention art. 1(c)) or the removal of organs. Illegal
// adoption is left out: it falls under the Protocol only when the child is
// exploited (interpretative note, A/55/383/Add.1 para. 66).
func unOther(f *facts, base val) formEval {
	if f.marriage.yes() {
		return formEval{v: base, r: rUNMarriage}
	}
	return formEval{v: and(base, or(f.marriage, f.organs)), r: rUNOther}
}
