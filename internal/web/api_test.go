package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"puente/internal/auth"
	"puente/internal/demo"
)

// token creates an API token for a demo user through the web page, as a
// person would, and returns the bearer string shown once.
func (e *env) token(local string, scopes ...string) string {
	e.t.Helper()
	b := e.signIn(local)
	tok := b.csrf("/account/tokens")
	f := form("csrf_token", tok, "name", "script", "days", "30")
	for _, s := range scopes {
		f.Add("scope", s)
	}
	res := b.post("/account/tokens", f)
	if res.StatusCode != http.StatusCreated {
		e.t.Fatalf("create token: %d\n%s", res.StatusCode, res.body)
	}
	i := strings.Index(res.body, auth.TokenPrefix)
	if i < 0 {
		e.t.Fatal("new token not shown")
	}
	return res.body[i : i+strings.IndexByte(res.body[i:], '<')]
}

func TestAPITokens(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		bearer := e.token("admin", "organizations:write", "profile:read")
		status, body := e.api(bearer, "GET", "/api/v1/me", nil)
		if status != http.StatusOK || body["user"].(map[string]any)["email"] != "admin@"+demo.Domain {
			t.Fatalf("me: %d %v", status, body)
		}
		if strings.Contains(fmt.Sprint(body), "argon2") {
			t.Fatal("API leaks the password hash")
		}
		status, body = e.api(bearer, "POST", "/api/v1/organizations", map[string]any{"name": "Refugio API", "country": "MX", "kind": "shelter", "city": "Tijuana"})
		if status != http.StatusCreated || body["name"] != "Refugio API" {
			t.Fatalf("create organization: %d %v", status, body)
		}
		id := int64(body["id"].(float64))
		status, body = e.api(bearer, "PATCH", fmt.Sprintf("/api/v1/organizations/%d", id), map[string]any{"vetted": true})
		if status != http.StatusOK || body["vetted"] != true || body["city"] != "Tijuana" {
			t.Fatalf("patch organization: %d %v", status, body)
		}
		// The token has no users scope, even though its user is an admin.
		if status, body := e.api(bearer, "GET", "/api/v1/users", nil); status != http.StatusForbidden || errorCode(body) != "forbidden" {
			t.Fatalf("out-of-scope call: %d %v", status, body)
		}

		// The browser session cookie is never accepted by the API.
		b := e.signIn("admin")
		res := b.get("/api/v1/me")
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("API with a session cookie: %d, want 401", res.StatusCode)
		}

		// Revoke it on the tokens page; it stops working at once.
		toks, _ := e.db.Tokens(context.Background(), e.user("admin").ID)
		tok := b.csrf("/account/tokens")
		if res := b.post(fmt.Sprintf("/account/tokens/%d/revoke", toks[0].ID), form("csrf_token", tok)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		if status, body := e.api(bearer, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized || errorCode(body) != "unauthorized" {
			t.Fatalf("revoked token: %d %v", status, body)
		}
	})
}

