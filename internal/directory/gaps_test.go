package directory

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/account"
)

// The places of the hand-made tests: the matcher's points, in the demo's
// county and municipio.
var (
	elPasoPlace = Place{"elpaso", "El Paso, TX", account.US, "US-48141", elPaso}
	juarezPlace = Place{"juarez", "Ciudad Juárez, Chih.", account.MX, "MX-08037", juarez}
)

func areas(codes ...string) mod {
	return func(l *Listing) { l.Service.Eligibility.AreaServed.Codes = codes }
}

func TestGaps(t *testing.T) {
	men, women := GapProfiles[0], GapProfiles[1]
	tests := []struct {
		name     string
		listings []Listing
		q        GapQuery
		want     []Gap
	}{
		{
			// The gap: no shelter takes an adult man in El Paso;
			// the men's shelter in Juárez, open to referrals from
			// anywhere, does.
			name: "the men's shelter is across the border",
			listings: []Listing{
				listing("ep-women", north(elPaso, 1), "US", shelter, genders("woman"), ages(ptr(18), nil), beds(12, 3, time.Hour), areas("US-48141")),
				listing("ep-trans", north(elPaso, 2), "US", shelter, genders("transgender_woman", "transgender_man", "non_binary"), areas("US-48141")),
				listing("jz-men", juarez, "MX", shelter, genders("man"), ages(ptr(18), nil), beds(40, 6, time.Hour)),
			},
			q: GapQuery{Places: []Place{elPasoPlace, juarezPlace}, Needs: shelter, Profiles: []GapProfile{men, women}},
			want: []Gap{
				{Place: juarezPlace, Need: "emergency_shelter", Profile: "woman"},
				{Place: elPasoPlace, Need: "emergency_shelter", Profile: "adult_man", Across: Supply{Services: 1, BedsFree: 6}},
				{Place: elPasoPlace, Need: "emergency_shelter", Profile: "woman", Here: Supply{Services: 1, BedsFree: 3}},
				{Place: juarezPlace, Need: "emergency_shelter", Profile: "adult_man", Here: Supply{Services: 1, BedsFree: 6}},
			},
		},
		{
			name: "a full shelter is a gap in capacity, a stale count an unknown",
			listings: []Listing{
				listing("full", north(elPaso, 1), "US", shelter, beds(10, 0, time.Hour)),
				listing("stale", north(elPaso, 2), "US", []string{"emergency_shelter", "food_clothing"}, beds(10, 0, 72*time.Hour)),
				listing("no-count", north(elPaso, 3), "US", []string{"housing"}),
				listing("free", north(elPaso, 4), "US", []string{"housing", "food_clothing"}, beds(10, 4, time.Hour)),
			},
			q: GapQuery{Places: []Place{elPasoPlace}, Needs: []string{"emergency_shelter", "housing", "food_clothing"}, Profiles: []GapProfile{women}},
			want: []Gap{
				{Place: elPasoPlace, Need: "emergency_shelter", Profile: "woman", Here: Supply{Services: 1, BedsUnknown: 1, Full: 1}},
				// Beds are not counted for food: the shelters' free beds
				// say nothing of their kitchens.
				{Place: elPasoPlace, Need: "food_clothing", Profile: "woman", Here: Supply{Services: 2}},
				{Place: elPasoPlace, Need: "housing", Profile: "woman", Here: Supply{Services: 2, BedsFree: 4, BedsUnknown: 1}},
			},
		},
		{
			name: "a service at two locations counts once, with its beds once",
			listings: func() []Listing {
				a := listing("two-places", north(elPaso, 1), "US", shelter, beds(20, 5, time.Hour))
				b := listing("two-places", north(elPaso, 5), "US", shelter, beds(20, 5, time.Hour))
				b.Location.ID = "loc-two-places-b"
				return []Listing{a, b}
			}(),
			q:    GapQuery{Places: []Place{elPasoPlace}, Needs: shelter, Profiles: []GapProfile{men}},
			want: []Gap{{Place: elPasoPlace, Need: "emergency_shelter", Profile: "adult_man", Here: Supply{Services: 1, BedsFree: 5}}},
		},
		{
			name: "each profile is shut out by its own rule",
			listings: []Listing{
				listing("adults-only", north(elPaso, 1), "US", legal, ages(ptr(18), nil)),
				listing("sex-only", north(elPaso, 2), "US", legal, exploit(Sex)),
				listing("english-only", north(elPaso, 3), "US", legal, langs("en")),
				listing("status-required", north(elPaso, 4), "US", legal, requiresStatus),
				listing("mam-interpreters", north(elPaso, 5), "US", legal, langs("en", "es"), interpreters),
			},
			q: GapQuery{Places: []Place{elPasoPlace}, Needs: []string{"legal_immigration"}},
			want: []Gap{
				{Place: elPasoPlace, Need: "legal_immigration", Profile: "minor", Here: Supply{Services: 4}},
				{Place: elPasoPlace, Need: "legal_immigration", Profile: "labor", Here: Supply{Services: 4}},
				{Place: elPasoPlace, Need: "legal_immigration", Profile: "spanish_only", Here: Supply{Services: 4}},
				// Mam: only the service with interpreters, and those that
				// list no language (the caseworker is asked to confirm).
				{Place: elPasoPlace, Need: "legal_immigration", Profile: "indigenous", Here: Supply{Services: 4}},
				{Place: elPasoPlace, Need: "legal_immigration", Profile: "undocumented", Here: Supply{Services: 4}},
				{Place: elPasoPlace, Need: "legal_immigration", Profile: "adult_man", Here: Supply{Services: 5}},
				{Place: elPasoPlace, Need: "legal_immigration", Profile: "woman", Here: Supply{Services: 5}},
				{Place: elPasoPlace, Need: "legal_immigration", Profile: "sex", Here: Supply{Services: 5}},
			},
		},
		{
			name: "the reach is the area's radius",
			listings: []Listing{
				listing("near", north(elPaso, 20), "US", shelter),
				listing("far", north(elPaso, 80), "US", shelter),
			},
			q:    GapQuery{Places: []Place{elPasoPlace}, Needs: shelter, Profiles: []GapProfile{men}, MaxDistanceKm: 50},
			want: []Gap{{Place: elPasoPlace, Need: "emergency_shelter", Profile: "adult_man", Here: Supply{Services: 1, BedsUnknown: 1}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewIndex(tt.listings).Gaps(now, tt.q)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("gaps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGapStatus(t *testing.T) {
	tests := []struct {
		gap          Gap
		want         string
		wantUnserved bool
	}{
		{Gap{}, GapNone, true},
		{Gap{Here: Supply{Full: 2}}, GapNone, true},
		{Gap{Across: Supply{Services: 1}}, GapAcrossOnly, true},
		{Gap{Here: Supply{Services: 1}, Across: Supply{Services: 3}}, GapServed, false},
	}
	for _, tt := range tests {
		if got := tt.gap.Status(); got != tt.want || tt.gap.Unserved() != tt.wantUnserved {
			t.Errorf("%+v: got %s, unserved %t; want %s, %t", tt.gap, got, tt.gap.Unserved(), tt.want, tt.wantUnserved)
		}
	}
}

// TestGapsAgreeWithMatch runs a whole report over a random directory and
// checks every cell against a Match for the same need, profile and place:
// the report must count exactly the services the Find services page
// offers, on the side it shows them, and the full ones it leaves out for
// no other reason.
func TestGapsAgreeWithMatch(t *testing.T) {
	ls := benchListings(400)
	r := rand.New(rand.NewPCG(5, 21))
	for i := range ls {
		switch r.IntN(12) {
		case 0:
			ls[i].Service.Eligibility.AreaServed.Codes = []string{BorderCities[r.IntN(len(BorderCities))].Area}
		case 1:
			ls[i].Service.Eligibility.AreaServed.RadiusKm = 15
		case 2:
			ls[i].Service.Status = StatusTemporaryClosed
		case 3:
			virtual(&ls[i])
		case 4:
			if i > 0 && ls[i-1].Location.Latitude != nil {
				ls[i] = ls[i-1] // a second location of the service before
				ls[i].Location.ID += "-2"
				ls[i].Location.Latitude = ptr(*ls[i].Location.Latitude + 0.05)
			}
		}
	}
	ix := NewIndex(ls)
	gaps := ix.Gaps(now, GapQuery{MaxDistanceKm: 120})
	if want := len(BorderCities) * 17 * len(GapProfiles); len(gaps) != want {
		t.Fatalf("got %d rows, want %d", len(gaps), want)
	}
	profiles := map[string]Profile{}
	for _, gp := range GapProfiles {
		profiles[gp.ID] = gp.Profile
	}
	var seen [6]int // rows with services here, across, full ones, free beds, unknown beds, none
	for _, g := range gaps {
		for i, n := range []int{g.Here.Services, g.Across.Services, g.Here.Full + g.Across.Full, g.Here.BedsFree, g.Here.BedsUnknown, btoi(g.Status() == GapNone)} {
			seen[i] += min(n, 1)
		}
		p := profiles[g.Profile]
		p.Location, p.Country, p.Area, p.Needs = &g.Place.Point, g.Place.Country, g.Place.Area, []string{g.Need}
		r := ix.Match(p, now, Options{MaxDistanceKm: 120, Limit: 500, IncludeExcluded: true, ExcludedLimit: 500})
		if r.ExcludedTotal > len(r.Excluded) || len(r.Matches) == 500 {
			t.Fatalf("%s/%s/%s: the match was cut short; make the directory smaller", g.Place.ID, g.Need, g.Profile)
		}
		want := fromMatch(r, g.Need, g.Place.Country)
		want.Place, want.Need, want.Profile = g.Place, g.Need, g.Profile
		if diff := cmp.Diff(want, g); diff != "" {
			t.Fatalf("%s/%s/%s: report differs from the match (-match +report):\n%s", g.Place.ID, g.Need, g.Profile, diff)
		}
	}
	if slices.Contains(seen[:], 0) {
		t.Errorf("rows with services here, across, full, free beds, unknown beds, none: %v; the test misses a case", seen)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fromMatch counts a match's result, for a person on the side of the
// border country, as the gap report should.
func fromMatch(r Result, need string, country account.Country) Gap {
	var g Gap
	seen := map[string]bool{}
	for _, m := range r.Matches {
		if seen[m.ServiceID] {
			continue
		}
		seen[m.ServiceID] = true
		s := &g.Here
		if m.CrossBorder {
			s = &g.Across
		}
		s.Services++
		if need == "emergency_shelter" || need == "housing" {
			switch m.Availability.State {
			case AvailBeds:
				s.BedsFree += m.Availability.Beds
			case AvailNoCount, AvailStale:
				s.BedsUnknown++
			}
		}
	}
	for _, x := range r.Excluded {
		if seen[x.ServiceID] || len(x.Reasons) != 1 || x.Reasons[0].Key != "directory.excluded.no_beds" {
			continue
		}
		seen[x.ServiceID] = true
		if x.Country == country {
			g.Here.Full++
		} else {
			g.Across.Full++
		}
	}
	return g
}

func TestWriteGapsCSV(t *testing.T) {
	gaps := []Gap{
		{Place: juarezPlace, Need: "emergency_shelter", Profile: "adult_man", Here: Supply{Services: 1, BedsFree: 6}, Across: Supply{Full: 1}},
		{Place: elPasoPlace, Need: "legal_immigration", Profile: "indigenous", Here: Supply{Services: 2, BedsUnknown: 0}},
	}
	var buf bytes.Buffer
	if err := WriteGapsCSV(&buf, gaps); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		slices.Clone(GapColumns),
		{"juarez", "Ciudad Juárez, Chih.", "MX", "MX-08037", "emergency_shelter", "adult_man", "served", "1", "6", "0", "0", "0", "0", "0", "1"},
		{"elpaso", "El Paso, TX", "US", "US-48141", "legal_immigration", "indigenous", "served", "2", "0", "0", "0", "0", "0", "0", "0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}

// BenchmarkGaps10k is the whole report (ten places × 17 needs × eight
// profiles, 1,360 cells) over 10,000 listings, index included, as the web
// page builds it on every request.
func BenchmarkGaps10k(b *testing.B) {
	listings := benchListings(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if gaps := NewIndex(listings).Gaps(now, GapQuery{}); len(gaps) != 1360 {
			b.Fatalf("got %d rows", len(gaps))
		}
	}
}
