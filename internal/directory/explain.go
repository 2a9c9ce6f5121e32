package directory

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Translation keys of the reasons a match ranks where it does, and of the
// notes on referrals that cross the border.
const (
	keyShelter         = "directory.reason.emergency_shelter"    // meets the emergency shelter the person needs
	keyNeedsMet        = "directory.reason.needs_met"            // meets %s of the person's %s needs
	keyBedsToday       = "directory.reason.beds_today"           // %s beds free today
	keyBedsUnknown     = "directory.reason.beds_unknown"         // keeps no bed count: call first
	keyBedsStale       = "directory.reason.beds_stale"           // the bed count is more than two days old: call first
	keyFullOther       = "directory.reason.full_other_needs"     // no beds today; offered for the person's other needs
	keyDistance        = "directory.reason.distance"             // %s km away
	keyDistanceApprox  = "directory.reason.distance_approximate" // about %s km away (confidential location)
	keyDistanceUnknown = "directory.reason.distance_unknown"     // the service's location has no coordinates
	keyRemote          = "directory.reason.remote"               // by phone or online
	keyLanguageFirst   = "directory.reason.language_first"       // speaks %s, the person's first language
	keyLanguage        = "directory.reason.language"             // speaks %s
	keyInterpreters    = "directory.reason.interpreters"         // arranges interpreters
	keyCost            = "directory.reason.cost"                 // cost: %s
	keyCrossBorder     = "directory.reason.cross_border"         // crosses the border from %s to %s
	keyLeavingUS       = "directory.reason.leaving_us"           // leaving the US may end T-visa physical presence and bar return
	keyEnteringUS      = "directory.reason.entering_us"          // entering the US needs documents or parole at a port of entry
	keyCheckGender     = "directory.reason.check_gender"         // takes only %s: confirm
	keyCheckAge        = "directory.reason.check_age"            // takes ages %s to %s: confirm
	keyCheckExploit    = "directory.reason.check_exploitation"   // takes %s trafficking only: confirm
	keyCheckStatus     = "directory.reason.check_status"         // requires legal status: confirm
	keyCheckArea       = "directory.reason.check_area"           // serves a limited area: confirm
	keyCheckLanguage   = "directory.reason.check_language"       // lists no languages: confirm
	keyNoteUSToMX      = "directory.cross_border.us_to_mx"       // contact paths when a referral goes from the US to Mexico
	keyNoteMXToUS      = "directory.cross_border.mx_to_us"       // contact paths when a referral goes from Mexico to the US
)

// reasonsPerMatch is room for a typical match's reasons, so that one
// allocation holds them.
const reasonsPerMatch = 8

// Keys lists every translation key a match can carry, for the catalogs'
// completeness test: reasons, exclusions and cross-border notes. The
// validation keys are "field.*" plus directory.age_range,
// directory.area_code, directory.coordinates_pair and
// directory.organization_mismatch.
var Keys = append([]string{
	keyShelter, keyNeedsMet, keyBedsToday, keyBedsUnknown, keyBedsStale, keyFullOther,
	keyDistance, keyDistanceApprox, keyDistanceUnknown, keyRemote, keyLanguageFirst, keyLanguage,
	keyInterpreters, keyCost, keyCrossBorder, keyLeavingUS, keyEnteringUS, keyCheckGender, keyCheckAge,
	keyCheckExploit, keyCheckStatus, keyCheckArea, keyCheckLanguage, keyNoteUSToMX, keyNoteMXToUS,
}, exclusionKeys[:]...)

