package demo_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/account"
	"puente/internal/demo"
	"puente/internal/directory"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

var seedNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// twin is one of the demo's five areas: a US county and a Mexican
// municipio, with a point between the two cities.
type twin struct {
	name   string
	us, mx string
	at     directory.Point
}

var twins = []twin{
	{"El Paso / Ciudad Juárez", "US-48141", "MX-08037", directory.Point{Lat: 31.76, Lon: -106.45}},
	{"McAllen / Reynosa", "US-48215", "MX-28032", directory.Point{Lat: 26.16, Lon: -98.23}},
	{"San Diego / Tijuana", "US-06073", "MX-02004", directory.Point{Lat: 32.70, Lon: -117.06}},
	{"Laredo / Nuevo Laredo", "US-48479", "MX-28027", directory.Point{Lat: 27.50, Lon: -99.49}},
	{"Nogales / Nogales", "US-04023", "MX-26043", directory.Point{Lat: 31.38, Lon: -110.94}},
}

// in reports whether l is on the side of tw whose country is c: it serves
// that county or municipio, or it is within 30 km of the area's centre.
func (tw twin) in(l *directory.Listing, c account.Country) bool {
	el := &l.Service.Eligibility
	if el.Country != c {
		return false
	}
	code := tw.us
	if c == account.MX {
		code = tw.mx
	}
	if slices.Contains(el.AreaServed.Codes, code) {
		return true
	}
	loc := &l.Location
	return loc.Latitude != nil && loc.LocationType == directory.Physical &&
		directory.DistanceKm(tw.at, directory.Point{Lat: *loc.Latitude, Lon: *loc.Longitude}) < 30
}

func normalized(t *testing.T) []directory.Listing {
	t.Helper()
	ls := demo.Listings(seedNow)
	for i := range ls {
		if err := ls[i].Normalize(); err != nil {
			t.Errorf("%s: %v", ls[i].Service.Name, err)
		}
	}
	return ls
}

func shelters(ls []directory.Listing) []*directory.Listing {
	var out []*directory.Listing
	for i := range ls {
		if slices.Contains(ls[i].Service.Needs, "emergency_shelter") {
			out = append(out, &ls[i])
		}
	}
	return out
}

func takesAdultMen(el *directory.Eligibility) bool {
	return (len(el.Genders) == 0 || slices.Contains(el.Genders, "man")) && (el.MaxAge == nil || *el.MaxAge >= 18)
}

