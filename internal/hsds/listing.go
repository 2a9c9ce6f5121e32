package hsds

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"puente/internal/account"
	"puente/internal/directory"
	"puente/internal/problem"
)

// PuenteTaxonomy is the name of Puente's own taxonomy. Its terms carry what
// HSDS 3.0 leaves to prose: whom a service takes (genders, exploitation,
// immigration_status_required …), the needs it meets, its bed count, and
// that a location is confidential. An attribute's term code is the field,
// its value the value; a list is one attribute per item.
const PuenteTaxonomy = "puente-eligibility"

// The term codes of PuenteTaxonomy.
const (
	termNeeds          = "needs"
	termGenders        = "genders"
	termExploitation   = "exploitation"
	termStatusRequired = "immigration_status_required"
	termInterpretation = "interpretation"
	termCountry        = "country"
	termAreaCode       = "area_code"
	termRadiusKm       = "radius_km"
	termCost           = "cost"
	termAccessible     = "accessible"
	termBeds           = "beds"
	termBedsAvailable  = "beds_available"
	termCountedAt      = "availability_updated_at"
	termConfidential   = "confidential"
)

var termDescriptions = map[string]string{
	termNeeds:          "A survivor's need the service meets (Puente's vocabulary).",
	termGenders:        "A gender the service takes; none listed takes everyone.",
	termExploitation:   "The form of trafficking the service takes: labor, sex or any.",
	termStatusRequired: "Whether the service requires legal immigration status.",
	termInterpretation: "Whether the service arranges interpreters for languages its staff do not speak.",
	termCountry:        "The country where the service is delivered (US or MX).",
	termAreaCode:       "A county (US FIPS) or municipio (MX INEGI) the service takes people from, as US-48141 or MX-08037.",
	termRadiusKm:       "The radius around its location the service takes people from, in km.",
	termCost:           "What the service charges: free, sliding or fee.",
	termAccessible:     "Whether the place has step-free access for wheelchair users.",
	termBeds:           "The service's bed capacity at this location.",
	termBedsAvailable:  "The beds free when last counted.",
	termCountedAt:      "When the beds were last counted (RFC 3339).",
	termConfidential:   "The location is confidential: its address, coordinates and name are withheld.",
}

// ToListings maps a dataset to Puente listings: one per service and
// location it is offered at, or one with no location for a service offered
// nowhere in particular. It reports each listing Puente cannot take, with
// the fields at fault (directory.Listing.Normalize's keys), by the id of
// its service and location.
func ToListings(d *Dataset) ([]directory.Listing, Report) {
	g := newGraph(d)
	var out []directory.Listing
	var rep Report
	for _, s := range g.services {
		links := g.links[s.ID]
		if len(links) == 0 {
			links = []string{""}
		}
		for _, locID := range links {
			l, reasons := g.listing(s, locID)
			if len(reasons) == 0 {
				if err := l.Normalize(); err != nil {
					reasons = describe(err)
				}
			}
			if len(reasons) > 0 {
				id := s.ID
				if locID != "" {
					id += " at " + locID
				}
				rep.reject("", 0, id, reasons...)
				continue
			}
			out = append(out, l)
			rep.Imported++
		}
	}
	return out, rep
}

func describe(err error) []string {
	pe := problem.As(err)
	if len(pe.Fields) == 0 {
		return []string{err.Error()}
	}
	var out []string
	for _, f := range pe.Fields {
		out = append(out, f.Field+": "+f.Key)
	}
	return out
}

// graph is a dataset's objects by id, however they were nested.
type graph struct {
	orgs     map[string]*Organization
	services []*Service
	seen     map[string]bool
	locs     map[string]*Location
	links    map[string][]string // service id → location ids
}

func newGraph(d *Dataset) *graph {
	g := &graph{orgs: map[string]*Organization{}, seen: map[string]bool{}, locs: map[string]*Location{}, links: map[string][]string{}}
	for i := range d.Organizations {
		g.org(&d.Organizations[i])
	}
	for i := range d.Services {
		g.service(&d.Services[i], "")
	}
	for i := range d.ServiceAtLocations {
		g.link(&d.ServiceAtLocations[i], "")
	}
	for i := range d.Locations {
		g.location(&d.Locations[i])
	}
	return g
}

func (g *graph) org(o *Organization) {
	if _, ok := g.orgs[o.ID]; !ok {
		g.orgs[o.ID] = o
	}
	for i := range o.Locations {
		g.location(&o.Locations[i])
	}
	for i := range o.Services {
		g.service(&o.Services[i], o.ID)
	}
}

