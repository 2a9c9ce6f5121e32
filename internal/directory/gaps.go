package directory

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"

	"puente/internal/htcds"
)

// GapProfile is a kind of survivor the gap report asks about: a profile
// that fixes one trait and leaves every other unknown. The matcher never
// shuts a person out for what it does not know, so a cell says whether any
// service would take someone with that trait; whether one takes a person
// with several (an undocumented man trafficked for labor) is the Find
// services page's question.
type GapProfile struct {
	ID      string // stable, for URLs and CSV; its label is the key "gaps.profile.<ID>"
	Profile Profile
}

// GapProfiles are the eight kinds of survivor of issue 5. Ages sit well
// inside the usual ranges rather than on their edges: 30 for an adult, 15
// for a minor, whose gender is left unknown so that services for girls and
// for boys both count.
//
// The Indigenous-language speaker speaks Mam and nothing else. Mam,
// K'iche' (quc) and Mixtec (mix) are among the Indigenous languages most
// often needed on the border; Mam, spoken by many of the Guatemalans who
// cross it, stands for them. One language, not a list: a profile speaking
// mam, quc and mix would count a service that speaks any one of them as
// serving all three peoples. A deployment that needs K'iche' or Mixtec
// adds a profile.
var GapProfiles = []GapProfile{
	{"adult_man", Profile{Gender: "man", Age: new(30)}},
	{"woman", Profile{Gender: "woman", Age: new(30)}},
	{"minor", Profile{Age: new(15)}},
	{"labor", Profile{Exploitation: []string{Labor}}},
	{"sex", Profile{Exploitation: []string{Sex}}},
	{"spanish_only", Profile{Languages: []string{"es"}}},
	{"indigenous", Profile{Languages: []string{"mam"}}},
	{"undocumented", Profile{ImmigrationStatus: "undocumented"}},
}

// GapQuery says what the gap report covers. Zero fields take the defaults.
type GapQuery struct {
	Places   []Place      // default BorderCities
	Needs    []string     // default htcds.Needs; an unknown need is a row no service meets
	Profiles []GapProfile // default GapProfiles
	// MaxDistanceKm is how far from the place a person can be sent: the
	// radius of the area the report is about, as well as the county or
	// municipio. Default DefaultMaxDistanceKm, as for a match.
	MaxDistanceKm float64
}

// Supply is what one side of the border offers a kind of survivor for a
// need: the services a match would offer, each counted once however many
// of its locations are in reach.
type Supply struct {
	Services int
	// BedsFree adds up the free beds of those services by counts no older
	// than StaleAfter; BedsUnknown counts those whose count is missing or
	// stale. Both are zero unless the need is a bed (emergency shelter,
	// housing): a shelter's beds say nothing about its food bank.
	BedsFree    int
	BedsUnknown int
	// Full counts services that would take the person but have, by a
	// fresh count, no bed today. A match leaves them out, so they are not
	// among Services; they are a gap in capacity, not in the directory.
	Full int
}

// Gap is one row of the gap report: what a need is offered to a kind of
// survivor in a place.
type Gap struct {
	Place   Place
	Need    string
	Profile string // GapProfile.ID
	// Here is on the place's side of the border, Across on the other,
	// each service by the country it is delivered from (a hotline too).
	// A match marks the same services as crossing the border.
	Here, Across Supply
}

// Gap statuses, as Status reports them and the CSV's status column holds.
const (
	GapNone       = "none"        // no service on either side
	GapAcrossOnly = "across_only" // none on this side; some across the border
	GapServed     = "served"      // at least one on this side
)

// Status says how the need is met: GapServed, GapAcrossOnly or GapNone.
func (g *Gap) Status() string {
	switch {
	case g.Here.Services > 0:
		return GapServed
	case g.Across.Services > 0:
		return GapAcrossOnly
	}
	return GapNone
}

// Unserved reports whether no service on the place's own side meets the
// need. A service across the border does not serve it: an undocumented
// person in the US who leaves may lose the physical presence a T visa
// requires and not get back, and entering the US needs papers most
// survivors in Mexico do not have. The row still says what is across.
func (g *Gap) Unserved() bool { return g.Here.Services == 0 }

// Gaps computes the gap report: for every place × need × profile of q, the
// services a match from the place, for that need and profile, would offer,
// counted on each side of the border.
//
// The person is put at the place's point, in its county or municipio, on
// its side, with no side preferred; each cell judges every listing through
// the same rules as Match (consider), so the report and the Find services
// page cannot disagree. A service whose fresh count says it is full is
// counted as Full, not as a service.
//
// Rows come sorted with the worst gaps first: by fewest services on the
// place's side (so every unserved row comes first), then fewest free beds
// there, then fewest services and beds across the border (so rows with
// nothing on either side lead); ties keep the order of q's places, needs
// and profiles.
func (ix *Index) Gaps(now time.Time, q GapQuery) []Gap {
	q = q.withDefaults()
	opts := Options{MaxDistanceKm: q.MaxDistanceKm}.withDefaults()
	t := now.Unix()
	c := newCounter(ix)
	queries := make([]query, len(q.Profiles))
	out := make([]Gap, 0, len(q.Places)*len(q.Needs)*len(q.Profiles))
	for _, pl := range q.Places {
		for i, gp := range q.Profiles {
			p := gp.Profile
			p.Location, p.Country, p.Area, p.Side = &pl.Point, pl.Country, pl.Area, ""
			queries[i] = ix.query(&p, opts)
		}
		if len(queries) > 0 {
			c.measure(&queries[0])
		}
		for _, need := range q.Needs {
			for i, gp := range q.Profiles {
				g := Gap{Place: pl, Need: need, Profile: gp.ID}
				// A query's needs are its only part that depends on the
				// need, so one query per profile serves every need.
				queries[i].needs = needBit[need]
				c.tally(&queries[i], t, &g)
				out = append(out, g)
			}
		}
	}
	slices.SortStableFunc(out, compareGaps)
	return out
}

