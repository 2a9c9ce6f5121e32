package web

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/casework"
	"puente/internal/demo"
	"puente/internal/directory"
)

// Attacks of an outside security test against `puente serve --demo`
// (issue 9), replayed through the pages and the API on both engines.

// dictionary is a list of common first names and surnames on the border,
// as an attacker would try them.
var dictionary = []string{"maria", "jose", "juan", "guadalupe", "francisco", "ana", "luis", "carlos", "rosa", "miguel",
	"lopez", "garcia", "hernandez", "martinez", "gonzalez", "rodriguez", "perez", "sanchez", "ramirez", "flores",
	"cruz", "gomez", "morales", "reyes", "jimenez", "torres", "diaz", "vasquez", "castillo"}

// caseLink finds the cases a list page links to.
var caseLink = regexp.MustCompile(`href="/cases/(\d+)"`)

// TestDictionaryAgainstNameSearchFindsNothing: with a 29-word dictionary,
// screeners, analysts, unassigned caseworkers and organizations holding a
// mere statistics consent once recovered every name of an organization's
// cases through the page and the API. Now every demo user finds only cases
// whose identity they may read (screeners and analysts none), while a
// supervisor still finds the organization's people.
func TestDictionaryAgainstNameSearchFindsNothing(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		found := map[string]int{}
		for _, l := range demo.Logins() {
			who, _, _ := strings.Cut(l.Email, "@")
			b := e.signIn(who)
			tok := b.csrf("/dashboard")
			for _, name := range dictionary[:casework.SearchBurst] {
				res := b.post("/cases/search", form("csrf_token", tok, "q", name))
				if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusForbidden {
					t.Fatalf("%s searching: %d", who, res.StatusCode)
				}
				for _, m := range caseLink.FindAllStringSubmatch(res.body, -1) {
					id, _ := strconv.ParseInt(m[1], 10, 64)
					if !e.readsIdentity(t, who, id) {
						t.Errorf("%s found case %d by the name %q without being allowed to read its identity", who, id, name)
					}
					found[who]++
				}
			}
		}
		if found["screener"] != 0 || found["analyst"] != 0 {
			t.Errorf("screener and analyst found %d and %d cases by name", found["screener"], found["analyst"])
		}
		if found["supervisor"] == 0 {
			t.Error("the supervisor, who may read every name of the organization's cases, finds none: the test proves nothing")
		}
		tok := e.token("analyst", "cases:read")
		for _, name := range dictionary {
			code, body := e.api(tok, http.MethodPost, "/api/v1/cases/search", map[string]any{"name": name})
			if code == http.StatusTooManyRequests {
				break // throttled before the dictionary ran out: that is the point too
			}
			if cases, _ := body["cases"].([]any); code != http.StatusOK || len(cases) != 0 {
				t.Errorf("the analyst's API search for %q: %d, %d cases", name, code, len(cases))
			}
		}
	})
}

// readsIdentity reports whether the demo user may read the identity of a
// case, as the case service decides it.
func (e *env) readsIdentity(t *testing.T, local string, id int64) bool {
	t.Helper()
	u := e.user(local)
	org, err := e.db.Organization(t.Context(), u.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	_, visible, err := e.srv.cases.Get(t.Context(), casework.Request{Actor: access.ActorFor(u, org)}, id)
	return err == nil && slices.Contains(visible, access.Identity)
}

// TestNameSearchThrottledThroughTheAPI: bulk guessing through the API
// meets 429 after the burst.
func TestNameSearchThrottledThroughTheAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		tok := e.token("supervisor", "cases:read")
		var code int
		for i := 0; i < 40 && code != http.StatusTooManyRequests; i++ {
			code, _ = e.api(tok, http.MethodPost, "/api/v1/cases/search", map[string]any{"name": dictionary[i%len(dictionary)]})
		}
		if code != http.StatusTooManyRequests {
			t.Errorf("40 searches in a row: last answer %d, want 429", code)
		}
	})
}

