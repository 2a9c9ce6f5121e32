package directory

import (
	"math"

	"puente/internal/account"
)

// Point is a place in WGS84 decimal degrees.
type Point struct {
	Lat float64 `json:"latitude"`
	Lon float64 `json:"longitude"`
}

// Place is a city a person may be in, with the county or municipio it
// lies in: what the Find services page matches from and what the gap
// report's rows are about. Matching from a city rather than an address
// keeps a survivor's whereabouts out of URLs and logs.
type Place struct {
	ID      string          // short and stable, for URLs and CSV: "elpaso"
	Name    string          // the same in English and Spanish
	Country account.Country // the side of the border it is on
	Area    string          // its county or municipio code, "US-48141"
	Point   Point           // the city centre
}

// BorderCities are the ten twin cities the Find services page matches
// from and the gap report covers by default, US side first in each pair:
// the five crossings of the demo directory. They are few on purpose. The
// border states hold some 640 counties and municipios, most of them far
// inland, and a report over all of them would bury the border's gaps under
// rows for places no service claims; a deployment that works elsewhere
// passes its own places in GapQuery.
var BorderCities = []Place{
	{"elpaso", "El Paso, TX", account.US, "US-48141", Point{Lat: 31.7619, Lon: -106.4850}},
	{"juarez", "Ciudad Juárez, Chih.", account.MX, "MX-08037", Point{Lat: 31.6904, Lon: -106.4245}},
	{"mcallen", "McAllen, TX", account.US, "US-48215", Point{Lat: 26.2034, Lon: -98.2300}},
	{"reynosa", "Reynosa, Tamps.", account.MX, "MX-28032", Point{Lat: 26.0508, Lon: -98.2979}},
	{"sandiego", "San Diego, CA", account.US, "US-06073", Point{Lat: 32.7157, Lon: -117.1611}},
	{"tijuana", "Tijuana, B.C.", account.MX, "MX-02004", Point{Lat: 32.5149, Lon: -117.0382}},
	{"laredo", "Laredo, TX", account.US, "US-48479", Point{Lat: 27.5306, Lon: -99.4803}},
	{"nuevolaredo", "Nuevo Laredo, Tamps.", account.MX, "MX-28027", Point{Lat: 27.4763, Lon: -99.5164}},
	{"nogalesaz", "Nogales, AZ", account.US, "US-04023", Point{Lat: 31.3404, Lon: -110.9343}},
	{"nogalesson", "Nogales, Son.", account.MX, "MX-26043", Point{Lat: 31.3086, Lon: -110.9422}},
}

// BorderCity returns the border city with the id, as URLs and CSV name it.
func BorderCity(id string) (Place, bool) {
	for _, p := range BorderCities {
		if p.ID == id {
			return p, true
		}
	}
	return Place{}, false
}

// earthRadiusKm is the mean Earth radius (IUGG). Haversine on a sphere is
// within 0.5% of the ellipsoid, far finer than a referral needs.
const earthRadiusKm = 6371.0088

// approxPerDegree sets the grid a confidential location is rounded to:
// tenths of a degree, about 11 km north–south and 9.5 km east–west on the
// border.
const approxPerDegree = 10

// Valid reports whether p is a real place: finite and within range.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// DistanceKm is the great-circle (haversine) distance between a and b.
func DistanceKm(a, b Point) float64 {
	return haversine(radians(a), radians(b))
}

// Approximate rounds p to the 0.1° grid the matcher shows for confidential
// locations.
func Approximate(p Point) Point {
	return Point{Lat: math.Round(p.Lat*approxPerDegree) / approxPerDegree, Lon: math.Round(p.Lon*approxPerDegree) / approxPerDegree}
}

// rad is a point in radians with the cosine of its latitude, precomputed
// once per listing so each match pays for two sines and an arcsine.
type rad struct{ lat, lon, cos float64 }

func radians(p Point) rad {
	lat := p.Lat * math.Pi / 180
	return rad{lat: lat, lon: p.Lon * math.Pi / 180, cos: math.Cos(lat)}
}

func haversine(a, b rad) float64 {
	sLat := math.Sin((b.lat - a.lat) / 2)
	sLon := math.Sin((b.lon - a.lon) / 2)
	h := sLat*sLat + a.cos*b.cos*sLon*sLon
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(h, 1)))
}

// pointOf returns a location's coordinates, or false when it has none or
// they are not a real place.
func pointOf(l *Location) (Point, bool) {
	if l.Latitude == nil || l.Longitude == nil || l.LocationType == Virtual {
		return Point{}, false
	}
	p := Point{Lat: *l.Latitude, Lon: *l.Longitude}
	return p, p.Valid()
}
