package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"puente/internal/audit"
	"puente/internal/demo"
	"puente/internal/signin"
)

// proxiedEnv is e served again behind a trusted proxy, so that each test
// browser can come from an address of its own (see from).
func proxiedEnv(e *env) *env {
	_, ts := e.serverWith(func(c *Config) { c.TrustProxy = true })
	p := *e
	p.ts = ts
	return &p
}

// from makes b's requests arrive, through the proxy, from addr.
func (b *browser) from(addr string) *browser {
	b.header.Set("X-Forwarded-For", addr)
	return b
}

// signInAs gives local's password from b and returns the answer.
func (b *browser) signInAs(email, pw string) *response {
	return b.post("/login", form("csrf_token", b.csrf("/login"), "email", email, "password", pw))
}

var (
	csrfValueRE = regexp.MustCompile(`name="csrf_token" value="[^"]*"`)
	refRE       = regexp.MustCompile(`\b[A-Z2-7]{8}\b`)
)

// answer is what a guesser sees of a refused sign-in: the status, the
// headers and the page, with the form token, the reference id and the
// email they typed themselves taken out.
type answer struct {
	Status  int
	Headers map[string]string
	Body    string
}

func answerOf(res *response, typed string) answer {
	h := map[string]string{}
	for k, v := range res.Header {
		switch k {
		case "Date", "Content-Length":
			continue
		}
		h[k] = strings.Join(v, "\n")
	}
	body := csrfValueRE.ReplaceAllString(res.body, `name="csrf_token" value="TOKEN"`)
	body = strings.ReplaceAll(body, typed, "EMAIL")
	body = refRE.ReplaceAllString(body, "REF")
	return answer{Status: res.StatusCode, Headers: h, Body: body}
}

// TestSignInAnswersSameForUnknownAccounts: a guesser who tries a real
// account and an address with none, failure after failure, cannot tell
// them apart, before, at and after the lockout.
func TestSignInAnswersSameForUnknownAccounts(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		real, ghost := "caseworker@"+demo.Domain, "nobody@"+demo.Domain
		// Both browsers are trusted for another account, which must
		// change nothing.
		br, bg := e.browser(), e.browser()
		for _, b := range []*browser{br, bg} {
			if res := b.signInAs("screener@"+demo.Domain, demo.Password); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("screener's sign-in: %d", res.StatusCode)
			}
			b.post("/logout", form("csrf_token", b.csrf("/dashboard")))
			delete(b.cookies, "__Host-puente_pre")
			b.csrf("/login")
		}
		for i := 1; i <= 10; i++ {
			r := br.signInAs(real, "not-the-password")
			g := bg.signInAs(ghost, "not-the-password")
			if diff := cmp.Diff(answerOf(r, real), answerOf(g, ghost)); diff != "" {
				t.Fatalf("failure %d: a real account (-) and an unknown one (+) answer differently:\n%s", i, diff)
			}
			want := http.StatusUnauthorized
			if i >= signin.AccountLimit.Failures {
				want = http.StatusTooManyRequests
			}
			if r.StatusCode != want {
				t.Errorf("failure %d: %d, want %d", i, r.StatusCode, want)
			}
		}
	})
}

