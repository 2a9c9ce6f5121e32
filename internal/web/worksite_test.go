package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"puente/internal/i18n"
	"puente/internal/screening"
	"puente/internal/worksite"
)

// worksiteForm is a checklist as a browser submits it: every sign not
// seen, except those given as seen.
func worksiteForm(tok, site string, seenIDs ...string) url.Values {
	f := form("csrf_token", tok, "site", site, "place", "Invernadero, camino oriente km 12", "workers", "14")
	for _, s := range worksite.Load().Signs() {
		f.Set("sign_"+s.ID, string(worksite.NotSeen))
	}
	for _, id := range seenIDs {
		f.Set("sign_"+id, string(worksite.Seen))
	}
	return f
}

var signRadioRE = regexp.MustCompile(`name="sign_(WS[0-9]+)" value="not_checked" checked`)

func TestWorksiteFormInBothLanguages(t *testing.T) {
	e := sqliteEnv(t)
	for _, tc := range []struct {
		user, lang, title, seen string
	}{
		{"caseworker", "en", "Worksite inspection checklist", "Seen"},
		{"screener", "es", "Lista de verificación para inspecciones en centros de trabajo", "Lo vi"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			res := e.signIn(tc.user).get("/worksite")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /worksite: %d", res.StatusCode)
			}
			for _, want := range []string{`<html lang="` + tc.lang + `">`, tc.title, tc.seen, `name="csrf_token"`, `id="not-stored"`, `name="site" value="agriculture"`} {
				if !strings.Contains(res.body, want) {
					t.Errorf("the form lacks %q", want)
				}
			}
			c := worksite.Load()
			if got := len(signRadioRE.FindAllString(res.body, -1)); got != len(c.Signs()) {
				t.Errorf("%d signs start as not checked, want all %d", got, len(c.Signs()))
			}
			for _, g := range c.Groups() {
				if !strings.Contains(res.body, html.EscapeString(g.Title(tc.lang))) {
					t.Errorf("group %s has no heading in %s", g.ID, tc.lang)
				}
			}
			s, _ := c.Sign("WS04")
			if !strings.Contains(res.body, html.EscapeString(s.Seen(tc.lang))) {
				t.Errorf("WS04 is not worded in %s", tc.lang)
			}
		})
	}
}

func TestWorksiteDocumentsAndLockedHousingAreUrgent(t *testing.T) {
	e := sqliteEnv(t)
	p := screening.Load()
	for _, tc := range []struct{ user, lang string }{{"caseworker", "en"}, {"screener", "es"}} {
		t.Run(tc.lang, func(t *testing.T) {
			b := e.signIn(tc.user)
			res := b.post("/worksite", worksiteForm(b.csrf("/worksite"), "agriculture", "WS04", "WS01"))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("POST /worksite: %d\n%s", res.StatusCode, res.body)
			}
			for _, want := range []string{
				`id="level-urgent_referral"`, `id="seen-WS01"`, `id="seen-WS04"`, `id="ask-CD01"`, `id="ask-CD03"`,
				`href="/screenings/new"`, `href="/glossary"`, `id="not-stored"`, "Invernadero, camino oriente km 12", "911",
			} {
				if !strings.Contains(res.body, want) {
					t.Errorf("the report lacks %q", want)
				}
			}
			for _, id := range []string{"CD01", "CD03"} {
				ind, _ := p.Indicator(id)
				if !strings.Contains(res.body, html.EscapeString(ind.Question(tc.lang))) {
					t.Errorf("the report does not ask %s in %s", id, tc.lang)
				}
			}
			if strings.Contains(res.body, `id="seen-WS08"`) {
				t.Error("the report lists a sign that was not seen")
			}
			if strings.Contains(strings.ToLower(res.body), "<script") {
				t.Error("the report has a script tag")
			}
		})
	}
}

