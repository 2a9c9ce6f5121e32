package directory

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name     string
		a, b     Point
		min, max float64
	}{
		{"El Paso–Ciudad Juárez", elPaso, juarez, 5, 10},
		// The great circle is about 997 km (the road is about 1,200).
		{"El Paso–Tijuana", elPaso, tijuana, 990, 1005},
		{"McAllen–Reynosa", mcAllen, reynosa, 15, 20},
		{"Laredo–Nuevo Laredo", laredo, nuevoLaredo, 6, 8},
		{"San Diego–Tijuana", sanDiego, tijuana, 20, 30},
		{"same place", elPaso, elPaso, 0, 0},
		{"a quarter of the equator", Point{0, 0}, Point{0, 90}, 10007, 10008},
		{"antipodes", Point{0, 0}, Point{0, 180}, 20015, 20016},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceKm(tt.a, tt.b)
			if got < tt.min || got > tt.max {
				t.Errorf("got %.2f km, want %.0f–%.0f", got, tt.min, tt.max)
			}
			if back := DistanceKm(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
				t.Errorf("got %.6f km back, want %.6f", back, got)
			}
		})
	}
}

func TestApproximate(t *testing.T) {
	tests := []struct{ in, want Point }{
		{Point{31.7619, -106.4850}, Point{31.8, -106.5}},
		{Point{31.7349, -106.4451}, Point{31.7, -106.4}},
		{Point{-0.04, 0.05}, Point{-0, 0.1}},
	}
	for _, tt := range tests {
		if got := Approximate(tt.in); got != tt.want {
			t.Errorf("Approximate(%v): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestMatchConfidential: a confidential shelter's exact coordinates and
// address never leave the matcher, whether it is matched or excluded; its
// point is the rounded one and its distance is measured from there.
func TestMatchConfidential(t *testing.T) {
	exact := Point{31.76543, -106.44321}
	secret := func(id string, mods ...mod) Listing {
		l := listing(id, exact, "US", shelter, append(mods, hiddenAddress)...)
		l.Location.Name = "Casa Segura on Calle Oculta"
		l.Location.Addresses[0].Address1 = "1234 Calle Oculta"
		return l
	}
	got := MatchListings(laborMan("emergency_shelter"), []Listing{secret("hidden"), secret("hidden-women", genders("woman"))}, now, Options{IncludeExcluded: true})
	if len(got.Matches) != 1 || len(got.Excluded) != 1 {
		t.Fatalf("got %d matches and %d exclusions, want 1 and 1", len(got.Matches), len(got.Excluded))
	}
	m := got.Matches[0]
	if m.Point == nil || *m.Point != (Point{31.8, -106.4}) || *m.Point == exact {
		t.Errorf("got point %v, want the rounded %v", m.Point, Point{31.8, -106.4})
	}
	if m.Address != nil || m.Location != "" || !m.Confidential || m.Area != "El Paso" {
		t.Errorf("got address %v, location %q, confidential %v, area %q; want none, none, true, El Paso", m.Address, m.Location, m.Confidential, m.Area)
	}
	fromRounded := math.Round(DistanceKm(elPaso, Point{31.8, -106.4}))
	if m.DistanceKm == nil || *m.DistanceKm != fromRounded || *got.Excluded[0].DistanceKm != fromRounded {
		t.Errorf("got distances %v and %v, want %v from the rounded point", m.DistanceKm, got.Excluded[0].DistanceKm, fromRounded)
	}
	out, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"Oculta", "Casa Segura", "31.765", "106.443", "76543", "44321"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("got %q in the output %s", leak, out)
		}
	}

	open := listing("open", exact, "US", shelter)
	m = MatchListings(laborMan("emergency_shelter"), []Listing{open}, now, Options{}).Matches[0]
	if *m.Point != exact || m.Address == nil || m.Address.Address1 != "100 Calle open" {
		t.Errorf("got point %v, address %v; want the exact point and address of a public location", m.Point, m.Address)
	}
}
