package hsds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// Kind is the HSDS object a JSON file holds.
type Kind string

// The kinds of object a JSON file may hold.
const (
	KindOrganization      Kind = "organization"
	KindService           Kind = "service"
	KindServiceAtLocation Kind = "service_at_location"
	KindLocation          Kind = "location"
	KindTaxonomy          Kind = "taxonomy"
	KindTaxonomyTerm      Kind = "taxonomy_term"
)

var kinds = []Kind{KindServiceAtLocation, KindOrganization, KindService, KindLocation, KindTaxonomyTerm, KindTaxonomy}

// KindOf names the kind of object a JSON file holds from its name, as the
// HSDA API and the HSDS examples name them: organization_full.json,
// service_list.json, services.json, service_at_locations.json.
func KindOf(name string) (Kind, bool) {
	base := strings.TrimSuffix(path.Base(name), ".json")
	base = strings.TrimSuffix(strings.TrimSuffix(base, "_full"), "_list")
	base = strings.TrimSuffix(strings.Replace(base, "taxonomies", "taxonomys", 1), "s")
	for _, k := range kinds {
		if base == string(k) {
			return k, true
		}
	}
	return "", false
}

// Shape is how a JSON file holds its objects.
type Shape int

// The shapes of a JSON file.
const (
	Object Shape = iota // one object
	List                // an array of objects
	Page                // an HSDA page: {"total_items": …, "contents": [ … ]}
)

// Dataset is HSDS data as read: the top-level objects, each with what is
// nested in it. MetaTableDescriptions come only from a tabular datapackage.
type Dataset struct {
	Organizations         []Organization
	Services              []Service
	ServiceAtLocations    []ServiceAtLocation
	Locations             []Location
	Taxonomies            []Taxonomy
	TaxonomyTerms         []TaxonomyTerm
	MetaTableDescriptions []MetaTableDescription
}

// File is a JSON file: its objects, of one kind, and how it held them.
type File struct {
	Kind  Kind
	Shape Shape
	Page  Extra // the page's fields other than contents
	Dataset
}

// Report says what an import took and what it turned away.
type Report struct {
	Imported int
	Rejected []Rejection
}

// Rejection is one object or row turned away, and why.
type Rejection struct {
	File   string
	Row    int // 1-based: the position in a JSON list, the line in a CSV file
	ID     string
	Reason string
}

// String says where the rejected object or row is: a JSON file's row, or
// a CSV file's line as file:line.
func (r Rejection) String() string {
	if strings.HasSuffix(r.File, ".csv") {
		return fmt.Sprintf("%s:%d (id %q): %s", r.File, r.Row, r.ID, r.Reason)
	}
	return fmt.Sprintf("%s row %d (id %q): %s", r.File, r.Row, r.ID, r.Reason)
}

func (r *Report) reject(file string, row int, id string, reasons ...string) {
	r.Rejected = append(r.Rejected, Rejection{File: file, Row: row, ID: id, Reason: strings.Join(reasons, "; ")})
}