// service adds s, offered by the organization orgID when s does not say.
func (g *graph) service(s *Service, orgID string) {
	if s.Organization != nil {
		g.org(s.Organization)
		orgID = s.Organization.ID
	}
	if s.OrganizationID == "" {
		c := *s
		c.OrganizationID = orgID
		s = &c
	}
	if !g.seen[s.ID] {
		g.seen[s.ID] = true
		g.services = append(g.services, s)
	}
	for i := range s.ServiceAtLocations {
		sal := s.ServiceAtLocations[i]
		if sal.ServiceID == "" {
			sal.ServiceID = s.ID
		}
		g.link(&sal, orgID)
	}
}

func (g *graph) link(sal *ServiceAtLocation, orgID string) {
	if sal.Service != nil {
		g.service(sal.Service, orgID)
		sal.ServiceID = sal.Service.ID
	}
	locID := sal.LocationID
	if sal.Location != nil {
		g.location(sal.Location)
		locID = sal.Location.ID
	}
	if sal.ServiceID != "" && locID != "" && !slices.Contains(g.links[sal.ServiceID], locID) {
		g.links[sal.ServiceID] = append(g.links[sal.ServiceID], locID)
	}
}

func (g *graph) location(l *Location) {
	if _, ok := g.locs[l.ID]; !ok {
		g.locs[l.ID] = l
	}
}

func (g *graph) listing(s *Service, locID string) (directory.Listing, []string) {
	var l directory.Listing
	var reasons []string
	o, ok := g.orgs[s.OrganizationID]
	if !ok {
		return l, []string{fmt.Sprintf("service %s: no organization", s.ID)}
	}
	l.Organization = directory.Organization{ID: o.ID, Name: o.Name, AlternateName: o.AlternateName, Description: o.Description, Email: o.Email, Website: o.Website}
	l.Service, reasons = toService(s)
	if locID != "" {
		loc, ok := g.locs[locID]
		if !ok {
			return l, append(reasons, fmt.Sprintf("location %q: not in the data", locID))
		}
		var more []string
		l.Location, more = toLocation(loc)
		reasons = append(reasons, more...)
	}
	el := &l.Service.Eligibility
	if el.Country == "" && len(l.Location.Addresses) > 0 {
		el.Country = account.Country(strings.ToUpper(l.Location.Addresses[0].Country))
	}
	return l, reasons
}

func toService(s *Service) (directory.Service, []string) {
	out := directory.Service{
		ID: s.ID, OrganizationID: s.OrganizationID, Name: s.Name, AlternateName: s.AlternateName, Description: s.Description,
		URL: s.URL, Email: s.Email, Status: s.Status, InterpretationServices: s.InterpretationServices,
		ApplicationProcess: s.ApplicationProcess, FeesDescription: s.FeesDescription,
		EligibilityDescription: s.EligibilityDescription, Alert: s.Alert, AssuredDate: s.AssuredDate,
	}
	var reasons []string
	if s.LastModified != "" {
		t, err := time.Parse(time.RFC3339, s.LastModified)
		if err != nil {
			reasons = append(reasons, "last_modified: not an RFC 3339 date-time")
		}
		out.LastModified = t
	}
	el := &out.Eligibility
	var ok bool
	if el.MinAge, ok = wholeAge(s.MinimumAge); !ok {
		reasons = append(reasons, "minimum_age: not a whole number of years")
	}
	if el.MaxAge, ok = wholeAge(s.MaximumAge); !ok {
		reasons = append(reasons, "maximum_age: not a whole number of years")
	}
	for _, lang := range s.Languages {
		if lang.Code != "" {
			el.Languages = append(el.Languages, lang.Code)
		}
	}
	for _, a := range puenteAttributes(s.Attributes) {
		if err := setTerm(&out, a.TaxonomyTerm.Code, a.Value); err != "" {
			reasons = append(reasons, fmt.Sprintf("attribute %s %s=%q: %s", PuenteTaxonomy, a.TaxonomyTerm.Code, a.Value, err))
		}
	}
	return out, reasons
}

func wholeAge(f *float64) (*int, bool) {
	if f == nil {
		return nil, true
	}
	if *f != math.Trunc(*f) || math.Abs(*f) > 1000 {
		return nil, false
	}
	n := int(*f)
	return &n, true
}

func puenteAttributes(as []Attribute) []Attribute {
	var out []Attribute
	for _, a := range as {
		if a.TaxonomyTerm != nil && a.TaxonomyTerm.Taxonomy == PuenteTaxonomy {
			out = append(out, a)
		}
	}
	return out
}

