package directory

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	shelter = []string{"emergency_shelter"}
	legal   = []string{"legal_immigration", "legal_labor_claims"}
)

// TestMatchLaborTraffickedMan is the scenario: the man every
// shelter turns away. Each excluded shelter must say why, and the men's
// shelter across the river must be offered and marked as crossing.
func TestMatchLaborTraffickedMan(t *testing.T) {
	listings := []Listing{
		listing("casa-mujer", north(elPaso, 0.5), "US", shelter, genders("woman"), beds(10, 3, time.Hour)),
		listing("refugio-sex", north(elPaso, 1), "US", shelter, exploit(Sex)),
		listing("albergue-juarez", juarez, "MX", shelter, genders("man"), beds(20, 4, 3*time.Hour), langs("es"), cost("free")),
		listing("ep-full", north(elPaso, 2), "US", shelter, beds(10, 0, 2*time.Hour)),
		listing("ep-stale", north(elPaso, 3), "US", shelter, beds(10, 0, 72*time.Hour)),
		listing("legal-status", north(elPaso, 4), "US", legal, requiresStatus),
		listing("tvisa-clinic", north(elPaso, 5), "US", legal, langs("en", "es"), cost("free")),
		listing("tijuana-shelter", tijuana, "MX", shelter),
		listing("ep-medical", elPaso, "US", []string{"medical"}),
	}
	got := MatchListings(laborMan("emergency_shelter", "legal_immigration"), listings, now, Options{IncludeExcluded: true})

	wantMatches := []summary{
		{"albergue-juarez", []string{"emergency_shelter"}, AvailBeds, true},
		{"ep-stale", []string{"emergency_shelter"}, AvailStale, false},
		{"tvisa-clinic", []string{"legal_immigration"}, AvailNone, false},
	}
	if diff := cmp.Diff(wantMatches, summarize(got.Matches)); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	wantExcluded := map[string][]string{
		"casa-mujer":      {"directory.excluded.gender"},
		"refugio-sex":     {"directory.excluded.exploitation"},
		"ep-full":         {"directory.excluded.no_beds"},
		"legal-status":    {"directory.excluded.status"},
		"tijuana-shelter": {"directory.excluded.too_far"},
	}
	if diff := cmp.Diff(wantExcluded, excludedKeys(got.Excluded)); diff != "" {
		t.Errorf("excluded (-want +got):\n%s", diff)
	}
	if got.ExcludedTotal != 5 || len(got.UnmetNeeds) != 0 {
		t.Errorf("got %d excluded and unmet needs %v, want 5 and none", got.ExcludedTotal, got.UnmetNeeds)
	}

	juarezMatch := got.Matches[0]
	wantReasons := []Reason{
		{Key: "directory.reason.emergency_shelter"},
		{Key: "directory.reason.needs_met", Args: []string{"1", "2"}},
		{Key: "directory.reason.beds_today", Args: []string{"4"}},
		{Key: "directory.reason.distance", Args: []string{"9.8"}},
		{Key: "directory.reason.language_first", Args: []string{"es"}},
		{Key: "directory.reason.cost", Args: []string{"free"}},
		{Key: "directory.reason.cross_border", Args: []string{"US", "MX"}},
		{Key: "directory.reason.leaving_us"},
	}
	if diff := cmp.Diff(wantReasons, juarezMatch.Reasons); diff != "" {
		t.Errorf("Juárez reasons (-want +got):\n%s", diff)
	}
	if juarezMatch.CrossBorderNote != "directory.cross_border.us_to_mx" || juarezMatch.Country != "MX" {
		t.Errorf("got note %q country %q, want the US-to-Mexico note and MX", juarezMatch.CrossBorderNote, juarezMatch.Country)
	}
	wantArgs := map[string][]string{
		"casa-mujer":  {"woman"},
		"refugio-sex": {"sex"},
	}
	for _, x := range got.Excluded {
		if want, ok := wantArgs[x.ServiceID]; ok && !slices.Equal(x.Reasons[0].Args, want) {
			t.Errorf("%s: got args %v, want %v", x.ServiceID, x.Reasons[0].Args, want)
		}
	}
}

