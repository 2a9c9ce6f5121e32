package directory

import (
	"math"
	"math/bits"
	"strings"
	"time"

	"puente/internal/account"
)

// Options tune a match. Zero values take the defaults.
type Options struct {
	MaxDistanceKm float64 // farther physical locations are excluded; default 300
	Limit         int     // most matches returned; default 20, at most 500
	// IncludeExcluded lists the nearest excluded candidates, each with
	// every reason it was excluded, up to ExcludedLimit (default 50).
	IncludeExcluded bool
	ExcludedLimit   int
}

// Defaults and bounds for Options.
const (
	DefaultMaxDistanceKm = 300
	DefaultLimit         = 20
	DefaultExcludedLimit = 50
	maxLimit             = 500
)

func (o Options) withDefaults() Options {
	if !(o.MaxDistanceKm > 0) { // also NaN
		o.MaxDistanceKm = DefaultMaxDistanceKm
	}
	if o.Limit <= 0 {
		o.Limit = DefaultLimit
	}
	if o.ExcludedLimit <= 0 {
		o.ExcludedLimit = DefaultExcludedLimit
	}
	o.Limit, o.ExcludedLimit = min(o.Limit, maxLimit), min(o.ExcludedLimit, maxLimit)
	return o
}

// Reason is a translation key with its arguments, in the order the
// catalog's message takes them. Arguments are vocabulary codes, numbers and
// dates; the edge translates codes before formatting.
type Reason struct {
	Key  string   `json:"key"`
	Args []string `json:"args,omitempty"`
}

