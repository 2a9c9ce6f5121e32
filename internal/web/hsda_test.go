package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"puente/internal/account"
	"puente/internal/directory"
)

// The HSDA fixture: two organizations, three services, four listings.
// Casa Ejemplo's shelter is offered at a confidential house and at a
// public office; its legal service nowhere in particular. Centro
// Fronterizo's counselling is offered at its public clinic.
const (
	orgCasa     = "0b0f6f57-8c5e-4f55-9a51-0a6a4f7a3c01"
	orgCentro   = "0b0f6f57-8c5e-4f55-9a51-0a6a4f7a3c02"
	svcShelter  = "1c1f6f57-8c5e-4f55-9a51-0a6a4f7a3c01"
	svcLegal    = "1c1f6f57-8c5e-4f55-9a51-0a6a4f7a3c02"
	svcCounsel  = "1c1f6f57-8c5e-4f55-9a51-0a6a4f7a3c03"
	locSecret   = "2d2f6f57-8c5e-4f55-9a51-0a6a4f7a3c01"
	locOffice   = "2d2f6f57-8c5e-4f55-9a51-0a6a4f7a3c02"
	locClinic   = "2d2f6f57-8c5e-4f55-9a51-0a6a4f7a3c03"
	hsdaUnknown = "99999999-9999-4999-8999-999999999999"
)

// hsdaCanaries are what the confidential location holds and no HSDA
// response may: its name, description, street address, postal code and
// exact coordinates, and the first digits of those that rounding drops.
// None is a string of hex digits alone, which an id could hold by chance.
var hsdaCanaries = []string{
	"Zorzal", "Canario Escondido", "Quetzalmagenta", "Xilófono", "Xilofono", "Interior 4242", `"32717"`,
	"31.738264", "-106.487153", "31.73", "106.48",
}

func hsdaPtr[T any](v T) *T { return &v }

func hsdaListings() []directory.Listing {
	casa := directory.Organization{ID: orgCasa, Name: "Casa Ejemplo", Description: "Refugio y acompañamiento legal."}
	centro := directory.Organization{ID: orgCentro, Name: "Centro Fronterizo", Description: "Salud y derechos en la frontera."}
	shelter := directory.Service{
		ID: svcShelter, OrganizationID: orgCasa, Name: "Albergue temporal", Description: "Camas, comida y regaderas.",
		Status: directory.StatusActive, Needs: []string{"emergency_shelter"},
		Eligibility: directory.Eligibility{Exploitation: directory.AnyExploitation, Languages: []string{"es"}, Country: account.MX},
	}
	legal := directory.Service{
		ID: svcLegal, OrganizationID: orgCasa, Name: "Asesoría legal", Description: "Regularización migratoria.",
		Status: directory.StatusActive, Needs: []string{"legal_immigration"},
		Eligibility: directory.Eligibility{Exploitation: directory.AnyExploitation, Country: account.MX},
	}
	counsel := directory.Service{
		ID: svcCounsel, OrganizationID: orgCentro, Name: "Atención psicológica", Description: "Terapia individual.",
		Status: directory.StatusActive, Needs: []string{"mental_health"},
		Eligibility: directory.Eligibility{Exploitation: directory.AnyExploitation, Country: account.US},
	}
	secret := directory.Location{
		ID: locSecret, LocationType: directory.Physical, OrganizationID: orgCasa, Confidential: true,
		Name: "Canario Escondido Zorzal", Description: "Portón Quetzalmagenta junto a la farmacia",
		Latitude: hsdaPtr(31.738264), Longitude: hsdaPtr(-106.487153),
		Addresses: []directory.Address{{Address1: "Calle Xilófono 8817", Address2: "Interior 4242", City: "Ciudad Juárez",
			StateProvince: "Chihuahua", PostalCode: "32717", Country: "MX", AddressType: directory.Physical}},
	}
	office := directory.Location{
		ID: locOffice, LocationType: directory.Physical, OrganizationID: orgCasa, Name: "Oficina central",
		Latitude: hsdaPtr(31.69), Longitude: hsdaPtr(-106.42),
		Addresses: []directory.Address{{Address1: "Av. Juárez 100", City: "Ciudad Juárez", StateProvince: "Chihuahua",
			PostalCode: "32000", Country: "MX", AddressType: directory.Physical}},
	}
	clinic := directory.Location{
		ID: locClinic, LocationType: directory.Physical, OrganizationID: orgCentro, Name: "Clínica del Centro",
		Latitude: hsdaPtr(31.76), Longitude: hsdaPtr(-106.49),
		Addresses: []directory.Address{{Address1: "100 Main St", City: "El Paso", StateProvince: "TX",
			PostalCode: "79901", Country: "US", AddressType: directory.Physical}},
	}
	return []directory.Listing{
		{Organization: casa, Service: shelter, Location: secret},
		{Organization: casa, Service: shelter, Location: office},
		{Organization: casa, Service: legal},
		{Organization: centro, Service: counsel, Location: clinic},
	}
}