func TestListingsAreValidAndClearlyFictional(t *testing.T) {
	ls := normalized(t)
	if n := len(ls); n < 55 || n > 65 {
		t.Errorf("got %d listings, want about 60", n)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	ids := map[string]bool{}
	demoSuffix := func(what, s string) {
		if !strings.HasSuffix(s, "(demo)") {
			t.Errorf("%s %q does not end with (demo)", what, s)
		}
	}
	for _, l := range ls {
		if key := l.Service.ID + "/" + l.Location.ID; ids[key] {
			t.Errorf("listing %s is there twice", key)
		}
		ids[l.Service.ID+"/"+l.Location.ID] = true
		for _, id := range []string{l.Organization.ID, l.Service.ID, l.Location.ID} {
			if id != "" && !uuid.MatchString(id) {
				t.Errorf("%s: id %q is not a name-based UUID", l.Service.Name, id)
			}
		}
		demoSuffix("organization", l.Organization.Name)
		demoSuffix("service", l.Service.Name)
		if l.Location.Name != "" {
			demoSuffix("location", l.Location.Name)
		}
		for _, a := range l.Location.Addresses {
			demoSuffix("address", a.Address1)
		}
		if !strings.HasSuffix(l.Organization.Email, "@"+demo.Domain) {
			t.Errorf("%s: email %q is not a demo address", l.Organization.Name, l.Organization.Email)
		}
		for _, u := range []string{l.Organization.Website, l.Service.URL, l.Location.URL} {
			if u != "" && !strings.HasPrefix(u, "https://"+demo.Domain+"/") {
				t.Errorf("%s: url %q is not a demo address", l.Service.Name, u)
			}
		}
		if l.Service.Name == "Albergue para hombres (demo)" && l.Service.ID != "83c787ca-8f1d-5cfc-8e76-8dcd6c878823" {
			t.Errorf("the men's shelter's id is %s; demo ids must not change", l.Service.ID)
		}
		if !strings.Contains(l.Service.ApplicationProcess, "555 01") && !strings.Contains(l.Service.ApplicationProcess, " 000 ") {
			t.Errorf("%s: phone in %q is not a fictional number", l.Service.Name, l.Service.ApplicationProcess)
		}
	}
}

func TestListingsCoverBothSidesOfEveryAreaWithAConfidentialShelter(t *testing.T) {
	ls := normalized(t)
	for _, tw := range twins {
		for _, c := range account.Countries {
			n := 0
			for i := range ls {
				if tw.in(&ls[i], c) {
					n++
				}
			}
			if n < 3 {
				t.Errorf("%s, %s side: %d services, want at least 3", tw.name, c, n)
			}
		}
		confidential := 0
		for i := range ls {
			if ls[i].Location.Confidential && (tw.in(&ls[i], account.US) || tw.in(&ls[i], account.MX)) {
				confidential++
			}
		}
		if confidential < 1 || confidential > 2 {
			t.Errorf("%s: %d confidential shelter locations, want one or two", tw.name, confidential)
		}
	}
}

// TestListingsHaveTheBordersGaps holds the gaps the gap report is to show.
func TestListingsHaveTheBordersGaps(t *testing.T) {
	ls := normalized(t)
	area := twins[0] // El Paso / Ciudad Juárez
	var menUS, menMX, menJuarez, womenOnly, full, stale, mam, status int
	for _, l := range shelters(ls) {
		el := &l.Service.Eligibility
		switch {
		case !takesAdultMen(el):
		case el.Country == account.US:
			menUS++
		default:
			menMX++
		}
		if takesAdultMen(el) && area.in(l, account.US) {
			t.Errorf("%s takes adult men in El Paso; the demo has no such shelter", l.Service.Name)
		}
		if takesAdultMen(el) && area.in(l, account.MX) && el.Exploitation != directory.Sex && !el.ImmigrationStatusRequired {
			menJuarez++
		}
		if len(el.Genders) > 0 && !slices.ContainsFunc(el.Genders, func(g string) bool { return g != "woman" && g != "transgender_woman" }) {
			womenOnly++
		}
	}
	if menJuarez == 0 {
		t.Error("no shelter in Ciudad Juárez takes adult men who survived labor trafficking")
	}
	if menUS != 0 || menMX > 2 {
		t.Errorf("shelters for adult men: %d in the US, %d in Mexico; want none and one or two", menUS, menMX)
	}
	if n := len(shelters(ls)); womenOnly*2 <= n {
		t.Errorf("%d of %d shelters take only women; want most", womenOnly, n)
	}
	for i := range ls {
		el := &ls[i].Service.Eligibility
		switch {
		case el.BedsAvailable == nil:
		case seedNow.Sub(el.AvailabilityUpdatedAt) > directory.StaleAfter:
			stale++
		case *el.BedsAvailable == 0:
			full++
		}
		if slices.Contains(el.Languages, "mam") {
			mam++
		}
		if el.ImmigrationStatusRequired {
			status++
		}
		if strings.Contains(ls[i].Service.Name, "T-visa") && el.Country != account.US {
			t.Errorf("%s offers T-visa help from Mexico", ls[i].Service.Name)
		}
	}
	if full != 2 || stale != 1 {
		t.Errorf("%d shelters full today and %d stale counts, want 2 and 1", full, stale)
	}
	if mam < 1 || mam > 2 {
		t.Errorf("%d services speak Mam, want one or two", mam)
	}
	if status < 2 {
		t.Errorf("%d services require legal status, want some", status)
	}
	for _, tw := range twins {
		if !slices.ContainsFunc(ls, func(l directory.Listing) bool {
			return tw.in(&l, account.US) && strings.Contains(l.Service.Name, "T-visa")
		}) {
			t.Errorf("%s: no T-visa legal aid on the US side", tw.name)
		}
	}
}

// TestSeededDirectoryMatchesAManInElPaso seeds the directory and matches
// the survivor most directories fail: an undocumented man, forced to work,
// who needs a bed tonight and immigration help.
func TestSeededDirectoryMatchesAManInElPaso(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.UseKeyring(mustKeyring(t))
		n, err := demo.SeedDirectory(ctx, db, seedNow)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := db.Listings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != n || n != len(demo.Listings(seedNow)) {
			t.Fatalf("seeded %d listings, stored %d, want %d", n, len(ls), len(demo.Listings(seedNow)))
		}
		age := 30
		p := directory.Profile{
			Age: &age, Gender: "man", Exploitation: []string{"forced_labor"}, ImmigrationStatus: "undocumented",
			Languages: []string{"es"}, Location: &directory.Point{Lat: 31.7587, Lon: -106.4869}, Country: account.US,
			Area: "US-48141", Needs: []string{"emergency_shelter", "legal_immigration"},
		}
		r := directory.NewIndex(ls).Match(p, seedNow, directory.Options{IncludeExcluded: true})
		if len(r.Matches) == 0 {
			t.Fatal("no matches")
		}
		first := r.Matches[0]
		if first.Organization != "Casa Hombres de Paso (demo)" || !first.CrossBorder || first.CrossBorderNote != "directory.cross_border.us_to_mx" ||
			first.Availability.State != directory.AvailBeds {
			t.Errorf("first match = %+v, want the men's shelter in Ciudad Juárez, across the border, with beds", first)
		}
		if !slices.ContainsFunc(r.Matches, func(m directory.Match) bool {
			return m.Organization == "Frontera Esperanza Legal Aid (demo)" && slices.Contains(m.NeedsMet, "legal_immigration") && !m.CrossBorder
		}) {
			t.Error("no legal aid in El Paso among the matches")
		}
		// The shelters within reach that turn him away for being a man.
		var byGender []string
		for _, x := range r.Excluded {
			if slices.Contains(x.NeedsMet, "emergency_shelter") && hasReason(x, "directory.excluded.gender") && !hasReason(x, "directory.excluded.too_far") {
				byGender = append(byGender, x.Organization)
			}
		}
		slices.Sort(byGender)
		want := []string{"Albergue Puerta Abierta (demo)", "Casa Paso Seguro (demo)", "Casa Prisma (demo)", "Refugio Mujeres Libres (demo)"}
		if diff := cmp.Diff(want, byGender); diff != "" {
			t.Errorf("shelters excluded for gender (-want +got):\n%s", diff)
		}
	})
}

func hasReason(x directory.Exclusion, key string) bool {
	return slices.ContainsFunc(x.Reasons, func(r directory.Reason) bool { return r.Key == key })
}
