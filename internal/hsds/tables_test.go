package hsds

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite datapackage.json from the HSDS schemas")

// schemaFile is what the built-in descriptor and the links are derived
// from in an HSDS 3.0 JSON schema.
type schemaFile struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Meta struct {
		Order int `json:"order"`
	} `json:"datapackage_metadata"`
	Required        []string     `json:"required"`
	TabularRequired []string     `json:"tabular_required"`
	Properties      orderedProps `json:"properties"`
}

type property struct {
	Name            string
	Type            string `json:"type"`
	DatapackageType string `json:"datapackage_type"`
	Format          string `json:"format"`
	Ref             string `json:"$ref"`
	Items           struct {
		Ref string `json:"$ref"`
	} `json:"items"`
}

// orderedProps keeps the schema's order of properties, which is the order
// of the columns.
type orderedProps []property

func (p *orderedProps) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var v property
		if err := dec.Decode(&v); err != nil {
			return err
		}
		v.Name = tok.(string)
		*p = append(*p, v)
	}
	return nil
}

func readSchemas(t *testing.T) []schemaFile {
	t.Helper()
	needHSDS(t)
	names, err := filepath.Glob(filepath.Join(hsdsDir, "schema", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []schemaFile
	for _, n := range names {
		if filepath.Base(n) == "openapi.json" {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var s schemaFile
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b schemaFile) int { return a.Meta.Order - b.Meta.Order })
	return out
}

// descriptorOf derives Puente's descriptor from the schemas: every
// property that is not a nested object is a column, typed as the
// datapackage_type or type says, and required when the schema requires it
// of an object or of a table row (tabular_required).
func descriptorOf(schemas []schemaFile) descriptor {
	d := descriptor{Name: "hsds-3.0", Title: "Open Referral HSDS 3.0 tables, as Puente reads them", Profile: "tabular-data-package"}
	for _, s := range schemas {
		r := resource{Name: s.Name, Path: s.Path, Profile: "tabular-data-resource", Format: "csv", Mediatype: "text/csv",
			Encoding: "utf-8", Schema: tableSchema{PrimaryKey: "id"}}
		for _, p := range s.Properties {
			if p.Ref != "" || p.Type == "array" || p.Type == "object" {
				continue
			}
			c := column{Name: p.Name, Type: p.Type}
			if p.DatapackageType != "" {
				c.Type = p.DatapackageType
			}
			if slices.Contains([]string{"uuid", "uri", "email"}, p.Format) {
				c.Format = p.Format
			}
			if slices.Contains(s.Required, p.Name) || slices.Contains(s.TabularRequired, p.Name) {
				c.Constraints = &constraints{Required: true}
			}
			r.Schema.Fields = append(r.Schema.Fields, c)
		}
		d.Resources = append(d.Resources, r)
	}
	return d
}

// The embedded descriptor is the schemas' tables; go test -update rewrites
// it when the schemas change.
func TestBuiltinDescriptor(t *testing.T) {
	got, err := json.MarshalIndent(descriptorOf(readSchemas(t)), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile("datapackage.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, builtinDescriptor) {
		t.Error("datapackage.json differs from the HSDS schemas; run go test -update and review the diff")
	}
}

// Every nested object of the schemas is a link, and every link is one, but
// for the HSDA's services in an organization and service in a
// service_at_location; every joining column is a column of its table.
func TestLinksMatchSchemas(t *testing.T) {
	type key struct{ Parent, Property, Child string }
	var want []key
	for _, s := range readSchemas(t) {
		for _, p := range s.Properties {
			for _, ref := range []string{p.Ref, p.Items.Ref} {
				if ref != "" {
					want = append(want, key{s.Name, p.Name, strings.TrimSuffix(ref, ".json")})
				}
			}
		}
	}
	var got []key
	for _, l := range links {
		if (l.parent == "organization" && l.property == "services") || (l.parent == "service_at_location" && l.property == "service") {
			continue
		}
		got = append(got, key{l.parent, l.property, l.child})
		joined := l.child
		if l.own {
			joined = l.parent
		}
		if _, ok := tables.byName[joined].columns[l.column]; !ok {
			t.Errorf("%s.%s: %s has no column %s", l.parent, l.property, joined, l.column)
		}
	}
	order := func(a, b key) int { return strings.Compare(a.Parent+"."+a.Property, b.Parent+"."+b.Property) }
	slices.SortFunc(want, order)
	slices.SortFunc(got, order)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links (-schemas +links):\n%s", diff)
	}
}

// Rows are checked table by table, each table after those it names.
func TestTableOrder(t *testing.T) {
	seen := map[string]bool{}
	for _, tb := range tables.deps {
		for _, r := range tb.refs {
			for _, to := range r.to {
				if !seen[to] {
					t.Errorf("%s.%s names %s, which comes after it", tb.Name, r.column, to)
				}
			}
		}
		seen[tb.Name] = true
	}
	if len(tables.deps) != len(tables.order) || len(tables.order) != 21 {
		t.Errorf("%d tables in order, %d sorted; HSDS 3.0 has 21", len(tables.order), len(tables.deps))
	}
}