// TestAdminLinkingTheirOwnOrganizationOpensNoAddress: an admin linked their
// own organization as the member running a confidential shelter's
// directory organization, then read street, place name, postcode and
// exact coordinates in the listing's edit form.
func TestAdminLinkingTheirOwnOrganizationOpensNoAddress(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		var conf directory.Listing
		for _, l := range demo.Listings(e.clock.Now()) {
			if l.Location.Confidential && l.Organization.Name == "Refugio Mujeres Libres (demo)" {
				conf = l
			}
		}
		loc := conf.Location
		secrets := []string{loc.Name, loc.Addresses[0].Address1, loc.Addresses[0].PostalCode,
			strconv.FormatFloat(*loc.Latitude, 'f', 4, 64), strconv.FormatFloat(*loc.Longitude, 'f', 4, 64)}
		admin := e.signIn("admin")
		adminOrg := e.user("admin").OrgID
		tok := admin.csrf("/directory/organizations")
		path := "/directory/organizations/" + conf.Organization.ID + "/member"
		if res := admin.post(path, form("csrf_token", tok, "member", strconv.FormatInt(adminOrg, 10))); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("link: %d", res.StatusCode)
		}
		if o, err := e.db.DirectoryOrganization(ctx, conf.Organization.ID); err != nil || o.MemberID != adminOrg {
			t.Fatalf("the link did not take: %+v %v", o, err)
		}
		sal := directory.ServiceAtLocationID(conf.Service.ID, conf.Location.ID)
		edit := admin.get("/directory/services/" + sal + "/edit")
		if edit.StatusCode != http.StatusOK {
			t.Fatalf("edit form: %d", edit.StatusCode)
		}
		for _, p := range []string{edit.body, admin.get("/directory").body, admin.get("/directory/organizations").body} {
			for _, s := range secrets {
				if strings.Contains(p, s) {
					t.Errorf("the admin reads %q after linking their own organization", s)
				}
			}
		}
		// Saving the form with the place left empty keeps the place, and
		// still shows nothing of it.
		el := conf.Service.Eligibility
		f := csrfForm(csrfOf(t, edit), "organization", conf.Organization.ID, "name", conf.Service.Name, "status", "active",
			"description", conf.Service.Description, "country", string(el.Country), "exploitation", el.Exploitation, "beds", strconv.Itoa(el.Beds),
			"location_type", "physical", "confidential", "1", "address_country", "MX")
		for _, n := range conf.Service.Needs {
			f.Add("needs", n)
		}
		for _, g := range el.Genders {
			f.Add("genders", g)
		}
		res := admin.post("/directory/services/"+sal, f)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save with the place left as it was: %d\n%s", res.StatusCode, res.body)
		}
		kept, err := e.db.ConfidentialLocation(ctx, conf.Location.ID)
		if err != nil || kept.Addresses[0].Address1 != conf.Location.Addresses[0].Address1 {
			t.Fatalf("the kept place changed: %+v %v", kept, err)
		}
		if kept.Custodian != 0 {
			t.Errorf("keeping the place made organization %d its custodian", kept.Custodian)
		}
		for _, s := range secrets {
			if strings.Contains(admin.get("/directory/services/"+sal+"/edit").body, s) {
				t.Errorf("after saving, the admin reads %q", s)
			}
		}
	})
}

// TestAdminCannotGiveThemselvesCaseAccess replays the attack through the
// API: `PATCH /api/v1/users/<own id> {"roles":["admin","supervisor"],
// "organization_id":2}`, then reading every class of that organization's
// cases. An admin cannot change their own access; a colleague who moves
// them opens nothing until the organization's supervisor agrees.
func TestAdminCannotGiveThemselvesCaseAccess(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		me, shelter := e.user("admin"), e.user("caseworker").OrgID
		tok := e.token("admin", "users:write")
		attack := map[string]any{"roles": []string{"admin", "supervisor"}, "organization_id": shelter}
		if code, _ := e.api(tok, http.MethodPatch, "/api/v1/users/"+strconv.FormatInt(me.ID, 10), attack); code != http.StatusForbidden {
			t.Fatalf("an admin changed their own roles and organization: %d", code)
		}
		if !strings.Contains(e.auditText(t), "users.change_access user:"+strconv.FormatInt(me.ID, 10)+" deny") {
			t.Error("the refusal is not audited")
		}

		// A second admin (a colleague, or the same person's other account)
		// moves the first into the shelter.
		code, body := e.api(tok, http.MethodPost, "/api/v1/users", map[string]any{"name": "Segunda Admin", "email": "admin2@demo.puente.test",
			"organization_id": me.OrgID, "roles": []string{"admin"}, "password": demo.Password})
		if code != http.StatusCreated {
			t.Fatalf("create a second admin: %d %v", code, body)
		}
		tok2 := e.token("admin2", "users:write")
		if code, _ := e.api(tok2, http.MethodPatch, "/api/v1/users/"+strconv.FormatInt(me.ID, 10), attack); code != http.StatusOK {
			t.Fatalf("a colleague moves the admin: %d", code)
		}
		moved := e.user("admin")
		if moved.OrgID != shelter || len(moved.Pending()) != 1 {
			t.Fatalf("after the move: org %d, pending %v", moved.OrgID, moved.Pending())
		}
		cases, err := e.db.Cases(t.Context(), casework.Filter{OrgID: shelter, Limit: 10})
		if err != nil || len(cases) == 0 {
			t.Fatalf("the shelter has no cases to protect: %v", err)
		}
		ab := e.signIn("admin")
		for _, c := range cases {
			if res := ab.get("/cases/" + strconv.FormatInt(c.ID, 10)); res.StatusCode == http.StatusOK {
				t.Errorf("the moved admin opens case %d of the shelter", c.ID)
			}
		}
		if list := ab.get("/cases"); list.StatusCode == http.StatusOK && len(caseLink.FindAllString(list.body, -1)) > 0 {
			t.Error("the moved admin lists the shelter's cases")
		}
		// The shelter's supervisor sees who waits.
		if page := e.signIn("supervisor").get("/users"); !strings.Contains(page.body, `id="waiting-members"`) || !strings.Contains(page.body, moved.Name) {
			t.Error("the shelter's supervisor is not asked")
		}
	})
}

