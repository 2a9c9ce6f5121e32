package directory

import (
	"math"
	"time"
)

// StaleAfter is how old a bed count may be and still be believed. An older
// count says nothing about tonight: the service is treated as having no
// count, never as full.
const StaleAfter = 48 * time.Hour

// Index is a directory compiled for matching: each listing's eligibility
// reduced to bitsets and numbers, so that one match is a single pass over
// a flat slice with no maps, strings or allocations in the loop. Build it
// once per change to the directory; it is safe for concurrent Match calls
// and must not be changed after NewIndex.
type Index struct {
	listings []Listing
	entries  []entry
	langBit  map[string]uint64 // language code → bit; codes past 63 share langOverflow
	areaID   map[string]uint32 // area code → id, from 1
	areas    []uint32          // entries' area ids, sliced by areaLo:areaHi
}

// langOverflow marks a listing that speaks a language beyond the 63 the
// bitset holds; the matcher then compares codes.
const langOverflow = uint64(1) << 63

// entry is one listing as the matcher sees it. A confidential location's
// point is already rounded here, so no distance, rank or exclusion can
// reveal more than the rounded point does.
type entry struct {
	at             rad
	needs          uint32
	langs          uint64
	radiusKm       float64
	updated        int64 // unix seconds of the bed count
	listing        int32
	areaLo, areaHi int32
	minAge, maxAge int16 // -1 when open
	bedsFree       int32 // -1 when there is no count
	genders        uint8 // 0 takes everyone
	exploit        uint8
	cost           uint8 // costRank
	country        uint8 // sideUS, sideMX, or 0
	flags          uint16
}

// Entry flags.
const (
	hasPoint uint16 = 1 << iota
	isVirtual
	isConfidential
	statusRequired
	accessible
	interprets
	closed
	offersBeds
)

// Sides of the border, as the index stores them.
const (
	sideUS uint8 = 1 + iota
	sideMX
)

func sideOf(c string) uint8 {
	switch c {
	case "US":
		return sideUS
	case "MX":
		return sideMX
	}
	return 0
}

// costRank orders costs from worst to best for a survivor with no money;
// an unknown cost sits between a fee and a sliding scale.
var costRank = map[string]uint8{"fee": 0, "": 1, "sliding": 2, "free": 3}

// NewIndex compiles listings for matching. It keeps listings (without
// copying) for the names and addresses a match shows. Inactive and defunct
// services are left out: they are no one's referral.
func NewIndex(listings []Listing) *Index {
	ix := &Index{
		listings: listings,
		entries:  make([]entry, 0, len(listings)),
		langBit:  map[string]uint64{},
		areaID:   map[string]uint32{},
	}
	for i := range listings {
		s := &listings[i].Service
		if s.Status == StatusInactive || s.Status == StatusDefunct {
			continue
		}
		ix.entries = append(ix.entries, ix.compile(int32(i)))
	}
	return ix
}

// Len reports how many listings the index matches against.
func (ix *Index) Len() int { return len(ix.entries) }

func (ix *Index) compile(i int32) entry {
	l := &ix.listings[i]
	el := &l.Service.Eligibility
	e := entry{
		listing:  i,
		needs:    needMask(l.Service.Needs),
		langs:    ix.langMask(el.Languages, true),
		radiusKm: el.AreaServed.RadiusKm,
		minAge:   ageBound(el.MinAge),
		maxAge:   ageBound(el.MaxAge),
		bedsFree: -1,
		exploit:  exploitationBits(el.Exploitation),
		cost:     costRank[el.Cost],
		country:  sideOf(string(el.Country)),
	}
	if e.exploit == 0 {
		e.exploit = exploitAny // unset takes everyone, as Normalize would say
	}
	if math.IsNaN(e.radiusKm) || e.radiusKm < 0 {
		e.radiusKm = 0
	}
	for _, g := range el.Genders {
		e.genders |= genderBit[g]
	}
	e.areaLo = int32(len(ix.areas))
	for _, c := range el.AreaServed.Codes {
		ix.areas = append(ix.areas, ix.area(c, true))
	}
	e.areaHi = int32(len(ix.areas))
	if p, ok := pointOf(&l.Location); ok {
		if l.Location.Confidential {
			p = Approximate(p)
		}
		e.at, e.flags = radians(p), e.flags|hasPoint
	}
	e.flags |= flagsOf(l, e.needs)
	if el.BedsAvailable != nil {
		e.bedsFree = int32(max(0, min(*el.BedsAvailable, math.MaxInt32)))
		e.updated = el.AvailabilityUpdatedAt.Unix()
	}
	return e
}

func flagsOf(l *Listing, needs uint32) uint16 {
	var f uint16
	el := &l.Service.Eligibility
	set := func(cond bool, bit uint16) {
		if cond {
			f |= bit
		}
	}
	set(l.Location.LocationType == Virtual || l.Location.ID == "", isVirtual)
	set(l.Location.Confidential, isConfidential)
	set(el.ImmigrationStatusRequired, statusRequired)
	set(el.Accessible, accessible)
	set(el.Interpretation, interprets)
	set(l.Service.Status == StatusTemporaryClosed, closed)
	set(needs&bedNeeds != 0 || el.Beds > 0 || el.BedsAvailable != nil, offersBeds)
	return f
}

func ageBound(a *int) int16 {
	if a == nil || *a < 0 {
		return -1
	}
	return int16(min(*a, maxAge))
}

// langMask returns the bits of codes; with add, codes not seen before get
// a bit while bits last.
func (ix *Index) langMask(codes []string, add bool) uint64 {
	var m uint64
	for _, c := range codes {
		bit, ok := ix.langBit[c]
		if !ok && add {
			bit = langOverflow
			if n := len(ix.langBit); n < 63 {
				bit = 1 << n
				ix.langBit[c] = bit
			}
		}
		m |= bit
	}
	return m
}

// area returns the id of an area code; with add, new codes get one.
func (ix *Index) area(code string, add bool) uint32 {
	id, ok := ix.areaID[code]
	if !ok && add {
		id = uint32(len(ix.areaID) + 1)
		ix.areaID[code] = id
	}
	return id
}

// Availability states, as Match reports them.
const (
	AvailNone    = ""         // the service offers no beds
	AvailNoCount = "no_count" // a shelter that keeps no bed count
	AvailStale   = "stale"    // the count is older than StaleAfter: unknown
	AvailFull    = "full"     // no beds today
	AvailBeds    = "beds"     // beds free today
)

// The same states inside the loop, where a byte is cheaper than a string.
const (
	availNone uint8 = iota
	availNoCount
	availStale
	availFull
	availBeds
)

var availNames = [...]string{AvailNone, AvailNoCount, AvailStale, AvailFull, AvailBeds}

// availability is what the entry's bed count says at now (unix seconds).
func (e *entry) availability(now int64) uint8 {
	switch {
	case e.flags&offersBeds == 0:
		return availNone
	case e.bedsFree < 0:
		return availNoCount
	case now-e.updated > int64(StaleAfter/time.Second):
		return availStale
	case e.bedsFree == 0:
		return availFull
	}
	return availBeds
}
