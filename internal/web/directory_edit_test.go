package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"puente/internal/audit"
	"puente/internal/demo"
	"puente/internal/directory"
	"puente/internal/i18n"
)

// Demo services the tests work on.
const (
	menShelter    = "Albergue para hombres (demo)"                       // run by Casa Hombres de Paso, a member
	womenJuarez   = "Albergue para mujeres y sus hijos (demo)"           // run by Albergue Puerta Abierta, a member
	refugioJuarez = "Refugio confidencial (demo)"                        // confidential; run by no member
	pasoSeguro    = "Emergency shelter for women (demo)"                 // confidential; run by Casa Paso Seguro, a member
	laborJuarez   = "Asesoría laboral y recuperación de salarios (demo)" // no beds
)

// listing finds a demo listing by its service's name.
func (e *env) listing(service string) (sal string, l directory.Listing) {
	e.t.Helper()
	all, err := e.db.DirectoryListings(context.Background(), directory.Filter{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, l := range all {
		if l.Service.Name == service {
			return directory.ServiceAtLocationID(l.Service.ID, l.Location.ID), l
		}
	}
	e.t.Fatalf("no listing %q", service)
	return "", l
}

// auditOf returns the audit entries about record.
func (e *env) auditOf(record string) []audit.Entry {
	e.t.Helper()
	var out []audit.Entry
	for en, err := range e.db.AuditEntries(context.Background(), audit.Filter{Record: record}) {
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, en)
	}
	return out
}

// hasDirEntry reports whether entries hold one of action with decision whose
// reason contains note.
func hasDirEntry(entries []audit.Entry, action string, d audit.Decision, note string) bool {
	for _, en := range entries {
		if en.Action == action && en.Decision == d && strings.Contains(en.Reason, note) {
			return true
		}
	}
	return false
}

// section cuts the part of a page from the element with id on.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	return body[i:]
}

// confidentialForm is a complete new listing at a confidential place, with
// canaries where the place is.
func confidentialForm(tok string) url.Values {
	return csrfForm(tok, "organization", "new", "new_org_name", "Casa Canario (test)", "new_org_description", "A test shelter.",
		"name", "Refugio de prueba (test)", "status", "active", "description", "Beds for men and women.",
		"application_process", "Call +52 656 000 0000.", "needs", "emergency_shelter", "needs", "food_clothing",
		"genders", "man", "genders", "woman", "minimum_age", "18", "exploitation", "labor", "languages", "es, mam",
		"country", "MX", "area_codes", "MX-08037", "radius_km", "25", "cost", "free", "accessible", "1", "beds", "12",
		"location_type", "physical", "location_name", "CanaryPlaceK7", "address_1", "Calle CanaryStreetK7 12",
		"city", "Ciudad Juárez", "state", "Chihuahua", "postal_code", "32999", "address_country", "MX",
		"latitude", "31.71234", "longitude", "-106.45678", "confidential", "1")
}

var placeCanaries = []string{"CanaryPlaceK7", "CanaryStreetK7", "32999", "31.71234", "106.45678"}

