package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"puente/internal/audit"
	"puente/internal/i18n"
)

// TestProviderUpdatesBeds is the scenario: the men's shelter in
// Juárez counts its beds in the morning, and the count is what the
// directory and the matcher show at once.
func TestProviderUpdatesBeds(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sal, _ := e.listing(menShelter)
		avail := "/directory/services/" + sal + "/availability"
		b := e.signIn("albergue.hombres")
		dash := b.get("/dashboard")
		if !strings.Contains(section(dash.body, "panel-listings"), `href="`+avail+`"`) {
			t.Fatalf("the dashboard does not offer the bed count form:\n%s", section(dash.body, "panel-listings"))
		}
		page := b.get(avail)
		if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `value="40"`) {
			t.Fatalf("the form: %d\n%s", page.StatusCode, page.body)
		}
		res := b.post(avail, csrfForm(csrfOf(t, page), "beds", "42", "count", "yes", "free", "17"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("update beds: %d\n%s", res.StatusCode, res.body)
		}
		_, l := e.listing(menShelter)
		if el := l.Service.Eligibility; el.Beds != 42 || el.BedsAvailable == nil || *el.BedsAvailable != 17 || !el.AvailabilityUpdatedAt.Equal(e.clock.Now()) {
			t.Errorf("stored count: %d beds, %v free at %v", el.Beds, el.BedsAvailable, el.AvailabilityUpdatedAt)
		}
		list := b.get("/directory?city=" + url.QueryEscape("MX/Ciudad Juárez, Chihuahua"))
		if want := i18n.T("es", "directory.beds.free", 17, 42); !strings.Contains(section(list.body, "listing-"+sal), want) {
			t.Errorf("the directory does not show %q", want)
		}
		match := b.get("/directory/match?need=emergency_shelter&place=elpaso&gender=man&age=34&exploitation=forced_labor")
		matches := section(match.body, "matches")
		if i := strings.Index(matches, `id="excluded"`); i > 0 {
			matches = matches[:i]
		}
		if want := i18n.T("es", "directory.reason.beds_today", "17"); !strings.Contains(matches, want) {
			t.Errorf("matching does not show %q", want)
		}

		entries := e.auditOf("listing:" + sal)
		if !hasDirEntry(entries, "directory.availability", audit.Allow, "provider staff") {
			t.Errorf("no audit entry for the update: %+v", entries)
		}
		for _, en := range entries {
			if strings.Contains(en.Reason, "17") || strings.Contains(en.Reason, "42") {
				t.Errorf("the audit entry holds the count: %q", en.Reason)
			}
		}

		// No count kept: the free beds go, the capacity stays.
		b.post(avail, csrfForm(b.csrf(avail), "beds", "42", "count", "no", "free", "3"))
		if _, l := e.listing(menShelter); l.Service.Eligibility.BedsAvailable != nil || l.Service.Eligibility.Beds != 42 {
			t.Errorf("no count kept: %+v", l.Service.Eligibility)
		}
	})
}

// csrfForm is form with a CSRF token first.
func csrfForm(tok string, pairs ...string) url.Values {
	return form(append([]string{"csrf_token", tok}, pairs...)...)
}

func csrfOf(t *testing.T, res *response) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no CSRF token on the page (status %d)", res.StatusCode)
	}
	return m[1]
}

// TestOthersCannotCountBeds: staff of another member, and a request with
// no form token, change nothing.
func TestOthersCannotCountBeds(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sal, before := e.listing(menShelter)
		avail := "/directory/services/" + sal + "/availability"
		for _, who := range []string{"caseworker", "caseworker.juarez", "analyst"} {
			b := e.signIn(who)
			if res := b.get(avail); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s opens another organization's bed count: %d", who, res.StatusCode)
			}
			if res := b.post(avail, csrfForm(b.csrf("/dashboard"), "beds", "40", "count", "yes", "free", "0")); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s posts another organization's bed count: %d", who, res.StatusCode)
			}
			if strings.Contains(b.get("/directory").body, avail) {
				t.Errorf("%s is offered the bed count form of another organization", who)
			}
		}
		b := e.signIn("albergue.hombres")
		b.get(avail)
		if res := b.post(avail, form("beds", "40", "count", "yes", "free", "0")); res.StatusCode != http.StatusForbidden {
			t.Errorf("a POST with no CSRF token: %d", res.StatusCode)
		}
		if _, after := e.listing(menShelter); *after.Service.Eligibility.BedsAvailable != *before.Service.Eligibility.BedsAvailable {
			t.Errorf("the count changed from %d to %d", *before.Service.Eligibility.BedsAvailable, *after.Service.Eligibility.BedsAvailable)
		}
		if entries := e.auditOf("listing:" + sal); !hasDirEntry(entries, "directory.availability", audit.Deny, "another organization's listing") {
			t.Errorf("the refusals are not audited: %+v", entries)
		}
		if res := b.get("/directory/services/no-such-listing/availability"); res.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown listing: %d", res.StatusCode)
		}
	})
}

// TestBedCountMistakesComeBack: a mistake shows next to its field with
// what was typed, and stores nothing.
func TestBedCountMistakesComeBack(t *testing.T) {
	e := sqliteEnv(t)
	sal, _ := e.listing(menShelter)
	avail := "/directory/services/" + sal + "/availability"
	b := e.signIn("albergue.hombres")
	for _, tt := range []struct {
		name       string
		beds, free string
		key        string
	}{
		{"capacity not a number", "cuarenta", "3", "field.whole_number"},
		{"more free than in all", "10", "11", "directory.beds.more_than_capacity"},
		{"no free count", "10", "", "field.required"},
		{"negative", "10", "-1", "field.whole_number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := b.post(avail, csrfForm(b.csrf(avail), "beds", tt.beds, "count", "yes", "free", tt.free))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.StatusCode)
			}
			for _, want := range []string{`value="` + tt.beds + `"`, `value="` + tt.free + `"`, i18n.T("es", tt.key)} {
				if !strings.Contains(res.body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
		})
	}
	if _, l := e.listing(menShelter); l.Service.Eligibility.Beds != 40 {
		t.Errorf("a refused count was stored: %d beds", l.Service.Eligibility.Beds)
	}
	if n := len(e.auditOf("listing:" + sal)); n != 0 {
		t.Errorf("%d audit entries for counts that were not stored", n)
	}
}
