package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"puente/internal/directory"
	"puente/internal/hsds"
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
	if _, err := runCmd(t, "", "directory", "export", "--data", data, "--hsds", exp); err == nil {
		t.Error("export into a non-empty directory without --force succeeded")
	}
	if _, err := runCmd(t, "", "directory", "export", "--data", data, "--hsds", exp, "--force"); err != nil {
		t.Errorf("export --force: %v", err)
	}
	if _, err := runCmd(t, "", "directory", "export", "--data", data, "--hsds", t.TempDir(), "--format", "csv"); err == nil {
		t.Error("csv export succeeded; it is not supported")
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