func (ix *Index) match(c candidate, q *query) Match {
	e := &ix.entries[c.entry]
	l := &ix.listings[e.listing]
	conf := e.flags&isConfidential != 0
	m := Match{
		ServiceID:    l.Service.ID,
		LocationID:   l.Location.ID,
		Service:      l.Service.Name,
		Organization: l.Organization.Name,
		Country:      l.Service.Eligibility.Country,
		Area:         area(&l.Location),
		Confidential: conf,
		DistanceKm:   distance(c.dist, conf),
		NeedsMet:     needNames(c.met),
		Availability: availability(e, l, c.avail),
		Score:        c.score,
	}
	if p, ok := pointOf(&l.Location); ok {
		if conf {
			p = Approximate(p)
		}
		m.Point = &p
	}
	if !conf {
		m.Location = l.Location.Name
		m.Address = address(&l.Location)
	}
	if q.country != 0 && e.country != 0 && q.country != e.country {
		m.CrossBorder, m.CrossBorderNote = true, keyNoteUSToMX
		if q.country == sideMX {
			m.CrossBorderNote = keyNoteMXToUS
		}
	}
	m.Reasons = ix.reasons(e, q, &c, &m)
	return m
}

// reasons explains a match in the order of the score's terms, then the
// crossing, then what the caseworker should confirm.
func (ix *Index) reasons(e *entry, q *query, c *candidate, m *Match) []Reason {
	rs := make([]Reason, 0, reasonsPerMatch)
	add := func(key string, args ...string) { rs = append(rs, Reason{Key: key, Args: args}) }
	if q.needs&shelterNeed != 0 && c.met&shelterNeed != 0 {
		add(keyShelter)
	}
	add(keyNeedsMet, strconv.Itoa(bits.OnesCount32(c.met)), strconv.Itoa(bits.OnesCount32(q.needs)))
	switch needed := c.met&bedNeeds != 0; {
	case c.avail == availFull && e.needs&q.needs&bedNeeds != 0:
		add(keyFullOther)
	case needed && c.avail == availBeds:
		add(keyBedsToday, strconv.Itoa(m.Availability.Beds))
	case needed && c.avail == availStale:
		add(keyBedsStale)
	case needed && c.avail == availNoCount:
		add(keyBedsUnknown)
	}
	switch {
	case !q.hasPoint:
	case e.flags&isVirtual != 0:
		add(keyRemote)
	case m.DistanceKm == nil:
		add(keyDistanceUnknown)
	case m.Confidential:
		add(keyDistanceApprox, strconv.FormatFloat(*m.DistanceKm, 'f', -1, 64))
	default:
		add(keyDistance, strconv.FormatFloat(*m.DistanceKm, 'f', -1, 64))
	}
	switch c.lang {
	case 2, 1:
		key := keyLanguage
		if c.lang == 2 {
			key = keyLanguageFirst
		}
		add(key, q.langs[ix.shared(e, q)].code)
	case 0:
		add(keyInterpreters)
	}
	if cost := ix.listings[e.listing].Service.Eligibility.Cost; cost != "" {
		add(keyCost, cost)
	}
	if m.CrossBorder {
		rs = crossing(rs, q, e.flags&isVirtual == 0)
	}
	return ix.checks(rs, e, q, c)
}

// crossing says the referral crosses the border and, when the person must
// cross in body (not by phone) without known papers, what that can cost.
func crossing(rs []Reason, q *query, physical bool) []Reason {
	from, to := "US", "MX"
	if q.country == sideMX {
		from, to = to, from
	}
	rs = append(rs, Reason{Key: keyCrossBorder, Args: []string{from, to}})
	switch {
	case !physical || (q.statusKnown && !q.undocumented):
	case from == "US":
		rs = append(rs, Reason{Key: keyLeavingUS})
	default:
		rs = append(rs, Reason{Key: keyEnteringUS})
	}
	return rs
}

