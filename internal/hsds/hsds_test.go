package hsds

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"puente/internal/directory"
)

// hsdsDir holds the HSDS 3.0 schemas and examples (see its README).
const hsdsDir = "../../../shared/data/hsds"

func needHSDS(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(hsdsDir, "schema", "service.json")); err != nil {
		t.Skipf("HSDS schemas and examples not found at %s: %v", hsdsDir, err)
	}
}

// exampleFiles are the JSON examples of HSDS objects. base.json is the
// HSDA API's root document, and tabular.json the CSV tables as JSON; they
// hold no objects of their own.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	needHSDS(t)
	names, err := filepath.Glob(filepath.Join(hsdsDir, "examples", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		if b := filepath.Base(n); b != "base.json" && b != "tabular.json" {
			out = append(out, n)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d example files", len(out))
	}
	return out
}

func readFile(t *testing.T, path string) (*File, Report) {
	t.Helper()
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, rep, err := ReadJSON(r, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return f, rep
}

func write(t *testing.T, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func generic(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Every example reads with nothing turned away and writes back the same
// objects with the same fields and values. HSDS declares no field derived,
// so nothing is left out of the comparison.
func TestExamplesWithoutLoss(t *testing.T) {
	needHSDS(t)
	for _, path := range exampleFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, rep := readFile(t, path)
			if len(rep.Rejected) > 0 || rep.Imported == 0 {
				t.Fatalf("report: %+v", rep)
			}
			out := write(t, f)
			if diff := cmp.Diff(generic(t, in), generic(t, out)); diff != "" {
				t.Errorf("written back differs (-read +written):\n%s", diff)
			}
			again, rep2 := readFile2(t, out, filepath.Base(path))
			if diff := cmp.Diff(f, again); diff != "" || rep2.Imported != rep.Imported {
				t.Errorf("second read differs (-first +second):\n%s", diff)
			}
		})
	}
}

func readFile2(t *testing.T, b []byte, name string) (*File, Report) {
	t.Helper()
	f, rep, err := ReadJSON(bytes.NewReader(b), name)
	if err != nil {
		t.Fatal(err)
	}
	return f, rep
}

// schemas compiles the HSDS schemas, which refer to each other by file
// name, asserting formats (uuid, uri, email, date-time).
func schemas(t *testing.T) func(kind Kind) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	dir, err := filepath.Abs(filepath.Join(hsdsDir, "schema"))
	if err != nil {
		t.Fatal(err)
	}
	return func(kind Kind) *jsonschema.Schema {
		s, err := c.Compile(filepath.Join(dir, string(kind)+".json"))
		if err != nil {
			t.Fatalf("compile %s: %v", kind, err)
		}
		return s
	}
}

// validate checks every object a written file holds against its kind's
// schema.
func validate(t *testing.T, schema func(Kind) *jsonschema.Schema, kind Kind, b []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	items := []any{v}
	switch v := v.(type) {
	case []any:
		items = v
	case map[string]any:
		if c, ok := v["contents"].([]any); ok {
			items = c
		}
	}
	s := schema(kind)
	for i, item := range items {
		if err := s.Validate(item); err != nil {
			t.Errorf("%s object %d: %v", kind, i, err)
		}
	}
}

func TestExportValidates(t *testing.T) {
	needHSDS(t)
	schema := schemas(t)
	t.Run("listings", func(t *testing.T) {
		out := write(t, &File{Kind: KindService, Shape: List, Dataset: *FromListings(fixtures())})
		validate(t, schema, KindService, out)
	})
	for _, path := range exampleFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, _ := readFile(t, path)
			validate(t, schema, f.Kind, write(t, f))
		})
	}
}

func ptr[T any](v T) *T { return &v }

