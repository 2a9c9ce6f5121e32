package hsds

import (
	"encoding/json"
	"io"
)

// WriteJSON writes f's objects of its kind in f's shape, indented: the
// inverse of ReadJSON.
func WriteJSON(w io.Writer, f *File) error {
	items := f.items()
	var v any = items
	switch f.Shape {
	case Object:
		if len(items) == 1 {
			v = items[0]
		}
	case Page:
		page := Extra{}
		for k, raw := range f.Page {
			page[k] = raw
		}
		b, err := json.Marshal(items)
		if err != nil {
			return err
		}
		page["contents"] = b
		v = page
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// items returns the objects of f's kind.
func (f *File) items() []any {
	var out []any
	switch f.Kind {
	case KindOrganization:
		for _, v := range f.Organizations {
			out = append(out, v)
		}
	case KindService:
		for _, v := range f.Services {
			out = append(out, v)
		}
	case KindServiceAtLocation:
		for _, v := range f.ServiceAtLocations {
			out = append(out, v)
		}
	case KindLocation:
		for _, v := range f.Locations {
			out = append(out, v)
		}
	case KindTaxonomy:
		for _, v := range f.Taxonomies {
			out = append(out, v)
		}
	case KindTaxonomyTerm:
		for _, v := range f.TaxonomyTerms {
			out = append(out, v)
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}
