package hsds

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// smallPackage is a valid package of one listing, without a descriptor.
func smallPackage() fstest.MapFS {
	return fstest.MapFS{
		"organizations.csv":       {Data: []byte("id,name,description\no1,Casa,Refugio\n")},
		"services.csv":            {Data: []byte("id,organization_id,name,status\ns1,o1,Albergue,active\n")},
		"locations.csv":           {Data: []byte("id,location_type,latitude,longitude\nl1,physical,31.7,-106.4\n")},
		"service_at_location.csv": {Data: []byte("id,service_id,location_id\na1,s1,l1\n")},
	}
}

func withDescriptor(fsys fstest.MapFS, desc string) fstest.MapFS {
	fsys[DescriptorName] = &fstest.MapFile{Data: []byte(desc)}
	return fsys
}

const smallDescriptor = `{"resources": [
	{"name": "organization", "path": "organizations.csv"},
	{"name": "service", "path": "services.csv"},
	{"name": "location", "path": "locations.csv"},
	{"name": "service_at_location", "path": "service_at_location.csv"}]}`

// A package that cannot be read whole is an error, and nothing of it is
// returned.
func TestBadPackages(t *testing.T) {
	edit := func(name, data string) fstest.MapFS {
		fsys := smallPackage()
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
		return fsys
	}
	without := func(fsys fstest.MapFS, name string) fstest.MapFS {
		delete(fsys, name)
		return fsys
	}
	for _, tt := range []struct {
		name, descriptor string
		fsys             fstest.MapFS
		want             string
	}{
		{"malformed quoting", "", edit("services.csv", "id,organization_id,name,status\ns1,o1,\"Albergue \"norte\",active\n"),
			`services.csv: parse error on line 2, column 17: extraneous or missing " in quoted-field`},
		{"quote left open", "", edit("services.csv", "id,organization_id,name,status\ns1,o1,\"Albergue,active\n"),
			`services.csv: parse error on line 2, column 24: extraneous or missing " in quoted-field`},
		{"wrong number of fields", "", edit("services.csv", "id,organization_id,name,status\ns1,o1,Albergue,active,extra\n"),
			"services.csv: record on line 2: wrong number of fields"},
		{"missing required column", "", edit("organizations.csv", "id,name\no1,Casa\n"),
			"organizations.csv: header: no column description, which HSDS requires of organizations.csv"},
		{"missing reference column", "", edit("service_at_location.csv", "id,service_id\na1,s1\n"),
			"service_at_location.csv: header: no column location_id, which HSDS requires"},
		{"column given twice", "", edit("locations.csv", "id,location_type,name,name\nl1,physical,a,b\n"),
			"locations.csv: header: column name given twice"},
		{"empty file", "", edit("locations.csv", ""), "locations.csv: empty: no header row"},
		{"not UTF-8", "", edit("organizations.csv", "id,name,description\no1,Casa \xe9,Refugio\n"), "organizations.csv: not UTF-8 text"},
		{"resource file missing", "", withDescriptor(without(smallPackage(), "locations.csv"), smallDescriptor),
			"open locations.csv: file does not exist"},
		{"descriptor not JSON", "", withDescriptor(smallPackage(), `{"resources": [{"name": "organization", "path": "organizations.csv"}`),
			"datapackage.json: not a descriptor: unexpected end of JSON input"},
		{"descriptor not a descriptor", "", withDescriptor(smallPackage(), `["organizations.csv"]`),
			"datapackage.json: not a descriptor: json: cannot unmarshal array"},
		{"descriptor without resources", "", withDescriptor(smallPackage(), `{"name": "x"}`), "datapackage.json: lists no resources"},
		{"descriptor unreadable", "", func() fstest.MapFS {
			fsys := smallPackage()
			fsys["datapackage.json/x"] = &fstest.MapFile{}
			return fsys
		}(), "descriptor: read datapackage.json: invalid argument"},
		{"descriptor named but missing", DescriptorName, smallPackage(), "descriptor: open datapackage.json: file does not exist"},
		{"descriptor named but a saved link", DescriptorName, withDescriptor(smallPackage(), "../../datapackage.json"),
			"datapackage.json is a link saved as text (to ../../datapackage.json), not a descriptor"},
		{"path outside the package", "", withDescriptor(smallPackage(), `{"resources": [{"name": "organization", "path": "../organizations.csv"}]}`),
			`resource 1 (organization): path "../organizations.csv" is outside the package`},
		{"absolute path", "", withDescriptor(smallPackage(), `{"resources": [{"name": "organization", "path": "/etc/organizations.csv"}]}`),
			`path "/etc/organizations.csv" is outside the package`},
		{"remote path", "", withDescriptor(smallPackage(), `{"resources": [{"name": "organization", "path": "https://example.org/organizations.csv"}]}`),
			"remote files are not fetched"},
		{"split resource", "", withDescriptor(smallPackage(), `{"resources": [{"name": "organization", "path": ["a.csv", "b.csv"]}]}`),
			"a resource split into several files is not read"},
		{"inline data", "", withDescriptor(smallPackage(), `{"resources": [{"name": "organization", "data": [{"id": "o1"}]}]}`),
			"inline data is not read"},
		{"another encoding", "", withDescriptor(smallPackage(), `{"resources": [{"name": "organization", "path": "organizations.csv", "encoding": "latin1"}]}`),
			`encoding "latin1": only UTF-8 is read`},
		{"no header row", "", withDescriptor(smallPackage(), `{"resources": [{"name": "organization", "path": "organizations.csv", "dialect": {"header": false}}]}`),
			"a file without a header row is not read"},
		{"no HSDS table in the descriptor", "", withDescriptor(smallPackage(), `{"resources": [{"name": "units", "path": "units.csv"}]}`),
			"datapackage.json: names no HSDS 3.0 table"},
		{"no HSDS table in the directory", "", fstest.MapFS{"services.json": {Data: []byte("[]")}},
			"no datapackage.json, and none of the files HSDS 3.0 names its tables by"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, rep, err := ReadPackage(tt.fsys, tt.descriptor)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if p != nil || rep.Imported != 0 || len(rep.Rejected) > 0 {
				t.Errorf("returned %v, %+v", p, rep)
			}
		})
	}
}