// TestMatchAvailability checks that only a fresh count of zero shuts a
// shelter: a stale zero is unknown, and a full shelter is still offered for
// the person's other needs.
func TestMatchAvailability(t *testing.T) {
	both := []string{"emergency_shelter", "legal_immigration"}
	tests := []struct {
		name     string
		mod      mod
		needs    []string
		want     string // availability state of the match, or "excluded"
		wantMet  []string
		wantWhy  string
		wantBeds int
	}{
		{"beds today", beds(10, 2, time.Hour), shelter, AvailBeds, shelter, "", 2},
		{"fresh zero", beds(10, 0, 47*time.Hour), shelter, "excluded", nil, "directory.excluded.no_beds", 0},
		{"stale zero is unknown", beds(10, 0, 49*time.Hour), shelter, AvailStale, shelter, "", 0},
		{"no count", func(*Listing) {}, shelter, AvailNoCount, shelter, "", 0},
		{"full, other need met", beds(10, 0, time.Hour), both, AvailFull, []string{"legal_immigration"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listing("s", north(elPaso, 1), "US", both, tt.mod)
			got := MatchListings(laborMan(tt.needs...), []Listing{l}, now, Options{IncludeExcluded: true})
			if tt.want == "excluded" {
				if len(got.Matches) != 0 || len(got.Excluded) != 1 || got.Excluded[0].Reasons[0].Key != tt.wantWhy {
					t.Fatalf("got %+v, want excluded with %s", got, tt.wantWhy)
				}
				return
			}
			if len(got.Matches) != 1 {
				t.Fatalf("got %d matches (%+v), want 1", len(got.Matches), got.Excluded)
			}
			m := got.Matches[0]
			if m.Availability.State != tt.want || m.Availability.Beds != tt.wantBeds || !slices.Equal(m.NeedsMet, tt.wantMet) {
				t.Errorf("got %+v needs %v, want %s with %d beds, needs %v", m.Availability, m.NeedsMet, tt.want, tt.wantBeds, tt.wantMet)
			}
		})
	}
}

// TestMatchEligibility runs one profile against one listing per rule.
func TestMatchEligibility(t *testing.T) {
	near := north(elPaso, 2)
	tests := []struct {
		name    string
		profile func(*Profile)
		mods    []mod
		want    []string // exclusion keys; nil when matched
	}{
		{"status required, undocumented", nil, []mod{requiresStatus}, []string{"directory.excluded.status"}},
		{"status required, documented", func(p *Profile) { p.ImmigrationStatus = "documented" }, []mod{requiresStatus}, nil},
		{"status required, unknown status", func(p *Profile) { p.ImmigrationStatus = "" }, []mod{requiresStatus}, nil},
		{"minor at an adult shelter", func(p *Profile) { p.Age, p.Gender = ptr(16), "boy" }, []mod{ages(ptr(18), nil)}, []string{"directory.excluded.age"}},
		{"boy of unknown age at an adult shelter", func(p *Profile) { p.Age, p.Gender = nil, "boy" }, []mod{ages(ptr(18), nil)}, []string{"directory.excluded.age"}},
		{"minor at a youth shelter", func(p *Profile) { p.Age, p.Gender = ptr(16), "boy" }, []mod{ages(ptr(12), ptr(17))}, nil},
		{"adult at a youth shelter", nil, []mod{ages(nil, ptr(17))}, []string{"directory.excluded.age"}},
		{"age band overlapping", func(p *Profile) { p.Age, p.AgeBand = nil, "15-17" }, []mod{ages(ptr(17), nil)}, nil},
		{"labor at sex only", nil, []mod{exploit(Sex)}, []string{"directory.excluded.exploitation"}},
		{"forced marriage at sex only", func(p *Profile) { p.Exploitation = []string{"forced_marriage"} }, []mod{exploit(Sex)}, nil},
		{"English only, no interpreters", nil, []mod{langs("en")}, []string{"directory.excluded.language"}},
		{"English only, interpreters", nil, []mod{langs("en"), interpreters}, nil},
		{"prefers US, service in Mexico", func(p *Profile) { p.Side = "US" }, []mod{func(l *Listing) { l.Service.Eligibility.Country = "MX" }}, []string{"directory.excluded.side"}},
		{"outside the counties served", func(p *Profile) { p.Area = "US-48141" }, []mod{func(l *Listing) { l.Service.Eligibility.AreaServed.Codes = []string{"US-48061"} }}, []string{"directory.excluded.area"}},
		{"inside the counties served", func(p *Profile) { p.Area = "us-48141" }, []mod{func(l *Listing) { l.Service.Eligibility.AreaServed.Codes = []string{"US-48141"} }}, nil},
		{"outside the radius", nil, []mod{func(l *Listing) { l.Service.Eligibility.AreaServed.RadiusKm = 1 }}, []string{"directory.excluded.area"}},
		{"temporarily closed", nil, []mod{func(l *Listing) { l.Service.Status = StatusTemporaryClosed }}, []string{"directory.excluded.closed"}},
		{"needs step-free access", func(p *Profile) { p.Accessible = true }, nil, []string{"directory.excluded.access"}},
		{"every reason at once", func(p *Profile) { p.Side = "MX"; p.Accessible = true }, []mod{genders("woman"), exploit(Sex), requiresStatus, langs("en")},
			[]string{"directory.excluded.gender", "directory.excluded.exploitation", "directory.excluded.status", "directory.excluded.language", "directory.excluded.side", "directory.excluded.access"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := laborMan("emergency_shelter")
			if tt.profile != nil {
				tt.profile(&p)
			}
			l := listing("s", near, "US", shelter, tt.mods...)
			got := MatchListings(p, []Listing{l}, now, Options{IncludeExcluded: true})
			var keys []string
			if len(got.Excluded) == 1 {
				keys = excludedKeys(got.Excluded)["s"]
			}
			if diff := cmp.Diff(tt.want, keys); diff != "" || len(got.Matches)+len(got.Excluded) != 1 {
				t.Errorf("got %d matches, exclusions (-want +got):\n%s", len(got.Matches), diff)
			}
		})
	}
}