// TestLockoutSlowsTheAttackerNotTheUser: wrong passwords from one address
// lock the account for browsers it has never signed in on, not for the
// person on their own computer; and the address that keeps guessing is
// refused for every account.
func TestLockoutSlowsTheAttackerNotTheUser(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		p := proxiedEnv(e)
		victim := "caseworker@" + demo.Domain
		own := p.browser().from("203.0.113.20") // the caseworker's office computer
		if res := own.signInAs(victim, demo.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first sign-in: %d", res.StatusCode)
		}
		own.post("/logout", form("csrf_token", own.csrf("/dashboard")))

		attacker := p.browser().from("198.51.100.66")
		for i := 1; i <= signin.AccountLimit.Failures+2; i++ {
			res := attacker.signInAs(victim, "guess-number-"+strings.Repeat("x", i))
			if i >= signin.AccountLimit.Failures && (res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.body, "for this account")) {
				t.Fatalf("attacker's guess %d: %d, want 429 for this account", i, res.StatusCode)
			}
		}
		if res := own.signInAs(victim, demo.Password); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard" {
			t.Fatalf("the caseworker on their own computer after the attack: %d to %q, want a sign-in", res.StatusCode, res.Header.Get("Location"))
		}
		fresh := p.browser().from("203.0.113.20")
		if res := fresh.signInAs(victim, demo.Password); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("a browser the account never used, during the lockout: %d, want 429", res.StatusCode)
		}
		// The attacker moves on to other accounts, and its address is
		// refused, even with a right password.
		for i := range signin.AddrLimit.Failures {
			attacker.signInAs("someone"+strings.Repeat("x", i)+"@example.org", "guess")
		}
		res := attacker.signInAs("analyst@"+demo.Domain, demo.Password)
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.body, "from this connection") {
			t.Fatalf("right password from the guessing address: %d, want 429 from this connection", res.StatusCode)
		}
		// The lockout passes.
		e.clock.Add(signin.AccountLimit.LockFor + signin.AddrLimit.LockFor)
		if res := p.browser().from("203.0.113.21").signInAs(victim, demo.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a new browser after the lockout: %d, want a sign-in", res.StatusCode)
		}
	})
}

// TestSharedAddressCountsOnlyFailures: a shelter's staff sign in from one
// address at shift change; their sign-ins do not use up its failures.
func TestSharedAddressCountsOnlyFailures(t *testing.T) {
	e := sqliteEnv(t)
	users := []string{"caseworker", "analyst", "screener", "caseworker.juarez"}
	for i := range signin.AddrLimit.Failures + 10 {
		if res := e.browser().signInAs(users[i%len(users)]+"@"+demo.Domain, demo.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %d from the shelter's address: %d, want a sign-in", i+1, res.StatusCode)
		}
	}
	b := e.browser()
	for i := range signin.AddrLimit.Failures - 1 {
		if res := b.signInAs("typo"+strings.Repeat("o", i)+"@"+demo.Domain, "typo"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d from the shelter's address: %d, want 401", i+1, res.StatusCode)
		}
	}
	if res := e.browser().signInAs("analyst@"+demo.Domain, demo.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in after %d failures from the address: %d", signin.AddrLimit.Failures-1, res.StatusCode)
	}
}

// TestSignInLimitsSurviveRestart: the counts live in the database, for real
// and unknown accounts alike.
func TestSignInLimitsSurviveRestart(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		for _, email := range []string{"caseworker@" + demo.Domain, "nobody@" + demo.Domain} {
			b := e.browser()
			for range signin.AccountLimit.Failures - 1 {
				b.signInAs(email, "not-the-password")
			}
		}
		_, ts := e.serverWith(func(*Config) {})
		again := *e
		again.ts = ts
		for _, email := range []string{"caseworker@" + demo.Domain, "nobody@" + demo.Domain} {
			if res := again.browser().signInAs(email, "not-the-password"); res.StatusCode != http.StatusTooManyRequests {
				t.Errorf("%s: failure %d, after a restart: %d, want 429", email, signin.AccountLimit.Failures, res.StatusCode)
			}
		}
	})
}