// checks adds what the matcher could not decide because the profile does
// not say: the service may still turn the person away.
func (ix *Index) checks(rs []Reason, e *entry, q *query, c *candidate) []Reason {
	el := &ix.listings[e.listing].Service.Eligibility
	add := func(key string, args ...string) { rs = append(rs, Reason{Key: key, Args: args}) }
	if e.genders != 0 && q.gender == 0 {
		add(keyCheckGender, strings.Join(el.Genders, ","))
	}
	if (e.minAge >= 0 || e.maxAge >= 0) && !q.ageExact && !insideAges(e, q) {
		add(keyCheckAge, bound(e.minAge), bound(e.maxAge))
	}
	if e.exploit != exploitAny && q.exploit == 0 {
		add(keyCheckExploit, el.Exploitation)
	}
	if e.flags&statusRequired != 0 && !q.statusKnown {
		add(keyCheckStatus)
	}
	if (e.areaHi > e.areaLo && !q.areaGiven) || (e.radiusKm > 0 && c.dist < 0) {
		add(keyCheckArea)
	}
	if c.lang == -1 && len(q.langs) > 0 {
		add(keyCheckLanguage)
	}
	return rs
}

// insideAges reports whether the profile's whole age range is one the
// service takes.
func insideAges(e *entry, q *query) bool {
	return q.ageKnown && (e.minAge < 0 || q.ageLo >= int(e.minAge)) && (e.maxAge < 0 || q.ageHi <= int(e.maxAge))
}

func (ix *Index) exclusion(c candidate, q *query) Exclusion {
	e := &ix.entries[c.entry]
	l := &ix.listings[e.listing]
	el := &l.Service.Eligibility
	x := Exclusion{
		ServiceID:    l.Service.ID,
		LocationID:   l.Location.ID,
		Service:      l.Service.Name,
		Organization: l.Organization.Name,
		Country:      el.Country,
		DistanceKm:   distance(c.dist, e.flags&isConfidential != 0),
		NeedsMet:     needNames(e.needs & q.needs),
		Reasons:      make([]Reason, 0, bits.OnesCount16(c.why)),
	}
	for w := c.why; w != 0; w &= w - 1 {
		bit := uint16(1) << bits.TrailingZeros16(w)
		r := Reason{Key: exclusionKeys[bits.TrailingZeros16(w)]}
		switch bit {
		case exGender:
			r.Args = []string{strings.Join(el.Genders, ",")}
		case exAge:
			r.Args = []string{bound(e.minAge), bound(e.maxAge)}
		case exExploitation:
			r.Args = []string{el.Exploitation}
		case exLanguage:
			r.Args = []string{strings.Join(el.Languages, ",")}
		case exSide:
			r.Args = []string{string(el.Country)}
		case exTooFar:
			r.Args = []string{strconv.FormatFloat(*x.DistanceKm, 'f', -1, 64), strconv.FormatFloat(q.maxKm, 'f', -1, 64)}
		}
		x.Reasons = append(x.Reasons, r)
	}
	return x
}

func bound(a int16) string {
	if a < 0 {
		return ""
	}
	return strconv.Itoa(int(a))
}

// distance rounds to 0.1 km, or to the kilometre for a confidential
// location, whose distance is already measured from its rounded point.
func distance(d float64, confidential bool) *float64 {
	if d < 0 || math.IsNaN(d) {
		return nil
	}
	if confidential {
		d = math.Round(d)
	} else {
		d = math.Round(d*10) / 10
	}
	return &d
}

func availability(e *entry, l *Listing, state uint8) Availability {
	a := Availability{State: availNames[state]}
	if e.bedsFree >= 0 {
		a.UpdatedAt = l.Service.Eligibility.AvailabilityUpdatedAt
	}
	if state == availBeds {
		a.Beds = int(e.bedsFree)
	}
	return a
}

// area is the coarse place a location is in: its city and state.
func area(l *Location) string {
	if len(l.Addresses) == 0 {
		return ""
	}
	a := &l.Addresses[0]
	if a.StateProvince == "" || a.City == "" {
		return a.City + a.StateProvince
	}
	return a.City + ", " + a.StateProvince
}

// address returns a copy of the location's first physical address.
func address(l *Location) *Address {
	for _, a := range l.Addresses {
		if a.AddressType == Physical || a.AddressType == "" {
			return &a
		}
	}
	return nil
}