// TestAdminKeepsAConfidentialListing: an admin adds a confidential
// shelter, edits it and deletes it. Its place shows in the edit form alone,
// every save and the opening of the place are audited, and the directory
// shows only its city.
func TestAdminKeepsAConfidentialListing(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		admin := e.signIn("admin")
		res := admin.post("/directory/services", confidentialForm(admin.csrf("/directory/services/new")))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/directory?done=listing_saved" {
			t.Fatalf("create: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), res.body)
		}
		sal, l := e.listing("Refugio de prueba (test)")
		el := l.Service.Eligibility
		if l.Organization.Name != "Casa Canario (test)" || l.Organization.MemberID != 0 || !l.Location.Confidential || el.Beds != 12 ||
			*el.MinAge != 18 || el.Exploitation != "labor" || strings.Join(el.Languages, ",") != "es,mam" || el.AreaServed.RadiusKm != 25 {
			t.Errorf("stored listing: %+v", l)
		}
		if !hasDirEntry(e.auditOf("listing:"+sal), "directory.edit", audit.Allow, "listing created") {
			t.Error("the creation is not audited")
		}

		for _, who := range []string{"admin", "caseworker", "albergue.hombres"} {
			b := admin
			if who != "admin" {
				b = e.signIn(who)
			}
			list := b.get("/directory")
			if !strings.Contains(list.body, "Refugio de prueba (test)") || !strings.Contains(section(list.body, "listing-"+sal), "Ciudad Juárez") {
				t.Errorf("%s: the directory does not list the new shelter in its city", who)
			}
			for _, c := range placeCanaries {
				if strings.Contains(list.body, c) {
					t.Errorf("%s: the directory shows the confidential %s", who, c)
				}
			}
		}

		// The admin keeps the listing without reading its place: the
		// place's fields are write-only for anyone but the shelter itself.
		edit := admin.get("/directory/services/" + sal + "/edit")
		for _, c := range placeCanaries {
			if strings.Contains(edit.body, c) {
				t.Errorf("the admin's edit form shows the confidential place's %s", c)
			}
		}
		if !strings.Contains(edit.body, `id="place-hidden"`) {
			t.Error("the edit form does not say the place is hidden")
		}
		f := confidentialForm(csrfOf(t, edit))
		f.Set("organization", l.Organization.ID)
		f.Set("name", "Refugio de prueba, editado (test)")
		f.Set("beds", "8")
		for _, k := range []string{"location_name", "address_1", "city", "state", "postal_code", "latitude", "longitude"} {
			f.Set(k, "")
		}
		res = admin.post("/directory/services/"+sal, f)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", res.StatusCode, res.body)
		}
		_, l = e.listing("Refugio de prueba, editado (test)")
		if l.Service.Eligibility.Beds != 8 || l.Organization.Name != "Casa Canario (test)" {
			t.Errorf("edited listing: %+v", l)
		}
		loc, err := e.db.ConfidentialLocation(context.Background(), l.Location.ID)
		if err != nil || loc.Name != "CanaryPlaceK7" || loc.Addresses[0].Address1 != "Calle CanaryStreetK7 12" || *loc.Latitude != 31.71234 {
			t.Errorf("the sealed place after an edit that left it empty: %+v, %v", loc, err)
		}
		if !hasDirEntry(e.auditOf("dir_location:"+l.Location.ID), "directory.edit", audit.Allow, "confidential location kept unread while editing") {
			t.Error("reading the confidential place to save it back is not audited")
		}
		// A mistake elsewhere does not bring the kept place into the form.
		f.Set("beds", "many")
		if res := admin.post("/directory/services/"+sal, f); res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(res.body, "CanaryStreetK7") {
			t.Errorf("a form sent back with a mistake: %d, shows the place: %v", res.StatusCode, strings.Contains(res.body, "CanaryStreetK7"))
		}
		f.Set("beds", "8")
		f.Set("location_name", "Casa nueva (test)")
		f.Set("address_1", "Calle Reemplazo 9")
		f.Set("city", "Ciudad Juárez")
		f.Set("state", "Chihuahua")
		f.Set("postal_code", "32000")
		f.Set("latitude", "31.7")
		f.Set("longitude", "-106.4")
		if res := admin.post("/directory/services/"+sal, f); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("replace the place: %d\n%s", res.StatusCode, res.body)
		}
		if loc, err := e.db.ConfidentialLocation(context.Background(), l.Location.ID); err != nil || loc.Addresses[0].Address1 != "Calle Reemplazo 9" {
			t.Errorf("the place was not replaced: %+v, %v", loc, err)
		}
		if !hasDirEntry(e.auditOf("listing:"+sal), "directory.edit", audit.Allow, "listing saved") {
			t.Error("the edit is not audited")
		}

		del := "/directory/services/" + sal + "/delete"
		ask := admin.post(del, csrfForm(admin.csrf("/directory/services/"+sal+"/edit")))
		if ask.StatusCode != http.StatusOK || !strings.Contains(ask.body, `name="confirm" value="yes"`) {
			t.Fatalf("delete without confirming: %d", ask.StatusCode)
		}
		if _, err := e.db.Listing(context.Background(), sal); err != nil {
			t.Fatalf("the listing went before it was confirmed: %v", err)
		}
		if res := admin.post(del, csrfForm(csrfOf(t, ask), "confirm", "yes")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if _, err := e.db.Listing(context.Background(), sal); err == nil {
			t.Error("the listing is still there")
		}
		if !hasDirEntry(e.auditOf("listing:"+sal), "directory.edit", audit.Allow, "listing deleted") {
			t.Error("the deletion is not audited")
		}
	})
}