// hsdaEnv is a server whose directory holds the HSDA fixture and nothing
// else: whatever directory the demo seeds is deleted first, so that counts
// and searches depend on the fixture alone.
func hsdaEnv(t *testing.T) *env {
	t.Helper()
	e := sqliteEnv(t)
	ctx := context.Background()
	seeded, err := e.db.Listings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range seeded {
		if err := e.db.DeleteListing(ctx, directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)); err != nil {
			t.Fatalf("DeleteListing(%s at %s): %v", l.Service.ID, l.Location.ID, err)
		}
	}
	for _, l := range hsdaListings() {
		if err := e.db.SaveListing(ctx, &l); err != nil {
			t.Fatalf("SaveListing(%s at %s): %v", l.Service.ID, l.Location.ID, err)
		}
	}
	return e
}

// hsdaGet fetches path and decodes its JSON body, failing unless the
// status is want and the body is JSON.
func hsdaGet(t *testing.T, e *env, path string, want int) map[string]any {
	t.Helper()
	res := e.browser().get(path)
	if res.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, res.StatusCode, want, res.body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(res.body), &v); err != nil {
		t.Fatalf("GET %s: body is not a JSON object: %v\n%s", path, err, res.body)
	}
	return v
}

// pageOf is a page's counts, without its contents.
func pageOf(v map[string]any) map[string]any {
	out := map[string]any{}
	for k, x := range v {
		if k != "contents" {
			out[k] = x
		}
	}
	return out
}

// contents returns the values of field in a page's items, in order.
func contents(v map[string]any, field string) []string {
	out := []string{}
	for _, item := range v["contents"].([]any) {
		s, _ := item.(map[string]any)[field].(string)
		out = append(out, s)
	}
	return out
}

func TestHSDARoot(t *testing.T) {
	e := hsdaEnv(t)
	got := hsdaGet(t, e, "/hsda/", http.StatusOK)
	want := map[string]any{
		"version":     "3.0",
		"profile":     "https://github.com/openreferral/specification/tree/3.0",
		"openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("root (-want +got):\n%s", diff)
	}
}

