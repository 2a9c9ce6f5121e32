package directory

import (
	"slices"
	"strings"
)

// Exclusion bits, in the order of exclusionKeys.
const (
	exGender uint16 = 1 << iota
	exAge
	exExploitation
	exStatus
	exNoBeds
	exLanguage
	exArea
	exSide
	exTooFar
	exClosed
	exAccess
)

// exclusionKeys are the translation keys of the reasons a candidate is
// excluded, one per exclusion bit.
var exclusionKeys = [...]string{
	"directory.excluded.gender",       // the service does not take the person's gender ("women only")
	"directory.excluded.age",          // outside the age range ("adults only")
	"directory.excluded.exploitation", // another form only ("sex trafficking only")
	"directory.excluded.status",       // requires legal immigration status
	"directory.excluded.no_beds",      // a fresh count says no beds today
	"directory.excluded.language",     // speaks none of the person's languages and has no interpreters
	"directory.excluded.area",         // the person is outside the area served
	"directory.excluded.side",         // the other side of the border from the one preferred
	"directory.excluded.too_far",      // farther than Options.MaxDistanceKm
	"directory.excluded.closed",       // temporarily closed
	"directory.excluded.access",       // no step-free access, and the person needs it
}

// query is a profile compiled against an index.
type query struct {
	needs        uint32
	gender       uint8 // 0 when unknown
	exploit      uint8 // 0 when unknown
	ageLo, ageHi int
	ageExact     bool
	ageKnown     bool
	undocumented bool
	statusKnown  bool
	langs        []qlang // the profile's languages, first first
	langAll      uint64
	at           rad
	hasPoint     bool
	country      uint8 // where the person is now; 0 when unknown
	side         uint8 // side preferred; 0 for either
	area         uint32
	areaGiven    bool
	accessible   bool
	maxKm        float64
}

// qlang is one of the profile's languages: its bit in the index, or 0 when
// no listing has it in the bitset.
type qlang struct {
	code string
	bit  uint64
}

func (ix *Index) query(p *Profile, opts Options) query {
	q := query{
		needs:        needMask(p.Needs),
		gender:       genderBit[p.Gender],
		undocumented: p.ImmigrationStatus == "undocumented",
		statusKnown:  p.ImmigrationStatus == "documented" || p.ImmigrationStatus == "undocumented",
		country:      sideOf(strings.ToUpper(string(p.Country))),
		side:         sideOf(strings.ToUpper(p.Side)),
		areaGiven:    p.Area != "",
		area:         ix.area(strings.ToUpper(p.Area), false),
		accessible:   p.Accessible,
		maxKm:        opts.MaxDistanceKm,
	}
	q.ageLo, q.ageHi, q.ageExact, q.ageKnown = p.ageRange()
	for _, e := range p.Exploitation {
		q.exploit |= exploitationBits(e)
	}
	for _, c := range p.Languages {
		c = strings.ToLower(strings.TrimSpace(c))
		if alias, ok := languageAliases[c]; ok {
			c = alias
		}
		l := qlang{code: c, bit: ix.langBit[c]}
		q.langs = append(q.langs, l)
		q.langAll |= l.bit
	}
	if p.Location != nil && p.Location.Valid() {
		q.at, q.hasPoint = radians(*p.Location), true
	}
	return q
}

// judge fills in the needs the candidate meets, its availability, its
// language tier and the reasons it is excluded, if any.
func (ix *Index) judge(e *entry, q *query, now int64, c *candidate) {
	c.met = e.needs & q.needs
	c.avail = e.availability(now)
	if c.avail == availFull && c.met&bedNeeds != 0 {
		// A full shelter still meets the person's other needs, if any.
		if c.met &^= bedNeeds; c.met == 0 {
			c.why |= exNoBeds
		}
	}
	c.lang = ix.langTier(e, q)
	rules := [...]struct {
		out bool
		bit uint16
	}{
		{e.genders != 0 && q.gender != 0 && e.genders&q.gender == 0, exGender},
		{q.ageKnown && outsideAges(e, q.ageLo, q.ageHi), exAge},
		{q.exploit != 0 && e.exploit&q.exploit == 0, exExploitation},
		{q.undocumented && e.flags&statusRequired != 0, exStatus},
		{c.lang == 0 && e.flags&interprets == 0, exLanguage},
		{!ix.inArea(e, q, c.dist), exArea},
		{q.side != 0 && e.country != q.side, exSide},
		{c.dist > q.maxKm, exTooFar},
		{e.flags&closed != 0, exClosed},
		{q.accessible && e.flags&accessible == 0, exAccess},
	}
	for _, r := range rules {
		if r.out {
			c.why |= r.bit
		}
	}
}

func outsideAges(e *entry, lo, hi int) bool {
	return (e.minAge >= 0 && hi < int(e.minAge)) || (e.maxAge >= 0 && lo > int(e.maxAge))
}

// Language tiers: -1 unknown (the profile or the service lists no
// language), 0 none in common, 1 another of the person's languages, 2 the
// first.
func (ix *Index) langTier(e *entry, q *query) int8 {
	if len(q.langs) == 0 || e.langs == 0 {
		return -1
	}
	switch ix.shared(e, q) {
	case -1:
		return 0
	case 0:
		return 2
	}
	return 1
}

// shared returns the position in the profile of the first language the
// service speaks, or -1.
func (ix *Index) shared(e *entry, q *query) int {
	if e.langs&q.langAll == 0 && e.langs&langOverflow == 0 {
		return -1
	}
	for i, l := range q.langs {
		if l.bit&e.langs != 0 || (l.bit == 0 && e.langs&langOverflow != 0 && ix.speaks(e, l.code)) {
			return i
		}
	}
	return -1
}

// speaks compares codes, for the rare listing whose languages did not fit
// the bitset.
func (ix *Index) speaks(e *entry, code string) bool {
	return slices.Contains(ix.listings[e.listing].Service.Eligibility.Languages, code)
}

// inArea reports whether the person may be in the service's area. What is
// not known (no area code, no distance) does not shut them out.
func (ix *Index) inArea(e *entry, q *query, dist float64) bool {
	if e.radiusKm > 0 && dist > e.radiusKm {
		return false
	}
	if e.areaHi > e.areaLo && q.areaGiven {
		return slices.Contains(ix.areas[e.areaLo:e.areaHi], q.area)
	}
	return true
}
