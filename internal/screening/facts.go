package screening

import "fmt"

// group names a set of indicators the rules read together.
type group int

const (
	gCounter      group = iota // yes points away from trafficking: polarity flipped in the sheet
	gCTX01                     // under 18 at the time
	gCTX02                     // irregular entry
	gSM01                      // paid someone to cross or travel
	gSM05                      // ransom or extortion of the family
	gACT01                     // someone offered the work, arranged the trip or took the person there
	gAct                       // Art. 10 / Palermo act: recruit, transport, harbour, hold, hand over
	gActNo                     // the direct act questions, whose "no" settles the act
	gSubjectionNo              // answers that rule out subjection to the work (LGPSEDMTP art. 21)
	gForce                     // force, threats, restraint, legal process, serious harm (1589(a); Art. 22)
	gTrip                      // restraint and confiscation during the journey: a means only when linked by ACT01
	gFraud                     // deception
	gVuln                      // abuse of a situation of vulnerability (LGPSEDMTP Art. 13; Palermo), not a US means
	gServitude                 // involuntary servitude, peonage, debt bondage (7102(11)(B) purpose for fraud)
	gServNo                    // answers that rule servitude out
	gMeansNo                   // any "no" among these settles the US means element
	gMXMeansNo                 // the same for Mexico and the UN, where vulnerability counts
	gUSMeansAsk                // the means questions to ask first
	gMXMeansAsk
	gServAsk
	gArt21      // LGPSEDMTP Art. 21 conditions that stand alone
	gArt21Hours // long hours and deductions: Art. 21 fr. IV only together
	gArt21Ask
	gLabor // labor or services were given
	gLaborNo
	gLaborAsk
	gSex          // commercial sex act
	gCrim         // criminal activity
	gBeg          // begging
	gMarriage     // forced or servile marriage
	gAdoption     // illegal adoption
	gOrgans       // organs, tissue, biomedical experimentation
	gPurpose      // every purpose question
	gExploitSigns // signs of labor exploitation short of trafficking
	gLegalProcess // threats of immigration or police: 18 U.S.C. 1589(a)(3)
	gDocuments    // papers taken: 18 U.S.C. 1592
	gDebt         // debt bondage: 18 U.S.C. 1581; LGPSEDMTP art. 12
	numGroups
)

