package directory_test

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/demo"
	"puente/internal/directory"
)

// The gap report over the demo directory lives here, in the external test
// package, because the demo package imports this one.

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var demoNow = time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC)

func demoGaps() []directory.Gap {
	return directory.NewIndex(demo.Listings(demoNow)).Gaps(demoNow, directory.GapQuery{})
}

func find(gaps []directory.Gap, place, need, profile string) directory.Gap {
	for _, g := range gaps {
		if g.Place.ID == place && g.Need == need && g.Profile == profile {
			return g
		}
	}
	return directory.Gap{}
}

// TestDemoGaps checks the gaps the demo directory was written to have.
func TestDemoGaps(t *testing.T) {
	gaps := demoGaps()
	tests := []struct {
		place, need, profile string
		status               string
		here, across         directory.Supply
	}{
		// No shelter in El Paso takes an adult man; the men's shelter in
		// Juárez, which takes referrals from El Paso, has six free beds.
		{"elpaso", "emergency_shelter", "adult_man", directory.GapAcrossOnly, directory.Supply{}, directory.Supply{Services: 1, BedsFree: 6}},
		{"juarez", "emergency_shelter", "adult_man", directory.GapServed, directory.Supply{Services: 1, BedsFree: 6}, directory.Supply{}},
		// El Paso's women's shelter takes only sex trafficking: for labor
		// trafficking, only the LGBTQ+ shelter is left (its genders are
		// for the caseworker to confirm) and the men's shelter in Juárez.
		{"elpaso", "emergency_shelter", "woman", directory.GapServed, directory.Supply{Services: 1, BedsFree: 3}, directory.Supply{}},
		{"elpaso", "emergency_shelter", "labor", directory.GapServed, directory.Supply{Services: 1, BedsFree: 1}, directory.Supply{Services: 1, BedsFree: 6}},
		// Tijuana's family shelter takes men, but only from Tijuana.
		{"sandiego", "emergency_shelter", "adult_man", directory.GapNone, directory.Supply{}, directory.Supply{}},
		// McAllen's one shelter is full today.
		{"mcallen", "emergency_shelter", "woman", directory.GapNone, directory.Supply{Full: 1}, directory.Supply{}},
	}
	for _, tt := range tests {
		g := find(gaps, tt.place, tt.need, tt.profile)
		got := []any{g.Status(), g.Here, g.Across}
		want := []any{tt.status, tt.here, tt.across}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s/%s/%s (-want +got):\n%s", tt.place, tt.need, tt.profile, diff)
		}
	}
}

// TestDemoGapsOrder checks the report leads with its worst gaps: no
// service on either side, then only across the border, then the fewest
// services on the place's side.
func TestDemoGapsOrder(t *testing.T) {
	rank := map[string]int{directory.GapNone: 0, directory.GapAcrossOnly: 1, directory.GapServed: 2}
	gaps := demoGaps()
	for i := 1; i < len(gaps); i++ {
		a, b := &gaps[i-1], &gaps[i]
		if rank[a.Status()] > rank[b.Status()] || a.Here.Services > b.Here.Services {
			t.Fatalf("row %d (%s, %d here) comes before row %d (%s, %d here)", i-1, a.Status(), a.Here.Services, i, b.Status(), b.Here.Services)
		}
	}
	if gaps[0].Status() != directory.GapNone {
		t.Errorf("the first row is %s, want none", gaps[0].Status())
	}
}

// TestDemoGapsGolden pins the whole demo report as CSV, so that a change to
// the directory, the matcher or the report shows in review. Rewrite with
// go test -update.
func TestDemoGapsGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := directory.WriteGapsCSV(&buf, demoGaps()); err != nil {
		t.Fatal(err)
	}
	const path = "testdata/gaps_demo.golden.csv"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("the report differs from %s (-want +got); run go test -update and review the diff:\n%s", path, diff)
	}
}

// BenchmarkGapsDemo is the whole report over the demo directory (62
// listings), index included, as the web page builds it on every request.
func BenchmarkGapsDemo(b *testing.B) {
	listings := demo.Listings(demoNow)
	b.ReportAllocs()
	for b.Loop() {
		directory.NewIndex(listings).Gaps(demoNow, directory.GapQuery{})
	}
}
