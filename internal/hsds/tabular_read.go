package hsds

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DescriptorName is the file name of a datapackage's descriptor.
const DescriptorName = "datapackage.json"

// Package is an HSDS tabular datapackage as read: its rows as a Dataset.
//
// Rows of the tables a Dataset holds at its top level (organizations,
// services, service_at_location, locations, taxonomies, taxonomy_terms,
// meta_table_descriptions) stay there, joined to each other by their ids
// as in the files. Rows of every other table are nested, as in the JSON
// the HSDA serves, in each row they name: an address in the location its
// location_id names, a phone in its service and its location and its
// contact … Each attribute also carries its taxonomy term.
type Package struct {
	Dataset
	// Files are the CSV files read, in the order read.
	Files []string
	// Builtin, when set, says why the files were read by Puente's own
	// descriptor of the HSDS 3.0 tables rather than by the package's.
	Builtin string
	// Ignored are the files (or the descriptor's resources) that hold no
	// HSDS 3.0 table, which were not read.
	Ignored []string
}

// ReadPackage reads an HSDS tabular datapackage from fsys, whose root is
// the package's directory. name is the descriptor's name in fsys, which
// must then be a usable descriptor. With name "" it reads DescriptorName
// when there is one, and when there is none (or only a link to one,
// dangling or saved as text, as the specification's own example package
// holds) the files HSDS 3.0 names its tables by: organizations.csv,
// services.csv, service_at_location.csv …
//
// Every file is read whole before anything is returned. A package that
// cannot be — a descriptor that cannot be read or is not valid JSON, a
// file it names that is missing or unreadable, CSV that is malformed or
// not UTF-8, a header that lacks a column HSDS requires — is an error, and
// nothing of it is returned.
//
// Each row that cannot be taken is left out and reported with its file and
// line: a row without an id or with an id given before in its table, a
// number that is not one, a latitude without a longitude, a column HSDS
// requires for a reference (service_id of a service_at_location, link_id
// of an attribute …) that names no row the package holds, or names one
// left out, and a row of a nested table that names no row to belong to.
// A reference HSDS does not require that names nothing in the package
// (location.organization_id, service.program_id, a contact's
// organization_id when its service is there …) is kept as given: HSDS lets
// it name a record held elsewhere.
//
// The meaning of a column HSDS defines is always HSDS's: a package's
// descriptor only says which files hold which tables, and the types of
// the columns a profile adds. An empty cell is a value not given, as in
// Frictionless, except in a text column HSDS requires, where it is "" as
// JSON would give it.
func ReadPackage(fsys fs.FS, name string) (*Package, Report, error) {
	p := &Package{}
	srcs, err := p.sources(fsys, name)
	if err != nil {
		return nil, Report{}, err
	}
	rd := &reader{rows: map[string][]*row{}, ids: map[string]map[string]*row{}}
	for _, s := range srcs {
		if err := rd.read(fsys, s); err != nil {
			return nil, Report{}, err
		}
		p.Files = append(p.Files, s.path)
	}
	rep := rd.check()
	slices.SortStableFunc(rep.Rejected, func(a, b Rejection) int {
		return cmp.Or(slices.Index(p.Files, a.File)-slices.Index(p.Files, b.File), a.Row-b.Row)
	})
	if err := rd.assemble(&p.Dataset); err != nil {
		return nil, Report{}, err
	}
	return p, rep, nil
}

// row is one row of a CSV file as read.
type row struct {
	t       *table
	file    string
	line    int
	id      string
	obj     map[string]any // columns as json.RawMessage; nested objects as []any or map[string]any
	reasons []string
	ok      bool
	named   map[string]*row // by column: the rows its references name
	parents []parent        // the rows it is nested in
}

type parent struct {
	row      *row
	property string
}

// text is the text of a column, "" when not given.
func (r *row) text(col string) string {
	raw, _ := r.obj[col].(json.RawMessage)
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return string(raw)
	}
	return s
}