// TestTrustedBrowserHasItsOwnLimit: wrong passwords on a browser the
// account has used lock that browser, not the account's other browsers.
func TestTrustedBrowserHasItsOwnLimit(t *testing.T) {
	e := sqliteEnv(t)
	p := proxiedEnv(e)
	email := "caseworker@" + demo.Domain
	office, home := p.browser().from("203.0.113.30"), p.browser().from("198.51.100.31")
	for _, b := range []*browser{office, home} {
		if res := b.signInAs(email, demo.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first sign-in: %d", res.StatusCode)
		}
		b.post("/logout", form("csrf_token", b.csrf("/dashboard")))
	}
	for i := 1; i <= signin.DeviceLimit.Failures; i++ {
		res := home.signInAs(email, "not-the-password")
		if i == signin.DeviceLimit.Failures && (res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.body, "on this browser")) {
			t.Fatalf("failure %d on a trusted browser: %d, want 429 on this browser", i, res.StatusCode)
		}
	}
	if res := home.signInAs(email, demo.Password); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password on the locked browser: %d, want 429", res.StatusCode)
	}
	if res := office.signInAs(email, demo.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the account's other browser: %d, want a sign-in", res.StatusCode)
	}
	if res := p.browser().from("203.0.113.32").signInAs(email, demo.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a new browser (the failures were a trusted one's): %d, want a sign-in", res.StatusCode)
	}
	// A sign-in that completes forgets the browser's failures.
	e.clock.Add(signin.DeviceLimit.LockFor)
	for range signin.DeviceLimit.Failures - 1 {
		home.signInAs(email, "not-the-password")
	}
	if res := home.signInAs(email, demo.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lock: %d, want a sign-in", res.StatusCode)
	}
	home.post("/logout", form("csrf_token", home.csrf("/dashboard")))
	if res := home.signInAs(email, "not-the-password"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a failure after a sign-in on the browser: %d, want 401, the count started again", res.StatusCode)
	}
}

// TestDeviceCookie: a browser is trusted once a sign-in completes on it,
// second factor included, by a cookie only this server can make, for this
// account only.
func TestDeviceCookie(t *testing.T) {
	e := sqliteEnv(t)
	cw := e.user("caseworker")
	secret, _ := e.enroll(cw.ID)
	b := e.browser()
	res := b.signInAs("caseworker@"+demo.Domain, demo.Password)
	if _, ok := b.cookies["__Host-puente_device"]; ok || res.Header.Get("Location") != "/login/code" {
		t.Fatalf("password alone, a second factor owed: %q; the browser was trusted already", res.Header.Get("Location"))
	}
	res = b.postCode(e.codeAt(secret, e.clock.Now()))
	var set string
	for _, c := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "__Host-puente_device=") {
			set = c
		}
	}
	for _, want := range []string{"HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=7776000"} {
		if !strings.Contains(set, want) {
			t.Errorf("device cookie lacks %q: %q", want, set)
		}
	}
	if strings.Contains(set, "Domain=") || strings.Contains(set, "caseworker") || strings.Contains(set, strconv.FormatInt(cw.ID, 10)+".") {
		t.Errorf("device cookie names a domain or the account: %q", set)
	}
	dev := b.cookies["__Host-puente_device"]

	// Lock the account for untrusted browsers, then try cookies.
	attacker := e.browser()
	for range signin.AccountLimit.Failures {
		attacker.signInAs("caseworker@"+demo.Domain, "guess")
	}
	tampered := []byte(dev)
	tampered[5] ^= 1
	for _, tt := range []struct {
		name, cookie, email string
		trusted             bool
	}{
		{"its own", dev, "caseworker@" + demo.Domain, true},
		{"tampered", string(tampered), "caseworker@" + demo.Domain, false},
		{"another server's", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "caseworker@" + demo.Domain, false},
	} {
		c := e.browser()
		c.cookies["__Host-puente_device"] = tt.cookie
		res := c.signInAs(tt.email, demo.Password)
		if got := res.StatusCode == http.StatusSeeOther; got != tt.trusted {
			t.Errorf("%s cookie during the lockout: %d, trusted %v, want %v", tt.name, res.StatusCode, got, tt.trusted)
		}
	}
	// Another account's lock is not lifted by it.
	for range signin.AccountLimit.Failures {
		attacker.signInAs("analyst@"+demo.Domain, "guess")
	}
	c := e.browser()
	c.cookies["__Host-puente_device"] = dev
	if res := c.signInAs("analyst@"+demo.Domain, demo.Password); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the caseworker's device cookie for the analyst's locked account: %d, want 429", res.StatusCode)
	}
	// It expires.
	e.clock.Add(deviceTTL)
	for range signin.AccountLimit.Failures {
		attacker.signInAs("caseworker@"+demo.Domain, "guess")
	}
	c = e.browser()
	c.cookies["__Host-puente_device"] = dev
	if res := c.signInAs("caseworker@"+demo.Domain, demo.Password); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("an expired device cookie during the lockout: %d, want 429", res.StatusCode)
	}
}