// fixtures are listings as the store gives them, ids as UUIDs.
func fixtures() []directory.Listing {
	org := directory.Organization{ID: "0b0f6f57-8c5e-4f55-9a51-0a6a4f7a3c01", Name: "Casa Ejemplo", Description: "Refugio y acompañamiento legal."}
	svc := directory.Service{
		ID: "1c1f6f57-8c5e-4f55-9a51-0a6a4f7a3c02", OrganizationID: org.ID, Name: "Albergue", Status: "active",
		LastModified: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Needs:        []string{"emergency_shelter", "legal_immigration"},
		Eligibility: directory.Eligibility{
			Genders: []string{"woman", "man"}, MinAge: ptr(18), MaxAge: ptr(99), Exploitation: "labor",
			ImmigrationStatusRequired: false, Languages: []string{"es", "mam"}, Interpretation: true, Country: "MX",
			AreaServed: directory.Area{Codes: []string{"MX-08037"}, RadiusKm: 30}, Cost: "free", Accessible: true,
			Beds: 12, BedsAvailable: ptr(3), AvailabilityUpdatedAt: time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC),
		},
	}
	shelter := directory.Location{
		ID: "2d2f6f57-8c5e-4f55-9a51-0a6a4f7a3c03", LocationType: "physical", OrganizationID: org.ID,
		Name: "Casa Violeta Escondida", Description: "Portón verde junto a la farmacia",
		Latitude: ptr(31.738264), Longitude: ptr(-106.487153), Confidential: true,
		Addresses: []directory.Address{{Address1: "Calle Sauce 1473", Address2: "Interior 9", City: "Ciudad Juárez",
			StateProvince: "Chihuahua", PostalCode: "32310", Country: "MX", AddressType: "physical"}},
	}
	office := directory.Location{
		ID: "3e3f6f57-8c5e-4f55-9a51-0a6a4f7a3c04", LocationType: "physical", OrganizationID: org.ID, Name: "Oficina",
		Latitude: ptr(31.7), Longitude: ptr(-106.4),
		Addresses: []directory.Address{{Address1: "Av. Juárez 100", City: "Ciudad Juárez", StateProvince: "Chihuahua",
			PostalCode: "32000", Country: "MX", AddressType: "physical"}},
	}
	legal := directory.Service{
		ID: "4f4f6f57-8c5e-4f55-9a51-0a6a4f7a3c05", OrganizationID: org.ID, Name: "Asesoría legal", Status: "active",
		Needs: []string{"legal_labor_claims"}, Eligibility: directory.Eligibility{Exploitation: "any", Country: "US"},
	}
	return []directory.Listing{
		{Organization: org, Service: svc, Location: shelter},
		{Organization: org, Service: svc, Location: office},
		{Organization: org, Service: legal},
	}
}

// Puente's listings leave and come back the same, but for the confidential
// location, which comes back as a rejection: its export withholds the place.
func TestListingsRoundTrip(t *testing.T) {
	want := fixtures()
	for i := range want {
		if err := want[i].Normalize(); err != nil {
			t.Fatal(err)
		}
	}
	b := write(t, &File{Kind: KindService, Shape: List, Dataset: *FromListings(want)})
	f, rep := readFile2(t, b, "services.json")
	if len(rep.Rejected) > 0 {
		t.Fatalf("read: %+v", rep.Rejected)
	}
	got, rep := ToListings(&f.Dataset)
	if len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Reason, "exact address was withheld") {
		t.Errorf("rejected %+v, want the confidential location only", rep.Rejected)
	}
	if diff := cmp.Diff(want[1:], got); diff != "" {
		t.Errorf("listings (-exported +imported):\n%s", diff)
	}
	// A second trip is the first.
	b2 := write(t, &File{Kind: KindService, Shape: List, Dataset: *FromListings(got)})
	f2, _ := readFile2(t, b2, "services.json")
	got2, _ := ToListings(&f2.Dataset)
	if diff := cmp.Diff(got, got2); diff != "" {
		t.Errorf("second import (-first +second):\n%s", diff)
	}
}