// Each row a package turns away is reported with its file and line and
// why; the rest are taken and nested where they belong.
func TestPackageRejections(t *testing.T) {
	fsys := fstest.MapFS{
		"organizations.csv": {Data: []byte("id,name,description\n" +
			"o1,Casa,\"Refugio\nen dos líneas\"\n" +
			",Sin id,x\n" +
			"o1,Duplicada,x\n")},
		"services.csv": {Data: []byte("id,organization_id,name,status,minimum_age\n" +
			"s1,o1,Albergue,active,18\n" +
			"s2,o9,Asesoría,active,\n" +
			"s3,o1,Comedor,active,doce\n" +
			"s4,,Sin organización,active,\n")},
		"locations.csv": {Data: []byte("id,location_type,latitude,longitude\n" +
			"l1,physical,31.7,-106.4\n" +
			"l2,physical,31.7,\n")},
		"service_at_location.csv": {Data: []byte("id,service_id,location_id\n" +
			"a1,s1,l1\n" +
			"a2,s404,l1\n" +
			"a3,s3,l1\n" +
			"a4,s1,l2\n")},
		"addresses.csv": {Data: []byte("id,location_id,address_1,city,state_province,postal_code,country,address_type\n" +
			"ad1,l1,Calle 1,Juárez,Chihuahua,32000,MX,physical\n" +
			"ad2,l9,Calle 2,Juárez,Chihuahua,32000,MX,physical\n")},
		"phones.csv": {Data: []byte("id,number\np1,555\n")},
		"attributes.csv": {Data: []byte("id,link_id,taxonomy_term_id,link_entity,value\n" +
			"at1,s1,t1,service,emergency_shelter\n" +
			"at2,s1,t9,service,x\n")},
		"taxonomy_terms.csv": {Data: []byte("id,code,name,description,taxonomy\nt1,needs,needs,Needs,puente-eligibility\n")},
		"notes.csv":          {Data: []byte("a,b\n")},
	}
	p, rep := readPackage(t, fsys, "")
	want := []Rejection{
		{File: "organizations.csv", Row: 4, Reason: "id: required"},
		{File: "organizations.csv", Row: 5, ID: "o1", Reason: "id: given before, at organizations.csv line 2"},
		{File: "services.csv", Row: 3, ID: "s2", Reason: `organization_id "o9": no organization with that id in the package`},
		{File: "services.csv", Row: 4, ID: "s3", Reason: "minimum_age: not a number"},
		{File: "services.csv", Row: 5, ID: "s4", Reason: "organization_id: required"},
		{File: "attributes.csv", Row: 3, ID: "at2", Reason: `taxonomy_term_id "t9": no taxonomy_term with that id in the package`},
		{File: "service_at_location.csv", Row: 3, ID: "a2", Reason: `service_id "s404": no service with that id in the package`},
		{File: "service_at_location.csv", Row: 4, ID: "a3", Reason: `service_id "s3": that service was rejected (services.csv line 4)`},
		{File: "service_at_location.csv", Row: 5, ID: "a4", Reason: `location_id "l2": that location was rejected (locations.csv line 3)`},
		{File: "locations.csv", Row: 3, ID: "l2", Reason: "latitude, longitude: give both or neither"},
		{File: "phones.csv", Row: 2, ID: "p1", Reason: "belongs to no row: give organization_id or service_id or service_at_location_id or location_id or contact_id"},
		{File: "addresses.csv", Row: 3, ID: "ad2", Reason: `location_id "l9": no location with that id in the package`},
	}
	if diff := cmp.Diff(want, rep.Rejected); diff != "" {
		t.Errorf("rejected (-want +got):\n%s", diff)
	}
	if got := rep.Rejected[2].String(); got != `services.csv:3 (id "s2"): organization_id "o9": no organization with that id in the package` {
		t.Errorf("rejection reads %q", got)
	}
	if rep.Imported != 7 || p.Builtin != "no datapackage.json" || !slices.Equal(p.Ignored, []string{"notes.csv"}) {
		t.Errorf("imported %d, builtin %q, ignored %v", rep.Imported, p.Builtin, p.Ignored)
	}
	d := p.Dataset
	if len(d.Organizations) != 1 || d.Organizations[0].Description != "Refugio\nen dos líneas" || len(d.Services) != 1 ||
		len(d.ServiceAtLocations) != 1 || len(d.Locations) != 1 || len(d.TaxonomyTerms) != 1 {
		t.Fatalf("dataset %+v", d)
	}
	if a := d.Services[0].Attributes; len(a) != 1 || a[0].TaxonomyTerm == nil || a[0].TaxonomyTerm.Code != "needs" {
		t.Errorf("service attributes %+v", a)
	}
	if a := d.Locations[0].Addresses; len(a) != 1 || a[0].City != "Juárez" {
		t.Errorf("location addresses %+v", a)
	}
}