// groupIDs defines every group by indicator id. parse fails if an id is not
// in the protocol, so a renamed indicator cannot silently drop out of a rule.
var groupIDs = [numGroups][]string{
	gCounter:      {"SM02", "SM03", "FL01", "FL02"},
	gCTX01:        {"CTX01"},
	gCTX02:        {"CTX02"},
	gSM01:         {"SM01"},
	gSM05:         {"SM05"},
	gACT01:        {"ACT01"},
	gAct:          {"ACT01", "ACT02", "CR03", "CD03"},
	gActNo:        {"ACT01", "ACT02"},
	gSubjectionNo: {"ACT01", "ACT02", "FL01"},
	gForce:        {"CR01", "CR02", "CR03", "CD01", "CD02", "CD03", "CD04", "CD05", "CD06", "CD07", "CD08", "CD09", "CD11", "FL01"},
	gTrip:         {"SM03", "SM04", "CR05", "CR06"},
	gFraud:        {"DR01", "DR02", "DR03", "DR04", "DR05", "DR06", "DR07", "DR08"},
	gVuln:         {"CR04", "VR01", "VR02", "VR03", "VR04", "VR05", "VD01", "VD02", "VD03"},
	gServitude:    {"CR04", "CR05", "CD01", "CD02", "CD03", "CD09"},
	gServNo:       {"CR04", "CR05", "CD01", "CD02", "CD03", "CD09", "FL01", "FL02"},
	gMeansNo: {"CR01", "CR02", "CR03", "CD01", "CD02", "CD03", "CD04", "CD05", "CD06", "CD07", "CD08", "CD09", "CD11",
		"FL01", "FL02", "SM03", "SM04", "CR05", "CR06", "DR01", "DR02", "DR03", "DR04", "DR05", "DR06", "DR07", "DR08"},
	gMXMeansNo: {"CR01", "CR02", "CR03", "CD01", "CD02", "CD03", "CD04", "CD05", "CD06", "CD07", "CD08", "CD09", "CD11",
		"FL01", "FL02", "SM03", "SM04", "CR05", "CR06", "DR01", "DR02", "DR03", "DR04", "DR05", "DR06", "DR07", "DR08",
		"CR04", "VR01", "VR02", "VR03", "VR04", "VR05", "VD01", "VD02", "VD03"},
	gUSMeansAsk:   {"DR01", "CR01", "CR02", "CD01", "CD02", "CD03", "CD04", "CD05", "CD06", "CD07", "CD09", "FL01"},
	gMXMeansAsk:   {"DR01", "CR01", "CR02", "CD01", "CD02", "CD03", "CD04", "CD05", "CD06", "CD07", "CD09", "FL01", "VR01", "VR02", "VD01", "VD03"},
	gServAsk:      {"CR04", "CD01", "CD02", "CD09", "FL01"},
	gArt21:        {"EX02", "EX04"},
	gArt21Hours:   {"EX01", "EX03"},
	gArt21Ask:     {"EX01", "EX02", "EX03", "EX04"},
	gLabor:        {"PU08", "PU04", "EX01", "EX02", "EX03", "EX04"},
	gLaborNo:      {"PU08"},
	gLaborAsk:     {"PU08", "PU04"},
	gSex:          {"PU01"},
	gCrim:         {"PU02"},
	gBeg:          {"PU03"},
	gMarriage:     {"PU05"},
	gAdoption:     {"PU06"},
	gOrgans:       {"PU07"},
	gPurpose:      {"PU01", "PU02", "PU03", "PU04", "PU05", "PU06", "PU07", "PU08"},
	gLegalProcess: {"CD07"},
	gDocuments:    {"CD01", "CR05"},
	gDebt:         {"CD02"},
	gExploitSigns: {"EX01", "EX02", "EX03", "EX04", "EX05", "EX06", "DR01", "DR02", "DR03", "DR04", "DR05", "DR08", "CR04", "CD10"},
}

// compile resolves the groups and the ILO dimensions to indicator sets.
func (p *Protocol) compile() error {
	for g, ids := range groupIDs {
		for _, id := range ids {
			i, ok := p.index[id]
			if !ok {
				return fmt.Errorf("rule group %d: indicator %s is not in the protocol", g, id)
			}
			p.groups[g] |= 1 << i
		}
	}
	for i, ind := range p.indicators {
		if d := iloDimension(ind.Dimension); d >= 0 {
			p.dims[d].add(1<<i, 0, ind.Strength)
			p.dims[d].add(1<<i, 1, ind.StrengthChild)
		}
	}
	return nil
}

// facts are the legal facts derived from one person's answers, shared by
// every jurisdiction.
type facts struct {
	s                  sheet
	minor              val
	ageGiven           bool // the input's age decided minor
	ageConflict        bool // the age given is under 18 but CTX01 says no
	adultPresumed      bool // adult from the age given now; CTX01 (age at the time) not answered
	act                val  // an Art. 10 / Palermo act
	subjection         val  // held to the work: an act, unless the person was free to leave
	force, fraud       val  // the means, as elements (see sheet.element)
	usMeans, mxMeans   val
	servitude          val
	vulnOnly           bool // the only means present is abuse of vulnerability
	art21              val
	sex, labor, crim   val
	beg, marriage      val
	adoption, organs   val
	ransom, smuggling  bool
	exploitSigns       bool
	meansPres, actPres idset // the indicators behind the means and the act, for the report
	ctx01              idset
}