// TestListingMistakesComeBack: every mistake shows, translated, next to
// its field, and the form keeps everything typed.
func TestListingMistakesComeBack(t *testing.T) {
	e := sqliteEnv(t)
	admin := e.signIn("admin")
	f := confidentialForm(admin.csrf("/directory/services/new"))
	f.Set("minimum_age", "40")
	f.Set("maximum_age", "diez")
	f.Set("area_codes", "El Paso")
	f.Set("latitude", "31.71234")
	f.Set("longitude", "")
	f.Del("needs")
	res := admin.post("/directory/services", f)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		`value="diez"`, `value="40"`, `value="El Paso"`, `value="Refugio de prueba (test)"`, `value="Calle CanaryStreetK7 12"`,
		`value="31.71234"`, `name="confidential" value="1" id="confidential" checked`, `value="es, mam"`,
		i18n.T("en", "field.whole_number"), i18n.T("en", "directory.area_code"), i18n.T("en", "field.required"),
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	f.Set("maximum_age", "30")
	f.Set("area_codes", "MX-08037")
	f.Add("needs", "emergency_shelter")
	res = admin.post("/directory/services", f)
	for _, want := range []string{i18n.T("en", "directory.age_range"), i18n.T("en", "directory.coordinates_pair")} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	all, _ := e.db.DirectoryListings(context.Background(), directory.Filter{})
	if len(all) != len(demo.Listings(e.clock.Now())) {
		t.Errorf("%d listings after refused saves, want the demo's %d", len(all), len(demo.Listings(e.clock.Now())))
	}
	if res := admin.post("/directory/services", form("organization", "new", "name", "x")); res.StatusCode != http.StatusForbidden {
		t.Errorf("a POST with no CSRF token: %d", res.StatusCode)
	}
}

