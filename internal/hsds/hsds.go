// Package hsds reads and writes Open Referral HSDS 3.0 data, as JSON (the
// objects the HSDA API serves: one object, a list, or a page of them) and
// as the tabular datapackage, and maps it to and from directory.Listing.
//
// Reading keeps every field: the ones Puente models are typed, the rest
// (phones, schedules, contacts, funding, programs, fields added by a
// profile) travel in Extra and are written back as they came, so a file
// read and written again says the same. Puente's structured eligibility,
// which HSDS 3.0 leaves to prose, travels as attributes of its own
// taxonomy, PuenteTaxonomy.
//
// The package does no I/O of its own: it reads the io.Reader or fs.FS it
// is given and writes to the io.Writer or directory it is given.
package hsds

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// Extra holds the fields of an object that its Go type does not model,
// raw, keyed by name.
type Extra map[string]json.RawMessage

// Organization is an HSDS organization. Services is not in the HSDS
// schema of an organization, but the HSDA API nests them in a full
// organization, as organization_full.json does.
type Organization struct {
	ID            string      `json:"id"`
	Name          string      `json:"name"`
	AlternateName string      `json:"alternate_name,omitempty"`
	Description   string      `json:"description"`
	Email         string      `json:"email,omitempty"`
	Website       string      `json:"website,omitempty"`
	Locations     []Location  `json:"locations,omitempty"`
	Services      []Service   `json:"services,omitempty"`
	Attributes    []Attribute `json:"attributes,omitempty"`
	Extra         Extra       `json:"-"`
}

// Service is an HSDS service.
type Service struct {
	ID                     string              `json:"id"`
	OrganizationID         string              `json:"organization_id,omitempty"`
	Name                   string              `json:"name"`
	AlternateName          string              `json:"alternate_name,omitempty"`
	Description            string              `json:"description,omitempty"`
	URL                    string              `json:"url,omitempty"`
	Email                  string              `json:"email,omitempty"`
	Status                 string              `json:"status"`
	InterpretationServices string              `json:"interpretation_services,omitempty"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *float64            `json:"minimum_age,omitempty"`
	MaximumAge             *float64            `json:"maximum_age,omitempty"`
	AssuredDate            string              `json:"assured_date,omitempty"`
	Alert                  string              `json:"alert,omitempty"`
	LastModified           string              `json:"last_modified,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
	Extra                  Extra               `json:"-"`
}

// Location is an HSDS location.
type Location struct {
	ID             string      `json:"id"`
	LocationType   string      `json:"location_type"`
	URL            string      `json:"url,omitempty"`
	OrganizationID string      `json:"organization_id,omitempty"`
	Name           string      `json:"name,omitempty"`
	AlternateName  string      `json:"alternate_name,omitempty"`
	Description    string      `json:"description,omitempty"`
	Transportation string      `json:"transportation,omitempty"`
	Latitude       *float64    `json:"latitude,omitempty"`
	Longitude      *float64    `json:"longitude,omitempty"`
	Addresses      []Address   `json:"addresses,omitempty"`
	Attributes     []Attribute `json:"attributes,omitempty"`
	Extra          Extra       `json:"-"`
}

// Address is an HSDS address. HSDS requires every field without
// omitempty, empty or not.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Attention     string `json:"attention,omitempty"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
	Extra         Extra  `json:"-"`
}

// ServiceAtLocation is the HSDS link between a service and a location.
// Service is set in the HSDA's full service_at_location, where the
// service is nested; Location likewise.
type ServiceAtLocation struct {
	ID          string    `json:"id"`
	ServiceID   string    `json:"service_id,omitempty"`
	LocationID  string    `json:"location_id,omitempty"`
	Description string    `json:"description,omitempty"`
	Location    *Location `json:"location,omitempty"`
	Service     *Service  `json:"service,omitempty"`
	Extra       Extra     `json:"-"`
}

// Attribute is an HSDS attribute: a taxonomy term linked to an object,
// with an optional value.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
	Extra          Extra         `json:"-"`
}

// TaxonomyTerm is an HSDS taxonomy term.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description"`
	ParentID    string `json:"parent_id,omitempty"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	Language    string `json:"language,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
	TermURI     string `json:"term_uri,omitempty"`
	Extra       Extra  `json:"-"`
}

// Taxonomy is an HSDS taxonomy.
type Taxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	URI         string `json:"uri,omitempty"`
	Version     string `json:"version,omitempty"`
	Extra       Extra  `json:"-"`
}

// Language is an HSDS language: one a service, location or phone offers.
type Language struct {
	ID         string `json:"id"`
	ServiceID  string `json:"service_id,omitempty"`
	LocationID string `json:"location_id,omitempty"`
	PhoneID    string `json:"phone_id,omitempty"`
	Name       string `json:"name,omitempty"`
	Code       string `json:"code,omitempty"`
	Note       string `json:"note,omitempty"`
	Extra      Extra  `json:"-"`
}

