package hsds

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

// What Puente knows of the HSDS 3.0 tables, for the tabular datapackage.
//
// The tables, their files and their columns (name, type, whether HSDS
// requires it) are in datapackage.json: a Frictionless Data Package
// descriptor of Puente's own, derived from the HSDS 3.0 JSON schemas, which
// TestBuiltinDescriptor keeps equal to them. It is embedded rather than read
// from a package because packages do not always carry a usable one (the
// specification's own example package holds a link saved as text where its
// descriptor should be), and because what a column HSDS defines means must
// not depend on what a partner's descriptor says of it.
//
// How the tables nest as JSON objects, and which column joins them, HSDS
// says only in prose and in the schemas' $refs: that is links, below, which
// TestLinksMatchSchemas checks against the schemas.

//go:embed datapackage.json
var builtinDescriptor []byte

// descriptor is the part of a Frictionless Data Package descriptor that
// Puente writes.
type descriptor struct {
	Name      string     `json:"name,omitempty"`
	Title     string     `json:"title,omitempty"`
	Profile   string     `json:"profile"`
	Resources []resource `json:"resources"`
}

// resource is one CSV file of a package.
type resource struct {
	Name      string      `json:"name"`
	Path      string      `json:"path"`
	Profile   string      `json:"profile"`
	Format    string      `json:"format"`
	Mediatype string      `json:"mediatype"`
	Encoding  string      `json:"encoding"`
	Schema    tableSchema `json:"schema"`
}

type tableSchema struct {
	Fields     []column `json:"fields"`
	PrimaryKey string   `json:"primaryKey"`
}

// column is a field of a table schema: a CSV column.
type column struct {
	Name        string       `json:"name"`
	Type        string       `json:"type"`
	Format      string       `json:"format,omitempty"`
	Constraints *constraints `json:"constraints,omitempty"`
}

type constraints struct {
	Required bool `json:"required"`
}

func (c column) required() bool { return c.Constraints != nil && c.Constraints.Required }

// link is how HSDS nests one table's rows in another's as JSON: parent's
// property holds child objects, and in the tabular form column joins them.
// The column is the child's, naming its parent (address.location_id),
// unless own is set: then it is the parent's, naming the one child object
// it holds (service.organization_id for service.organization).
type link struct {
	parent, property, child, column string
	own                             bool
	// entity is the child's column that names the parent's table, for
	// attributes (link_entity) and metadata (resource_type), which may
	// belong to a row of any table.
	entity string
	// carry says that a package read nests the child object in the parent
	// although the child's table is held at the top of a Dataset: an
	// attribute carries its taxonomy term, as the HSDA's do, because an
	// attribute means nothing without it.
	carry bool
}

// topTables are the tables a Dataset holds at its top level. The rows of
// the others are nested in the rows they belong to.
var topTables = []string{"organization", "service", "service_at_location", "location", "taxonomy", "taxonomy_term", "meta_table_description"}

var links = slices.Concat([]link{
	// The HSDA nests services in a full organization, as Organization does.
	{parent: "organization", property: "services", child: "service", column: "organization_id"},
	{parent: "organization", property: "locations", child: "location", column: "organization_id"},
	{parent: "organization", property: "programs", child: "program", column: "organization_id"},
	{parent: "organization", property: "funding", child: "funding", column: "organization_id"},
	{parent: "organization", property: "contacts", child: "contact", column: "organization_id"},
	{parent: "organization", property: "phones", child: "phone", column: "organization_id"},
	{parent: "organization", property: "organization_identifiers", child: "organization_identifier", column: "organization_id"},

	{parent: "service", property: "organization", child: "organization", column: "organization_id", own: true},
	{parent: "service", property: "program", child: "program", column: "program_id", own: true},
	{parent: "service", property: "service_at_locations", child: "service_at_location", column: "service_id"},
	{parent: "service", property: "phones", child: "phone", column: "service_id"},
	{parent: "service", property: "schedules", child: "schedule", column: "service_id"},
	{parent: "service", property: "service_areas", child: "service_area", column: "service_id"},
	{parent: "service", property: "languages", child: "language", column: "service_id"},
	{parent: "service", property: "funding", child: "funding", column: "service_id"},
	{parent: "service", property: "cost_options", child: "cost_option", column: "service_id"},
	{parent: "service", property: "required_documents", child: "required_document", column: "service_id"},
	{parent: "service", property: "contacts", child: "contact", column: "service_id"},

	// The HSDA nests the service in a full service_at_location, as
	// ServiceAtLocation does.
	{parent: "service_at_location", property: "service", child: "service", column: "service_id", own: true},
	{parent: "service_at_location", property: "location", child: "location", column: "location_id", own: true},
	{parent: "service_at_location", property: "contacts", child: "contact", column: "service_at_location_id"},
	{parent: "service_at_location", property: "phones", child: "phone", column: "service_at_location_id"},
	{parent: "service_at_location", property: "schedules", child: "schedule", column: "service_at_location_id"},

	{parent: "location", property: "languages", child: "language", column: "location_id"},
	{parent: "location", property: "addresses", child: "address", column: "location_id"},
	{parent: "location", property: "contacts", child: "contact", column: "location_id"},
	{parent: "location", property: "accessibility", child: "accessibility", column: "location_id"},
	{parent: "location", property: "phones", child: "phone", column: "location_id"},
	{parent: "location", property: "schedules", child: "schedule", column: "location_id"},

	{parent: "contact", property: "phones", child: "phone", column: "contact_id"},
	{parent: "phone", property: "languages", child: "language", column: "phone_id"},
	{parent: "attribute", property: "taxonomy_term", child: "taxonomy_term", column: "taxonomy_term_id", own: true, carry: true},
	{parent: "taxonomy_term", property: "taxonomy_detail", child: "taxonomy", column: "taxonomy_id", own: true},
}, linksTo("attribute", "attributes", "link_id", "link_entity",
	"organization", "service", "service_at_location", "location", "address", "accessibility", "contact", "phone",
	"schedule", "funding", "service_area", "required_document", "cost_option", "language", "program",
	"organization_identifier", "meta_table_description",
), linksTo("metadata", "metadata", "resource_id", "resource_type",
	"organization", "service", "service_at_location", "location", "address", "accessibility", "contact", "phone",
	"schedule", "funding", "service_area", "required_document", "cost_option", "language", "program",
	"organization_identifier", "meta_table_description", "attribute", "taxonomy", "taxonomy_term",
))

