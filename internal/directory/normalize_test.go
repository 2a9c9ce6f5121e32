package directory

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/problem"
)

// TestListingNormalizeFolds: casework values and loose spellings become the
// directory's vocabulary.
func TestListingNormalizeFolds(t *testing.T) {
	l := listing("s", elPaso, "US", []string{"legal_immigration", "emergency_shelter", "legal_immigration"})
	l.Service.Name = "  Casa  \u0041\u0301 "
	l.Service.Status = ""
	el := &l.Service.Eligibility
	el.Genders = []string{"boy", "transgender_woman", "man"}
	el.Exploitation = "sexual_exploitation"
	el.Languages = []string{"SPA", "mam", "es", " quc "}
	el.Country = " us"
	el.AreaServed.Codes = []string{"us-48141", "US-48141"}
	l.Location.LocationType = ""
	if err := l.Normalize(); err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	got := struct {
		Name, Status, Exploitation, Country, LocationType string
		Needs, Genders, Languages, Codes                  []string
	}{l.Service.Name, l.Service.Status, el.Exploitation, string(el.Country), l.Location.LocationType, l.Service.Needs, el.Genders, el.Languages, el.AreaServed.Codes}
	want := got
	want.Name, want.Status, want.Exploitation, want.Country, want.LocationType = "Casa  Á", StatusActive, Sex, "US", Physical
	want.Needs = []string{"emergency_shelter", "legal_immigration"}
	want.Genders = []string{"man", "transgender_woman"}
	want.Languages = []string{"es", "mam", "quc"}
	want.Codes = []string{"US-48141"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("normalized (-want +got):\n%s", diff)
	}
}