// TestMatchTransgenderWoman: a women's shelter that says it takes trans
// women is offered; one that does not is excluded, saying so.
func TestMatchTransgenderWoman(t *testing.T) {
	p := Profile{Age: ptr(27), Gender: "transgender_woman", Exploitation: []string{"sexual_exploitation"}, Location: &elPaso, Country: "US", Needs: shelter}
	listings := []Listing{
		listing("women-only", north(elPaso, 1), "US", shelter, genders("woman"), exploit(Sex)),
		listing("women-and-trans", north(elPaso, 2), "US", shelter, genders("woman", "transgender_woman"), exploit(Sex)),
		listing("men-only", north(elPaso, 3), "US", shelter, genders("man")),
	}
	got := MatchListings(p, listings, now, Options{IncludeExcluded: true})
	if diff := cmp.Diff([]string{"women-and-trans"}, ids(got.Matches)); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	want := map[string][]string{"women-only": {"directory.excluded.gender"}, "men-only": {"directory.excluded.gender"}}
	if diff := cmp.Diff(want, excludedKeys(got.Excluded)); diff != "" {
		t.Errorf("excluded (-want +got):\n%s", diff)
	}
}

// TestMatchMinor: a 16-year-old boy trafficked for labor, needing shelter
// and child protection, is sent to the youth shelter and the child
// protection office, never to the adult shelter.
func TestMatchMinor(t *testing.T) {
	p := Profile{Age: ptr(16), Gender: "boy", Exploitation: []string{"forced_labor"}, Languages: []string{"es"}, Location: &juarez, Country: "MX", Needs: []string{"emergency_shelter", "child_protection"}}
	listings := []Listing{
		listing("adult-shelter", north(juarez, 1), "MX", shelter, ages(ptr(18), nil)),
		listing("youth-shelter", north(juarez, 2), "MX", shelter, ages(ptr(12), ptr(17)), genders("man")),
		listing("dif", north(juarez, 3), "MX", []string{"child_protection"}),
	}
	got := MatchListings(p, listings, now, Options{IncludeExcluded: true})
	if diff := cmp.Diff([]string{"youth-shelter", "dif"}, ids(got.Matches)); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"adult-shelter": {"directory.excluded.age"}}, excludedKeys(got.Excluded)); diff != "" {
		t.Errorf("excluded (-want +got):\n%s", diff)
	}
}