// A descriptor says which files hold which tables, by the resource's name
// or else the file's, and types the columns a profile adds; it does not
// change what HSDS's columns mean.
func TestPackageDescriptor(t *testing.T) {
	fsys := fstest.MapFS{
		"data/organizations.csv": {Data: []byte("id;name;description;x_staff;x_tags\no1;Casa;Refugio;12;\"[\"\"a\"\", \"\"b\"\"]\"\n")},
		"svc.csv":                {Data: []byte("id,organization_id,name,status,minimum_age,x_note\ns1,o1,Albergue,active,18,12\n")},
		"units.csv":              {Data: []byte("id\nu1\n")},
		DescriptorName: {Data: []byte(`{"resources": [
			{"name": "orgs", "path": "data/organizations.csv", "dialect": {"delimiter": ";"},
			 "schema": {"fields": [{"name": "x_staff", "type": "integer"}, {"name": "x_tags", "type": "array"}]}},
			{"name": "service", "path": "svc.csv", "schema": {"fields": [{"name": "minimum_age", "type": "string"}]}},
			{"name": "unit", "path": "units.csv"}]}`)},
	}
	p, rep := readPackage(t, fsys, "")
	if rep.Imported != 2 || len(rep.Rejected) > 0 || p.Builtin != "" ||
		!slices.Equal(p.Files, []string{"data/organizations.csv", "svc.csv"}) || !slices.Equal(p.Ignored, []string{"units.csv"}) {
		t.Errorf("report %+v; builtin %q, files %v, ignored %v", rep, p.Builtin, p.Files, p.Ignored)
	}
	want := Dataset{
		Organizations: []Organization{{ID: "o1", Name: "Casa", Description: "Refugio",
			Extra: Extra{"x_staff": json.RawMessage(`12`), "x_tags": json.RawMessage(`["a","b"]`)}}},
		Services: []Service{{ID: "s1", OrganizationID: "o1", Name: "Albergue", Status: "active", MinimumAge: ptr(18.0),
			Extra: Extra{"x_note": json.RawMessage(`"12"`)}}},
	}
	if diff := cmp.Diff(want, p.Dataset); diff != "" {
		t.Errorf("dataset (-want +got):\n%s", diff)
	}
}

// Fields a profile adds leave as columns, typed in the descriptor as their
// values are, and come back as they were.
func TestPackageExtensions(t *testing.T) {
	d := &Dataset{Organizations: []Organization{
		{ID: "o1", Name: "Casa", Description: "Refugio", Extra: Extra{
			"x_note": json.RawMessage(`"una nota"`), "x_staff": json.RawMessage(`12`), "x_tags": json.RawMessage(`["a","b"]`),
			"x_open": json.RawMessage(`true`), "x_mixed": json.RawMessage(`"12"`),
		}},
		{ID: "o2", Name: "Albergue", Description: "Otro", Extra: Extra{"x_mixed": json.RawMessage(`12`), "x_geo": json.RawMessage(`{"a":1}`)}},
	}}
	out := writePackage(t, d)
	var desc descriptor
	if err := json.Unmarshal(out[DescriptorName].Data, &desc); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, f := range desc.Resources[0].Schema.Fields[len(tables.byName["organization"].Schema.Fields):] {
		types = append(types, f.Name+":"+f.Type)
	}
	if want := []string{"x_geo:object", "x_mixed:any", "x_note:string", "x_open:boolean", "x_staff:number", "x_tags:array"}; !slices.Equal(types, want) {
		t.Errorf("extension columns %v, want %v", types, want)
	}
	p, rep := readPackage(t, out, DescriptorName)
	if diff := cmp.Diff(d.Organizations, p.Organizations); diff != "" || len(rep.Rejected) > 0 {
		t.Errorf("rejected %v; organizations (-written +read):\n%s", rep.Rejected, diff)
	}
}
