package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"puente/internal/access"
	"puente/internal/demo"
)

func TestHealthAndReadiness(t *testing.T) {
	e := sqliteEnv(t)
	b := e.browser()
	if res := b.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
	if res := b.get("/readyz"); res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d", res.StatusCode)
	}
	e.db.Close()
	if res := b.get("/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d, want 503", res.StatusCode)
	}
	if res := b.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Fatalf("healthz is liveness only, but answered %d", res.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	e := sqliteEnv(t)
	b := e.browser()
	b.get("/login")
	b.get("/users/12345")
	b.get("/no/such/path?email=ana@example.org")
	rec := httptest.NewRecorder()
	e.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	res := &response{Response: rec.Result(), body: rec.Body.String()}
	for _, want := range []string{
		`puente_http_requests_total{code="200",method="GET",route="GET /login"} 1`,
		`puente_http_requests_total{code="303",method="GET",route="GET /users/{id}"} 1`,
		`puente_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`puente_http_request_duration_seconds_bucket{method="GET",route="GET /login",le="0.005"}`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(res.body, "12345") || strings.Contains(res.body, "ana@") {
		t.Error("metrics carry raw paths or query strings")
	}
	// When a shelter's staff work, and at what, is not for anyone who can
	// reach the sign-in page: metrics are served on an address of their own.
	if res := b.get("/metrics"); res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "puente_http") {
		t.Errorf("the main listener serves metrics: %d", res.StatusCode)
	}
}

// TestLogsHoldNoPersonalData signs in, fails, creates a user and breaks
// things, then reads every log line for names, emails and passwords.
func TestLogsHoldNoPersonalData(t *testing.T) {
	e := sqliteEnv(t)
	b := e.browser()
	tok := b.csrf("/login")
	b.post("/login", form("csrf_token", tok, "email", "caseworker@"+demo.Domain, "password", "wrong-password-123"))
	a := e.signIn("admin")
	tok = a.csrf("/users/new")
	a.post("/users", form("csrf_token", tok, "name", "María Secreta", "email", "maria.secreta@example.org", "organization_id", "2", "role", "caseworker", "password", "una frase nada comun"))
	a.get("/users?email=maria.secreta@example.org")
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"sign-in failed"`) || !strings.Contains(logs, `"msg":"user created"`) {
		t.Fatalf("expected events not logged:\n%s", logs)
	}
	for _, secret := range []string{"caseworker@", "María", "Secreta", "maria.secreta", "wrong-password-123", "una frase nada comun", demo.Password, "Carmen"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("log line is not JSON: %s", line)
		}
	}
}

func TestErrorPageShowsReferenceNotInternals(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	e.db.Close() // every query now fails inside the store
	res := b.get("/organizations")
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d", res.StatusCode)
	}
	if res.StatusCode == http.StatusInternalServerError {
		ref := regexp.MustCompile(`<code>([A-Z2-7]{8})</code>`).FindStringSubmatch(res.body)
		if ref == nil || !strings.Contains(res.body, "Something went wrong on our side") {
			t.Fatalf("500 page lacks the message or reference:\n%s", res.body)
		}
		if strings.Contains(res.body, "sql") || strings.Contains(res.body, "database is closed") || strings.Contains(res.body, ".go:") {
			t.Fatalf("500 page shows internals:\n%s", res.body)
		}
		if !strings.Contains(e.logs.String(), ref[1]) {
			t.Error("the reference shown is not in the logs")
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := sqliteEnv(t)
	res := e.browser().get("/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if !strings.Contains(res.Header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, res.Header.Get(h), want)
		}
	}
	if strings.Contains(res.body, "<script") {
		t.Error("the sign-in page ships a script")
	}
}

// TestOpenAPIMatchesRoutes compares the document's paths and methods with
// the routes the server registers, both ways.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := sqliteEnv(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
	}
	res := e.browser().get("/api/v1/openapi.json")
	if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("openapi %q servers %v", doc.OpenAPI, doc.Servers)
	}
	var documented, registered []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" /api/v1"+path)
			}
		}
	}
	for _, r := range e.srv.Routes() {
		if r.API {
			registered = append(registered, r.Pattern)
		}
	}
	slices.Sort(documented)
	slices.Sort(registered)
	if !slices.Equal(documented, registered) {
		t.Fatalf("OpenAPI paths differ from routes:\ndocumented %v\nregistered %v", documented, registered)
	}
}

// TestEveryRouteNamesAnAction guards the rule that access is decided in one
// place: routes are registered only through handle, with a known action.
func TestEveryRouteNamesAnAction(t *testing.T) {
	e := sqliteEnv(t)
	for _, r := range e.srv.Routes() {
		if !slices.Contains(access.Actions, r.Action) {
			t.Errorf("route %s has unknown action %q", r.Pattern, r.Action)
		}
		if r.Action == access.Public && !slices.Contains(publicRoutes, r.Pattern) {
			t.Errorf("route %s is public but not in the reviewed list of public routes", r.Pattern)
		}
	}
}

// publicRoutes are the routes anyone may reach. Adding one is a security
// decision: it must be added here too.
var publicRoutes = []string{
	"GET /{$}", "GET /login", "POST /login", "POST /language", "GET /api/v1/openapi.json",
	"GET /healthz", "GET /readyz", "GET /static/", "GET /exit", "GET /glossary",
	// The second step of sign-in: the session that reaches it has no
	// actor until the code is right.
	"GET /login/code", "POST /login/code",
	// The HSDA read-only API: the directory is for anyone to read, and
	// confidential locations leave it only as an export shows them.
	"GET /hsda/{$}", "GET /hsda/", "GET /hsda/services", "GET /hsda/services/{id}",
	"GET /hsda/organizations", "GET /hsda/organizations/{id}",
	"GET /hsda/service_at_locations", "GET /hsda/service_at_locations/{id}",
}

func TestQuickExit(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	page := b.get("/dashboard")
	if !strings.Contains(page.body, `id="quick-exit"`) {
		t.Fatal("no quick exit on the dashboard")
	}
	if login := e.browser().get("/login"); !strings.Contains(login.body, `id="quick-exit"`) {
		t.Fatal("no quick exit on the sign-in page")
	}
	res := b.get("/exit")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "https://") || strings.Contains(res.Header.Get("Location"), "127.0.0.1") {
		t.Fatalf("quick exit: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if !strings.Contains(res.Header.Get("Clear-Site-Data"), `"cookies"`) {
		t.Error("quick exit does not clear the site's cookies")
	}
	if res := b.get("/dashboard"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after quick exit the dashboard answers %d: pressing Back would show it", res.StatusCode)
	}
}

// TestPagesAreCompressed: a page asked for with Accept-Encoding comes back
// compressed, and much smaller.
func TestPagesAreCompressed(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("supervisor")
	plain := b.get("/directory/gaps")
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/directory/gaps", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
	}
	if len(raw)*4 > len(plain.body) {
		t.Errorf("compressed %d bytes, plain %d: not compressed much", len(raw), len(plain.body))
	}
}