// TestMatchMamSpeaker: among services alike in all else, the one that
// speaks the person's first language ranks first, then one that speaks
// another of theirs, then one that arranges interpreters.
func TestMatchMamSpeaker(t *testing.T) {
	p := laborMan("legal_immigration")
	p.Languages = []string{"mam", "es"}
	listings := []Listing{
		listing("interpreters", north(elPaso, 1), "US", legal, langs("en"), interpreters),
		listing("spanish", north(elPaso, 2), "US", legal, langs("es", "en")),
		listing("mam", north(elPaso, 8), "US", legal, langs("es", "mam")),
	}
	got := MatchListings(p, listings, now, Options{})
	if diff := cmp.Diff([]string{"mam", "spanish", "interpreters"}, ids(got.Matches)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if r := got.Matches[0].Reasons[2]; r.Key != "directory.reason.language_first" || r.Args[0] != "mam" {
		t.Errorf("got %+v, want the first-language reason for mam", r)
	}
}

// TestMatchRanking pins the score's terms: each pair is alike but for the
// term named, and the first must rank above the second.
func TestMatchRanking(t *testing.T) {
	p := laborMan("emergency_shelter", "legal_immigration")
	p.Languages = []string{"mam", "es"}
	tests := []struct {
		name          string
		first, second Listing
	}{
		{"shelter first, even if farther and meeting fewer needs",
			listing("1", north(elPaso, 150), "US", shelter),
			listing("2", north(elPaso, 1), "US", legal, langs("mam"), cost("free"))},
		{"more needs met",
			listing("1", north(elPaso, 150), "US", []string{"emergency_shelter", "legal_immigration"}),
			listing("2", north(elPaso, 1), "US", shelter, langs("mam"), cost("free"))},
		{"nearer band before language",
			listing("1", north(elPaso, 5), "US", legal, langs("es")),
			listing("2", north(elPaso, 30), "US", legal, langs("mam"))},
		{"language within a band",
			listing("1", north(elPaso, 30), "US", legal, langs("mam")),
			listing("2", north(elPaso, 45), "US", legal, langs("es"))},
		{"cost within a band and language",
			listing("1", north(elPaso, 9), "US", legal, cost("free")),
			listing("2", north(elPaso, 1), "US", legal, cost("fee"))},
		{"unknown cost before a fee",
			listing("1", north(elPaso, 9), "US", legal),
			listing("2", north(elPaso, 1), "US", legal, cost("fee"))},
		{"nearer when all else is equal",
			listing("2", north(elPaso, 1), "US", legal),
			listing("1", north(elPaso, 2), "US", legal)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MatchListings(p, []Listing{tt.second, tt.first}, now, Options{})
			if len(got.Matches) != 2 || got.Matches[0].ServiceID != tt.first.Service.ID {
				t.Errorf("got %v, want %s first", ids(got.Matches), tt.first.Service.ID)
			}
		})
	}
	// Juárez for the man: shelter, one need, beds today, 9.8 km,
	// his first language, free.
	m := MatchListings(laborMan("emergency_shelter"), []Listing{listing("j", juarez, "MX", shelter, beds(9, 1, time.Hour), langs("es"), cost("free"))}, now, Options{})
	if got, want := m.Matches[0].Score, 10_000_000+100_000+10_000+6*1_000+2*100+3*10; got != want {
		t.Errorf("got score %d, want %d", got, want)
	}
}

// TestMatchTies: listings equal in every term come out in the order of
// their service ids, then of their location ids, however they are given.
func TestMatchTies(t *testing.T) {
	at := func(id, loc string) Listing {
		l := listing(id, north(elPaso, 1), "US", shelter)
		l.Location.ID = loc
		return l
	}
	// Three services at one place, and one service at two places.
	a, b, c := at("a", "loc-z"), at("b", "loc-z"), at("c", "loc-z")
	d1, d2 := at("d", "loc-2"), at("d", "loc-1")
	for _, order := range [][]Listing{{a, b, c, d1, d2}, {d1, c, b, a, d2}, {b, d2, c, a, d1}} {
		got := MatchListings(laborMan("emergency_shelter"), order, now, Options{})
		var keys []string
		for _, m := range got.Matches {
			keys = append(keys, m.ServiceID+"@"+m.LocationID)
		}
		if diff := cmp.Diff([]string{"a@loc-z", "b@loc-z", "c@loc-z", "d@loc-1", "d@loc-2"}, keys); diff != "" {
			t.Errorf("order (-want +got):\n%s", diff)
		}
	}
}

