package web

import (
	"net/http"
	"strings"
	"testing"

	"puente/internal/account"
)

func TestCSRF(t *testing.T) {
	e := sqliteEnv(t)
	admin := e.signIn("admin")
	good := admin.csrf("/organizations/new")
	newOrg := func(tok string) *response {
		f := form("name", "Casa Nueva", "country", "MX", "kind", "shelter")
		if tok != "" {
			f.Set("csrf_token", tok)
		}
		return admin.post("/organizations", f)
	}
	other := e.signIn("supervisor").csrf("/dashboard")
	anonymous := e.browser().csrf("/login")
	for name, tok := range map[string]string{
		"missing":             "",
		"forged":              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"not base64":          "<script>",
		"another session's":   other,
		"pre-sign-in browser": anonymous,
	} {
		res := newOrg(tok)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "This form has expired or did not come from Puente") {
			t.Errorf("%s token: status %d, want 403 with the CSRF message", name, res.StatusCode)
		}
	}
	admin.header.Set("Sec-Fetch-Site", "cross-site")
	if res := newOrg(good); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site request with a valid token: %d, want 403", res.StatusCode)
	}
	admin.header.Del("Sec-Fetch-Site")
	assertNoOrg(t, e, "Casa Nueva")

	if res := newOrg(good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid token: %d\n%s", res.StatusCode, res.body)
	}
}

func TestCSRFOnSignIn(t *testing.T) {
	e := sqliteEnv(t)
	b := e.browser()
	b.get("/login")
	res := b.post("/login", form("email", "admin@demo.puente.test", "password", "demo-puente-frontera"))
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without a token: %d, want 403 (login CSRF)", res.StatusCode)
	}
}

func assertNoOrg(t *testing.T, e *env, name string) {
	t.Helper()
	orgs, err := e.db.Organizations(t.Context(), account.OrgFilter{WithDisabled: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Name == name {
			t.Fatalf("organization %q was created", name)
		}
	}
}

func orgByName(t *testing.T, e *env, name string) *account.Organization {
	t.Helper()
	orgs, _ := e.db.Organizations(t.Context(), account.OrgFilter{WithDisabled: true})
	for _, o := range orgs {
		if o.Name == name {
			return &o
		}
	}
	t.Fatalf("no organization %q", name)
	return nil
}
