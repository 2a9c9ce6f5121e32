package directory

import (
	"time"

	"puente/internal/account"
)

// now is the clock every test matches at; nothing waits on the wall clock.
var now = time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC)

// The twin cities of the border.
var (
	elPaso      = Point{31.7619, -106.4850}
	juarez      = Point{31.6904, -106.4245}
	mcAllen     = Point{26.2034, -98.2300}
	reynosa     = Point{26.0508, -98.2979}
	sanDiego    = Point{32.7157, -117.1611}
	tijuana     = Point{32.5149, -117.0382}
	laredo      = Point{27.5306, -99.4803}
	nuevoLaredo = Point{27.4763, -99.5164}
)

func ptr[T any](v T) *T { return &v }

// north returns a point km kilometres north of p (a degree of latitude is
// about 111.2 km), to place listings at known distances.
func north(p Point, km float64) Point { return Point{Lat: p.Lat + km/111.195, Lon: p.Lon} }

// mod changes a listing built by listing.
type mod func(*Listing)

// listing builds an active service at a physical location that takes
// everyone, with one organization per service.
func listing(id string, at Point, country account.Country, needs []string, mods ...mod) Listing {
	city := map[account.Country]string{"US": "El Paso", "MX": "Ciudad Juárez"}[country]
	l := Listing{
		Organization: Organization{ID: "org-" + id, Name: "Org " + id, Description: "A test organization."},
		Service: Service{
			ID: id, OrganizationID: "org-" + id, Name: "Service " + id, Status: StatusActive, Needs: needs,
			Eligibility: Eligibility{Exploitation: AnyExploitation, Country: country},
		},
		Location: Location{
			ID: "loc-" + id, LocationType: Physical, Name: "Place " + id,
			Latitude: ptr(at.Lat), Longitude: ptr(at.Lon),
			Addresses: []Address{{Address1: "100 Calle " + id, City: city, Country: string(country), AddressType: Physical}},
		},
	}
	for _, m := range mods {
		m(&l)
	}
	return l
}

func genders(g ...string) mod { return func(l *Listing) { l.Service.Eligibility.Genders = g } }
func exploit(f string) mod    { return func(l *Listing) { l.Service.Eligibility.Exploitation = f } }
func langs(c ...string) mod   { return func(l *Listing) { l.Service.Eligibility.Languages = c } }
func cost(c string) mod       { return func(l *Listing) { l.Service.Eligibility.Cost = c } }

func ages(lo, hi *int) mod {
	return func(l *Listing) { l.Service.Eligibility.MinAge, l.Service.Eligibility.MaxAge = lo, hi }
}

// beds sets a capacity and a count of free beds taken ago before now.
func beds(total, free int, ago time.Duration) mod {
	return func(l *Listing) {
		el := &l.Service.Eligibility
		el.Beds, el.BedsAvailable, el.AvailabilityUpdatedAt = total, ptr(free), now.Add(-ago)
	}
}

var (
	requiresStatus mod = func(l *Listing) { l.Service.Eligibility.ImmigrationStatusRequired = true }
	interpreters   mod = func(l *Listing) { l.Service.Eligibility.Interpretation = true }
	hiddenAddress  mod = func(l *Listing) { l.Location.Confidential = true }
	virtual        mod = func(l *Listing) { l.Location = Location{ID: "loc-" + l.Service.ID, LocationType: Virtual} }
)

// laborMan is the survivor: an adult man, trafficked for labor by
// a Texas employer, undocumented, Spanish-speaking, in El Paso.
func laborMan(needs ...string) Profile {
	return Profile{
		Age: ptr(34), Gender: "man", Exploitation: []string{"forced_labor"}, Languages: []string{"es"},
		Location: &elPaso, Country: "US", ImmigrationStatus: "undocumented", Side: "either", Needs: needs,
	}
}

// summary is the part of a match most tests compare.
type summary struct {
	ID           string
	NeedsMet     []string
	Availability string
	CrossBorder  bool
}

func summarize(ms []Match) []summary {
	out := []summary{}
	for _, m := range ms {
		out = append(out, summary{m.ServiceID, m.NeedsMet, m.Availability.State, m.CrossBorder})
	}
	return out
}

// excludedKeys maps each excluded service to its reasons' keys.
func excludedKeys(xs []Exclusion) map[string][]string {
	out := map[string][]string{}
	for _, x := range xs {
		keys := []string{}
		for _, r := range x.Reasons {
			keys = append(keys, r.Key)
		}
		out[x.ServiceID] = keys
	}
	return out
}

func ids(ms []Match) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ServiceID)
	}
	return out
}

func reasonKeys(rs []Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out
}