// TestMatchAvailabilityRanks: among shelters alike in all else, beds today
// outrank a missing or stale count, even a little farther away.
func TestMatchAvailabilityRanks(t *testing.T) {
	listings := []Listing{
		listing("no-count", north(elPaso, 1), "US", shelter),
		listing("stale", north(elPaso, 2), "US", shelter, beds(10, 5, 60*time.Hour)),
		listing("beds", north(elPaso, 8), "US", shelter, beds(10, 1, time.Hour)),
	}
	got := MatchListings(laborMan("emergency_shelter"), listings, now, Options{})
	if diff := cmp.Diff([]string{"beds", "no-count", "stale"}, ids(got.Matches)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// TestMatchLimits: Limit and ExcludedLimit cap the output; the excluded
// kept are the nearest, and the total still counts them all.
func TestMatchLimits(t *testing.T) {
	var listings []Listing
	for i := range 30 {
		id := string(rune('a'+i%26)) + string(rune('0'+i/26))
		listings = append(listings, listing("m"+id, north(elPaso, float64(i)), "US", shelter))
		listings = append(listings, listing("x"+id, north(elPaso, float64(i)+0.5), "US", shelter, genders("woman")))
	}
	got := MatchListings(laborMan("emergency_shelter"), listings, now, Options{Limit: 5, IncludeExcluded: true, ExcludedLimit: 3})
	if diff := cmp.Diff([]string{"ma0", "mb0", "mc0", "md0", "me0"}, ids(got.Matches)); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	var excluded []string
	for _, x := range got.Excluded {
		excluded = append(excluded, x.ServiceID)
	}
	if diff := cmp.Diff([]string{"xa0", "xb0", "xc0"}, excluded); diff != "" || got.ExcludedTotal != 30 {
		t.Errorf("got %d excluded in total, kept (-want +got):\n%s", got.ExcludedTotal, diff)
	}
	if diff := cmp.Diff(map[string]int{"directory.excluded.gender": 30}, got.ExcludedBy); diff != "" {
		t.Errorf("excluded by (-want +got):\n%s", diff)
	}
}

// TestMatchUnmetNeeds names the needs no eligible service meets, in the
// order of htcds.Needs.
func TestMatchUnmetNeeds(t *testing.T) {
	listings := []Listing{
		listing("shelter", north(elPaso, 1), "US", shelter),
		listing("consulate-far", tijuana, "MX", []string{"consular_help"}),
	}
	got := MatchListings(laborMan("emergency_shelter", "consular_help", "wage_recovery"), listings, now, Options{})
	if diff := cmp.Diff([]string{"wage_recovery", "consular_help"}, got.UnmetNeeds); diff != "" {
		t.Errorf("unmet (-want +got):\n%s", diff)
	}
}

// TestMatchWithoutProfileLocation ranks with no distances and excludes
// nothing for being far.
func TestMatchWithoutProfileLocation(t *testing.T) {
	p := laborMan("emergency_shelter")
	p.Location = nil
	got := MatchListings(p, []Listing{listing("far", tijuana, "MX", shelter), listing("remote", elPaso, "US", shelter, virtual)}, now, Options{})
	if len(got.Matches) != 2 || got.Matches[0].DistanceKm != nil || got.Matches[1].DistanceKm != nil {
		t.Errorf("got %+v, want both matched without distances", got.Matches)
	}
}

// TestMatchCrossingByPhone: a service on the other side reached by phone
// crosses the border, but the person does not, so there is no warning
// about leaving the United States.
func TestMatchCrossingByPhone(t *testing.T) {
	got := MatchListings(laborMan("legal_immigration"), []Listing{listing("mx-line", juarez, "MX", legal, virtual)}, now, Options{})
	if len(got.Matches) != 1 {
		t.Fatalf("got %d matches, want 1", len(got.Matches))
	}
	m := got.Matches[0]
	want := []string{"directory.reason.needs_met", "directory.reason.remote", "directory.reason.cross_border", "directory.reason.check_language"}
	if diff := cmp.Diff(want, reasonKeys(m.Reasons)); diff != "" || !m.CrossBorder || m.Point != nil || m.DistanceKm != nil {
		t.Errorf("got cross border %v, point %v, distance %v, reasons (-want +got):\n%s", m.CrossBorder, m.Point, m.DistanceKm, diff)
	}
}
