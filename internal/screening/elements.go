package screening

import "strconv"

// elements reports the four legal elements of the form the determination is
// about (the one found, the one the missing answers would decide, or the
// purpose that was found without trafficking), each with the indicators
// behind it.
func (p *Protocol) elements(f *facts, j Jurisdiction, jd judgment) []Element {
	return []Element{
		p.actElement(f, j, jd),
		p.meansElement(f, j, jd),
		p.purposeElement(f, j, jd.focus),
		p.ageElement(f, j, jd),
	}
}

func status(v val) string {
	switch v.t {
	case triTrue:
		return StatusPresent
	case triFalse:
		return StatusAbsent
	}
	return StatusUnknown
}

// purposeOf is the purpose fact of a form and the indicators that show it.
func (p *Protocol) purposeOf(f *facts, fm form) (val, idset) {
	g := &p.groups
	switch fm {
	case formSex:
		return f.sex, g[gSex]
	case formCrim:
		return f.crim, g[gCrim]
	case formBeg:
		return f.beg, g[gBeg]
	case formOther:
		return or(f.marriage, f.adoption, f.organs), g[gMarriage] | g[gAdoption] | g[gOrgans]
	case formLabor:
		return f.labor, g[gLabor]
	}
	return vFalse, 0
}

func (p *Protocol) purposeElement(f *facts, j Jurisdiction, fm form) Element {
	if fm == noForm {
		st := StatusAbsent
		if f.s.answered()&p.groups[gPurpose] == 0 {
			st = StatusUnknown
		}
		return Element{Name: ElementPurpose, Status: st, Indicators: []string{}}
	}
	v, set := p.purposeOf(f, fm)
	e := Element{Name: ElementPurpose, Status: status(v), Indicators: p.ids(f.s.pres & set), Note: formNotes[fm]}
	if j == MX && fm == formLabor && f.art21.yes() {
		e.Note += "; conditions of LGPSEDMTP art. 21 present"
	}
	if j == MX && fm == formSex && f.s.pres&p.groups[gActNo] == 0 {
		e.Note += "; with no third party, the person who gave something of value is read as the one who benefits (art. 13): flagged for legal review"
	}
	return e
}

const usActNote = "obtaining the person's labor or services (18 U.S.C. 1589(a)), or obtaining or patronizing for a commercial sex act (18 U.S.C. 1591(a)), is itself the act"

var formNotes = [numForms]string{
	formSex:   "commercial sex act: anything of value given to or received by any person",
	formCrim:  "criminal activity",
	formBeg:   "begging",
	formOther: "forced or servile marriage, illegal adoption, organs or medical experimentation",
	formLabor: "labor or services",
}

func (p *Protocol) actElement(f *facts, j Jurisdiction, jd judgment) Element {
	e := Element{Name: ElementAct, Status: status(f.act), Indicators: p.ids(f.actPres)}
	pv, pset := p.purposeOf(f, jd.focus)
	switch {
	case j == US && !pv.yes():
		e.Note = usActNote
	case j == US:
		// Obtaining the labor, or obtaining or patronizing for the sex act, is the act.
		e.Status = StatusPresent
		e.Indicators = p.ids(f.actPres | f.s.pres&pset&p.groups[gPurpose])
		e.Note = usActNote
	case j == MX && jd.focus == formLabor && !f.force.yes():
		e.Note = "LGPSEDMTP art. 21 read as needing the person to be held to the work: an art. 10 act (captar, enganchar, trasladar, alojar, retener), unless they could leave freely; tesis I.9o.P.321 P (2021) holds the verbs are not needed, on which reading the act would not be required"
	case j == MX && jd.focus != noForm && !f.act.yes():
		e.Status = StatusNotRequired
		e.Note = "the LGPSEDMTP article for this form punishes the exploitation itself; the art. 10 verbs are not needed"
	}
	return e
}

func (p *Protocol) meansElement(f *facts, j Jurisdiction, jd judgment) Element {
	set := f.meansPres
	if j == US {
		set &^= p.groups[gVuln] // not a US means
	}
	e := Element{Name: ElementMeans, Indicators: p.ids(set)}
	v, note := meansFor(f, j, jd.focus)
	e.Status, e.Note = status(v), note
	if !v.yes() && !meansRequired(f, j, jd.focus) {
		e.Status = StatusNotRequired
	}
	return e
}

// meansFor is the means element the form needs in the jurisdiction, with a
// note on how the law treats it.
func meansFor(f *facts, j Jurisdiction, fm form) (val, string) {
	switch {
	case j == US && (fm == formLabor || fm == formCrim || fm == formBeg):
		v, _ := usLaborMeans(f)
		return v, "force, serious harm, restraint, threats or abuse of legal process; fraud only for debt bondage or servitude; no exception for minors"
	case j == US && fm == formSex:
		return f.usMeans, "force, fraud or coercion, not needed under 18"
	case j == US:
		return f.usMeans, "force, fraud or coercion"
	case j == MX && fm == formSex:
		return f.mxMeans, "art. 13 means, not needed under 18"
	case j == MX && fm == formCrim:
		return f.force, "art. 22 means for adults; art. 25 needs none for minors"
	case j == MX && fm == formBeg:
		return or(f.force, f.fraud), "art. 24 means, not needed for a child"
	case j == MX && fm == formOther:
		return f.mxMeans, "arts. 26-31 need no means"
	case j == MX && fm == formLabor:
		return f.force, "art. 22 means make it forced labor; art. 21 needs none"
	case j == MX:
		return f.mxMeans, "not needed by art. 10"
	}
	return f.mxMeans, "any Palermo means, including abuse of a position of vulnerability; not needed for a child (art. 3(c))"
}

func meansRequired(f *facts, j Jurisdiction, fm form) bool {
	switch {
	case j == US && fm == formSex, j == UN, j == MX && (fm == formSex || fm == formCrim || fm == formBeg):
		return !f.minor.yes()
	case j == US:
		return true
	}
	return false // Mexico: art. 21 labor, arts. 26-31 and art. 10 itself need no means
}

func (p *Protocol) ageElement(f *facts, j Jurisdiction, jd judgment) Element {
	e := Element{Name: ElementAge, Status: status(f.minor), Indicators: p.ids(f.s.answered() & f.ctx01)}
	switch {
	case f.ageConflict:
		e.Note = "the age given (" + strconv.Itoa(*f.s.age) + ") is under 18, which wins over CTX01 \"no\""
	case f.ageGiven && f.minor.yes():
		e.Note = "age given: " + strconv.Itoa(*f.s.age)
	case f.adultPresumed:
		e.Note = "taken as 18 or older from the age given now (" + strconv.Itoa(*f.s.age) + "); CTX01, the age when it happened, was not answered"
	}
	ageless := j == US && (jd.focus == formLabor || jd.focus == formCrim || jd.focus == formBeg) ||
		j == MX && (jd.focus == formLabor || jd.focus == formOther)
	if ageless {
		if f.minor.unknown() {
			e.Status = StatusNotRequired
		}
		if e.Note != "" {
			e.Note += "; "
		}
		e.Note += "age does not change this form"
		if j == US {
			e.Note += ": US labor trafficking has no age exception"
		}
	}
	return e
}
