package directory

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"puente/internal/account"
	"puente/internal/htcds"
)

// FuzzMatch feeds arbitrary profiles and listings, valid or not (NaN and
// infinite coordinates, negative ages and beds, unknown vocabulary), to the
// matcher. It never panics, and what it returns keeps its promises: within
// the limits, ranked, explained, encodable as JSON, and never exact about a
// confidential location.
func FuzzMatch(f *testing.F) {
	f.Add(uint64(1), 31.76, -106.48, 34, "man", "es", "emergency_shelter", 300.0, 20)
	f.Add(uint64(2), math.NaN(), math.Inf(1), -5, "", "", "", -1.0, -3)
	f.Add(uint64(3), 91.0, 181.0, 1<<40, "girl", "MAM", "housing", math.NaN(), 1<<20)
	f.Fuzz(func(t *testing.T, seed uint64, lat, lon float64, age int, gender, lang, need string, maxKm float64, limit int) {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		p := Profile{
			Age: &age, Gender: gender, Languages: []string{lang, pick(r, fuzzLangs)}, Location: &Point{lat, lon},
			Country: account.Country(pick(r, []string{"US", "MX", "", "gt"})), Area: pick(r, []string{"", "US-48141", "MX-08037", "x"}),
			Exploitation:      []string{pick(r, append(htcds.ExploitationTypes, "labor", "sex", "?"))},
			ImmigrationStatus: pick(r, append(ImmigrationStatuses, "")), Side: pick(r, append(Sides, "", "north")),
			Needs: []string{need, pick(r, htcds.Needs)}, Accessible: r.IntN(4) == 0,
		}
		listings := make([]Listing, r.IntN(40))
		for i := range listings {
			listings[i] = fuzzListing(r, i)
		}
		opts := Options{MaxDistanceKm: maxKm, Limit: limit, IncludeExcluded: r.IntN(2) == 0, ExcludedLimit: r.IntN(5) - 1}
		got := MatchListings(p, listings, now, opts)
		checkResult(t, p, opts, got)
	})
}

func checkResult(t *testing.T, p Profile, opts Options, got Result) {
	t.Helper()
	o := opts.withDefaults()
	if len(got.Matches) > o.Limit || len(got.Excluded) > o.ExcludedLimit || got.ExcludedTotal < len(got.Excluded) {
		t.Fatalf("got %d matches and %d of %d exclusions, over the limits %+v", len(got.Matches), len(got.Excluded), got.ExcludedTotal, o)
	}
	for i, m := range got.Matches {
		if i > 0 && m.Score > got.Matches[i-1].Score {
			t.Fatalf("got score %d after %d: not ranked", m.Score, got.Matches[i-1].Score)
		}
		if len(m.NeedsMet) == 0 || len(m.Reasons) == 0 {
			t.Fatalf("got match %+v with no need met or no reason", m)
		}
		for _, n := range m.NeedsMet {
			if !slices.Contains(p.Needs, n) {
				t.Fatalf("got need %s met, not one the profile has", n)
			}
		}
		if m.Confidential && (m.Address != nil || m.Location != "" || (m.Point != nil && *m.Point != Approximate(*m.Point))) {
			t.Fatalf("got confidential match %+v with an exact place", m)
		}
	}
	for _, x := range got.Excluded {
		if len(x.Reasons) == 0 || len(x.NeedsMet) == 0 {
			t.Fatalf("got exclusion %+v without a reason or a need", x)
		}
	}
	if _, err := json.Marshal(got); err != nil {
		t.Fatalf("got a result JSON cannot hold: %v", err)
	}
}

var fuzzLangs = []string{"es", "en", "mam", "quc", "mix", "nah", "tzo", "zap", "", "xx"}

func pick(r *rand.Rand, vs []string) string { return vs[r.IntN(len(vs))] }

// fuzzListing builds a listing with random, often invalid, eligibility.
func fuzzListing(r *rand.Rand, i int) Listing {
	coords := []float64{31.7, -106.4, 26.1, -98.2, math.NaN(), math.Inf(-1), 200, 0}
	l := listing(string(rune('a'+i%26))+string(rune('a'+i/26)), Point{pickF(r, coords), pickF(r, coords)},
		account.Country(pick(r, []string{"US", "MX", ""})), []string{pick(r, htcds.Needs), pick(r, htcds.Needs)})
	el := &l.Service.Eligibility
	el.Genders = []string{pick(r, append(ServedGenders, "", "other"))}
	el.Exploitation = pick(r, append(ExploitationForms, "", "forced_labor"))
	el.Languages = []string{pick(r, fuzzLangs)}
	el.MinAge, el.MaxAge = fuzzAge(r), fuzzAge(r)
	el.ImmigrationStatusRequired, el.Interpretation, el.Accessible = r.IntN(3) == 0, r.IntN(3) == 0, r.IntN(2) == 0
	el.AreaServed = Area{Codes: []string{pick(r, []string{"US-48141", "MX-08037"})}, RadiusKm: pickF(r, []float64{0, 5, math.NaN(), -1})}
	el.Cost = pick(r, append(Costs, "", "?"))
	if r.IntN(2) == 0 {
		el.Beds, el.BedsAvailable = r.IntN(10)-2, ptr(r.IntN(10)-2)
		el.AvailabilityUpdatedAt = now.Add(-time.Duration(r.IntN(100)) * time.Hour)
	}
	l.Location.Confidential = r.IntN(2) == 0
	l.Service.Status = pick(r, append(ServiceStatuses, ""))
	if r.IntN(8) == 0 {
		l.Location = Location{}
	}
	return l
}

func pickF(r *rand.Rand, vs []float64) float64 { return vs[r.IntN(len(vs))] + r.Float64() }

func fuzzAge(r *rand.Rand) *int {
	if r.IntN(2) == 0 {
		return nil
	}
	return ptr(r.IntN(200) - 20)
}