// ReadJSON reads one HSDS JSON file named name (the name gives its kind,
// see KindOf): an object, a list, or an HSDA page. Each object it cannot
// take (a required field missing, a field of the wrong type, coordinates
// that are not a pair, an organization_id naming no organization in the
// file) is left out and reported. A file that is not JSON, or not of a
// known kind, is an error, and nothing of it is returned.
func ReadJSON(r io.Reader, name string) (*File, Report, error) {
	var rep Report
	kind, ok := KindOf(name)
	if !ok {
		return nil, rep, fmt.Errorf("%s: not a known HSDS object file (organization, service, service_at_location, location, taxonomy, taxonomy_term)", name)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, rep, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{Kind: kind}
	raws, err := split(b, f)
	if err != nil {
		return nil, rep, fmt.Errorf("%s: %w", name, err)
	}
	objs := make([]any, len(raws))
	known := map[string]bool{}
	for i, raw := range raws {
		if objs[i], err = decodeKind(kind, raw); err != nil {
			objs[i] = nil
			rep.reject(name, i+1, idOf(raw), decodeReason(err))
			continue
		}
		walk(objs[i], func(o *Organization) { known[o.ID] = true }, nil, nil)
	}
	for i, obj := range objs {
		if obj == nil {
			continue
		}
		if reasons := append(check(obj), references(obj, known)...); len(reasons) > 0 {
			rep.reject(name, i+1, idOf(raws[i]), reasons...)
			continue
		}
		f.add(obj)
		rep.Imported++
	}
	slices.SortStableFunc(rep.Rejected, func(a, b Rejection) int { return a.Row - b.Row })
	return f, rep, nil
}

func decodeKind(k Kind, raw json.RawMessage) (any, error) {
	var v any
	switch k {
	case KindOrganization:
		v = new(Organization)
	case KindService:
		v = new(Service)
	case KindServiceAtLocation:
		v = new(ServiceAtLocation)
	case KindLocation:
		v = new(Location)
	case KindTaxonomy:
		v = new(Taxonomy)
	default:
		v = new(TaxonomyTerm)
	}
	return v, json.Unmarshal(raw, v)
}

func check(obj any) []string {
	switch v := obj.(type) {
	case *Organization:
		return v.check("")
	case *Service:
		return v.check("")
	case *ServiceAtLocation:
		return v.check("")
	case *Location:
		return v.check("")
	case *Taxonomy:
		return required("", v.Extra, field{"id", v.ID}, field{"name", v.Name}, field{"description", v.Description})
	case *TaxonomyTerm:
		return v.check("")
	}
	return nil
}

func (d *Dataset) add(obj any) {
	switch v := obj.(type) {
	case *Organization:
		d.Organizations = append(d.Organizations, *v)
	case *Service:
		d.Services = append(d.Services, *v)
	case *ServiceAtLocation:
		d.ServiceAtLocations = append(d.ServiceAtLocations, *v)
	case *Location:
		d.Locations = append(d.Locations, *v)
	case *Taxonomy:
		d.Taxonomies = append(d.Taxonomies, *v)
	case *TaxonomyTerm:
		d.TaxonomyTerms = append(d.TaxonomyTerms, *v)
	}
}

// references names the services and locations in obj whose
// organization_id is not among the organizations known.
func references(obj any, known map[string]bool) []string {
	var out []string
	walk(obj, nil, func(s *Service) {
		if s.OrganizationID != "" && !known[s.OrganizationID] {
			out = append(out, fmt.Sprintf("service %s: organization_id %q names no organization in the file", s.ID, s.OrganizationID))
		}
	}, func(l *Location) {
		if l.OrganizationID != "" && !known[l.OrganizationID] {
			out = append(out, fmt.Sprintf("location %s: organization_id %q names no organization in the file", l.ID, l.OrganizationID))
		}
	})
	return out
}

// walk calls the functions given on every organization, service and
// location in obj, nested ones included.
func walk(obj any, org func(*Organization), svc func(*Service), loc func(*Location)) {
	switch v := obj.(type) {
	case *Organization:
		if org != nil {
			org(v)
		}
		for i := range v.Locations {
			walk(&v.Locations[i], org, svc, loc)
		}
		for i := range v.Services {
			walk(&v.Services[i], org, svc, loc)
		}
	case *Service:
		if svc != nil {
			svc(v)
		}
		if v.Organization != nil {
			walk(v.Organization, org, svc, loc)
		}
		for i := range v.ServiceAtLocations {
			walk(&v.ServiceAtLocations[i], org, svc, loc)
		}
	case *ServiceAtLocation:
		if v.Service != nil {
			walk(v.Service, org, svc, loc)
		}
		if v.Location != nil {
			walk(v.Location, org, svc, loc)
		}
	case *Location:
		if loc != nil {
			loc(v)
		}
	}
}

// split finds the objects of a file and its shape.
func split(b []byte, f *File) ([]json.RawMessage, error) {
	if !json.Valid(b) {
		return nil, errors.New("not valid JSON")
	}
	var items []json.RawMessage
	switch b = bytes.TrimSpace(b); {
	case len(b) > 0 && b[0] == '[':
		f.Shape = List
		return items, json.Unmarshal(b, &items)
	case len(b) > 0 && b[0] == '{':
		var top Extra
		if err := json.Unmarshal(b, &top); err != nil {
			return nil, err
		}
		contents, ok := top["contents"]
		if !ok {
			return []json.RawMessage{b}, nil
		}
		f.Shape = Page
		delete(top, "contents")
		f.Page = top
		if err := json.Unmarshal(contents, &items); err != nil {
			return nil, fmt.Errorf("contents: %w", err)
		}
		return items, nil
	}
	return nil, errors.New("neither an object nor a list")
}

// decodeReason says which field had the wrong type, without quoting the
// value.
func decodeReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: a %s cannot be a %s", te.Field, te.Value, te.Type)
	}
	return err.Error()
}