type reader struct {
	rows map[string][]*row          // by table, in the order read
	ids  map[string]map[string]*row // by table and id: the first row with the id
}

var bom = []byte("\ufeff")

func (rd *reader) read(fsys fs.FS, s source) error {
	b, err := fs.ReadFile(fsys, s.path)
	if err != nil {
		return err
	}
	// Spreadsheets start their UTF-8 files with a byte-order mark.
	b = bytes.TrimPrefix(b, bom)
	if !utf8.Valid(b) {
		return fmt.Errorf("%s: not UTF-8 text", s.path)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = s.comma
	header, err := r.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: empty: no header row", s.path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	cells, err := s.cells(header)
	if err != nil {
		return fmt.Errorf("%s: header: %w", s.path, err)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
		line, _ := r.FieldPos(0)
		rd.add(s, line, cells, rec)
	}
}

// cell is a column of a file: its name, and the type and requirement
// HSDS gives it (or the descriptor, for a column HSDS does not define).
type cell struct {
	name, typ string
	required  bool
}

func (s source) cells(header []string) ([]cell, error) {
	out := make([]cell, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch {
		case h == "":
			return nil, fmt.Errorf("column %d has no name", i+1)
		case seen[h]:
			return nil, fmt.Errorf("column %s given twice", h)
		}
		seen[h] = true
		c, known := s.t.columns[h]
		if !known {
			c.Type = s.types[h]
		}
		out[i] = cell{name: h, typ: c.Type, required: c.required()}
	}
	var missing []string
	for _, c := range s.t.Schema.Fields {
		if c.required() && !seen[c.Name] {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no column %s, which HSDS requires of %s", strings.Join(missing, ", "), s.t.Path)
	}
	return out, nil
}

// value is the JSON value of a cell, nil when it gives none.
func (c cell) value(s string) (json.RawMessage, error) {
	if s == "" {
		// A confidential address leaves an export with its street and
		// postal code "", which HSDS requires (see FromListings).
		if c.required && c.typ != "number" && c.typ != "integer" && c.typ != "boolean" {
			return json.RawMessage(`""`), nil
		}
		return nil, nil
	}
	switch c.typ {
	case "number", "integer":
		return number(strings.TrimSpace(s))
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1":
			return json.RawMessage("true"), nil
		case "false", "0":
			return json.RawMessage("false"), nil
		}
		return nil, errors.New("neither true nor false")
	case "object", "array", "any":
		want := byte('[')
		if c.typ == "object" {
			want = '{'
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(s)); err == nil && (c.typ == "any" || buf.Bytes()[0] == want) {
			return buf.Bytes(), nil
		}
		if c.typ != "any" {
			return nil, fmt.Errorf("not a JSON %s", c.typ)
		}
	}
	return json.Marshal(s)
}

// number is the JSON number a cell gives, as written when it is one.
func number(s string) (json.RawMessage, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errors.New("not a number")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s), nil
	}
	return json.RawMessage(strconv.FormatFloat(f, 'f', -1, 64)), nil
}

func (rd *reader) add(s source, line int, cells []cell, rec []string) {
	r := &row{t: s.t, file: s.path, line: line, obj: map[string]any{}, named: map[string]*row{}}
	for i, c := range cells {
		v, err := c.value(rec[i])
		if err != nil {
			r.reasons = append(r.reasons, c.name+": "+err.Error())
		} else if v != nil {
			r.obj[c.name] = v
		}
	}
	r.id = r.text("id")
	ids := rd.ids[s.t.Name]
	if ids == nil {
		ids = map[string]*row{}
		rd.ids[s.t.Name] = ids
	}
	switch first := ids[r.id]; {
	case r.id == "":
		r.reasons = append(r.reasons, "id: required")
	case first != nil:
		r.reasons = append(r.reasons, fmt.Sprintf("id: given before, at %s line %d", first.file, first.line))
	default:
		ids[r.id] = r
	}
	if _, lat := r.obj["latitude"]; s.t.Name == "location" && lat != (r.obj["longitude"] != nil) {
		r.reasons = append(r.reasons, "latitude, longitude: give both or neither")
	}
	rd.rows[s.t.Name] = append(rd.rows[s.t.Name], r)
}

