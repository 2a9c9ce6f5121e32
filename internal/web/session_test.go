package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"puente/internal/auth"
	"puente/internal/demo"
	"puente/internal/signin"
)

func TestSignInAndOut(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		if res := b.get("/dashboard"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fdashboard" {
			t.Fatalf("anonymous dashboard: %d %q, want redirect to sign in", res.StatusCode, res.Header.Get("Location"))
		}
		tok := b.csrf("/login")
		if _, ok := b.cookies["__Host-puente_pre"]; !ok {
			t.Fatalf("no __Host- pre-session cookie on loopback: %v", b.cookies)
		}
		res := b.post("/login", form("csrf_token", tok, "email", "Caseworker@Demo.Puente.Test", "password", demo.Password, "next", "/organizations"))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/organizations" {
			t.Fatalf("sign in: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		setCookie := strings.Join(res.Header.Values("Set-Cookie"), "\n")
		for _, want := range []string{"__Host-puente_session=", "HttpOnly", "Secure", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(setCookie, want) {
				t.Errorf("session cookie lacks %q:\n%s", want, setCookie)
			}
		}
		if strings.Contains(setCookie, "Domain=") {
			t.Errorf("session cookie names a domain:\n%s", setCookie)
		}
		id := b.cookies["__Host-puente_session"]
		if len(id) < 43 {
			t.Fatalf("session id %q is shorter than 256 bits", id)
		}
		if _, err := e.db.Session(context.Background(), id); err == nil {
			t.Fatal("the raw session id is stored in the database; only its hash should be")
		}
		if res := b.get("/dashboard"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Your cases") {
			t.Fatalf("dashboard after sign-in: %d", res.StatusCode)
		}

		tok = b.csrf("/dashboard")
		res = b.post("/logout", form("csrf_token", tok))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out: %d", res.StatusCode)
		}
		if _, err := e.db.Session(context.Background(), auth.HashID(id)); err == nil {
			t.Fatal("session still stored after sign-out")
		}
		// A copy of the old cookie is worthless now.
		stolen := e.browser()
		stolen.cookies["__Host-puente_session"] = id
		if res := stolen.get("/dashboard"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoked session still opens the dashboard: %d", res.StatusCode)
		}
	})
}

func TestSessionRotatesAtSignIn(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	first := b.cookies["__Host-puente_session"]
	tok := b.csrf("/dashboard")
	// Signing in again from the same browser (say, as someone else) must
	// not keep the old id.
	res := b.post("/login", form("csrf_token", tok, "email", "analyst@"+demo.Domain, "password", demo.Password))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", res.StatusCode)
	}
	second := b.cookies["__Host-puente_session"]
	if second == "" || second == first {
		t.Fatal("session id not rotated at sign-in")
	}
	if _, err := e.db.Session(context.Background(), auth.HashID(first)); err == nil {
		t.Fatal("old session survived a new sign-in")
	}
}

func TestWrongPasswordAndLockout(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		b := e.browser()
		tok := b.csrf("/login")
		try := func(email, pw string) *response {
			return b.post("/login", form("csrf_token", tok, "email", email, "password", pw))
		}
		unknown := try("nobody@example.org", "whatever-password")
		wrong := try("caseworker@"+demo.Domain, "not-the-password")
		for name, res := range map[string]*response{"unknown": unknown, "wrong": wrong} {
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "The email or password is not right.") {
				t.Errorf("%s: status %d, want 401 with the one generic message", name, res.StatusCode)
			}
			if _, ok := b.cookies["__Host-puente_session"]; ok {
				t.Fatalf("%s: a session cookie was set", name)
			}
		}
		for range signin.AccountLimit.Failures - 1 {
			try("caseworker@"+demo.Domain, "not-the-password")
		}
		locked := try("caseworker@"+demo.Domain, demo.Password)
		if locked.StatusCode != http.StatusTooManyRequests || !strings.Contains(locked.body, "Too many attempts") {
			t.Fatalf("right password while locked: %d, want 429", locked.StatusCode)
		}
		if _, ok := b.cookies["__Host-puente_session"]; ok {
			t.Fatal("signed in while locked")
		}
		// An address with no account locks the same way, so the lock
		// does not reveal which addresses exist.
		for range signin.AccountLimit.Failures - 1 {
			try("ghost@example.org", "not-the-password")
		}
		if res := try("ghost@example.org", "not-the-password"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("unknown address after %d tries: %d, want 429 like a real account", signin.AccountLimit.Failures+1, res.StatusCode)
		}

		e.clock.Add(signin.AccountLimit.LockFor)
		if res := try("caseworker@"+demo.Domain, demo.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after the lock expired: %d, want sign-in", res.StatusCode)
		}
	})
}

func TestThrottlePerAddress(t *testing.T) {
	e := sqliteEnv(t)
	b := e.browser()
	tok := b.csrf("/login")
	var last *response
	for i := range signin.AddrLimit.Failures + 1 {
		last = b.post("/login", form("csrf_token", tok, "email", "user"+string(rune('a'+i))+"@example.org", "password", "x"))
	}
	if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(last.body, "from this connection") {
		t.Fatalf("attempt %d from one address: %d, want 429", signin.AddrLimit.Failures+1, last.StatusCode)
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("analyst")
	e.clock.Add(29 * time.Minute)
	if res := b.get("/dashboard"); res.StatusCode != http.StatusOK {
		t.Fatalf("within idle timeout: %d", res.StatusCode)
	}
	e.clock.Add(31 * time.Minute)
	if res := b.get("/dashboard"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after 31 idle minutes: %d, want redirect to sign in", res.StatusCode)
	}

	b = e.signIn("analyst")
	for range 25 { // active every 29 minutes, for over 12 hours
		e.clock.Add(29 * time.Minute)
		b.get("/dashboard")
	}
	if res := b.get("/dashboard"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("active session past the absolute limit: %d, want redirect", res.StatusCode)
	}
}

func TestForgedSessionCookie(t *testing.T) {
	e := sqliteEnv(t)
	for _, v := range []string{"", "x", strings.Repeat("A", 43), "'; DROP TABLE sessions;--", strings.Repeat("é", 5000)} {
		b := e.browser()
		b.cookies["__Host-puente_session"] = v
		res := b.get("/dashboard")
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("forged cookie %.20q: status %d, want redirect to sign in", v, res.StatusCode)
		}
	}
	if n, err := e.db.CountOrganizations(context.Background()); err != nil || n == 0 {
		t.Fatal("database damaged by forged cookies")
	}
}

func TestDisabledUserLosesSession(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("screener")
	u := e.user("screener")
	u.Disabled = true
	if err := e.db.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if res := b.get("/dashboard"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled user's session still works: %d", res.StatusCode)
	}
	b2 := e.browser()
	tok := b2.csrf("/login")
	if res := b2.post("/login", form("csrf_token", tok, "email", "screener@"+demo.Domain, "password", demo.Password)); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled user signed in: %d", res.StatusCode)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	e := sqliteEnv(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		b := e.browser()
		tok := b.csrf("/login")
		res := b.post("/login", form("csrf_token", tok, "email", "analyst@"+demo.Domain, "password", demo.Password, "next", next))
		if loc := res.Header.Get("Location"); loc != "/dashboard" {
			t.Errorf("next=%q: redirected to %q, want /dashboard", next, loc)
		}
	}
}
