package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"puente/internal/demo"
)

// TestStaffPastTheLimitAreToldToComeBack: when every staff slot is taken,
// a signed-in request waits its turn for as long as the limits say, then is
// refused at once with a plain answer and a time to retry, not queued
// without end; as soon as a slot is free, it is served.
func TestStaffPastTheLimitAreToldToComeBack(t *testing.T) {
	e := sqliteEnv(t)
	staff := e.signIn("caseworker")
	srv, ts := e.serverWith(func(c *Config) { c.Staff = StaffLimits{InFlight: 2, Wait: 50 * time.Millisecond} })
	staff.e = &env{t: t, db: e.db, srv: srv, ts: ts, clock: e.clock, keys: e.keys}
	srv.staffSlots <- struct{}{}
	srv.staffSlots <- struct{}{}
	start := time.Now()
	res := staff.get("/dashboard")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || strings.Contains(res.body, "<html") {
		t.Fatalf("with every slot taken: %d, Retry-After %q, %q", res.StatusCode, res.Header.Get("Retry-After"), res.body)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("refused after %v, before its wait was over", waited)
	}
	<-srv.staffSlots
	if res := staff.get("/dashboard"); res.StatusCode != http.StatusOK {
		t.Fatalf("with a slot free: %d", res.StatusCode)
	}
	if n := len(srv.staffSlots); n != 1 {
		t.Errorf("%d slots taken after the request, want the 1 the test holds", n)
	}
}

// TestAbandonedRequestIsNotAFailure: a request whose person has gone (its
// context is done) is logged as abandoned, with 499, not as a server error.
func TestAbandonedRequestIsNotAFailure(t *testing.T) {
	e := sqliteEnv(t)
	staff := e.signIn("caseworker")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, path := range []string{"/cases", "/dashboard"} {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, e.ts.URL+path, nil)
		var pairs []string
		for name, value := range staff.cookies {
			pairs = append(pairs, name+"="+value)
		}
		req.Header.Set("Cookie", strings.Join(pairs, "; "))
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, req)
		if rec.Code != statusClientClosed {
			t.Errorf("%s abandoned: status %d (%s), want %d", path, rec.Code, rec.Header().Get("Location"), statusClientClosed)
		}
	}
	logs := e.logs.String()
	if strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, "request abandoned") {
		t.Errorf("abandoned requests logged as failures, or not at all:\n%s", logs)
	}
}

// TestPasswordFloodIsShedBeforeTheSignInService: with the real limits, one
// address trying passwords is refused after a burst, cheaply, before the
// sign-in service looks anything up or hashes anything (its attempts stop
// reaching the audit log); a caseworker from another address signs in.
func TestPasswordFloodIsShedBeforeTheSignInService(t *testing.T) {
	e := sqliteEnv(t)
	srv, ts := e.serverWith(func(c *Config) {
		c.Anonymous = AnonymousLimits{}
		c.TrustProxy = true
	})
	fe := &env{t: t, db: e.db, srv: srv, ts: ts, clock: e.clock, keys: e.keys, logs: e.logs}
	flood := &browser{e: fe, cookies: map[string]string{}, header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}}
	token := flood.csrf("/login")
	refused, served := 0, 0
	for i := 0; i < 3*signInBurst; i++ {
		res := flood.post("/login", form("email", "nobody@example.org", "password", "wrong horse battery", "csrf_token", token))
		// The sign-in page answers (and may itself lock the account
		// out); the shed answers a plain line with a time to retry.
		if strings.Contains(res.body, "<html") {
			served++
		} else if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") != "" {
			refused++
		} else {
			t.Fatalf("attempt %d: %d %q", i+1, res.StatusCode, res.body)
		}
	}
	if served > signInBurst || refused < 2*signInBurst {
		t.Errorf("%d attempts from one address: %d reached the sign-in service, %d refused; want at most %d", 3*signInBurst, served, refused, signInBurst)
	}
	other := &browser{e: fe, cookies: map[string]string{}, header: http.Header{"X-Forwarded-For": {"198.51.100.7"}}}
	res := other.post("/login", form("csrf_token", other.csrf("/login"), "email", "caseworker@"+demo.Domain, "password", demo.Password))
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("a caseworker from another address: %d", res.StatusCode)
	}
}