// BedNeed reports whether a need is a bed (emergency shelter, housing),
// the needs whose rows count beds.
func BedNeed(need string) bool { return needBit[need]&bedNeeds != 0 }

func (q GapQuery) withDefaults() GapQuery {
	if q.Places == nil {
		q.Places = BorderCities
	}
	if q.Needs == nil {
		q.Needs = htcds.Needs
	}
	if q.Profiles == nil {
		q.Profiles = GapProfiles
	}
	return q
}

func compareGaps(a, b Gap) int {
	return cmp.Or(
		cmp.Compare(a.Here.Services, b.Here.Services),
		cmp.Compare(a.Here.BedsFree, b.Here.BedsFree),
		cmp.Compare(a.Across.Services, b.Across.Services),
		cmp.Compare(a.Across.BedsFree, b.Across.BedsFree),
	)
}

// counter tallies cells, counting each service once however many of its
// locations are in reach: beds are counted per service, so counting
// locations would count them twice.
type counter struct {
	ix    *Index
	svc   []int32   // entry → ordinal of its service
	seen  []uint32  // service ordinal → the last cell that counted it
	stamp uint32    // the current cell
	dist  []float64 // entry → km from the current place, as distance says
}

func newCounter(ix *Index) *counter {
	ord := make(map[string]int32, len(ix.entries))
	svc := make([]int32, len(ix.entries))
	for k := range ix.entries {
		id := ix.listings[ix.entries[k].listing].Service.ID
		n, ok := ord[id]
		if !ok {
			n = int32(len(ord))
			ord[id] = n
		}
		svc[k] = n
	}
	return &counter{ix: ix, svc: svc, seen: make([]uint32, len(ord)), dist: make([]float64, len(ix.entries))}
}

// measure finds every entry's distance from q's point, which the place's
// queries share: half the cost of a cell is trigonometry.
func (c *counter) measure(q *query) {
	for k := range c.dist {
		c.dist[k] = c.ix.distance(k, q)
	}
}

// tally adds to g what q's match at now (unix seconds) would offer. The
// distances must be measured from q's point.
func (c *counter) tally(q *query, now int64, g *Gap) {
	c.stamp++
	for k := range c.ix.entries {
		e := &c.ix.entries[k]
		if e.needs&q.needs == 0 {
			continue
		}
		cand := c.ix.consider(k, q, now, c.dist[k])
		if (cand.why != 0 && cand.why != exNoBeds) || c.seen[c.svc[k]] == c.stamp {
			continue
		}
		c.seen[c.svc[k]] = c.stamp
		s := &g.Here
		if q.country != 0 && e.country != 0 && e.country != q.country {
			s = &g.Across
		}
		if cand.why == exNoBeds {
			s.Full++
			continue
		}
		s.Services++
		if cand.met&bedNeeds == 0 {
			continue
		}
		switch cand.avail {
		case availBeds:
			s.BedsFree += int(e.bedsFree)
		case availNoCount, availStale:
			s.BedsUnknown++
		}
	}
}

// GapColumns are the columns of the gap report's CSV, in order. They are
// the export's contract with the spreadsheets and scripts that read it:
// add columns at the end, never rename or reorder one.
//
//	place                 the place's ID (elpaso, juarez …)
//	place_name            its name, as "El Paso, TX"
//	country               its side of the border: US or MX
//	area                  its county or municipio code, as "US-48141"
//	need                  a casework need code (emergency_shelter …)
//	profile               a GapProfile ID (adult_man, woman, minor …)
//	status                none, across_only or served (see Gap.Status)
//	services_here         services on the place's side that would take the person
//	beds_free_here        their free beds today, by fresh counts (bed needs only)
//	beds_unknown_here     of those services, how many have no fresh count (bed needs only)
//	full_here             services there that would take the person but are full today
//	services_across       the same four, across the border
//	beds_free_across
//	beds_unknown_across
//	full_across
var GapColumns = []string{
	"place", "place_name", "country", "area", "need", "profile", "status",
	"services_here", "beds_free_here", "beds_unknown_here", "full_here",
	"services_across", "beds_free_across", "beds_unknown_across", "full_across",
}

// WriteGapsCSV writes gaps as CSV (RFC 4180, UTF-8 without a byte-order
// mark), a header of GapColumns first. It holds counts and codes only,
// never a service's name or place.
func WriteGapsCSV(w io.Writer, gaps []Gap) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(GapColumns); err != nil {
		return err
	}
	row := make([]string, len(GapColumns))
	for i := range gaps {
		g := &gaps[i]
		row = append(row[:0], g.Place.ID, g.Place.Name, string(g.Place.Country), g.Place.Area, g.Need, g.Profile, g.Status())
		for _, s := range []*Supply{&g.Here, &g.Across} {
			row = append(row, strconv.Itoa(s.Services), strconv.Itoa(s.BedsFree), strconv.Itoa(s.BedsUnknown), strconv.Itoa(s.Full))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