func TestListingNormalizeRefuses(t *testing.T) {
	tests := []struct {
		name string
		mod  mod
		want []problem.FieldError
	}{
		{"no needs", func(l *Listing) { l.Service.Needs = nil }, fields("service.needs", "field.required")},
		{"unknown need", func(l *Listing) { l.Service.Needs = []string{"shelter"} }, fields("service.needs", "field.choose_one", "service.needs", "field.required")},
		{"other gender", genders("other"), fields("service.eligibility.genders", "field.choose_one")},
		{"forced marriage is no one form", exploit("forced_marriage"), fields("service.eligibility.exploitation", "field.choose_one")},
		{"ages reversed", ages(ptr(18), ptr(12)), fields("service.eligibility.maximum_age", "directory.age_range")},
		{"negative age", ages(ptr(-1), nil), fields("service.eligibility.minimum_age", "field.out_of_range")},
		{"language name", langs("Spanish"), fields("service.eligibility.languages", "field.code")},
		{"no country", func(l *Listing) { l.Service.Eligibility.Country = "" }, fields("service.eligibility.country", "field.choose_one")},
		{"bare area code", func(l *Listing) { l.Service.Eligibility.AreaServed.Codes = []string{"48141"} }, fields("service.eligibility.area_served.codes", "directory.area_code")},
		{"NaN radius", func(l *Listing) { l.Service.Eligibility.AreaServed.RadiusKm = math.NaN() }, fields("service.eligibility.area_served.radius_km", "field.out_of_range")},
		{"unknown cost", cost("donation"), fields("service.eligibility.cost", "field.choose_one")},
		{"more free beds than beds", beds(2, 3, time.Hour), fields("service.eligibility.beds_available", "field.out_of_range")},
		{"count without time", func(l *Listing) { l.Service.Eligibility.Beds, l.Service.Eligibility.BedsAvailable = 2, ptr(1) },
			fields("service.eligibility.availability_updated_at", "field.required")},
		{"markup in name", func(l *Listing) { l.Service.Name = "<b>Casa</b>" }, fields("service.name", "field.markup")},
		{"javascript url", func(l *Listing) { l.Service.URL = "javascript:alert(1)" }, fields("service.url", "field.url")},
		{"bad email", func(l *Listing) { l.Organization.Email = "casa at example" }, fields("organization.email", "field.email")},
		{"no description", func(l *Listing) { l.Organization.Description = " " }, fields("organization.description", "field.required")},
		{"other organization", func(l *Listing) { l.Service.OrganizationID = "org-x" }, fields("service.organization_id", "directory.organization_mismatch")},
		{"half a point", func(l *Listing) { l.Location.Longitude = nil }, fields("location.latitude", "directory.coordinates_pair")},
		{"off the planet", func(l *Listing) { l.Location.Latitude = ptr(91.0) }, fields("location.latitude", "field.out_of_range")},
		{"address without city", func(l *Listing) { l.Location.Addresses[0].City = "" }, fields("location.addresses[0].city", "field.required")},
		{"bad status", func(l *Listing) { l.Service.Status = "open" }, fields("service.status", "field.choose_one")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listing("s", elPaso, "US", shelter, tt.mod)
			var got []problem.FieldError
			if err := l.Normalize(); err != nil {
				got = problem.As(err).Fields
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProfileNormalize(t *testing.T) {
	p := Profile{Age: ptr(200), Gender: "male", Exploitation: []string{"forced_labor", "smuggling"}, Languages: []string{"spa", "Mam"},
		Location: &Point{Lat: math.Inf(1)}, Country: "gt", Area: "08037", ImmigrationStatus: "illegal", Side: "both", Needs: []string{"shelter"}}
	err := p.Normalize()
	var got []string
	for _, f := range problem.As(err).Fields {
		got = append(got, f.Field)
	}
	want := []string{"age", "gender", "exploitation", "location", "country", "area", "immigration_status", "side", "needs", "needs"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if !slices.Equal(p.Languages, []string{"es", "mam"}) {
		t.Errorf("got languages %v, want [es mam]", p.Languages)
	}
	ok := laborMan("emergency_shelter")
	if err := ok.Normalize(); err != nil {
		t.Errorf("got %v for the issue's profile, want no error", err)
	}
}

func TestExploitationForm(t *testing.T) {
	tests := map[string]string{
		"forced_labor": Labor, "domestic_servitude": Labor, "forced_begging": Labor, "sexual_exploitation": Sex,
		"labor": Labor, "sex": Sex, "any": AnyExploitation, "forced_marriage": "", "organ_removal": "", "": "",
	}
	for in, want := range tests {
		if got := ExploitationForm(in); got != want {
			t.Errorf("ExploitationForm(%q): got %q, want %q", in, got, want)
		}
	}
}

// TestKeys: every key a match can carry is listed once in Keys, so the
// catalogs' test can check them.
func TestKeys(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Keys {
		if seen[k] {
			t.Errorf("got %s twice in Keys", k)
		}
		seen[k] = true
	}
	p := laborMan("emergency_shelter", "legal_immigration")
	p.Languages = []string{"mam", "es"}
	var listings []Listing
	for i, m := range []mod{genders("woman"), exploit(Sex), requiresStatus, beds(5, 0, time.Hour), beds(5, 0, 50*time.Hour), beds(5, 2, time.Hour),
		langs("en"), langs("en", "es"), langs("mam"), interpreters, hiddenAddress, virtual, cost("fee"), ages(ptr(18), ptr(60))} {
		listings = append(listings, listing(string(rune('a'+i)), north(elPaso, float64(i)), "US", shelter, m))
		listings = append(listings, listing(string(rune('A'+i)), north(juarez, float64(i)), "MX", legal, m))
	}
	got := MatchListings(p, listings, now, Options{IncludeExcluded: true})
	for _, m := range got.Matches {
		for _, k := range append(reasonKeys(m.Reasons), m.CrossBorderNote) {
			if k != "" && !seen[k] {
				t.Errorf("got key %s, not in Keys", k)
			}
		}
	}
	for _, x := range got.Excluded {
		for _, k := range reasonKeys(x.Reasons) {
			if !seen[k] {
				t.Errorf("got key %s, not in Keys", k)
			}
		}
	}
}

func fields(kv ...string) []problem.FieldError {
	var out []problem.FieldError
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, problem.FieldError{Field: kv[i], Key: kv[i+1]})
	}
	return out
}