// TestSupervisorKeepsOwnListings: a member's supervisor edits its own
// listings and adds one under its own organization; another member's
// listing, and one no member runs, are closed to them, and their places
// with them.
func TestSupervisorKeepsOwnListings(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sup := e.signIn("supervisor.juarez")
		own, l := e.listing(womenJuarez)
		edit := sup.get("/directory/services/" + own + "/edit")
		if edit.StatusCode != http.StatusOK {
			t.Fatalf("own listing: %d", edit.StatusCode)
		}
		f := csrfForm(csrfOf(t, edit), "organization", l.Organization.ID, "name", womenJuarez, "status", "active", "needs", "emergency_shelter",
			"genders", "woman", "exploitation", "any", "country", "MX", "beds", "32", "location_type", "physical",
			"address_1", "Calle Ficticia 1 (demo)", "city", "Ciudad Juárez", "state", "Chihuahua", "address_country", "MX")
		if res := sup.post("/directory/services/"+own, f); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save own listing: %d\n%s", res.StatusCode, res.body)
		}
		if _, l := e.listing(womenJuarez); l.Service.Eligibility.Beds != 32 || l.Service.Eligibility.BedsAvailable == nil || *l.Service.Eligibility.BedsAvailable != 0 {
			t.Errorf("the edit lost the provider's count or the capacity: %+v", l.Service.Eligibility)
		}

		for _, other := range []string{menShelter, refugioJuarez, pasoSeguro} {
			sal, l := e.listing(other)
			res := sup.get("/directory/services/" + sal + "/edit")
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d", other, res.StatusCode)
			}
			if l.Location.Confidential {
				loc, err := e.db.ConfidentialLocation(context.Background(), l.Location.ID)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(res.body, loc.Addresses[0].Address1) || strings.Contains(res.body, strconv.FormatFloat(*loc.Latitude, 'f', -1, 64)) {
					t.Errorf("%s: the refusal shows the place", other)
				}
				if hasDirEntry(e.auditOf("dir_location:"+l.Location.ID), "directory.edit", audit.Allow, "") {
					t.Errorf("%s: the place was opened for a refused editor", other)
				}
			}
			if res := sup.post("/directory/services/"+sal, f); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: save %d", other, res.StatusCode)
			}
			if res := sup.post("/directory/services/"+sal+"/delete", csrfForm(csrfOf(t, edit), "confirm", "yes")); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: delete %d", other, res.StatusCode)
			}
			if !hasDirEntry(e.auditOf("listing:"+sal), "directory.edit", audit.Deny, "") {
				t.Errorf("%s: the refusals are not audited", other)
			}
		}

		// A new listing goes under the supervisor's organization; one put
		// under another organization's entry is refused.
		_, men := e.listing(menShelter)
		forged := confidentialForm(sup.csrf("/directory/services/new"))
		forged.Set("organization", men.Organization.ID)
		if res := sup.post("/directory/services", forged); res.StatusCode != http.StatusForbidden {
			t.Errorf("a listing under another member's organization: %d", res.StatusCode)
		}
		mine := confidentialForm(sup.csrf("/directory/services/new"))
		if res := sup.post("/directory/services", mine); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new listing: %d\n%s", res.StatusCode, res.body)
		}
		sal, created := e.listing("Refugio de prueba (test)")
		if created.Organization.MemberID != e.user("supervisor.juarez").OrgID {
			t.Errorf("the new organization is run by member %d", created.Organization.MemberID)
		}
		if res := sup.get("/directory/services/" + sal + "/edit"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "CanaryStreetK7") {
			t.Errorf("the supervisor cannot edit the listing they created: %d", res.StatusCode)
		}

		cw := e.signIn("caseworker.juarez")
		for _, path := range []string{"/directory/services/new", "/directory/services/" + own + "/edit"} {
			if res := cw.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("a caseworker opens %s: %d", path, res.StatusCode)
			}
		}
	})
}

// TestListingLosesItsPlace: a service given no place becomes another
// listing, with the provider's count, and the old one is gone; a place
// described without its kind is a mistake, not silently dropped.
func TestListingLosesItsPlace(t *testing.T) {
	e := sqliteEnv(t)
	admin := e.signIn("admin")
	sal, l := e.listing(menShelter)
	edit := "/directory/services/" + sal + "/edit"
	f := csrfForm(admin.csrf(edit), "organization", l.Organization.ID, "name", menShelter, "status", "active", "needs", "emergency_shelter",
		"genders", "man", "exploitation", "any", "country", "MX", "beds", "40", "location_type", "", "city", "Ciudad Juárez")
	res := admin.post("/directory/services/"+sal, f)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, i18n.T("en", "directory.edit.place_without_kind")) {
		t.Fatalf("a place with no kind: %d", res.StatusCode)
	}
	f.Del("city")
	if res := admin.post("/directory/services/"+sal, f); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("no place: %d\n%s", res.StatusCode, res.body)
	}
	moved, got := e.listing(menShelter)
	if moved != directory.ServiceAtLocationID(l.Service.ID, "") || got.Location.ID != "" {
		t.Errorf("the listing is at %q, location %q", moved, got.Location.ID)
	}
	if got.Service.Eligibility.BedsAvailable == nil || *got.Service.Eligibility.BedsAvailable != 6 {
		t.Errorf("the provider's count did not move with it: %+v", got.Service.Eligibility)
	}
	if _, err := e.db.Listing(context.Background(), sal); err == nil {
		t.Error("the old listing is still there")
	}
	if !hasDirEntry(e.auditOf("listing:"+sal), "directory.edit", audit.Allow, "listing deleted") ||
		!hasDirEntry(e.auditOf("listing:"+moved), "directory.edit", audit.Allow, "listing saved") {
		t.Error("the move is not audited")
	}
}
