package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"puente/internal/demo"
	"puente/internal/directory"
	"puente/internal/hsds"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// writeServices writes listings as an HSDS services.json in dir.
func writeServices(t *testing.T, dir string, ls []directory.Listing) string {
	t.Helper()
	var buf bytes.Buffer
	if err := hsds.WriteJSON(&buf, &hsds.File{Kind: hsds.KindService, Shape: hsds.List, Dataset: *hsds.FromListings(ls)}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "services.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDirectoryImportExport(t *testing.T) {
	data, in := t.TempDir(), t.TempDir()
	lat, lon := 31.738264, -106.487153
	org := directory.Organization{ID: "0b0f6f57-8c5e-4f55-9a51-0a6a4f7a3c01", Name: "Casa Ejemplo", Description: "Refugio."}
	svc := directory.Service{ID: "1c1f6f57-8c5e-4f55-9a51-0a6a4f7a3c02", OrganizationID: org.ID, Name: "Albergue", Status: "active",
		Needs: []string{"emergency_shelter"}, Eligibility: directory.Eligibility{Exploitation: "any", Country: "MX"}}
	bad := svc
	bad.ID, bad.Needs = "5a5f6f57-8c5e-4f55-9a51-0a6a4f7a3c06", nil
	shelter := directory.Location{ID: "2d2f6f57-8c5e-4f55-9a51-0a6a4f7a3c03", LocationType: "physical", Name: "Casa Violeta Escondida",
		Latitude: &lat, Longitude: &lon, Addresses: []directory.Address{{Address1: "Calle Sauce 1473", City: "Ciudad Juárez",
			StateProvince: "Chihuahua", PostalCode: "32310", Country: "MX", AddressType: "physical"}}}
	path := writeServices(t, in, []directory.Listing{{Organization: org, Service: svc, Location: shelter}, {Organization: org, Service: bad}})

	b, _ := os.ReadFile(path)
	out, err := runCmd(t, "", "directory", "import", "--data", data, "--hsds", path)
	if err == nil || !strings.Contains(out, "imported 1 listings; rejected 1") || !strings.Contains(out, "service.needs: field.required") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	// An export never holds a confidential place, so mark the shelter
	// confidential by hand, as a partner's file would.
	f, _, err := hsds.ReadJSON(bytes.NewReader(b), "services.json")
	if err != nil {
		t.Fatal(err)
	}
	loc := f.Services[0].ServiceAtLocations[0].Location
	loc.Attributes = append(loc.Attributes, hsds.Attribute{ID: "6b6f6f57-8c5e-4f55-9a51-0a6a4f7a3c07", Value: "true",
		TaxonomyTerm: &hsds.TaxonomyTerm{ID: "7c7f6f57-8c5e-4f55-9a51-0a6a4f7a3c08", Code: "confidential", Name: "confidential", Description: "-", Taxonomy: hsds.PuenteTaxonomy}})
	f.Services = f.Services[:1]
	var buf bytes.Buffer
	if err := hsds.WriteJSON(&buf, f); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, buf.Bytes(), 0o600)
	if out, err := runCmd(t, "", "directory", "import", "--data", data, "--hsds", path); err != nil || !strings.Contains(out, "imported 1 listings; rejected 0") {
		t.Fatalf("import confidential: %v\n%s", err, out)
	}
	// Each import is in the audit log, signed at once: the log verifies.
	if out, err := runCmd(t, "", "audit", "verify", "--data", data); err != nil {
		t.Fatalf("audit verify after imports: %v\n%s", err, out)
	}
	if n := auditCount(t, data, "directory.import"); n != 2 {
		t.Errorf("%d directory.import entries, want one per import that saved something", n)
	}
	if n := auditCount(t, data, "directory.edit"); n != 2 {
		t.Errorf("%d directory.edit entries for imported listings, want 2", n)
	}

	// A file cut short imports nothing.
	cut := filepath.Join(in, "service_list.json")
	os.WriteFile(cut, b[:len(b)/2], 0o600)
	if out, err := runCmd(t, "", "directory", "import", "--data", data, "--hsds", cut); err == nil || !strings.Contains(err.Error(), "nothing imported") {
		t.Errorf("truncated import: %v\n%s", err, out)
	}

	exp := filepath.Join(t.TempDir(), "export")
	out, err = runCmd(t, "", "directory", "export", "--data", data, "--hsds", exp)
	if err != nil || !strings.Contains(out, "Exported 1 services (1 listings)") {
		t.Fatalf("export: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(exp, "services.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sealed := range []string{"Casa Violeta", "Sauce", "32310", "31.738264", "106.487153"} {
		if bytes.Contains(got, []byte(sealed)) {
			t.Errorf("export holds the sealed %q", sealed)
		}
	}
	if !bytes.Contains(got, []byte(`"code": "confidential"`)) || !bytes.Contains(got, []byte("Ciudad Juárez")) {
		t.Errorf("export lacks the confidential mark or the city:\n%s", got)
	}
	// The tabular datapackage keeps the place as sealed, in every file.
	csvDir := filepath.Join(t.TempDir(), "csv")
	if out, err := runCmd(t, "", "directory", "export", "--data", data, "--hsds", csvDir, "--format", "csv"); err != nil {
		t.Fatalf("export csv: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(csvDir, "*"))
	var all []byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	for _, sealed := range []string{"Casa Violeta", "Sauce", "32310", "31.738264", "106.487153"} {
		if bytes.Contains(all, []byte(sealed)) {
			t.Errorf("csv export holds the sealed %q", sealed)
		}
	}
	if !bytes.Contains(all, []byte(",confidential,")) || !bytes.Contains(all, []byte(",,,Ciudad Juárez,,Chihuahua,,MX,physical")) || len(files) < 8 {
		t.Errorf("csv export lacks the confidential mark or the city:\n%s", all)
	}
	if _, err := runCmd(t, "", "directory", "export", "--data", data, "--hsds", exp); err == nil {
		t.Error("export into a non-empty directory without --force succeeded")
	}
	if _, err := runCmd(t, "", "directory", "export", "--data", data, "--hsds", exp, "--force"); err != nil {
		t.Errorf("export --force: %v", err)
	}
	if _, err := runCmd(t, "", "directory", "export", "--data", data, "--hsds", t.TempDir(), "--format", "xml"); err == nil {
		t.Error("xml export succeeded; there is no such format")
	}
}

func TestDirectoryImportExamples(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "hsds", "examples", "service_full.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("HSDS examples not found: %v", err)
	}
	out, err := runCmd(t, "", "directory", "import", "--data", t.TempDir(), "--hsds", path)
	if err == nil || !strings.Contains(out, "Read 1 service objects") || !strings.Contains(out, "imported 0 listings; rejected 1") {
		t.Errorf("import examples: %v\n%s", err, out)
	}
}

// writePackage writes listings as an HSDS tabular datapackage in dir.
func writePackage(t *testing.T, dir string, ls []directory.Listing) {
	t.Helper()
	err := hsds.WritePackage(hsds.FromListings(ls), func(name string) (io.WriteCloser, error) {
		return os.Create(filepath.Join(dir, name))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// storedListings are the listings of the SQLite store in data.
func storedListings(t *testing.T, data string) []directory.Listing {
	t.Helper()
	kr, _, err := secret.LoadOrCreateKeyring(filepath.Join(data, "puente.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "puente.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.UseKeyring(kr)
	ls, err := db.Listings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

var demoNow = time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC)

// A partner's package imports from its directory; Puente's csv export of
// it imports, by its datapackage.json, into the same listings.
func TestDirectoryCSV(t *testing.T) {
	in := t.TempDir()
	ls := demo.Listings(demoNow)
	writePackage(t, in, ls)
	confidential := 0
	for _, l := range ls {
		if l.Location.Confidential {
			confidential++
		}
	}
	data := t.TempDir()
	out, err := runCmd(t, "", "directory", "import", "--data", data, "--hsds", in)
	want := fmt.Sprintf("imported %d listings; rejected %d.", len(ls)-confidential, confidential)
	if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "of the tabular datapackage "+in+" (described by its datapackage.json)") ||
		!strings.Contains(out, "exact address was withheld") {
		t.Fatalf("import: %v, want %q\n%s", err, want, out)
	}

	exp := filepath.Join(t.TempDir(), "export")
	out, err = runCmd(t, "", "directory", "export", "--data", data, "--hsds", exp, "--format", "csv")
	if err != nil || !strings.Contains(out, "to the tabular datapackage "+filepath.Join(exp, "datapackage.json")) {
		t.Fatalf("export: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(exp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if info, _ := e.Info(); info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", e.Name(), info.Mode())
		}
	}
	if want := []string{"addresses.csv", "attributes.csv", "datapackage.json", "languages.csv", "locations.csv", "organizations.csv",
		"service_at_location.csv", "services.csv", "taxonomy_terms.csv"}; !slices.Equal(names, want) {
		t.Errorf("export files %v, want %v", names, want)
	}

	again := t.TempDir()
	out, err = runCmd(t, "", "directory", "import", "--data", again, "--hsds", filepath.Join(exp, "datapackage.json"))
	if err != nil || !strings.Contains(out, fmt.Sprintf("imported %d listings; rejected 0.", len(ls)-confidential)) {
		t.Fatalf("import the export: %v\n%s", err, out)
	}
	// The store stamps each listing with the time it saved it.
	ignoreSaved := cmpopts.IgnoreFields(directory.Service{}, "LastModified")
	if diff := cmp.Diff(storedListings(t, data), storedListings(t, again), ignoreSaved); diff != "" {
		t.Errorf("listings (-imported +imported from the export):\n%s", diff)
	}
}

// The specification's example package has no usable descriptor: it reads
// by Puente's own, and says which rows and listings it turned away.
func TestDirectoryImportExamplePackage(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "hsds", "examples", "csv")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("HSDS examples not found: %v", err)
	}
	out, err := runCmd(t, "", "directory", "import", "--data", t.TempDir(), "--hsds", dir)
	for _, want := range []string{
		"Read 19 rows from 21 files of the tabular datapackage " + dir + " (read by Puente's own HSDS 3.0 tables: datapackage.json is a link saved as text (to ../../datapackage.json), not a descriptor); imported 0 listings; rejected 3.",
		`rejected attributes.csv:2 (id "ae58cc39-8b70-4ab1-8aea-786882e5ac8e"): link_id "f28dd44b-0c4d-479f-8e90-4c52219a8b3c": no row with that id in the package`,
		`rejected metadata.csv:2 (id "6cd71e9f-1013-49d9-8370-26b8f59d3e5a"): resource_id`,
		"service.needs: field.required",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if err == nil {
		t.Error("import with rejections succeeded")
	}

	// A directory of JSON is not a package.
	json := t.TempDir()
	os.WriteFile(filepath.Join(json, "services.json"), []byte("[]"), 0o600)
	if out, err := runCmd(t, "", "directory", "import", "--data", t.TempDir(), "--hsds", json); err == nil ||
		!strings.Contains(err.Error(), "nothing imported") || !strings.Contains(err.Error(), "none of the files HSDS 3.0 names its tables by") {
		t.Errorf("import of a JSON directory: %v\n%s", err, out)
	}
}

// importPackage imports the package in dir into db as the CLI does: read
// whole, then saved.
func importPackage(t *testing.T, db *store.DB, dir string) (string, error) {
	t.Helper()
	src, err := readHSDS(dir)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	err = saveHSDS(context.Background(), db, src, &out)
	return out.String(), err
}

// A package that cannot be read whole saves nothing, on either engine; a
// row that names a row the package does not hold is reported by its file
// and line, and the rest saved.
func TestDirectoryImportBadPackage(t *testing.T) {
	var ls []directory.Listing
	for _, l := range demo.Listings(demoNow) {
		if l.Location.ID != "" && !l.Location.Confidential && len(ls) < 3 {
			ls = append(ls, l)
		}
	}
	edit := func(t *testing.T, name string, change func(b []byte) []byte) string {
		dir := t.TempDir()
		writePackage(t, dir, ls)
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		os.Remove(path)
		if b = change(b); b != nil {
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		kr, err := secret.NewKeyring()
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeyring(kr)
		ctx := context.Background()
		good := edit(t, "service_at_location.csv", func(b []byte) []byte {
			return fmt.Appendf(b, "%s,%s,%s,\n", "9f3a3c1e-0000-4000-8000-000000000001", "9f3a3c1e-0000-4000-8000-0000000000ff", ls[0].Location.ID)
		})
		out, err := importPackage(t, db, good)
		line := len(ls) + 2
		want := fmt.Sprintf(`rejected service_at_location.csv:%d (id "9f3a3c1e-0000-4000-8000-000000000001"): service_id "9f3a3c1e-0000-4000-8000-0000000000ff": no service with that id in the package`, line)
		if err == nil || !strings.Contains(out, "imported 3 listings; rejected 1.") || !strings.Contains(out, want) {
			t.Fatalf("import: %v\n%s", err, out)
		}
		before, err := db.Listings(ctx)
		if err != nil || len(before) != 3 {
			t.Fatalf("%d listings saved, %v", len(before), err)
		}
		// The bad packages also change a service, so that anything
		// saved from them would show.
		renamed := func(b []byte) []byte { return bytes.Replace(b, []byte(ls[0].Service.Name), []byte("Renamed"), 1) }
		for _, tt := range []struct {
			name, file string
			change     func([]byte) []byte
			want       string
		}{
			{"malformed quoting", "services.csv", func(b []byte) []byte { return append(b, "x,\"y\n"...) }, "extraneous or missing \" in quoted-field"},
			{"missing required column", "organizations.csv", func(b []byte) []byte { return bytes.Replace(b, []byte(",description,"), []byte(",about,"), 1) },
				"no column description, which HSDS requires"},
			{"missing resource file", "locations.csv", func([]byte) []byte { return nil }, "locations.csv: no such file or directory"},
			{"descriptor not JSON", "datapackage.json", func(b []byte) []byte { return b[:len(b)/2] }, "datapackage.json: not a descriptor"},
			{"descriptor unreadable", "datapackage.json", func([]byte) []byte { return nil }, "descriptor: read datapackage.json: is a directory"},
		} {
			dir := edit(t, tt.file, tt.change)
			if tt.name == "descriptor unreadable" {
				os.Mkdir(filepath.Join(dir, tt.file), 0o700)
			}
			b, _ := os.ReadFile(filepath.Join(dir, "services.csv"))
			os.WriteFile(filepath.Join(dir, "services.csv"), renamed(b), 0o600)
			out, err := importPackage(t, db, dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) || out != "" {
				t.Errorf("%s: %v, want %q\n%s", tt.name, err, tt.want, out)
			}
			after, err := db.Listings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("%s: store changed (-before +after):\n%s", tt.name, diff)
			}
		}
	})
}

// auditCount counts the audit entries of an action in the SQLite database
// in data.
func auditCount(t *testing.T, data, action string) int {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(data, "puente.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = ?", action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
