package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/casework"
	"puente/internal/store"
)

// newCaseForm is a complete new-case form with canary values, strings that
// must never appear anywhere but on a page for someone allowed to see them.
func newCaseForm(tok, canary string) map[string][]string {
	f := form("csrf_token", tok,
		"gender", "man", "age_band", "25-34", "age_band_when_trafficked", "18-24", "citizenship", "MX, GT", "languages", "es, mam",
		"victim_status", "possible", "exploitation", "forced_labor", "industries", "construction", "needs", "emergency_shelter",
		"given_names", "Canary"+canary+"Given", "family_names", "Canary"+canary+"Family", "phone", "+1 915 555 0"+canary[:3],
		"address", "Canary"+canary+"Street", "city", "El Paso", "shelter", "Canary"+canary+"Shelter",
		"immigration_status", "Canary"+canary+"Status", "cooperation", "undecided", "relief_kind", "t_visa", "relief_status", "considering",
		"event_stage", "exploitation", "event_place", "El Paso", "event_date", "2026-10", "event_description", "Canary"+canary+"Story",
		"notes", "Canary"+canary+"Notes")
	return f
}

func (b *browser) createCase(canary string) int64 {
	b.e.t.Helper()
	tok := b.csrf("/cases/new")
	res := b.post("/cases", newCaseForm(tok, canary))
	if res.StatusCode != http.StatusSeeOther {
		b.e.t.Fatalf("create case: %d\n%s", res.StatusCode, res.body)
	}
	var id int64
	fmt.Sscanf(res.Header.Get("Location"), "/cases/%d", &id)
	if id == 0 {
		b.e.t.Fatalf("create case redirected to %q", res.Header.Get("Location"))
	}
	return id
}

func TestCaseworkerRecordsACase(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		cw := e.signIn("caseworker")
		id := cw.createCase("A1B2")
		page := cw.get(fmt.Sprintf("/cases/%d", id))
		for _, want := range []string{"CanaryA1B2Given CanaryA1B2Family", "CanaryA1B2Street", "CanaryA1B2Status", "CanaryA1B2Story", "Forced labor", "Identified"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("case page lacks %q", want)
			}
		}
		if strings.Contains(page.body, `id="hidden-classes"`) {
			t.Error("the assigned caseworker is told some parts are hidden")
		}
		list := cw.post("/cases/search", form("csrf_token", cw.csrf("/cases"), "q", "canarya1b2given"))
		if !strings.Contains(list.body, fmt.Sprintf(`href="/cases/%d"`, id)) {
			t.Error("name search does not find the case")
		}
		if strings.Contains(list.body, "CanaryA1B2") {
			t.Error("the case list shows a name")
		}
		tok := cw.csrf(fmt.Sprintf("/cases/%d", id))
		if res := cw.post(fmt.Sprintf("/cases/%d/move", id), form("csrf_token", tok, "to", "closed")); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("closing without a reason: %d", res.StatusCode)
		}
		if res := cw.post(fmt.Sprintf("/cases/%d/move", id), form("csrf_token", tok, "to", "referred")); res.StatusCode != http.StatusSeeOther {
			t.Errorf("move to referred: %d", res.StatusCode)
		}
		if page := cw.get(fmt.Sprintf("/cases/%d", id)); !strings.Contains(page.body, "Identified → Referred") {
			t.Error("history does not show the transition")
		}
	})
}