func TestWorksiteOneMediumSignIsSomeSigns(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	res := b.post("/worksite", worksiteForm(b.csrf("/worksite"), "packing", "WS08"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `id="level-some_signs"`) || !strings.Contains(res.body, `id="ask-EX02"`) {
		t.Fatalf("one medium sign: %d\n%s", res.StatusCode, res.body)
	}
	if strings.Contains(strings.ToLower(res.body), "<script") {
		t.Error("the report has a script tag")
	}
	// Nothing seen, nothing checked: no signs, and a reminder of what was not checked.
	res = b.post("/worksite", form("csrf_token", b.csrf("/worksite"), "site", "construction"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `id="level-no_signs"`) || !strings.Contains(res.body, "0 of 23") {
		t.Fatalf("nothing checked: %d\n%s", res.StatusCode, res.body)
	}
}

func TestWorksiteRefusesBadInput(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	for _, tc := range []struct {
		name, field, value, named, message string
	}{
		{"unknown sign", "sign_WS99", "seen", "signs.WS99", "This sign is not on the checklist."},
		{"bad value", "sign_WS03", "yes", "signs.WS03", "Mark seen, not seen or not checked."},
		{"unknown site", "site", "mine", "site", "Choose the type of site."},
		{"no site", "site", "", "site", "Choose the type of site."},
		{"workers not a number", "workers", "many", "workers", "Enter a whole number"},
		{"too many workers", "workers", "10001", "workers", "Enter a whole number"},
		{"place too long", "place", strings.Repeat("campo ", 40), "place", "This is too long."},
		{"markup in the place", "place", `<script>alert(1)</script>`, "place", "cannot contain the characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := worksiteForm(b.csrf("/worksite"), "agriculture", "WS04")
			f.Set(tc.field, tc.value)
			res := b.post("/worksite", f)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if !strings.Contains(res.body, "<code>"+tc.named+"</code>") || !strings.Contains(res.body, html.EscapeString(tc.message)) {
				t.Errorf("the page does not name %s with %q:\n%s", tc.named, tc.message, res.body)
			}
			// The form comes back as it was entered.
			if !strings.Contains(res.body, `name="sign_WS04" value="seen" checked`) {
				t.Error("the sign marked seen was lost")
			}
			if tc.field != "place" && !strings.Contains(res.body, `value="Invernadero, camino oriente km 12"`) {
				t.Error("the place was lost")
			}
			if tc.field != "site" && !strings.Contains(res.body, `name="site" value="agriculture" checked`) {
				t.Error("the site type was lost")
			}
			if strings.Contains(res.body, "<script>") {
				t.Error("markup came back unescaped")
			}
		})
	}
	es := e.signIn("screener")
	res := es.post("/worksite", form("csrf_token", es.csrf("/worksite"), "site", "agriculture", "sign_WS99", "seen"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Esta señal no está en la lista.") {
		t.Fatalf("the error in Spanish: %d", res.StatusCode)
	}
}

func TestWorksiteIsForTheScreeningRoles(t *testing.T) {
	e := sqliteEnv(t)
	for _, local := range []string{"hotline", "analyst", "admin"} {
		b := e.signIn(local)
		if res := b.get("/worksite"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s opening the checklist: %d, want 403", local, res.StatusCode)
		}
		res := b.post("/worksite", worksiteForm(b.csrf("/dashboard"), "agriculture", "WS01"))
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s posting the checklist: %d, want 403", local, res.StatusCode)
		}
	}
	for _, local := range []string{"screener", "caseworker", "supervisor"} {
		if res := e.signIn(local).get("/worksite"); res.StatusCode != http.StatusOK {
			t.Errorf("%s opening the checklist: %d, want 200", local, res.StatusCode)
		}
	}
	if res := e.browser().get("/worksite"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if list := e.signIn("screener").get("/screenings"); !strings.Contains(list.body, `href="/worksite"`) {
		t.Error("the screenings page does not link to the checklist")
	}
}

// TestWorksiteStoresNothing counts the rows of every table around a report:
// the page says nothing is kept, and that must stay true.
func TestWorksiteStoresNothing(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	tok := b.csrf("/worksite")
	count := func() map[string]int {
		rows, err := e.db.SQL().Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var name string
			rows.Scan(&name)
			tables = append(tables, name)
		}
		rows.Close()
		out := map[string]int{}
		for _, name := range tables {
			var n int
			if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM "` + name + `"`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[name] = n
		}
		return out
	}
	before := count()
	if res := b.post("/worksite", worksiteForm(tok, "agriculture", "WS04", "WS01", "WS16")); res.StatusCode != http.StatusOK {
		t.Fatalf("POST /worksite: %d", res.StatusCode)
	}
	after := count()
	for name, n := range after {
		if n != before[name] {
			t.Errorf("table %s went from %d to %d rows", name, before[name], n)
		}
	}
}

// TestWorksiteKeysExist covers the keys the templates build at run time,
// which the catalog scan cannot see.
func TestWorksiteKeysExist(t *testing.T) {
	var keys []string
	for _, s := range worksite.Sites {
		keys = append(keys, "worksite.site."+string(s))
	}
	for _, l := range worksite.Levels {
		keys = append(keys, "worksite.level."+string(l), "worksite.level_intro."+string(l))
	}
	for _, w := range worksite.Weights {
		keys = append(keys, "worksite.weight."+string(w))
	}
	for _, v := range worksite.Values {
		keys = append(keys, "worksite.value."+string(v))
	}
	for _, r := range worksite.Reasons {
		keys = append(keys, "worksite."+r)
	}
	keys = append(keys, "worksite.invalid")
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("key %q is missing in %s", k, lang)
			}
		}
	}
}