// linksTo links child to each parent under property, joined by column and
// entity.
func linksTo(child, property, column, entity string, parents ...string) []link {
	out := make([]link, len(parents))
	for i, p := range parents {
		out[i] = link{parent: p, property: property, child: child, column: column, entity: entity}
	}
	return out
}

// table is one HSDS table as Puente reads and writes it.
type table struct {
	resource
	columns map[string]column
	top     bool
	refs    []ref
	nested  map[string]link // by property: the objects its JSON nests
}

// ref is a column of a table naming a row of another.
type ref struct {
	column   string
	to       []string // the tables it may name, in descriptor order
	entity   string   // the column naming which of them, if any
	required bool     // HSDS requires it in the tabular form
	// place says that the row is nested in the row it names, under
	// property[that row's table].
	place    bool
	property map[string]string
}

// catalog is the HSDS 3.0 tables.
type catalog struct {
	byName map[string]*table
	byPath map[string]*table
	order  []*table // as the descriptor lists them, which is how packages are written
	deps   []*table // every table after the tables its columns name, which is how rows are checked
}

var tables = newCatalog()

func newCatalog() *catalog {
	var d descriptor
	if err := json.Unmarshal(builtinDescriptor, &d); err != nil {
		panic(fmt.Sprintf("hsds: built-in datapackage.json: %v", err))
	}
	c := &catalog{byName: map[string]*table{}, byPath: map[string]*table{}}
	for _, r := range d.Resources {
		t := &table{resource: r, columns: map[string]column{}, top: slices.Contains(topTables, r.Name), nested: map[string]link{}}
		for _, f := range r.Schema.Fields {
			t.columns[f.Name] = f
		}
		c.byName[r.Name], c.byPath[r.Path] = t, t
		c.order = append(c.order, t)
	}
	for _, l := range links {
		c.byName[l.parent].nested[l.property] = l
		if l.own {
			c.byName[l.parent].addRef(l.column, l.child, "", false, "")
		} else {
			t := c.byName[l.child]
			t.addRef(l.column, l.parent, l.entity, !t.top, l.property)
		}
	}
	for _, t := range c.order {
		for i := range t.refs {
			slices.SortFunc(t.refs[i].to, func(a, b string) int { return c.index(a) - c.index(b) })
		}
	}
	c.deps = c.sorted()
	return c
}

func (t *table) addRef(col, to, entity string, place bool, property string) {
	i := slices.IndexFunc(t.refs, func(r ref) bool { return r.column == col })
	if i < 0 {
		t.refs = append(t.refs, ref{column: col, entity: entity, required: t.columns[col].required(), property: map[string]string{}})
		i = len(t.refs) - 1
	}
	r := &t.refs[i]
	if !slices.Contains(r.to, to) {
		r.to = append(r.to, to)
	}
	if place {
		r.place = true
		r.property[to] = property
	}
}

func (c *catalog) index(name string) int {
	return slices.IndexFunc(c.order, func(t *table) bool { return t.Name == name })
}

// sorted orders the tables so that each comes after every table its
// columns name; HSDS's references never go round in a circle.
func (c *catalog) sorted() []*table {
	var out []*table
	done := map[*table]bool{}
	var visit func(t *table)
	visit = func(t *table) {
		if done[t] {
			return
		}
		done[t] = true
		for _, r := range t.refs {
			for _, name := range r.to {
				visit(c.byName[name])
			}
		}
		out = append(out, t)
	}
	for _, t := range c.order {
		visit(t)
	}
	return out
}
