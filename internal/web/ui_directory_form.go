package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"puente/internal/account"
	"puente/internal/directory"
)

// newOrganization is the organization choice that names a new one.
const newOrganization = "new"

// listingForm is a listing as the edit form holds it: text as typed, so
// that a form sent back with a mistake loses nothing the person wrote.
type listingForm struct {
	// Org is the chosen directory organization's id, or newOrganization
	// with NewOrgName and NewOrgDescription; an admin may say which Puente
	// member runs a new one (Member, an id, "" for none).
	Org, NewOrgName, NewOrgDescription, Member string

	Name, Status, Description, HowToApply string
	Needs, Genders                        []string
	MinAge, MaxAge, Exploitation          string
	StatusRequired, Interpretation        bool
	Languages, Country                    string
	AreaCodes, RadiusKm, Cost             string
	Accessible                            bool
	Beds                                  string

	// LocType is "" for a service delivered at no place (a phone line).
	LocType, LocName, LocURL                       string
	Address1, City, State, PostalCode, AddrCountry string
	Latitude, Longitude                            string
	Confidential                                   bool

	// placeKept is set when the place's fields were filled from the stored
	// place rather than typed, so that they are never shown back.
	placeKept bool
}

// placeBlank reports whether no field of the place was typed.
func (f *listingForm) placeBlank() bool {
	return strings.TrimSpace(f.LocName+f.LocURL+f.Address1+f.City+f.State+f.PostalCode+f.Latitude+f.Longitude) == ""
}

// clearPlace empties the place's fields, keeping its kind, country and
// whether it is confidential.
func (f *listingForm) clearPlace() {
	f.LocName, f.LocURL, f.Address1, f.City, f.State, f.PostalCode, f.Latitude, f.Longitude = "", "", "", "", "", "", "", ""
	f.placeKept = false
}

// keepPlace fills the place's fields from loc, the stored place, so that
// saving the form writes it back unchanged.
func (f *listingForm) keepPlace(loc *directory.Location) {
	p := formOfListing(&directory.Listing{Location: *loc})
	f.LocName, f.LocURL, f.Address1, f.City, f.State, f.PostalCode = p.LocName, p.LocURL, p.Address1, p.City, p.State, p.PostalCode
	f.AddrCountry, f.Latitude, f.Longitude = p.AddrCountry, p.Latitude, p.Longitude
	f.placeKept = true
}

// listingFormFields are the fields the form shows errors next to, named
// as Listing.Normalize names them; any other error is listed at the top.
var listingFormFields = []string{
	"organization.id", "organization.name", "organization.description", "organization.member",
	"service.name", "service.status", "service.description", "service.application_process", "service.needs",
	"service.eligibility.genders", "service.eligibility.minimum_age", "service.eligibility.maximum_age",
	"service.eligibility.exploitation", "service.eligibility.languages", "service.eligibility.country",
	"service.eligibility.area_served.codes", "service.eligibility.area_served.radius_km", "service.eligibility.cost",
	"service.eligibility.beds", "location.location_type", "location.name", "location.url", "location.latitude",
	"location.addresses[0].address_1", "location.addresses[0].city", "location.addresses[0].state_province",
	"location.addresses[0].postal_code", "location.addresses[0].country",
}

// formOfListing fills the form from a stored listing, its location whole.
func formOfListing(l *directory.Listing) listingForm {
	s, el, loc := &l.Service, &l.Service.Eligibility, &l.Location
	f := listingForm{
		Org: l.Organization.ID, Name: s.Name, Status: s.Status, Description: s.Description, HowToApply: s.ApplicationProcess,
		Needs: s.Needs, Genders: el.Genders, MinAge: intText(el.MinAge), MaxAge: intText(el.MaxAge), Exploitation: el.Exploitation,
		StatusRequired: el.ImmigrationStatusRequired, Interpretation: el.Interpretation, Languages: strings.Join(el.Languages, ", "),
		Country: string(el.Country), AreaCodes: strings.Join(el.AreaServed.Codes, ", "), Cost: el.Cost, Accessible: el.Accessible,
		Beds: strconv.Itoa(el.Beds), LocType: loc.LocationType, LocName: loc.Name, LocURL: loc.URL,
		Latitude: floatText(loc.Latitude), Longitude: floatText(loc.Longitude), Confidential: loc.Confidential,
	}
	if el.AreaServed.RadiusKm != 0 {
		f.RadiusKm = strconv.FormatFloat(el.AreaServed.RadiusKm, 'f', -1, 64)
	}
	if len(loc.Addresses) > 0 {
		a := &loc.Addresses[0]
		f.Address1, f.City, f.State, f.PostalCode, f.AddrCountry = a.Address1, a.City, a.StateProvince, a.PostalCode, a.Country
	}
	return f
}