func TestOtherOrganizationSeesOnlyWhatConsentGrants(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		owner := e.signIn("caseworker") // Frontera Esperanza Legal Aid, El Paso
		id := owner.createCase("C3D4")
		outsider := e.signIn("caseworker.juarez") // Albergue Puerta Abierta, Ciudad Juárez
		path := fmt.Sprintf("/cases/%d", id)
		guess := outsider.get(path)
		if guess.StatusCode != http.StatusNotFound || strings.Contains(guess.body, "CanaryC3D4") {
			t.Fatalf("outsider guessing the URL: %d", guess.StatusCode)
		}
		if res := outsider.get(path + "/edit"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("outsider opening the edit form: %d", res.StatusCode)
		}

		juarez := orgByName(t, e, "Albergue Puerta Abierta (demo)")
		tok := owner.csrf(path)
		res := owner.post(path+"/consents", form("csrf_token", tok, "organization_id", fmt.Sprint(juarez.ID), "class", "non_identifying", "class", "location",
			"purpose", "referral", "valid_until", "2027-01-31", "given_how", "written"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("record consent: %d\n%s", res.StatusCode, res.body)
		}
		page := outsider.get(path)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("outsider with consent: %d", page.StatusCode)
		}
		for _, want := range []string{"CanaryC3D4Street", "CanaryC3D4Shelter", `id="hidden-classes"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("outsider with consent does not see %q", want)
			}
		}
		for _, leak := range []string{"CanaryC3D4Given", "CanaryC3D4Status", "CanaryC3D4Story", "CanaryC3D4Notes", `id="consents"`} {
			if strings.Contains(page.body, leak) {
				t.Errorf("outsider sees %q, which the consent does not grant", leak)
			}
		}
		if res := outsider.post(path+"/move", form("csrf_token", outsider.csrf("/cases"), "to", "assisted")); res.StatusCode != http.StatusNotFound {
			t.Errorf("outsider changing the status: %d", res.StatusCode)
		}

		consents, _ := e.db.Consents(context.Background(), id)
		tok = owner.csrf(path)
		if res := owner.post(fmt.Sprintf("%s/consents/%d/revoke", path, consents[0].ID), form("csrf_token", tok)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		if res := outsider.get(path); res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "CanaryC3D4") {
			t.Fatalf("after revocation the outsider gets %d", res.StatusCode)
		}
	})
}

func TestCaseFormRefusesBadInputAndKeepsIt(t *testing.T) {
	e := sqliteEnv(t)
	cw := e.signIn("caseworker")
	tok := cw.csrf("/cases/new")
	f := newCaseForm(tok, "E5F6")
	f["given_names"] = []string{"<script>alert(1)</script>"}
	f["birth_date"] = []string{"2010-02-31"}
	f["citizenship"] = []string{"Mexico"}
	before, _ := e.db.Cases(context.Background(), casework.Filter{OrgID: e.user("caseworker").OrgID})
	res := cw.post("/cases", f)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad case form: %d", res.StatusCode)
	}
	for _, want := range []string{"identity.given_names", "identity.birth_date", "profile.citizenship", `value="CanaryE5F6Family"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("response lacks %q", want)
		}
	}
	if strings.Contains(res.body, "<script>alert") {
		t.Error("markup echoed unescaped")
	}
	after, _ := e.db.Cases(context.Background(), casework.Filter{OrgID: e.user("caseworker").OrgID})
	if len(after) != len(before) {
		t.Error("an invalid form created a case")
	}
}

// TestCanariesStayEncrypted writes cases with canary values through the web
// app and proves that no canary appears in the SQLite file, its WAL, a
// backup copy, or the server's logs.
func TestCanariesStayEncrypted(t *testing.T) {
	e := sqliteEnv(t)
	cw := e.signIn("caseworker")
	for _, c := range []string{"Q1W2", "E3R4", "T5Y6"} {
		id := cw.createCase(c)
		cw.get(fmt.Sprintf("/cases/%d", id)) // reading it too
		cw.post("/cases/search", form("csrf_token", cw.csrf("/cases"), "q", "canary"+strings.ToLower(c)+"given"))
	}
	var path string
	var seq int
	var name string
	if err := e.db.SQL().QueryRow("PRAGMA database_list").Scan(&seq, &name, &path); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := e.db.SQL().Exec("VACUUM INTO ?", backup); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"logs": e.logs.Bytes()}
	for _, p := range []string{path, path + "-wal", backup} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = b
	}
	if len(files[filepath.Base(path)+"-wal"]) == 0 {
		t.Fatal("the WAL is empty: the scan would prove nothing")
	}
	canary := regexp.MustCompile(`Canary(Q1W2|E3R4|T5Y6)`)
	for name, b := range files {
		if m := canary.Find(b); m != nil {
			t.Errorf("%s contains canary %q", name, m)
		}
		for _, utf16 := range [][]byte{[]byte("C\x00a\x00n\x00a\x00r\x00y\x00")} {
			if bytes.Contains(b, utf16) {
				t.Errorf("%s contains a canary in UTF-16", name)
			}
		}
	}
	// The test must be able to fail: the profile is stored in clear, and
	// the scan finds it.
	if !bytes.Contains(files[filepath.Base(path)+"-wal"], []byte("forced_labor")) && !bytes.Contains(files[filepath.Base(path)], []byte("forced_labor")) {
		t.Error("the scan does not see clear text it should see: it is not reading the right files")
	}
}

