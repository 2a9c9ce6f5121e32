package directory

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"puente/internal/account"
	"puente/internal/htcds"
	"puente/internal/problem"
	"puente/internal/text"
)

// Field limits, in characters.
const (
	maxID    = 100
	maxName  = 200
	maxShort = 200
	maxLong  = 4000
	maxList  = 40
	maxAge   = 130
	// maxRadiusKm bounds a service's radius; the border is 3,100 km long.
	maxRadiusKm = 5000
)

var (
	languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
	areaCode     = regexp.MustCompile(`^(US|MX)-[0-9]{5}$`)
	dateFull     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// genderAliases folds the casework genders of children into the genders a
// service takes; the age range says whether it takes children.
var genderAliases = map[string]string{"girl": "woman", "boy": "man"}

// languageAliases folds the ISO 639-3 codes of languages that also have a
// two-letter code, so "spa" and "es" match.
var languageAliases = map[string]string{
	"spa": "es", "eng": "en", "por": "pt", "fra": "fr", "fre": "fr", "hat": "ht", "zho": "zh", "cmn": "zh",
}

// Normalize cleans the listing's three parts in place and reports every
// field that breaks a rule, named by its path (service.eligibility.genders,
// location.addresses[0].city …). A listing with no location leaves
// Location zero.
func (l *Listing) Normalize() error {
	var f problem.Fields
	l.Organization.normalize(&f, "organization.")
	l.Service.normalize(&f, "service.")
	if l.Location.ID != "" || l.Location.LocationType != "" {
		l.Location.normalize(&f, "location.")
	}
	if l.Service.OrganizationID != l.Organization.ID {
		f.Add("service.organization_id", "directory.organization_mismatch")
	}
	return f.Err()
}

// Normalize cleans the organization in place and reports every field that
// breaks a rule. HSDS requires an id, a name and a description.
func (o *Organization) Normalize() error {
	var f problem.Fields
	o.normalize(&f, "")
	return f.Err()
}

// Normalize cleans the service in place and reports every field that
// breaks a rule.
func (s *Service) Normalize() error {
	var f problem.Fields
	s.normalize(&f, "")
	return f.Err()
}

// Normalize cleans the location in place and reports every field that
// breaks a rule.
func (l *Location) Normalize() error {
	var f problem.Fields
	l.normalize(&f, "")
	return f.Err()
}

func (o *Organization) normalize(f *problem.Fields, p string) {
	o.ID = clean(f, p+"id", o.ID, maxID, true)
	o.Name = clean(f, p+"name", o.Name, maxName, true)
	o.AlternateName = clean(f, p+"alternate_name", o.AlternateName, maxName, false)
	o.Description = cleanLong(f, p+"description", o.Description, true)
	o.Email = email(f, p+"email", o.Email)
	o.Website = webURL(f, p+"website", o.Website)
}

func (s *Service) normalize(f *problem.Fields, p string) {
	s.ID = clean(f, p+"id", s.ID, maxID, true)
	s.OrganizationID = clean(f, p+"organization_id", s.OrganizationID, maxID, true)
	s.Name = clean(f, p+"name", s.Name, maxName, true)
	s.AlternateName = clean(f, p+"alternate_name", s.AlternateName, maxName, false)
	s.Description = cleanLong(f, p+"description", s.Description, false)
	s.URL = webURL(f, p+"url", s.URL)
	s.Email = email(f, p+"email", s.Email)
	f.OneOf(p+"status", &s.Status, ServiceStatuses, StatusActive)
	s.InterpretationServices = cleanLong(f, p+"interpretation_services", s.InterpretationServices, false)
	s.ApplicationProcess = cleanLong(f, p+"application_process", s.ApplicationProcess, false)
	s.FeesDescription = cleanLong(f, p+"fees_description", s.FeesDescription, false)
	s.EligibilityDescription = cleanLong(f, p+"eligibility_description", s.EligibilityDescription, false)
	s.Alert = clean(f, p+"alert", s.Alert, maxShort, false)
	if s.AssuredDate = strings.TrimSpace(s.AssuredDate); s.AssuredDate != "" && !dateFull.MatchString(s.AssuredDate) {
		f.Add(p+"assured_date", "field.date")
	}
	s.Needs = f.SomeOf(p+"needs", s.Needs, htcds.Needs)
	if len(s.Needs) == 0 {
		f.Add(p+"needs", "field.required")
	}
	s.Eligibility.normalize(f, p+"eligibility.")
}

func (e *Eligibility) normalize(f *problem.Fields, p string) {
	genders := make([]string, len(e.Genders))
	for i, g := range e.Genders {
		genders[i] = strings.TrimSpace(g)
		if alias, ok := genderAliases[genders[i]]; ok {
			genders[i] = alias
		}
	}
	e.Genders = f.SomeOf(p+"genders", genders, ServedGenders)
	age(f, p+"minimum_age", e.MinAge)
	age(f, p+"maximum_age", e.MaxAge)
	if e.MinAge != nil && e.MaxAge != nil && *e.MinAge > *e.MaxAge {
		f.Add(p+"maximum_age", "directory.age_range")
	}
	e.Exploitation = strings.TrimSpace(e.Exploitation)
	if form := ExploitationForm(e.Exploitation); form != "" {
		e.Exploitation = form // a casework type names the form it belongs to
	}
	f.OneOf(p+"exploitation", &e.Exploitation, ExploitationForms, AnyExploitation)
	e.Languages = languages(f, p+"languages", e.Languages)
	e.Country = account.Country(strings.ToUpper(strings.TrimSpace(string(e.Country))))
	if !slices.Contains(account.Countries, e.Country) {
		f.Add(p+"country", "field.choose_one")
	}
	e.AreaServed.normalize(f, p+"area_served.")
	if e.Cost = strings.TrimSpace(e.Cost); e.Cost != "" && !slices.Contains(Costs, e.Cost) {
		f.Add(p+"cost", "field.choose_one")
	}
	e.normalizeBeds(f, p)
}

func (e *Eligibility) normalizeBeds(f *problem.Fields, p string) {
	if e.Beds < 0 {
		f.Add(p+"beds", "field.out_of_range")
	}
	if e.BedsAvailable == nil {
		return
	}
	if n := *e.BedsAvailable; n < 0 || n > e.Beds {
		f.Add(p+"beds_available", "field.out_of_range")
	}
	if e.AvailabilityUpdatedAt.IsZero() {
		f.Add(p+"availability_updated_at", "field.required")
	}
}

func (a *Area) normalize(f *problem.Fields, p string) {
	codes := []string{}
	for _, c := range a.Codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !areaCode.MatchString(c) {
			f.Add(p+"codes", "directory.area_code")
			break
		}
		if !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	a.Codes = codes
	if math.IsNaN(a.RadiusKm) || a.RadiusKm < 0 || a.RadiusKm > maxRadiusKm {
		f.Add(p+"radius_km", "field.out_of_range")
	}
}

func (l *Location) normalize(f *problem.Fields, p string) {
	l.ID = clean(f, p+"id", l.ID, maxID, true)
	f.OneOf(p+"location_type", &l.LocationType, LocationTypes, Physical)
	l.URL = webURL(f, p+"url", l.URL)
	l.OrganizationID = clean(f, p+"organization_id", l.OrganizationID, maxID, false)
	l.Name = clean(f, p+"name", l.Name, maxName, false)
	l.AlternateName = clean(f, p+"alternate_name", l.AlternateName, maxName, false)
	l.Description = cleanLong(f, p+"description", l.Description, false)
	l.Transportation = cleanLong(f, p+"transportation", l.Transportation, false)
	switch {
	case (l.Latitude == nil) != (l.Longitude == nil):
		f.Add(p+"latitude", "directory.coordinates_pair")
	case l.Latitude != nil && !(Point{Lat: *l.Latitude, Lon: *l.Longitude}).Valid():
		f.Add(p+"latitude", "field.out_of_range")
	}
	if len(l.Addresses) > maxList {
		f.Add(p+"addresses", "field.too_many")
	}
	for i := range l.Addresses {
		l.Addresses[i].normalize(f, fmt.Sprintf("%saddresses[%d].", p, i))
	}
}

func (a *Address) normalize(f *problem.Fields, p string) {
	a.Attention = clean(f, p+"attention", a.Attention, maxShort, false)
	a.Address1 = clean(f, p+"address_1", a.Address1, maxShort, true)
	a.Address2 = clean(f, p+"address_2", a.Address2, maxShort, false)
	a.City = clean(f, p+"city", a.City, maxShort, true)
	a.Region = clean(f, p+"region", a.Region, maxShort, false)
	a.StateProvince = clean(f, p+"state_province", a.StateProvince, maxShort, false)
	a.PostalCode = clean(f, p+"postal_code", a.PostalCode, 20, false)
	if a.Country = strings.ToUpper(strings.TrimSpace(a.Country)); !countryCode.MatchString(a.Country) {
		f.Add(p+"country", "field.code")
	}
	f.OneOf(p+"address_type", &a.AddressType, LocationTypes, Physical)
}

// languages cleans a list of ISO 639 codes: lowercased, "spa" folded to
// "es" and the like, repeats dropped, order kept (a profile's first
// language is the one the person is most at ease in).
func languages(f *problem.Fields, field string, codes []string) []string {
	out := []string{}
	for _, c := range codes {
		c = strings.ToLower(strings.TrimSpace(c))
		if alias, ok := languageAliases[c]; ok {
			c = alias
		}
		if !languageCode.MatchString(c) {
			f.Add(field, "field.code")
			return out
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) > maxList {
		f.Add(field, "field.too_many")
	}
	return out
}

func clean(f *problem.Fields, field, v string, max int, required bool) string {
	v, key := text.Clean(v, max)
	return checked(f, field, v, key, required)
}

func cleanLong(f *problem.Fields, field, v string, required bool) string {
	v, key := text.CleanMultiline(v, maxLong)
	return checked(f, field, v, key, required)
}

// checked records the key text gave, or that a required field is empty.
func checked(f *problem.Fields, field, v, key string, required bool) string {
	if key == "" && required && v == "" {
		key = text.KeyRequired
	}
	if key != "" {
		f.Add(field, key)
	}
	return v
}

func email(f *problem.Fields, field, v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	v, key := account.NormalizeEmail(v)
	if key != "" {
		f.Add(field, key)
	}
	return v
}

// webURL accepts an absolute http or https address; anything else (a
// javascript: link, a bare word) would travel into pages and exports.
func webURL(f *problem.Fields, field, v string) string {
	v = clean(f, field, v, 2000, false)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.Add(field, "field.url")
	}
	return v
}

func age(f *problem.Fields, field string, a *int) {
	if a != nil && (*a < 0 || *a > maxAge) {
		f.Add(field, "field.out_of_range")
	}
}