// setTerm sets the field a Puente attribute names, or says what is wrong.
func setTerm(s *directory.Service, code, v string) string {
	el := &s.Eligibility
	var err error
	switch code {
	case termNeeds:
		s.Needs = append(s.Needs, v)
	case termGenders:
		el.Genders = append(el.Genders, v)
	case termExploitation:
		el.Exploitation = v
	case termStatusRequired:
		el.ImmigrationStatusRequired, err = strconv.ParseBool(v)
	case termInterpretation:
		el.Interpretation, err = strconv.ParseBool(v)
	case termCountry:
		el.Country = account.Country(v)
	case termAreaCode:
		el.AreaServed.Codes = append(el.AreaServed.Codes, v)
	case termRadiusKm:
		el.AreaServed.RadiusKm, err = strconv.ParseFloat(v, 64)
	case termCost:
		el.Cost = v
	case termAccessible:
		el.Accessible, err = strconv.ParseBool(v)
	case termBeds:
		el.Beds, err = strconv.Atoi(v)
	case termBedsAvailable:
		var n int
		n, err = strconv.Atoi(v)
		el.BedsAvailable = &n
	case termCountedAt:
		el.AvailabilityUpdatedAt, err = time.Parse(time.RFC3339Nano, v)
	default:
		return "not a term of " + PuenteTaxonomy
	}
	if err != nil {
		return "not a valid value"
	}
	return ""
}

func toLocation(l *Location) (directory.Location, []string) {
	out := directory.Location{
		ID: l.ID, LocationType: l.LocationType, URL: l.URL, OrganizationID: l.OrganizationID, Name: l.Name,
		AlternateName: l.AlternateName, Description: l.Description, Transportation: l.Transportation,
		Latitude: l.Latitude, Longitude: l.Longitude,
	}
	var reasons []string
	for _, a := range puenteAttributes(l.Attributes) {
		switch b, err := strconv.ParseBool(a.Value); {
		case a.TaxonomyTerm.Code != termConfidential:
			reasons = append(reasons, fmt.Sprintf("location attribute %s %s: not a location term", PuenteTaxonomy, a.TaxonomyTerm.Code))
		case err != nil:
			reasons = append(reasons, fmt.Sprintf("location attribute %s confidential=%q: not a valid value", PuenteTaxonomy, a.Value))
		default:
			out.Confidential = b
		}
	}
	for _, a := range l.Addresses {
		out.Addresses = append(out.Addresses, directory.Address{
			Attention: a.Attention, Address1: a.Address1, Address2: a.Address2, City: a.City, Region: a.Region,
			StateProvince: a.StateProvince, PostalCode: a.PostalCode, Country: a.Country, AddressType: a.AddressType,
		})
		if out.Confidential && a.Address1 == "" {
			// An export withholds a confidential address; taking it back
			// would overwrite the sealed place with the coarse one.
			reasons = append(reasons, "location is confidential and its exact address was withheld: edit it in Puente instead")
		}
	}
	return out, reasons
}

// FromListings maps Puente listings to HSDS: one full service per service,
// with its organization, its languages, its Puente attributes, and a
// service_at_location with the location for each place it is offered.
//
// A confidential location leaves with its id, type and the city, state and
// country of its addresses, coordinates rounded as the matcher shows them
// (directory.Approximate), and the attribute confidential=true: never its
// name, descriptions, street address, postal code or exact coordinates,
// whatever the listing holds.
func FromListings(ls []directory.Listing) *Dataset {
	d := &Dataset{}
	at := map[string]int{}
	for i := range ls {
		l := &ls[i]
		j, ok := at[l.Service.ID]
		if !ok {
			j = len(d.Services)
			at[l.Service.ID] = j
			d.Services = append(d.Services, fromService(l))
		}
		if l.Location.ID != "" {
			s := &d.Services[j]
			loc := fromLocation(&l.Location)
			s.ServiceAtLocations = append(s.ServiceAtLocations, ServiceAtLocation{
				ID: newID("service_at_location", s.ID, loc.ID), ServiceID: s.ID, LocationID: loc.ID, Location: &loc,
			})
		}
	}
	return d
}