// TestCodeLockLooksLikePasswordLock: wrong codes lock the account as wrong
// passwords do, and a guesser at the password form cannot tell a lock
// caused by codes (so: an account, with the password known) from a lock of
// an address with no account.
func TestCodeLockLooksLikePasswordLock(t *testing.T) {
	e := sqliteEnv(t)
	e.enrollIfRequired("supervisor")
	p := e.passwordOnly("supervisor", "/login/code")
	for range signin.AccountLimit.Failures {
		p.postCode("000000")
	}
	ghost := "nobody@" + demo.Domain
	for range signin.AccountLimit.Failures {
		e.browser().signInAs(ghost, "guess")
	}
	real, unknown := e.browser(), e.browser()
	r := real.signInAs("supervisor@"+demo.Domain, "guess")
	g := unknown.signInAs(ghost, "guess")
	if diff := cmp.Diff(answerOf(r, "supervisor@"+demo.Domain), answerOf(g, ghost)); diff != "" {
		t.Fatalf("locked by codes (-) and an unknown address locked by passwords (+) answer differently:\n%s", diff)
	}
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("account locked by codes: %d, want 429", r.StatusCode)
	}
}

// TestLockoutsAuditedWithoutEmails: a lockout goes in the audit log by
// user id, or 0 for an address with no account, never the email typed.
func TestLockoutsAuditedWithoutEmails(t *testing.T) {
	e := sqliteEnv(t)
	cw := e.user("caseworker")
	b := e.browser()
	for _, email := range []string{"caseworker@" + demo.Domain, "nobody@example.org"} {
		for range signin.AccountLimit.Failures {
			b.signInAs(email, "guess")
		}
	}
	for i := range signin.AddrLimit.Failures {
		b.signInAs("x"+strconv.Itoa(i)+"@example.org", "guess")
	}
	entries := e.auditEntries()
	for _, want := range []audit.Entry{
		{Action: "auth.lockout", Decision: audit.Deny, ActorID: cw.ID, Reason: "too many failures on browsers the account has not used"},
		{Action: "auth.lockout", Decision: audit.Deny, ActorID: 0, Reason: "too many failures on browsers the account has not used"},
		{Action: "auth.lockout", Decision: audit.Deny, ActorID: 0, Reason: "too many failures from one address"},
		{Action: "auth.sign_in", Decision: audit.Deny, ActorID: 0, Reason: "unknown account"},
	} {
		if !hasEntry(entries, want) {
			t.Errorf("no audit entry like %+v", want)
		}
	}
	for _, en := range entries {
		fields := fmt.Sprint(en.ActorID, en.Roles, en.OrgID, en.Action, en.Record, en.Decision, en.Reason, en.RequestID)
		if strings.Contains(fields, "@") || strings.Contains(fields, "example.org") || strings.Contains(fields, "nobody") {
			t.Errorf("audit entry %d (%s) holds an email: %s", en.Seq, en.Action, fields)
		}
		if en.ActorID == 0 && en.Record != "" {
			t.Errorf("an entry without an account names a record: %q", en.Record)
		}
	}
}

// TestParallelGuessesAllCount: a burst of guesses sent at once gets no
// more tries than the same guesses sent one by one; none slips past the
// check before the failures of the others are counted.
func TestParallelGuessesAllCount(t *testing.T) {
	e := sqliteEnv(t)
	const n = 24
	browsers := make([]*browser, n)
	tokens := make([]string, n)
	for i := range browsers {
		browsers[i] = e.browser()
		tokens[i] = browsers[i].csrf("/login")
	}
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Go(func() {
			res := b.post("/login", form("csrf_token", tokens[i], "email", "caseworker@"+demo.Domain, "password", "guess-"+strconv.Itoa(i)))
			codes <- res.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	checked := 0
	for c := range codes {
		if c == http.StatusUnauthorized {
			checked++
		}
	}
	if checked != signin.AccountLimit.Failures-1 {
		t.Fatalf("%d parallel guesses: %d were checked and refused with 401, want %d (the %dth starts the lock)", n, checked, signin.AccountLimit.Failures-1, signin.AccountLimit.Failures)
	}
}