// MetaTableDescription is an HSDS meta_table_description: what a table of
// a tabular datapackage holds. Only the tabular form has them.
type MetaTableDescription struct {
	ID           string `json:"id"`
	Name         string `json:"name,omitempty"`
	Language     string `json:"language,omitempty"`
	CharacterSet string `json:"character_set,omitempty"`
	Extra        Extra  `json:"-"`
}

// The codec: each type decodes its modelled fields and keeps the others
// in Extra; it encodes both. plain types drop the methods, so that the
// standard encoding does the typed part.

func (o *Organization) UnmarshalJSON(b []byte) error {
	type plain Organization
	return decode(b, (*plain)(o), &o.Extra)
}

func (o Organization) MarshalJSON() ([]byte, error) {
	type plain Organization
	return encode(plain(o), o.Extra)
}

func (s *Service) UnmarshalJSON(b []byte) error {
	type plain Service
	return decode(b, (*plain)(s), &s.Extra)
}

func (s Service) MarshalJSON() ([]byte, error) {
	type plain Service
	return encode(plain(s), s.Extra)
}

func (l *Location) UnmarshalJSON(b []byte) error {
	type plain Location
	return decode(b, (*plain)(l), &l.Extra)
}

func (l Location) MarshalJSON() ([]byte, error) {
	type plain Location
	return encode(plain(l), l.Extra)
}

func (a *Address) UnmarshalJSON(b []byte) error {
	type plain Address
	return decode(b, (*plain)(a), &a.Extra)
}

func (a Address) MarshalJSON() ([]byte, error) {
	type plain Address
	return encode(plain(a), a.Extra)
}

func (s *ServiceAtLocation) UnmarshalJSON(b []byte) error {
	type plain ServiceAtLocation
	return decode(b, (*plain)(s), &s.Extra)
}

func (s ServiceAtLocation) MarshalJSON() ([]byte, error) {
	type plain ServiceAtLocation
	return encode(plain(s), s.Extra)
}

func (a *Attribute) UnmarshalJSON(b []byte) error {
	type plain Attribute
	return decode(b, (*plain)(a), &a.Extra)
}

func (a Attribute) MarshalJSON() ([]byte, error) {
	type plain Attribute
	return encode(plain(a), a.Extra)
}

func (t *TaxonomyTerm) UnmarshalJSON(b []byte) error {
	type plain TaxonomyTerm
	return decode(b, (*plain)(t), &t.Extra)
}

func (t TaxonomyTerm) MarshalJSON() ([]byte, error) {
	type plain TaxonomyTerm
	return encode(plain(t), t.Extra)
}

func (t *Taxonomy) UnmarshalJSON(b []byte) error {
	type plain Taxonomy
	return decode(b, (*plain)(t), &t.Extra)
}

func (t Taxonomy) MarshalJSON() ([]byte, error) {
	type plain Taxonomy
	return encode(plain(t), t.Extra)
}

func (l *Language) UnmarshalJSON(b []byte) error {
	type plain Language
	return decode(b, (*plain)(l), &l.Extra)
}

func (l Language) MarshalJSON() ([]byte, error) {
	type plain Language
	return encode(plain(l), l.Extra)
}

func (m *MetaTableDescription) UnmarshalJSON(b []byte) error {
	type plain MetaTableDescription
	return decode(b, (*plain)(m), &m.Extra)
}

func (m MetaTableDescription) MarshalJSON() ([]byte, error) {
	type plain MetaTableDescription
	return encode(plain(m), m.Extra)
}

// decode fills v's typed fields from b and puts every other field in
// extra. A modelled field given as "" or null is kept in extra too, because
// the typed field would drop it on the way out.
func decode(b []byte, v any, extra *Extra) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	known := fieldNames(reflect.TypeOf(v).Elem())
	for name, raw := range all {
		if known[name] && !isEmpty(raw) {
			delete(all, name)
		}
	}
	*extra = nil
	if len(all) > 0 {
		*extra = all
	}
	return nil
}

func isEmpty(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return bytes.Equal(raw, []byte(`""`)) || bytes.Equal(raw, []byte("null"))
}

// encode writes v's typed fields and then extra's, which win a tie.
func encode(v any, extra Extra) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for name, raw := range extra {
		all[name] = raw
	}
	return json.Marshal(all)
}

var names sync.Map // reflect.Type → map[string]bool

// fieldNames returns the JSON names of t's fields.
func fieldNames(t reflect.Type) map[string]bool {
	if m, ok := names.Load(t); ok {
		return m.(map[string]bool)
	}
	m := map[string]bool{}
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			m[name] = true
		}
	}
	names.Store(t, m)
	return m
}