// The examples' services meet no need Puente knows and place their civic
// center at latitude 100, so Puente turns them away, saying why.
func TestExamplesToListings(t *testing.T) {
	needHSDS(t)
	f, _ := readFile(t, filepath.Join(hsdsDir, "examples", "service_full.json"))
	ls, rep := ToListings(&f.Dataset)
	if len(ls) != 0 || len(rep.Rejected) != 1 {
		t.Fatalf("listings %d, report %+v", len(ls), rep)
	}
	if want := "ac148810-d857-441c-9679-408f346de14b at 3a19ff88-4620-4d17-9830-ac1d859eb5d5"; rep.Rejected[0].ID != want {
		t.Errorf("rejected id %q, want %q", rep.Rejected[0].ID, want)
	}
	for _, want := range []string{"service.needs: field.required", "location.latitude: field.out_of_range"} {
		if !strings.Contains(rep.Rejected[0].Reason, want) {
			t.Errorf("reason %q lacks %q", rep.Rejected[0].Reason, want)
		}
	}
}

func TestConfidentialNeverExported(t *testing.T) {
	ls := fixtures()
	b := write(t, &File{Kind: KindService, Shape: List, Dataset: *FromListings(ls)})
	loc := ls[0].Location
	a := loc.Addresses[0]
	sealed := []string{loc.Name, loc.Description, a.Address1, a.Address2, a.PostalCode, "Sauce", "1473", "Violeta",
		strconv.FormatFloat(*loc.Latitude, 'f', -1, 64), strconv.FormatFloat(*loc.Longitude, 'f', -1, 64), "31.73", "106.48"}
	for _, s := range sealed {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("export holds the sealed %q", s)
		}
	}
	for _, want := range []string{`"latitude": 31.7`, `"longitude": -106.5`, `"city": "Ciudad Juárez"`, `"code": "confidential"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("export lacks %s", want)
		}
	}
}

func TestRejections(t *testing.T) {
	needHSDS(t)
	src, err := os.ReadFile(filepath.Join(hsdsDir, "examples", "service_at_location_list.json"))
	if err != nil {
		t.Fatal(err)
	}
	var page map[string]any
	if err := json.Unmarshal(src, &page); err != nil {
		t.Fatal(err)
	}
	item := page["contents"].([]any)[0].(map[string]any)
	copyOf := func(edit func(sal map[string]any)) any {
		var c map[string]any
		b, _ := json.Marshal(item)
		json.Unmarshal(b, &c)
		edit(c)
		return c
	}
	sub := func(m map[string]any, k string) map[string]any { return m[k].(map[string]any) }
	page["contents"] = []any{
		item,
		copyOf(func(s map[string]any) { s["id"] = "a1"; delete(sub(s, "service"), "name") }),
		copyOf(func(s map[string]any) {
			s["id"] = "a2"
			sub(s, "service")["organization_id"] = "99999999-9999-4999-8999-999999999999"
		}),
		copyOf(func(s map[string]any) { s["id"] = "a3"; sub(s, "location")["latitude"] = "north" }),
		copyOf(func(s map[string]any) { s["id"] = "a4"; delete(sub(s, "location"), "longitude") }),
	}
	b, _ := json.Marshal(page)
	dir := t.TempDir()
	path := filepath.Join(dir, "service_at_location_list.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f, rep := readFile(t, path)
	want := []Rejection{
		{File: "service_at_location_list.json", Row: 2, ID: "a1", Reason: "service.name: required"},
		{File: "service_at_location_list.json", Row: 3, ID: "a2", Reason: `service ac148810-d857-441c-9679-408f346de14b: organization_id "99999999-9999-4999-8999-999999999999" names no organization in the file`},
		{File: "service_at_location_list.json", Row: 4, ID: "a3", Reason: "location.latitude: a string cannot be a float64"},
		{File: "service_at_location_list.json", Row: 5, ID: "a4", Reason: "location.latitude, longitude: give both or neither"},
	}
	if diff := cmp.Diff(want, rep.Rejected); diff != "" || rep.Imported != 1 || len(f.ServiceAtLocations) != 1 {
		t.Errorf("imported %d; rejected (-want +got):\n%s", rep.Imported, diff)
	}

	for _, cut := range []int{len(b) / 2, len(b) - 1} {
		f, rep, err := ReadJSON(bytes.NewReader(b[:cut]), "service_at_location_list.json")
		if err == nil || f != nil || rep.Imported != 0 {
			t.Errorf("truncated at %d: file %v, report %+v, err %v", cut, f, rep, err)
		}
	}
}