// check takes or rejects every row, table by table, each table after the
// tables it names, so that a reference to a row that was rejected is
// known as one.
func (rd *reader) check() Report {
	var rep Report
	for _, t := range tables.deps {
		for _, r := range rd.rows[t.Name] {
			if len(r.reasons) == 0 {
				r.reasons = rd.resolve(r)
			}
			if len(r.reasons) > 0 {
				rep.reject(r.file, r.line, r.id, r.reasons...)
				continue
			}
			r.ok = true
			rep.Imported++
		}
	}
	return rep
}

// resolve finds the rows r's references name, and says what is wrong with
// them.
func (rd *reader) resolve(r *row) []string {
	var reasons, unplaced, places []string
	placed := false
	for _, ref := range r.t.refs {
		if ref.place {
			places = append(places, ref.column)
		}
		v := r.text(ref.column)
		if v == "" {
			if ref.required {
				reasons = append(reasons, ref.column+": required")
			}
			continue
		}
		to, why := rd.lookup(ref, v, r.text(ref.entity))
		switch {
		case to != nil:
			r.named[ref.column] = to
			if ref.place {
				placed = true
				r.parents = append(r.parents, parent{to, ref.property[to.t.Name]})
			}
		case ref.required:
			reasons = append(reasons, why)
		case ref.place:
			unplaced = append(unplaced, why)
		}
	}
	switch {
	case len(reasons) > 0 || r.t.top || placed:
		return reasons
	case len(unplaced) > 0:
		return unplaced
	}
	return []string{"belongs to no row: give " + strings.Join(places, " or ")}
}

// lookup finds the row a reference names: in the table its entity column
// names when that is one it may name, and else in any of them (HSDS ids
// are UUIDs, unique across tables).
func (rd *reader) lookup(ref ref, id, entity string) (*row, string) {
	names := ref.to
	if slices.Contains(ref.to, entity) {
		names = append([]string{entity}, ref.to...)
	}
	var rejected *row
	for _, name := range names {
		switch x := rd.ids[name][id]; {
		case x == nil:
		case x.ok:
			return x, ""
		case rejected == nil:
			rejected = x
		}
	}
	if rejected != nil {
		return nil, fmt.Sprintf("%s %q: that %s was rejected (%s line %d)", ref.column, id, rejected.t.Name, rejected.file, rejected.line)
	}
	what := "row"
	if len(ref.to) == 1 {
		what = ref.to[0]
	}
	return nil, fmt.Sprintf("%s %q: no %s with that id in the package", ref.column, id, what)
}

// assemble nests every row taken in the rows it belongs to, and decodes
// the rows of the top tables into d.
func (rd *reader) assemble(d *Dataset) error {
	for _, t := range tables.deps {
		for _, r := range rd.rows[t.Name] {
			if !r.ok {
				continue
			}
			for _, p := range r.parents {
				list, _ := p.row.obj[p.property].([]any)
				p.row.obj[p.property] = append(list, r.obj)
			}
			for _, l := range t.nested {
				if l.carry {
					r.obj[l.property] = r.named[l.column].obj
				}
			}
		}
	}
	for _, name := range topTables {
		for _, r := range rd.rows[name] {
			if !r.ok {
				continue
			}
			if err := d.decodeRow(name, r.obj); err != nil {
				return fmt.Errorf("%s line %d: %w", r.file, r.line, err)
			}
		}
	}
	return nil
}

// decodeRow decodes a row of a top table, with what is nested in it, into
// its type and adds it to d.
func (d *Dataset) decodeRow(table string, obj map[string]any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	if table == "meta_table_description" {
		var m MetaTableDescription
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		d.MetaTableDescriptions = append(d.MetaTableDescriptions, m)
		return nil
	}
	v, err := decodeKind(Kind(table), b)
	if err != nil {
		return err
	}
	d.add(v)
	return nil
}
