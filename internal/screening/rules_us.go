package screening

// United States: the "severe forms of trafficking in persons" of 22 U.S.C.
// 7102(11) and the crimes of 18 U.S.C. 1589 (forced labor) and 1591 (sex
// trafficking). Each rule is its own function so that it can be tested alone.

func usRules(f *facts) forms {
	means, r := usLaborMeans(f)
	return forms{
		formSex:   usSex(f),
		formCrim:  {v: and(f.crim, means), r: rUSCrim},
		formBeg:   {v: and(f.beg, means), r: rUSBeg},
		formOther: {v: vFalse, r: rUSOtherForm},
		formLabor: {v: and(f.labor, means), r: r},
	}
}

// usSex is 22 U.S.C. 7102(11)(A) and 18 U.S.C. 1591(a): a commercial sex act
// (anything of value given to or received by any person) induced by force,
// fraud or coercion, or by a person under 18, for whom no means are needed.
// The act is never the missing piece: 1591 reaches whoever recruits,
// entices, harbors, transports, provides, obtains, advertises, maintains,
// patronizes or solicits, so the person who gave something of value for the
// sex act has already obtained or patronized.
func usSex(f *facts) formEval {
	r := rUSSexMeans
	if f.minor.yes() {
		r = rUSSexMinor
	}
	return formEval{v: and(f.sex, or(f.minor, f.usMeans)), r: r}
}

// usLaborMeans is the means of forced labor, which 18 U.S.C. 1589(a) makes a
// crime for whoever provides or obtains the labor or services of a person
// by them, so obtaining the labor is itself the act: force, physical
// restraint, serious harm (physical, psychological, financial) or threats of
// it, abuse or threatened abuse of law or legal process, or a scheme to make
// the person believe they would suffer serious harm. Fraud counts too when
// the purpose is involuntary servitude, peonage, debt bondage or slavery
// (22 U.S.C. 7102(11)(B)). Abuse of vulnerability alone is not a US means,
// and there is no exception for minors. The same means decide criminal
// activity and begging, read as "services" (an interpretation the
// explanation flags).
func usLaborMeans(f *facts) (val, route) {
	if f.force.yes() {
		return vTrue, rUSLaborForce
	}
	return or(f.force, and(f.fraud, f.servitude)), rUSLaborFraud
}