// readListingForm reads the posted form.
func readListingForm(v url.Values) listingForm {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return listingForm{
		Org: get("organization"), NewOrgName: v.Get("new_org_name"), NewOrgDescription: v.Get("new_org_description"), Member: get("member"),
		Name: v.Get("name"), Status: get("status"), Description: v.Get("description"), HowToApply: v.Get("application_process"),
		Needs: v["needs"], Genders: v["genders"], MinAge: get("minimum_age"), MaxAge: get("maximum_age"), Exploitation: get("exploitation"),
		StatusRequired: v.Get("status_required") != "", Interpretation: v.Get("interpretation") != "", Languages: v.Get("languages"),
		Country: get("country"), AreaCodes: v.Get("area_codes"), RadiusKm: get("radius_km"), Cost: get("cost"),
		Accessible: v.Get("accessible") != "", Beds: get("beds"),
		LocType: get("location_type"), LocName: v.Get("location_name"), LocURL: v.Get("location_url"),
		Address1: v.Get("address_1"), City: v.Get("city"), State: v.Get("state"), PostalCode: v.Get("postal_code"),
		AddrCountry: get("address_country"), Latitude: get("latitude"), Longitude: get("longitude"),
		Confidential: v.Get("confidential") != "",
	}
}

// apply writes the form over l, the stored listing or a new one, keeping
// what the form does not show (alternate names, a location's description,
// further addresses …). Numbers that do not read are reported in errs;
// every other rule is Listing.Normalize's.
func (f *listingForm) apply(l *directory.Listing, errs formErrors) {
	s, el := &l.Service, &l.Service.Eligibility
	s.Name, s.Status, s.Description, s.ApplicationProcess = f.Name, f.Status, f.Description, f.HowToApply
	s.Needs, el.Genders, el.Exploitation = f.Needs, f.Genders, f.Exploitation
	el.MinAge = optionalInt(f.MinAge, "service.eligibility.minimum_age", errs)
	el.MaxAge = optionalInt(f.MaxAge, "service.eligibility.maximum_age", errs)
	el.ImmigrationStatusRequired, el.Interpretation, el.Accessible = f.StatusRequired, f.Interpretation, f.Accessible
	el.Languages, el.Country, el.Cost = splitList(f.Languages), account.Country(f.Country), f.Cost
	el.AreaServed.Codes = splitList(f.AreaCodes)
	el.AreaServed.RadiusKm = 0
	if r := optionalFloat(f.RadiusKm, "service.eligibility.area_served.radius_km", errs); r != nil {
		el.AreaServed.RadiusKm = *r
	}
	el.Beds = 0
	if b := optionalInt(f.Beds, "service.eligibility.beds", errs); b != nil {
		el.Beds = *b
	}
	f.applyLocation(&l.Location, l.Organization.ID, errs)
}

func (f *listingForm) applyLocation(loc *directory.Location, orgID string, errs formErrors) {
	if f.LocType == "" {
		if strings.TrimSpace(f.LocName+f.LocURL+f.Address1+f.City+f.State+f.PostalCode+f.Latitude+f.Longitude) != "" {
			errs["location.location_type"] = "directory.edit.place_without_kind"
		}
		*loc = directory.Location{}
		return
	}
	if loc.ID == "" {
		loc.ID = uuid.NewString()
	}
	loc.OrganizationID, loc.LocationType, loc.Name, loc.URL, loc.Confidential = orgID, f.LocType, f.LocName, f.LocURL, f.Confidential
	loc.Latitude = optionalFloat(f.Latitude, "location.latitude", errs)
	loc.Longitude = optionalFloat(f.Longitude, "location.latitude", errs)
	typed := strings.TrimSpace(f.Address1+f.City+f.State+f.PostalCode) != ""
	switch {
	case typed && len(loc.Addresses) == 0:
		loc.Addresses = []directory.Address{{AddressType: f.LocType}}
	case !typed && len(loc.Addresses) > 0:
		loc.Addresses = loc.Addresses[1:]
	}
	if typed {
		a := &loc.Addresses[0]
		a.Address1, a.City, a.StateProvince, a.PostalCode, a.Country = f.Address1, f.City, f.State, f.PostalCode, f.AddrCountry
	}
}

func optionalInt(v, field string, errs formErrors) *int {
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		errs[field] = "field.whole_number"
		return nil
	}
	return &n
}

func optionalFloat(v, field string, errs formErrors) *float64 {
	if v == "" {
		return nil
	}
	n, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	if err != nil {
		errs[field] = "field.number"
		return nil
	}
	return &n
}

func intText(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func floatText(n *float64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatFloat(*n, 'f', -1, 64)
}