// TestTokensDieWithAccountChanges: API tokens outlived a password change,
// a disable and re-enable, and worked with new roles without the second
// factor those roles require.
func TestTokensDieWithAccountChanges(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		works := func(tok string) bool {
			code, _ := e.api(tok, http.MethodGet, "/api/v1/cases", nil)
			return code == http.StatusOK
		}
		cw := e.signIn("caseworker")
		tok := e.token("caseworker", "cases:read")
		if !works(tok) {
			t.Fatal("a fresh token does not work: the test proves nothing")
		}
		at := cw.csrf("/account")
		res := cw.post("/account/password", form("csrf_token", at, "current", demo.Password, "new", "otra frase larga y nueva", "confirm", "otra frase larga y nueva"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("change password: %d", res.StatusCode)
		}
		if works(tok) {
			t.Error("the token outlived the password change")
		}

		u := e.user("caseworker")
		svc := e.srv.admin
		root := e.user("admin")
		rootOrg, _ := e.db.Organization(t.Context(), root.OrgID)
		rq := access.Request{Actor: access.ActorFor(root, rootOrg)}
		bearer, tk, err := svc.CreateToken(t.Context(), casework.Request{Actor: e.actorOf(t, "caseworker")}, "s2", []string{"cases:read"}, 30)
		if err != nil || !works(bearer) {
			t.Fatalf("second token: %v", err)
		}
		u.Disabled = true
		if err := svc.UpdateUser(t.Context(), rq, u, ""); err != nil {
			t.Fatal(err)
		}
		u = e.user("caseworker")
		u.Disabled = false
		if err := svc.UpdateUser(t.Context(), rq, u, ""); err != nil {
			t.Fatal(err)
		}
		if works(bearer) {
			t.Errorf("token %d works again after disable and re-enable", tk.ID)
		}

		// A token made as a caseworker does not gain the supervisor role,
		// and the role's second factor is not skipped.
		bearer, _, err = svc.CreateToken(t.Context(), casework.Request{Actor: e.actorOf(t, "caseworker")}, "s3", []string{"cases:read"}, 30)
		if err != nil || !works(bearer) {
			t.Fatalf("third token: %v", err)
		}
		u = e.user("caseworker")
		u.Roles = []account.Role{account.Caseworker, account.Supervisor}
		sup := e.actorOf(t, "supervisor")
		if err := svc.UpdateUser(t.Context(), casework.Request{Actor: sup}, u, ""); err == nil {
			t.Fatal("a supervisor who is not an admin changed roles")
		}
		if err := svc.UpdateUser(t.Context(), rq, u, ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.ConfirmMembership(t.Context(), casework.Request{Actor: sup}, u.ID); err != nil {
			t.Fatal(err)
		}
		if works(bearer) {
			t.Error("the token works for an account whose new role needs a second factor it has not set up")
		}
	})
}

// actorOf is the actor of a demo user as the server builds it.
func (e *env) actorOf(t *testing.T, local string) access.Actor {
	t.Helper()
	u := e.user(local)
	o, err := e.db.Organization(t.Context(), u.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	return access.ActorFor(u, o)
}

// TestPlantedValuesThroughTheAPI: a transition's "to" and a consent's
// classes were copied into the audit log before they were checked, and an
// over-long or control-character value made the audit write fail with a
// 500 that told whether the case existed. Now the answer is the same 422
// for a case that exists and one that does not, and nothing typed reaches
// the log.
func TestPlantedValuesThroughTheAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		tok := e.token("caseworker", "cases:write")
		_, body := e.api(tok, http.MethodGet, "/api/v1/cases?assigned_to_me=true", nil)
		cases, _ := body["cases"].([]any)
		if len(cases) == 0 {
			t.Fatal("the caseworker has no case: the test proves nothing")
		}
		own := strconv.FormatInt(int64(cases[0].(map[string]any)["ID"].(float64)), 10)
		plants := []string{"ZQXAUDITPLANT Maria Lopez, Calle 5 de Mayo 123", strings.Repeat("Z", 4000), "referred\x00\x1b[2J", "\u202eassisted"}
		for _, id := range []string{own, "987654"} {
			for _, p := range plants {
				code, body := e.api(tok, http.MethodPost, "/api/v1/cases/"+id+"/transitions", map[string]any{"to": p})
				if code != http.StatusUnprocessableEntity {
					t.Errorf("case %s moved to %.16q: %d %v", id, p, code, body)
				}
				code, _ = e.api(tok, http.MethodPost, "/api/v1/cases/"+id+"/consents", map[string]any{"organization_id": 2,
					"classes": []string{p}, "purpose": "referral", "given_how": "written", "valid_until": e.clock.Now().AddDate(0, 1, 0)})
				if code != http.StatusUnprocessableEntity {
					t.Errorf("case %s consent with class %.16q: %d", id, p, code)
				}
			}
		}
		log := e.auditText(t)
		for _, bad := range []string{"ZQX", "ZZZZ", "\x00", "\x1b", "\u202e"} {
			if strings.Contains(log, bad) {
				t.Errorf("the audit log holds %q", bad)
			}
		}
	})
}