func idOf(raw json.RawMessage) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil || v.ID == nil {
		return ""
	}
	return fmt.Sprint(v.ID)
}

type field struct{ name, value string }

// required names the required fields that are absent: empty and not
// given as "" either.
func required(prefix string, extra Extra, fields ...field) []string {
	var out []string
	for _, f := range fields {
		if _, given := extra[f.name]; f.value == "" && !given {
			out = append(out, prefix+f.name+": required")
		}
	}
	return out
}

func (o *Organization) check(p string) []string {
	out := required(p, o.Extra, field{"id", o.ID}, field{"name", o.Name}, field{"description", o.Description})
	for i := range o.Locations {
		out = append(out, o.Locations[i].check(fmt.Sprintf("%slocations[%d].", p, i))...)
	}
	for i := range o.Services {
		out = append(out, o.Services[i].check(fmt.Sprintf("%sservices[%d].", p, i))...)
	}
	return append(out, checkAttributes(p, o.Attributes)...)
}

func (s *Service) check(p string) []string {
	out := required(p, s.Extra, field{"id", s.ID}, field{"name", s.Name}, field{"status", s.Status})
	if s.Organization != nil {
		out = append(out, s.Organization.check(p+"organization.")...)
	}
	for i := range s.ServiceAtLocations {
		out = append(out, s.ServiceAtLocations[i].check(fmt.Sprintf("%sservice_at_locations[%d].", p, i))...)
	}
	for i, l := range s.Languages {
		out = append(out, required(fmt.Sprintf("%slanguages[%d].", p, i), l.Extra, field{"id", l.ID})...)
	}
	return append(out, checkAttributes(p, s.Attributes)...)
}

func (s *ServiceAtLocation) check(p string) []string {
	out := required(p, s.Extra, field{"id", s.ID})
	if s.Location != nil {
		out = append(out, s.Location.check(p+"location.")...)
	}
	if s.Service != nil {
		out = append(out, s.Service.check(p+"service.")...)
	}
	return out
}

func (l *Location) check(p string) []string {
	out := required(p, l.Extra, field{"id", l.ID}, field{"location_type", l.LocationType})
	if (l.Latitude == nil) != (l.Longitude == nil) {
		out = append(out, p+"latitude, longitude: give both or neither")
	}
	for i := range l.Addresses {
		a := &l.Addresses[i]
		out = append(out, required(fmt.Sprintf("%saddresses[%d].", p, i), a.Extra, field{"id", a.ID}, field{"address_1", a.Address1},
			field{"city", a.City}, field{"state_province", a.StateProvince}, field{"postal_code", a.PostalCode},
			field{"country", a.Country}, field{"address_type", a.AddressType})...)
	}
	return append(out, checkAttributes(p, l.Attributes)...)
}

func (t *TaxonomyTerm) check(p string) []string {
	return required(p, t.Extra, field{"id", t.ID}, field{"name", t.Name}, field{"description", t.Description})
}

func checkAttributes(p string, as []Attribute) []string {
	var out []string
	for i, a := range as {
		q := fmt.Sprintf("%sattributes[%d].", p, i)
		out = append(out, required(q, a.Extra, field{"id", a.ID})...)
		if a.TaxonomyTerm != nil {
			out = append(out, a.TaxonomyTerm.check(q+"taxonomy_term.")...)
		}
	}
	return out
}