// TestDeletedSurvivorUnreadableInOldBackups deletes a case after a backup
// was taken, rotates the keys, and shows the backup no longer opens it.
func TestDeletedSurvivorUnreadableInOldBackups(t *testing.T) {
	e := sqliteEnv(t)
	cw := e.signIn("caseworker")
	id := cw.createCase("Z9X8")
	backup := filepath.Join(t.TempDir(), "before-delete.db")
	if _, err := e.db.SQL().Exec("VACUUM INTO ?", backup); err != nil {
		t.Fatal(err)
	}
	old, err := store.Open(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	old.UseKeyring(e.keys)
	if c, err := old.Case(context.Background(), id, access.Classes); err != nil || c.Identity == nil {
		t.Fatalf("the backup does not open before deletion (%v): the test could not fail", err)
	}
	sup := e.signIn("supervisor")
	tok := sup.csrf(fmt.Sprintf("/cases/%d", id))
	if res := sup.post(fmt.Sprintf("/cases/%d/delete", id), form("csrf_token", tok)); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("delete without confirmation: %d", res.StatusCode)
	}
	if res := sup.post(fmt.Sprintf("/cases/%d/delete", id), form("csrf_token", tok, "confirm", "destroy")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if res := cw.get(fmt.Sprintf("/cases/%d", id)); res.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted case still opens: %d", res.StatusCode)
	}
	// What "puente keys rotate" does: a new KEK, every live data key
	// re-wrapped under it, and the old KEK retired.
	kr := e.keys
	kr.Rotate()
	if _, err := e.db.RewrapDataKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	inUse, _ := e.db.KEKsInUse(context.Background())
	kr.Retire(func(k string) bool { return slices.Contains(inUse, k) })

	if _, err := old.Case(context.Background(), id, access.Classes); err == nil {
		t.Fatal("the deleted survivor's data opens from a backup taken before deletion")
	}
}

func TestBreakGlassIsFlaggedAndTheOwnerIsTold(t *testing.T) {
	e := sqliteEnv(t)
	id := e.signIn("caseworker").createCase("G7H8")
	path := fmt.Sprintf("/cases/%d", id)
	other := e.signIn("supervisor.juarez") // vetted shelter across the border
	if res := other.get(path); res.StatusCode != http.StatusNotFound {
		t.Fatalf("before break-glass: %d", res.StatusCode)
	}
	tok := other.csrf(path + "/glass")
	if res := other.post(path+"/glass", form("csrf_token", tok, "reason", "hmm")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("glass with no real reason: %d", res.StatusCode)
	}
	if res := other.post(path+"/glass", form("csrf_token", tok, "reason", "Reported missing tonight; need the shelter to check on them")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("break glass: %d", res.StatusCode)
	}
	page := other.get(path)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "CanaryG7H8Shelter") || strings.Contains(page.body, "CanaryG7H8Status") {
		t.Fatalf("after break-glass: %d; location shown %v, immigration hidden %v", page.StatusCode,
			strings.Contains(page.body, "CanaryG7H8Shelter"), !strings.Contains(page.body, "CanaryG7H8Status"))
	}
	owner := e.signIn("supervisor")
	dash := owner.get("/dashboard")
	if !strings.Contains(dash.body, `id="glass-notices"`) || !strings.Contains(dash.body, "Reported missing tonight") || !strings.Contains(dash.body, "Silvia Supervisora") {
		t.Fatal("the owning organization's supervisor is not told of the emergency access")
	}
	for range 2 { // stay signed in: the idle timeout is shorter than the glass
		e.clock.Add(29 * time.Minute)
		other.get("/dashboard")
	}
	e.clock.Add(3 * time.Minute)
	if res := other.get(path); res.StatusCode != http.StatusNotFound {
		t.Fatalf("an hour later the case still opens: %d", res.StatusCode)
	}
}

func TestRouteDenialsOfCasesAreAudited(t *testing.T) {
	e := sqliteEnv(t)
	hotline := e.signIn("hotline")
	if res := hotline.get("/cases/3"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("hotline operator opening a case: %d", res.StatusCode)
	}
	var found bool
	for entry, err := range e.db.AuditEntries(context.Background(), audit.Filter{Record: "case:3"}) {
		if err != nil {
			t.Fatal(err)
		}
		if entry.ActorID == e.user("hotline").ID && entry.Decision == "deny" && entry.Action == "case.read" {
			found = true
		}
	}
	if !found {
		t.Fatal("a refused attempt to open a case left no audit entry")
	}
}

func TestCaseAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		cw := e.token("caseworker", "cases:write")
		status, body := e.api(cw, "POST", "/api/v1/cases", map[string]any{
			"profile":  map[string]any{"gender": "woman", "exploitation": []string{"domestic_servitude"}},
			"identity": map[string]any{"given_names": "Api", "family_names": "Ejemplo"},
		})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, body)
		}
		id := int64(body["case"].(map[string]any)["id"].(float64))
		path := fmt.Sprintf("/api/v1/cases/%d", id)
		status, body = e.api(cw, "GET", path, nil)
		if status != http.StatusOK || !strings.Contains(fmt.Sprint(body), "given_names:Api") {
			t.Fatalf("get: %d %v", status, body)
		}
		status, body = e.api(cw, "POST", "/api/v1/cases/search", map[string]any{"name": "ÁPI ejemplo"})
		if status != http.StatusOK || !strings.Contains(fmt.Sprintf("%v", body), fmt.Sprintf("ID:%d", id)) {
			t.Fatalf("search: %d %v", status, body)
		}
		if status, body := e.api(cw, "POST", path+"/transitions", map[string]any{"to": "closed"}); status != http.StatusUnprocessableEntity {
			t.Fatalf("close without reason: %d %v", status, body)
		}
		if status, body := e.api(cw, "POST", path+"/transitions", map[string]any{"to": "referred"}); status != http.StatusOK {
			t.Fatalf("move: %d %v", status, body)
		}
		outsider := e.token("caseworker.juarez", "cases:write")
		if status, body := e.api(outsider, "GET", path, nil); status != http.StatusNotFound || errorCode(body) != "not_found" {
			t.Fatalf("outsider: %d %v", status, body)
		}
		if status, _ := e.api(cw, "DELETE", path, nil); status != http.StatusForbidden {
			t.Fatalf("a caseworker destroyed a case: %d", status)
		}
		read := e.token("caseworker", "cases:read")
		if status, _ := e.api(read, "PATCH", path, map[string]any{"narrative": map[string]any{"notes": "x"}}); status != http.StatusForbidden {
			t.Fatalf("a read-only token changed a case: %d", status)
		}
	})
}

var caseLinkRE = regexp.MustCompile(`<a href="/cases/(\d+)">#`)

// TestCaseListPages walks an organization's case list a page at a time on
// both engines, as a person does with the "Older cases" link and as an API
// client does with "next": every case once, none twice; a page link that
// was tampered with gets a plain error, not a 500 or an empty list.
func TestCaseListPages(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		seedCases(t, e, "caseworker", 300)
		br := e.signIn("caseworker")
		seen := map[string]bool{}
		path, pages := "/cases?status=identified", 0
		for path != "" {
			if pages++; pages > 10 {
				t.Fatal("the list does not end")
			}
			res := br.get(path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
			ids := caseLinkRE.FindAllStringSubmatch(res.body, -1)
			if len(ids) == 0 || len(ids) > casework.PageSize {
				t.Fatalf("%s: %d cases on the page", path, len(ids))
			}
			for _, m := range ids {
				if seen[m[1]] {
					t.Fatalf("case %s on two pages", m[1])
				}
				seen[m[1]] = true
			}
			path = ""
			if m := regexp.MustCompile(`href="([^"]+)" id="older-cases"`).FindStringSubmatch(res.body); m != nil {
				path = html.UnescapeString(m[1])
				if !strings.Contains(path, "status=identified") {
					t.Fatalf("the next page forgets the filter: %s", path)
				}
			}
		}
		want := len(listAll(t, e, "caseworker", casework.Filter{Status: casework.Identified}))
		if pages < 2 || len(seen) != want {
			t.Fatalf("%d pages, %d cases; want %d", pages, len(seen), want)
		}
		for _, bad := range []string{"x", "1.-1", "1", "99999999999999999999.3"} {
			res := br.get("/cases?after=" + url.QueryEscape(bad))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "This page link is not valid") {
				t.Errorf("after=%q: status %d", bad, res.StatusCode)
			}
		}

		tok := e.token("caseworker", "cases:read")
		apiSeen, after := map[any]bool{}, ""
		for range 10 {
			code, body := e.api(tok, http.MethodGet, "/api/v1/cases?limit=40&after="+url.QueryEscape(after), nil)
			if code != http.StatusOK {
				t.Fatalf("API list: %d %v", code, body)
			}
			for _, c := range body["cases"].([]any) {
				id := c.(map[string]any)["ID"]
				if apiSeen[id] {
					t.Fatalf("API: case %v twice", id)
				}
				apiSeen[id] = true
			}
			next, _ := body["next"].(string)
			if next == "" {
				break
			}
			after = next
		}
		if all := len(listAll(t, e, "caseworker", casework.Filter{})); len(apiSeen) != all {
			t.Fatalf("API paged through %d cases of %d", len(apiSeen), all)
		}
		for _, q := range []string{"limit=0", "limit=501", "limit=x", "after=nope"} {
			if code, body := e.api(tok, http.MethodGet, "/api/v1/cases?"+q, nil); code != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %v", q, code, body)
			}
		}
	})
}

// listAll lists in one page what the named user may list, to check what
// the pages show against.
func listAll(t *testing.T, e *env, local string, f casework.Filter) []casework.Summary {
	t.Helper()
	ctx := context.Background()
	u := e.user(local)
	org, err := e.db.Organization(ctx, u.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	f.Limit = casework.MaxPage
	page, err := e.srv.cases.List(ctx, casework.Request{Actor: access.ActorFor(u, org), RequestID: "TEST"}, f)
	if err != nil || !page.Next.IsZero() {
		t.Fatalf("%d cases, %v", len(page.Cases), err)
	}
	return page.Cases
}