func fromService(l *directory.Listing) Service {
	o, s := &l.Organization, &l.Service
	el := &s.Eligibility
	out := Service{
		ID: s.ID, OrganizationID: s.OrganizationID, Name: s.Name, AlternateName: s.AlternateName, Description: s.Description,
		URL: s.URL, Email: s.Email, Status: s.Status, InterpretationServices: s.InterpretationServices,
		ApplicationProcess: s.ApplicationProcess, FeesDescription: s.FeesDescription,
		EligibilityDescription: s.EligibilityDescription, Alert: s.Alert, AssuredDate: s.AssuredDate,
		MinimumAge: float(el.MinAge), MaximumAge: float(el.MaxAge),
		Organization: &Organization{ID: o.ID, Name: o.Name, AlternateName: o.AlternateName, Description: o.Description, Email: o.Email, Website: o.Website},
	}
	if !s.LastModified.IsZero() {
		out.LastModified = s.LastModified.UTC().Format(time.RFC3339Nano)
	}
	for _, code := range el.Languages {
		out.Languages = append(out.Languages, Language{ID: newID("language", s.ID, code), ServiceID: s.ID, Code: code})
	}
	add := func(code, value string) {
		out.Attributes = append(out.Attributes, attribute(s.ID, "service", code, value))
	}
	for _, n := range s.Needs {
		add(termNeeds, n)
	}
	for _, g := range el.Genders {
		add(termGenders, g)
	}
	add(termExploitation, el.Exploitation)
	add(termStatusRequired, strconv.FormatBool(el.ImmigrationStatusRequired))
	add(termInterpretation, strconv.FormatBool(el.Interpretation))
	add(termCountry, string(el.Country))
	for _, c := range el.AreaServed.Codes {
		add(termAreaCode, c)
	}
	if el.AreaServed.RadiusKm > 0 {
		add(termRadiusKm, strconv.FormatFloat(el.AreaServed.RadiusKm, 'f', -1, 64))
	}
	if el.Cost != "" {
		add(termCost, el.Cost)
	}
	add(termAccessible, strconv.FormatBool(el.Accessible))
	if el.Beds > 0 {
		add(termBeds, strconv.Itoa(el.Beds))
	}
	if el.BedsAvailable != nil {
		add(termBedsAvailable, strconv.Itoa(*el.BedsAvailable))
		add(termCountedAt, el.AvailabilityUpdatedAt.UTC().Format(time.RFC3339Nano))
	}
	return out
}

func float(n *int) *float64 {
	if n == nil {
		return nil
	}
	f := float64(*n)
	return &f
}

func fromLocation(l *directory.Location) Location {
	out := Location{ID: l.ID, LocationType: l.LocationType, OrganizationID: l.OrganizationID}
	if l.Confidential {
		if l.Latitude != nil && l.Longitude != nil {
			p := directory.Approximate(directory.Point{Lat: *l.Latitude, Lon: *l.Longitude})
			out.Latitude, out.Longitude = &p.Lat, &p.Lon
		}
		for i, a := range l.Addresses {
			out.Addresses = append(out.Addresses, Address{
				ID: newID("address", l.ID, strconv.Itoa(i)), LocationID: l.ID,
				// The store keeps only the coarse area of a confidential
				// address, so its type may be empty: the area is physical.
				City: a.City, StateProvince: a.StateProvince, Country: a.Country, AddressType: cmp.Or(a.AddressType, directory.Physical),
			})
		}
		out.Attributes = []Attribute{attribute(l.ID, "location", termConfidential, "true")}
		return out
	}
	out.URL, out.Name, out.AlternateName = l.URL, l.Name, l.AlternateName
	out.Description, out.Transportation = l.Description, l.Transportation
	out.Latitude, out.Longitude = l.Latitude, l.Longitude
	for i, a := range l.Addresses {
		out.Addresses = append(out.Addresses, Address{
			ID: newID("address", l.ID, strconv.Itoa(i)), LocationID: l.ID, Attention: a.Attention, Address1: a.Address1,
			Address2: a.Address2, City: a.City, Region: a.Region, StateProvince: a.StateProvince, PostalCode: a.PostalCode,
			Country: a.Country, AddressType: a.AddressType,
		})
	}
	return out
}

func attribute(linkID, entity, code, value string) Attribute {
	t := &TaxonomyTerm{ID: newID("term", code), Code: code, Name: code, Description: termDescriptions[code], Taxonomy: PuenteTaxonomy}
	return Attribute{
		ID: newID("attribute", linkID, code, value), LinkID: linkID, LinkEntity: entity,
		TaxonomyTermID: t.ID, Value: value, TaxonomyTerm: t,
	}
}

// idNamespace is the UUID namespace of the ids FromListings makes for
// objects Puente does not keep ids for (addresses, attributes, terms,
// languages, links). Fixed for good, so that exports are stable.
var idNamespace = uuid.UUID{0x2b, 0x8e, 0x5d, 0x61, 0x0c, 0x3f, 0x4a, 0x97, 0x9e, 0x14, 0x7a, 0xd2, 0x58, 0x03, 0xc6, 0x1f}

// newID is a name-based UUID (RFC 9562, version 5) of parts.
func newID(parts ...string) string {
	return uuid.NewSHA1(idNamespace, []byte(strings.Join(parts, "\x00"))).String()
}