// Availability is what a listing's bed count says today.
type Availability struct {
	State     string    `json:"state,omitempty"` // AvailNone, AvailNoCount, AvailStale, AvailFull, AvailBeds
	Beds      int       `json:"beds,omitempty"`  // free beds, when State is AvailBeds
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Match is one service offered to the survivor, with why it ranks where it
// does. For a confidential location Point is rounded to about 10 km,
// DistanceKm is measured from that rounded point to the whole kilometre,
// and Location and Address are empty: Area (the city) says where it is.
type Match struct {
	ServiceID    string          `json:"service_id"`
	LocationID   string          `json:"location_id,omitempty"`
	Service      string          `json:"service"`
	Organization string          `json:"organization"`
	Location     string          `json:"location,omitempty"`
	Country      account.Country `json:"country"`
	Area         string          `json:"area,omitempty"`
	Address      *Address        `json:"address,omitempty"`
	Point        *Point          `json:"point,omitempty"`
	Confidential bool            `json:"confidential"`
	DistanceKm   *float64        `json:"distance_km,omitempty"`
	NeedsMet     []string        `json:"needs_met"`
	Availability Availability    `json:"availability"`
	// CrossBorder says the referral crosses the border; CrossBorderNote is
	// the translation key of the note on contact paths on both sides.
	CrossBorder     bool     `json:"cross_border"`
	CrossBorderNote string   `json:"cross_border_note,omitempty"`
	Score           int      `json:"score"`
	Reasons         []Reason `json:"reasons"`
}

// Exclusion is a service that meets one of the survivor's needs but was not
// offered, with every reason why.
type Exclusion struct {
	ServiceID    string          `json:"service_id"`
	LocationID   string          `json:"location_id,omitempty"`
	Service      string          `json:"service"`
	Organization string          `json:"organization"`
	Country      account.Country `json:"country"`
	DistanceKm   *float64        `json:"distance_km,omitempty"`
	NeedsMet     []string        `json:"needs_met"`
	Reasons      []Reason        `json:"reasons"`
}

// Result is the outcome of a match.
type Result struct {
	Matches  []Match     `json:"matches"`
	Excluded []Exclusion `json:"excluded,omitempty"`
	// ExcludedTotal counts every excluded candidate, listed or not;
	// ExcludedBy counts them by reason key (a candidate counts once under
	// each of its reasons), with IncludeExcluded.
	ExcludedTotal int            `json:"excluded_total"`
	ExcludedBy    map[string]int `json:"excluded_by,omitempty"`
	// UnmetNeeds are the survivor's needs that no eligible service meets:
	// the gap a caseworker must fill by other means, and the gap report's
	// raw material.
	UnmetNeeds []string `json:"unmet_needs"`
}

// MatchListings ranks listings for the profile. It compiles an index on
// every call; to match more than once, build an Index. (It is not called
// Match because Match is the type of what it returns.)
func MatchListings(p Profile, listings []Listing, now time.Time, opts Options) Result {
	return NewIndex(listings).Match(p, now, opts)
}

// candidate is a listing that meets at least one need, while it is judged.
type candidate struct {
	entry int32
	dist  float64 // km; -1 when either point is unknown
	met   uint32
	why   uint16 // exclusion bits
	avail uint8
	lang  int8
	score int
}

// Match ranks the index's listings for the profile at now.
//
// A listing is a candidate when it meets at least one of the profile's
// needs. A candidate is excluded when any eligibility rule shuts the person
// out (see the directory.excluded.* keys); the rest are ranked by Score,
// higher first, where
//
//	Score = 10,000,000 × shelter   (1 when emergency shelter is needed and met)
//	      +    100,000 × needs met (how many of the profile's needs, 1–17)
//	      +     10,000 × available (1 when it has beds today or meets no bed need; 0 when the count is missing or stale)
//	      +      1,000 × distance band (6: ≤ 10 km or remote, 5: ≤ 25, 4: ≤ 50, 3: ≤ 100, 2: ≤ 200, 1: farther, 0: unknown)
//	      +        100 × language  (2: speaks the person's first language, 1: another of theirs, 0: neither or unknown)
//	      +         10 × cost      (3: free, 2: sliding scale, 1: unknown, 0: fee)
//
// Each weight is larger than the most all the terms below it can add up
// to, so the order is lexicographic: needs, availability, distance,
// language, cost. Distance counts by band so that a service that speaks
// Mam 30 km away can outrank a Spanish-only one 45 km away, but not one
// next door. Ties go to the nearer (unknown distances last), then to the
// lower service id and location id, so the order never depends on the
// order of the listings.
//
// The loop over the index does not allocate: Match allocates only the two
// short lists it keeps and what it returns.
func (ix *Index) Match(p Profile, now time.Time, opts Options) Result {
	opts = opts.withDefaults()
	q := ix.query(&p, opts)
	t := now.Unix()
	top, out := make([]candidate, 0, opts.Limit), []candidate(nil)
	if opts.IncludeExcluded {
		out = make([]candidate, 0, opts.ExcludedLimit)
	}
	var byReason [len(exclusionKeys)]int
	var total int
	var metAll uint32
	for k := range ix.entries {
		if ix.entries[k].needs&q.needs == 0 {
			continue
		}
		c := ix.consider(k, &q, t, ix.distance(k, &q))
		if c.why != 0 {
			total++
			if opts.IncludeExcluded {
				for w := c.why; w != 0; w &= w - 1 {
					byReason[bits.TrailingZeros16(w)]++
				}
				out = ix.keep(out, c, opts.ExcludedLimit, false)
			}
			continue
		}
		metAll |= c.met
		c.score = score(&ix.entries[k], &q, &c)
		top = ix.keep(top, c, opts.Limit, true)
	}
	r := Result{Matches: make([]Match, len(top)), ExcludedTotal: total, UnmetNeeds: needNames(q.needs &^ metAll)}
	for i, c := range top {
		r.Matches[i] = ix.match(c, &q)
	}
	if opts.IncludeExcluded {
		r.Excluded = make([]Exclusion, len(out))
		for i, c := range out {
			r.Excluded[i] = ix.exclusion(c, &q)
		}
		r.ExcludedBy = countMap(byReason[:])
	}
	if r.UnmetNeeds == nil {
		r.UnmetNeeds = []string{}
	}
	return r
}

// consider judges entry k, which meets at least one of q's needs, for q
// at now (unix seconds), dist km from q's point (see distance). Match and
// the gap report both judge through it, so that the report can never count
// a service the Find services page would not offer, or the other way round.
func (ix *Index) consider(k int, q *query, now int64, dist float64) candidate {
	c := candidate{entry: int32(k), dist: dist}
	ix.judge(&ix.entries[k], q, now, &c)
	return c
}

// distance is how far entry k is from q's point, in km, or -1 when either
// point is unknown. It depends on the point alone, so the gap report
// measures it once per place for all its profiles and needs.
func (ix *Index) distance(k int, q *query) float64 {
	if e := &ix.entries[k]; q.hasPoint && e.flags&hasPoint != 0 {
		return haversine(q.at, e.at)
	}
	return -1
}

// distanceBands are the upper bounds, in km, of bands 6 down to 2.
var distanceBands = [...]float64{10, 25, 50, 100, 200}

func score(e *entry, q *query, c *candidate) int {
	s := 0
	if q.needs&shelterNeed != 0 && c.met&shelterNeed != 0 {
		s += 10_000_000
	}
	s += 100_000 * bits.OnesCount32(c.met)
	if c.met&bedNeeds == 0 || c.avail == availBeds {
		s += 10_000
	}
	s += 1_000 * band(e, q, c.dist)
	s += 100 * int(max(c.lang, 0))
	return s + 10*int(e.cost)
}

func band(e *entry, q *query, dist float64) int {
	switch {
	case !q.hasPoint:
		return 0
	case e.flags&isVirtual != 0:
		return 6
	case dist < 0:
		return 0
	}
	b := 6
	for _, limit := range distanceBands {
		if dist > limit {
			b--
		}
	}
	return b
}

// keep inserts c into s, which it keeps sorted (by score when byScore,
// else by distance) and at most n long. With n small (tens), insertion
// beats a heap, and comparing by static calls keeps c off the heap.
func (ix *Index) keep(s []candidate, c candidate, n int, byScore bool) []candidate {
	if len(s) == n && !ix.less(&c, &s[n-1], byScore) {
		return s
	}
	lo, hi := 0, len(s)
	for lo < hi {
		if m := int(uint(lo+hi) >> 1); ix.less(&c, &s[m], byScore) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	if len(s) < n {
		s = append(s, candidate{})
	}
	copy(s[lo+1:], s[lo:len(s)-1])
	s[lo] = c
	return s
}

// less orders matches by higher score, then as nearer does; exclusions as
// nearer does.
func (ix *Index) less(a, b *candidate, byScore bool) bool {
	if byScore && a.score != b.score {
		return a.score > b.score
	}
	return ix.nearer(a, b)
}

// nearer orders by distance (unknown last), then by service and location
// id, then by position, so that every order is total.
func (ix *Index) nearer(a, b *candidate) bool {
	if da, db := distKey(a.dist), distKey(b.dist); da != db {
		return da < db
	}
	ea, eb := &ix.entries[a.entry], &ix.entries[b.entry]
	la, lb := &ix.listings[ea.listing], &ix.listings[eb.listing]
	if c := strings.Compare(la.Service.ID, lb.Service.ID); c != 0 {
		return c < 0
	}
	if c := strings.Compare(la.Location.ID, lb.Location.ID); c != 0 {
		return c < 0
	}
	return a.entry < b.entry
}

func distKey(d float64) float64 {
	if d < 0 || math.IsNaN(d) {
		return math.Inf(1)
	}
	return d
}

func countMap(counts []int) map[string]int {
	m := map[string]int{}
	for i, n := range counts {
		if n > 0 {
			m[exclusionKeys[i]] = n
		}
	}
	return m
}