func (p *Protocol) facts(s sheet) facts {
	g := &p.groups
	f := facts{s: s, ctx01: g[gCTX01]}
	f.minor, f.ageGiven, f.ageConflict, f.adultPresumed = p.minor(&s)
	f.act = s.element(g[gAct], g[gActNo], g[gActNo])
	f.actPres = s.pres & g[gAct]
	f.subjection = s.element(g[gAct], g[gSubjectionNo], g[gSubjectionNo])

	force := g[gForce]
	if s.pres&g[gACT01] != 0 {
		force |= g[gTrip] // held or stripped of papers on a journey the exploiter arranged
	}
	f.meansPres = s.pres & (force | g[gFraud] | g[gVuln])
	f.force = s.element(force, g[gMeansNo], g[gUSMeansAsk])
	f.fraud = s.element(g[gFraud], g[gMeansNo], g[gUSMeansAsk])
	f.usMeans = s.element(force|g[gFraud], g[gMeansNo], g[gUSMeansAsk])
	f.mxMeans = s.element(force|g[gFraud]|g[gVuln], g[gMXMeansNo], g[gMXMeansAsk])
	f.vulnOnly = s.pres&(force|g[gFraud]) == 0 && s.pres&g[gVuln] != 0
	f.servitude = s.element(g[gServitude], g[gServNo], g[gServAsk])

	f.art21 = s.element(g[gArt21], g[gArt21Ask], g[gArt21Ask])
	if s.pres&g[gArt21Hours] == g[gArt21Hours] {
		f.art21 = vTrue
	}

	asked := s.answered()&g[gPurpose] != 0
	f.sex = s.purpose(g[gSex], g[gSex], g[gSex], asked)
	f.labor = s.purpose(g[gLabor], g[gLaborNo], g[gLaborAsk], asked)
	f.crim = s.purpose(g[gCrim], g[gCrim], g[gCrim], asked)
	f.beg = s.purpose(g[gBeg], g[gBeg], g[gBeg], asked)
	f.marriage = s.purpose(g[gMarriage], g[gMarriage], g[gMarriage], asked)
	f.adoption = s.purpose(g[gAdoption], g[gAdoption], g[gAdoption], asked)
	f.organs = s.purpose(g[gOrgans], g[gOrgans], g[gOrgans], asked)

	f.ransom = s.pres&g[gSM05] != 0
	f.smuggling = s.pres&g[gSM01] != 0 && s.abs&g[gCTX02] == 0
	f.exploitSigns = s.pres&(g[gExploitSigns]|force) != 0
	return f
}

// purpose is the element convention for one form of exploitation, with one
// refinement: once any purpose question has been answered yes or no, a form
// that was never asked about counts as not reported. An explicit unknown or
// declined keeps it open.
func (s *sheet) purpose(src, noSrc, ask idset, asked bool) val {
	v := s.element(src, noSrc, ask)
	if v.unknown() && asked && s.unk&src == 0 {
		return vFalse
	}
	return v
}

// minor decides whether the person was under 18 when the events happened.
// An age under 18 now settles it (the events are past or ongoing) and wins
// over a CTX01 "no", since doubt about a child's age is resolved in favour
// of childhood. Otherwise CTX01, which asks about the time of the events,
// decides. An age of 18 or more now says nothing certain about then, but
// when CTX01 was not asked it is the best evidence there is: the person is
// treated as an adult and CTX01 is listed as a question that could change
// the outcome. When CTX01 was asked and the answer is unknown or declined,
// the age at the time stays unknown.
func (p *Protocol) minor(s *sheet) (v val, ageGiven, conflict, presumed bool) {
	ctx := p.groups[gCTX01]
	switch {
	case s.age != nil && *s.age < 18:
		return vTrue, true, s.abs&ctx != 0, false
	case s.pres&ctx != 0:
		return vTrue, false, false, false
	case s.abs&ctx != 0:
		return vFalse, false, false, false
	case s.age != nil && s.unk&ctx == 0:
		return vFalse, true, false, true
	}
	return val{t: triUnknown, miss: ctx}, false, false, false
}
