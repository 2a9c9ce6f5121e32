package directory

import "math"

// Point is a place in WGS84 decimal degrees.
type Point struct {
	Lat float64 `json:"latitude"`
	Lon float64 `json:"longitude"`
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