func TestAPITokenExpiryAndForgery(t *testing.T) {
	e := sqliteEnv(t)
	bearer := e.token("analyst", "profile:read")
	public, _, _ := auth.SplitBearer(bearer)
	for name, bad := range map[string]string{
		"no prefix":    strings.TrimPrefix(bearer, auth.TokenPrefix),
		"wrong secret": auth.TokenPrefix + public + "_" + strings.Repeat("A", 43),
		"unknown id":   auth.TokenPrefix + "aaaaaaaaaaaa_" + strings.Repeat("A", 43),
		"garbage":      "'; DROP TABLE api_tokens;--",
	} {
		if status, body := e.api(bad, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized || errorCode(body) != "unauthorized" {
			t.Errorf("%s: %d %v", name, status, body)
		}
	}
	if status, _ := e.api("", "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("no token: %d", status)
	}
	if status, _ := e.api(bearer, "GET", "/api/v1/me", nil); status != http.StatusOK {
		t.Fatalf("good token: %d", status)
	}
	e.clock.Add(31 * 24 * time.Hour)
	if status, _ := e.api(bearer, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("expired token: %d", status)
	}
	toks, _ := e.db.Tokens(context.Background(), e.user("analyst").ID)
	if len(toks) != 1 || strings.Contains(toks[0].SecretHash, bearer[len(bearer)-20:]) {
		t.Fatal("token secret stored in clear")
	}
}

func TestAPIBadInput(t *testing.T) {
	e := sqliteEnv(t)
	bearer := e.token("admin", "organizations:write", "users:write")
	before, _ := e.db.CountOrganizations(context.Background())
	for _, tt := range []struct {
		name   string
		body   string
		status int
		code   string
		field  string
	}{
		{"malformed", `{"name": "x",`, 422, "invalid", ""},
		{"not an object", `[1,2]`, 422, "invalid", ""},
		{"two objects", `{"name":"a","country":"US","kind":"ngo"}{"name":"b"}`, 422, "invalid", ""},
		{"unknown field", `{"name":"Casa","country":"US","kind":"ngo","owner":"me"}`, 422, "invalid", ""},
		{"wrong type", `{"name":42,"country":"US","kind":"ngo"}`, 422, "invalid", "name"},
		{"markup", `{"name":"<b>Casa</b>","country":"US","kind":"ngo"}`, 422, "invalid", "name"},
		{"bad enum", `{"name":"Casa","country":"CA","kind":"ngo"}`, 422, "invalid", "country"},
		{"missing", `{}`, 422, "invalid", "name"},
		{"oversized", `{"name":"` + strings.Repeat("x", maxJSONBytes) + `","country":"US","kind":"ngo"}`, 413, "too_large", ""},
	} {
		status, body := e.api(bearer, "POST", "/api/v1/organizations", tt.body)
		if status != tt.status || errorCode(body) != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.name, status, errorCode(body), tt.status, tt.code)
			continue
		}
		detail := body["error"].(map[string]any)
		if detail["reference"] == "" || detail["message"] == "" {
			t.Errorf("%s: error without message or reference: %v", tt.name, detail)
		}
		if tt.field != "" && !strings.Contains(fmt.Sprint(detail["fields"]), "field:"+tt.field) {
			t.Errorf("%s: fields %v do not name %s", tt.name, detail["fields"], tt.field)
		}
	}
	if after, _ := e.db.CountOrganizations(context.Background()); after != before {
		t.Fatalf("bad requests created organizations: %d → %d", before, after)
	}
}

func TestAPIErrorsAreTranslated(t *testing.T) {
	e := sqliteEnv(t)
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/me", nil)
	req.Header.Set("Accept-Language", "es-MX,es;q=0.9,en;q=0.5")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(b), "Primero inicie sesión.") {
		t.Fatalf("Spanish API error: %s", b)
	}
}

func TestAPIUsers(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		admin := e.token("admin", "users:write")
		org := orgByName(t, e, "Casa Refugio Reynosa (demo)")
		status, body := e.api(admin, "POST", "/api/v1/users", map[string]any{"organization_id": org.ID, "email": "nuevo@example.org", "name": "Nuevo", "roles": []string{"caseworker"}, "password": "tres tristes tigres comen"})
		if status != http.StatusCreated {
			t.Fatalf("create user: %d %v", status, body)
		}
		id := int64(body["id"].(float64))
		if _, leaked := body["password"]; leaked {
			t.Fatal("password echoed back")
		}
		status, body = e.api(admin, "POST", "/api/v1/users", map[string]any{"organization_id": org.ID, "email": "x@example.org", "name": "X", "roles": []string{"caseworker"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "field:password") {
			t.Fatalf("user without password: %d %v", status, body)
		}
		status, body = e.api(admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", id), map[string]any{"roles": []string{"caseworker", "screener"}, "disabled": true})
		if status != http.StatusOK || body["disabled"] != true {
			t.Fatalf("patch user: %d %v", status, body)
		}

		sup := e.token("supervisor", "users:read")
		status, body = e.api(sup, "GET", "/api/v1/users", nil)
		if status != http.StatusOK || strings.Contains(fmt.Sprint(body), "nuevo@example.org") || !strings.Contains(fmt.Sprint(body), "caseworker@") {
			t.Fatalf("supervisor's list: %d %v", status, body)
		}
		if status, _ := e.api(sup, "GET", fmt.Sprintf("/api/v1/users/%d", id), nil); status != http.StatusNotFound {
			t.Fatalf("supervisor reading another organization's user: %d, want 404", status)
		}
		if status, _ := e.api(sup, "POST", "/api/v1/users", map[string]any{}); status != http.StatusForbidden {
			t.Fatalf("supervisor creating a user: %d, want 403", status)
		}
	})
}
