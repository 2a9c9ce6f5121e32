package hsds

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
)

// WritePackage writes d as an HSDS tabular datapackage: one CSV file per
// HSDS table that holds rows (and organizations.csv and services.csv
// always, so that no package is empty), then DescriptorName, a Frictionless
// Data Package descriptor naming each file with its table's columns and
// their types. create makes a file of the package by name; WritePackage
// closes it.
//
// Every object nested in d becomes a row of its table, with the columns
// that join it to the objects it was nested in filled when it did not say
// them (an address nested in a location gets its location_id). An object
// nested in several places (the same phone in a service and in its
// location) is one row, with every column any of its copies gives. The
// columns HSDS defines come in its order; fields a profile added follow,
// by name, typed in the descriptor as their values are. It is the inverse
// of ReadPackage.
func WritePackage(d *Dataset, create func(name string) (io.WriteCloser, error)) error {
	f := &flattener{tables: map[string]*tableRows{}}
	if err := f.dataset(d); err != nil {
		return fmt.Errorf("write package: %w", err)
	}
	desc := descriptor{Name: "puente-directory", Title: "Services directory in Open Referral HSDS 3.0, exported by Puente", Profile: "tabular-data-package"}
	for _, t := range tables.order {
		rows := f.tables[t.Name]
		if rows == nil && t.Name != "organization" && t.Name != "service" {
			continue
		}
		r := t.resource
		r.Schema.Fields = slices.Concat(t.Schema.Fields, rows.extensions(t))
		var buf bytes.Buffer
		if err := writeTable(&buf, r.Schema.Fields, rows); err != nil {
			return fmt.Errorf("write %s: %w", r.Path, err)
		}
		if err := writeFile(create, r.Path, buf.Bytes()); err != nil {
			return err
		}
		desc.Resources = append(desc.Resources, r)
	}
	b, err := json.MarshalIndent(desc, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(create, DescriptorName, append(b, '\n'))
}

func writeFile(create func(string) (io.WriteCloser, error), name string, b []byte) error {
	w, err := create(name)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	_, err = w.Write(b)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func writeTable(w io.Writer, cols []column, rows *tableRows) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, cells := range rows.list() {
		for i, c := range cols {
			rec[i] = cellText(cells[c.Name], c.Type == "any")
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cellText writes a JSON value as a cell: text as itself, numbers and
// booleans as JSON writes them, objects and arrays (and every value of a
// column of any type) as compact JSON, and null as an empty cell.
func cellText(v json.RawMessage, asJSON bool) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if v[0] == '"' && !asJSON {
		var s string
		json.Unmarshal(v, &s)
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

// tableRows are the rows of one table, in the order first met.
type tableRows struct {
	rows []map[string]json.RawMessage
	byID map[string]map[string]json.RawMessage
}

func (t *tableRows) list() []map[string]json.RawMessage {
	if t == nil {
		return nil
	}
	return t.rows
}

// add adds a row, or fills the row with the same id where it is blank.
func (t *tableRows) add(id string, cells map[string]json.RawMessage) {
	if prev, ok := t.byID[id]; ok && id != "" {
		for k, v := range cells {
			if blank(prev[k]) {
				prev[k] = v
			}
		}
		return
	}
	t.byID[id] = cells
	t.rows = append(t.rows, cells)
}

// extensions are the columns the rows give that HSDS does not define, by
// name, each typed as all its values are, or "any" when they differ.
func (t *tableRows) extensions(tb *table) []column {
	types := map[string]string{}
	for _, cells := range t.list() {
		for k, v := range cells {
			if _, known := tb.columns[k]; known {
				continue
			}
			switch prev, seen := types[k]; {
			case blank(v):
				if !seen {
					types[k] = ""
				}
			case !seen || prev == "":
				types[k] = jsonType(v)
			case prev != jsonType(v):
				types[k] = "any"
			}
		}
	}
	var out []column
	for _, name := range slices.Sorted(maps.Keys(types)) {
		typ := types[name]
		if typ == "" {
			typ = "string"
		}
		out = append(out, column{Name: name, Type: typ})
	}
	return out
}

func jsonType(v json.RawMessage) string {
	switch v[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	}
	return "number"
}

func blank(v json.RawMessage) bool {
	s := string(v)
	return s == "" || s == "null" || s == `""`
}

// flattener turns the objects of a dataset into rows of their tables.
type flattener struct {
	tables map[string]*tableRows
}

func (f *flattener) dataset(d *Dataset) error {
	return errors.Join(
		flattenAll(f, "organization", d.Organizations),
		flattenAll(f, "service", d.Services),
		flattenAll(f, "service_at_location", d.ServiceAtLocations),
		flattenAll(f, "location", d.Locations),
		flattenAll(f, "taxonomy", d.Taxonomies),
		flattenAll(f, "taxonomy_term", d.TaxonomyTerms),
		flattenAll(f, "meta_table_description", d.MetaTableDescriptions),
	)
}

func flattenAll[T any](f *flattener, table string, items []T) error {
	for i := range items {
		b, err := json.Marshal(items[i])
		if err != nil {
			return err
		}
		if _, err := f.object(tables.byName[table], b, nil); err != nil {
			return err
		}
	}
	return nil
}

// object adds the row of an object of table t and those of the objects
// nested in it, and returns its id. fill are the columns that join it to
// the object it was nested in.
func (f *flattener) object(t *table, raw json.RawMessage, fill map[string]string) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("%s: %w", t.Name, err)
	}
	if m == nil {
		return "", nil
	}
	cells := make(map[string]json.RawMessage, len(m))
	var props []string
	for k, v := range m {
		if _, ok := t.nested[k]; ok {
			props = append(props, k)
		} else {
			cells[k] = v
		}
	}
	for col, v := range fill {
		if blank(cells[col]) {
			cells[col], _ = json.Marshal(v)
		}
	}
	id := textOf(cells["id"])
	slices.Sort(props)
	for _, k := range props {
		if err := f.nested(t, t.nested[k], m[k], id, cells); err != nil {
			return "", err
		}
	}
	rows := f.tables[t.Name]
	if rows == nil {
		rows = &tableRows{byID: map[string]map[string]json.RawMessage{}}
		f.tables[t.Name] = rows
	}
	rows.add(id, cells)
	return id, nil
}

// nested adds the rows of what l nests in an object of table t with the
// id and cells given.
func (f *flattener) nested(t *table, l link, raw json.RawMessage, id string, cells map[string]json.RawMessage) error {
	child := tables.byName[l.child]
	if l.own {
		childID, err := f.object(child, raw, nil)
		if err == nil && childID != "" && blank(cells[l.column]) {
			cells[l.column], err = json.Marshal(childID)
		}
		return err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return fmt.Errorf("%s.%s: %w", t.Name, l.property, err)
	}
	fill := map[string]string{l.column: id}
	if l.entity != "" {
		fill[l.entity] = t.Name
	}
	for _, item := range items {
		if _, err := f.object(child, item, fill); err != nil {
			return err
		}
	}
	return nil
}

func textOf(v json.RawMessage) string {
	var s string
	json.Unmarshal(v, &s)
	return s
}