func TestHSDAPagination(t *testing.T) {
	e := hsdaEnv(t)
	page := func(total, pages, number, size int, first, last, empty bool) map[string]any {
		return map[string]any{"total_items": float64(total), "total_pages": float64(pages), "page_number": float64(number),
			"size": float64(size), "first_page": first, "last_page": last, "empty": empty}
	}
	for _, tc := range []struct {
		path string
		want map[string]any
		ids  []string
	}{
		{"/hsda/services", page(3, 1, 1, 3, true, true, false), []string{svcShelter, svcLegal, svcCounsel}},
		{"/hsda/services?per_page=1", page(3, 3, 1, 1, true, false, false), []string{svcShelter}},
		{"/hsda/services?per_page=1&page=2", page(3, 3, 2, 1, false, false, false), []string{svcLegal}},
		{"/hsda/services?per_page=2&page=2", page(3, 2, 2, 1, false, true, false), []string{svcCounsel}},
		{"/hsda/services?per_page=1&page=4", page(3, 3, 4, 0, false, true, true), []string{}},
		{"/hsda/services?per_page=100", page(3, 1, 1, 3, true, true, false), []string{svcShelter, svcLegal, svcCounsel}},
		{"/hsda/organizations?per_page=1", page(2, 2, 1, 1, true, false, false), []string{orgCasa}},
		{"/hsda/service_at_locations?per_page=2", page(2, 1, 1, 2, true, true, false), nil},
		{"/hsda/services?search=nada+de+esto", page(0, 0, 1, 0, true, true, true), []string{}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			got := hsdaGet(t, e, tc.path, http.StatusOK)
			if diff := cmp.Diff(tc.want, pageOf(got)); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			if tc.ids != nil {
				if diff := cmp.Diff(tc.ids, contents(got, "id")); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestHSDABadPageParameters(t *testing.T) {
	e := hsdaEnv(t)
	for _, tc := range []struct {
		query  string
		fields []string
	}{
		{"per_page=0", []string{"per_page"}},
		{"per_page=101", []string{"per_page"}},
		{"per_page=ten", []string{"per_page"}},
		{"per_page=-1", []string{"per_page"}},
		{"page=0", []string{"page"}},
		{"page=1.5", []string{"page"}},
		{"page=99999999999999999999", []string{"page"}},
		{"page=0&per_page=0", []string{"page", "per_page"}},
	} {
		for _, route := range []string{"/hsda/services", "/hsda/organizations", "/hsda/service_at_locations"} {
			t.Run(route+"?"+tc.query, func(t *testing.T) {
				got := hsdaGet(t, e, route+"?"+tc.query, http.StatusUnprocessableEntity)
				if errorCode(got) != "invalid" {
					t.Errorf("error code %q, want invalid", errorCode(got))
				}
				var fields []string
				for _, f := range got["error"].(map[string]any)["fields"].([]any) {
					f := f.(map[string]any)
					fields = append(fields, f["field"].(string))
					if f["code"] != "hsda."+f["field"].(string) || f["message"] == f["code"] {
						t.Errorf("field error %v: want code hsda.%s with a translated message", f, f["field"])
					}
				}
				if diff := cmp.Diff(tc.fields, fields); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			})
		}
	}
	t.Run("in Spanish", func(t *testing.T) {
		b := e.browser()
		b.header.Set("Accept-Language", "es-MX")
		res := b.get("/hsda/services?per_page=500")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "resultados por página") {
			t.Errorf("status %d, body %s", res.StatusCode, res.body)
		}
	})
}

func TestHSDASearch(t *testing.T) {
	e := hsdaEnv(t)
	for _, tc := range []struct {
		path string
		want []string // names; for service_at_locations, service ids
	}{
		{"/hsda/services?search=ALBERGUE", []string{"Albergue temporal"}},
		{"/hsda/services?search=asesoria", []string{"Asesoría legal"}},
		{"/hsda/services?search=Psicologica", []string{"Atención psicológica"}},
		{"/hsda/services?search=%20ATENCI%C3%93N%20psico", []string{"Atención psicológica"}},
		{"/hsda/services?search=migratoria", []string{"Asesoría legal"}}, // the description
		{"/hsda/services?search=", []string{"Albergue temporal", "Asesoría legal", "Atención psicológica"}},
		{"/hsda/services?search=zzz", []string{}},
		{"/hsda/organizations?search=fronteriz", []string{"Centro Fronterizo"}},
		{"/hsda/organizations?search=acompanamiento", []string{"Casa Ejemplo"}},
		{"/hsda/service_at_locations?search=oficina", []string{svcShelter}},
		{"/hsda/service_at_locations?search=clinica", []string{svcCounsel}},
		{"/hsda/service_at_locations?search=albergue", []string{svcShelter}},
		// The confidential location's name and description are not served,
		// so a search cannot find them out.
		{"/hsda/service_at_locations?search=zorzal", []string{}},
		{"/hsda/service_at_locations?search=quetzalmagenta", []string{}},
		{"/hsda/services?search=canario+escondido", []string{}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			field := "name"
			if strings.HasPrefix(tc.path, "/hsda/service_at_locations") {
				field = "service_id"
			}
			if got := contents(hsdaGet(t, e, tc.path, http.StatusOK), field); !cmp.Equal(tc.want, got) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHSDAByID(t *testing.T) {
	e := hsdaEnv(t)
	svc := hsdaGet(t, e, "/hsda/services/"+svcShelter, http.StatusOK)
	if svc["id"] != svcShelter || svc["name"] != "Albergue temporal" || svc["organization"].(map[string]any)["id"] != orgCasa {
		t.Errorf("service: %v", svc)
	}
	sals := svc["service_at_locations"].([]any)
	var locations []string
	for _, sal := range sals {
		locations = append(locations, sal.(map[string]any)["location"].(map[string]any)["id"].(string))
	}
	if diff := cmp.Diff([]string{locOffice}, locations); diff != "" {
		t.Errorf("service's locations (-want +got):\n%s", diff)
	}

	org := hsdaGet(t, e, "/hsda/organizations/"+orgCasa, http.StatusOK)
	if got := contents(map[string]any{"contents": org["services"]}, "id"); !cmp.Equal(got, []string{svcShelter, svcLegal}) {
		t.Errorf("organization's services %v", got)
	}
	if got := contents(map[string]any{"contents": org["locations"]}, "id"); !cmp.Equal(got, []string{locOffice}) {
		t.Errorf("organization's locations %v", got)
	}

	list := hsdaGet(t, e, "/hsda/service_at_locations", http.StatusOK)
	for _, item := range list["contents"].([]any) {
		id := item.(map[string]any)["id"].(string)
		sal := hsdaGet(t, e, "/hsda/service_at_locations/"+id, http.StatusOK)
		if sal["id"] != id || sal["service"] == nil || sal["location"] == nil {
			t.Errorf("service_at_location %s: %v", id, sal)
		}
	}

	for _, path := range []string{
		"/hsda/services/" + hsdaUnknown, "/hsda/organizations/" + hsdaUnknown, "/hsda/service_at_locations/" + hsdaUnknown,
		"/hsda/services/" + locSecret, "/hsda/taxonomies", "/hsda/nothing/here",
	} {
		if got := hsdaGet(t, e, path, http.StatusNotFound); errorCode(got) != "not_found" {
			t.Errorf("GET %s: %v", path, got)
		}
	}
}

// hsdaCrawl fetches every HSDA response a client can reach: the root, every
// page of every list at every page size, searches for what is withheld,
// and every object by id. It returns the bodies by path.
func hsdaCrawl(t *testing.T, e *env) map[string]string {
	t.Helper()
	bodies := map[string]string{}
	get := func(path string) string {
		res := e.browser().get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d\n%s", path, res.StatusCode, res.body)
		}
		bodies[path] = res.body
		return res.body
	}
	get("/hsda/")
	for _, list := range []string{"services", "organizations", "service_at_locations"} {
		for _, perPage := range []int{1, 2, 25, 100} {
			for page := 1; ; page++ {
				var v map[string]any
				json.Unmarshal([]byte(get(fmt.Sprintf("/hsda/%s?per_page=%d&page=%d", list, perPage, page))), &v)
				for _, id := range contents(v, "id") {
					get("/hsda/" + list + "/" + id)
				}
				if v["last_page"] == true {
					break
				}
			}
		}
		for _, canary := range hsdaCanaries {
			get("/hsda/" + list + "?search=" + strings.ReplaceAll(canary, " ", "+"))
		}
	}
	return bodies
}

func TestHSDAWithholdsConfidentialLocations(t *testing.T) {
	e := hsdaEnv(t)
	// A shelter that is only at a confidential place: nothing of it may
	// be served, not its organization, its service nor its beds.
	hidden := hsdaListings()[0]
	hidden.Organization = directory.Organization{ID: "0b0f6f57-8c5e-4f55-9a51-0a6a4f7a3c09", Name: "Refugio Golondrina", Description: "Refugio."}
	hidden.Service.ID, hidden.Service.OrganizationID, hidden.Service.Name = "1c1f6f57-8c5e-4f55-9a51-0a6a4f7a3c09", hidden.Organization.ID, "Casa Golondrina"
	el := &hidden.Service.Eligibility
	el.Beds, el.BedsAvailable, el.AvailabilityUpdatedAt = 17, hsdaPtr(3), e.clock.Now()
	hidden.Location.ID, hidden.Location.OrganizationID = "2d2f6f57-8c5e-4f55-9a51-0a6a4f7a3c09", hidden.Organization.ID
	if err := e.db.SaveListing(context.Background(), &hidden); err != nil {
		t.Fatal(err)
	}
	bodies := hsdaCrawl(t, e)
	if len(bodies) < 30 {
		t.Fatalf("crawled only %d responses", len(bodies))
	}
	canaries := append(slices.Clone(hsdaCanaries), locSecret, hidden.Location.ID, hidden.Service.ID, hidden.Organization.ID, "Golondrina", `"code": "confidential"`)
	for path, body := range bodies {
		for _, canary := range canaries {
			if strings.Contains(body, canary) {
				t.Errorf("GET %s holds the withheld %q", path, canary)
			}
		}
	}
	for _, path := range []string{"/hsda/services/" + hidden.Service.ID, "/hsda/organizations/" + hidden.Organization.ID} {
		hsdaGet(t, e, path, http.StatusNotFound)
	}
	// The shelter's public office is there: the scan above is not passing
	// because the directory is empty.
	body := bodies["/hsda/services/"+svcShelter]
	for _, want := range []string{locOffice, `"city": "Ciudad Juárez"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the shelter's public office lacks %s:\n%s", want, body)
		}
	}
}

// hsdsSchemaDir holds the HSDS 3.0 schemas (see internal/hsds's tests).
const hsdsSchemaDir = "../../../shared/data/hsds/schema"

func TestHSDAValidates(t *testing.T) {
	if _, err := os.Stat(filepath.Join(hsdsSchemaDir, "service.json")); err != nil {
		t.Skipf("HSDS schemas not found at %s: %v", hsdsSchemaDir, err)
	}
	dir, err := filepath.Abs(hsdsSchemaDir)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	e := hsdaEnv(t)
	for _, tc := range []struct {
		path, schema string
		page         bool
	}{
		{"/hsda/services", "service", true},
		{"/hsda/services/" + svcShelter, "service", false},
		{"/hsda/organizations", "organization", true},
		{"/hsda/organizations/" + orgCasa, "organization", false},
		{"/hsda/service_at_locations", "service_at_location", true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			s, err := c.Compile(filepath.Join(dir, tc.schema+".json"))
			if err != nil {
				t.Fatalf("compile %s: %v", tc.schema, err)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(e.browser().get(tc.path).body)))
			if err != nil {
				t.Fatal(err)
			}
			items := []any{v}
			if tc.page {
				items = v.(map[string]any)["contents"].([]any)
			}
			if len(items) == 0 {
				t.Fatal("nothing to validate")
			}
			for i, item := range items {
				if err := s.Validate(item); err != nil {
					t.Errorf("%s %d: %v", tc.schema, i, err)
				}
			}
		})
	}
}
