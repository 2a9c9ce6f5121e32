package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/demo"
	"puente/internal/mfa"
	"puente/internal/signin"
)

var (
	secretRE = regexp.MustCompile(`<code class="token" id="totp-secret">([A-Z2-7 ]+)</code>`)
	codesRE  = regexp.MustCompile(`<li><code>([2-9a-z]{5}-[2-9a-z]{5})</code></li>`)
)

// passwordOnly gives the password of a demo user and checks where the
// server sends the browser next.
func (e *env) passwordOnly(local, wantLocation string) *browser {
	e.t.Helper()
	b := e.browser()
	res := b.post("/login", form("csrf_token", b.csrf("/login"), "email", local+"@"+demo.Domain, "password", demo.Password))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != wantLocation {
		e.t.Fatalf("password for %s: %d to %q, want 303 to %q\n%s", local, res.StatusCode, res.Header.Get("Location"), wantLocation, res.body)
	}
	return b
}

// postCode sends a code to the sign-in code page.
func (b *browser) postCode(code string) *response {
	return b.post("/login/code", form("csrf_token", b.csrf("/login/code"), "code", code))
}

// wrongCode returns a six-digit code that is not right: right with its
// first digit changed.
func wrongCode(right string) string {
	return string(rune('0'+(right[0]-'0'+1)%10)) + right[1:]
}

func (e *env) auditEntries() []audit.Entry {
	e.t.Helper()
	var out []audit.Entry
	for en, err := range e.db.AuditEntries(context.Background(), audit.Filter{}) {
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, en)
	}
	return out
}

// hasEntry reports whether the log holds an entry like want, comparing
// only the fields want sets.
func hasEntry(entries []audit.Entry, want audit.Entry) bool {
	for _, en := range entries {
		if en.Action == want.Action && en.Decision == want.Decision && en.ActorID == want.ActorID &&
			(want.Reason == "" || en.Reason == want.Reason) {
			return true
		}
	}
	return false
}

// enrollThroughPages turns on a second factor on the account pages and
// returns the secret read from the page and the recovery codes shown.
func (e *env) enrollThroughPages(b *browser) (secret string, codes []string) {
	e.t.Helper()
	res := b.post("/account/2fa/start", form("csrf_token", b.csrf("/account/2fa")))
	m := secretRE.FindStringSubmatch(res.body)
	if res.StatusCode != http.StatusOK || m == nil {
		e.t.Fatalf("start: %d, no secret on the page\n%s", res.StatusCode, res.body)
	}
	if !strings.Contains(res.body, `<img class="qr" src="data:image/png;base64,`) {
		e.t.Fatal("start: no QR code as a data: URI")
	}
	secret = strings.ReplaceAll(m[1], " ", "")
	res = b.post("/account/2fa/confirm", form("csrf_token", b.csrf("/account/2fa"), "code", e.codeAt(secret, e.clock.Now())))
	if res.StatusCode != http.StatusCreated {
		e.t.Fatalf("confirm: %d\n%s", res.StatusCode, res.body)
	}
	for _, m := range codesRE.FindAllStringSubmatch(res.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != mfa.DefaultRecoveryCodes {
		e.t.Fatalf("confirm: %d recovery codes shown, want %d", len(codes), mfa.DefaultRecoveryCodes)
	}
	return secret, codes
}

func TestEnrollmentRoundTrip(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		u := e.user("caseworker")
		b := e.signIn("caseworker")
		if res := b.get("/dashboard"); !strings.Contains(res.body, "Two-step verification is off") {
			t.Fatal("dashboard does not say two-step verification is off")
		}
		if res := b.get("/account"); !strings.Contains(res.body, `href="/account/2fa"`) {
			t.Fatal("account page does not link to /account/2fa")
		}

		// A wrong code keeps the secret pending and shows the same one again.
		res := b.post("/account/2fa/start", form("csrf_token", b.csrf("/account/2fa")))
		first := secretRE.FindStringSubmatch(res.body)
		if first == nil {
			t.Fatalf("start: no secret\n%s", res.body)
		}
		secret := strings.ReplaceAll(first[1], " ", "")
		stored, err := e.db.TOTP(ctx, u.ID)
		if err != nil || stored.Secret != secret || stored.Enabled() {
			t.Fatalf("pending secret in the store: %+v, %v; want the one shown, not enabled", stored, err)
		}
		right := e.codeAt(secret, e.clock.Now())
		res = b.post("/account/2fa/confirm", form("csrf_token", b.csrf("/account/2fa"), "code", wrongCode(right)))
		if again := secretRE.FindStringSubmatch(res.body); res.StatusCode != http.StatusUnprocessableEntity || again == nil || again[1] != first[1] {
			t.Fatalf("wrong confirming code: %d, want 422 and the same secret shown again", res.StatusCode)
		}
		if on, _ := e.db.TOTPEnabled(ctx, u.ID); on {
			t.Fatal("a wrong code turned the second factor on")
		}

		res = b.post("/account/2fa/confirm", form("csrf_token", b.csrf("/account/2fa"), "code", right))
		codes := codesRE.FindAllStringSubmatch(res.body, -1)
		if res.StatusCode != http.StatusCreated || len(codes) != mfa.DefaultRecoveryCodes {
			t.Fatalf("confirm: %d with %d recovery codes, want 201 with %d", res.StatusCode, len(codes), mfa.DefaultRecoveryCodes)
		}
		if res := b.get("/account/2fa"); codesRE.MatchString(res.body) || !strings.Contains(res.body, "Recovery codes left: 10.") {
			t.Fatal("recovery codes shown again, or their count is missing")
		}
		if res := b.get("/dashboard"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Two-step verification is on") {
			t.Fatalf("dashboard after enrolling: %d, want 200 saying it is on", res.StatusCode)
		}

		// The next sign-in asks for a code. The one that confirmed the
		// secret is spent; the next step's works.
		b.post("/logout", form("csrf_token", b.csrf("/dashboard")))
		b = e.passwordOnly("caseworker", "/login/code")
		if res := b.postCode(right); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "already used") {
			t.Fatalf("the confirming code at sign-in: %d, want 401 already used", res.StatusCode)
		}
		e.clock.Add(30 * time.Second)
		if res := b.postCode(e.codeAt(secret, e.clock.Now())); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard" {
			t.Fatalf("a fresh code: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := b.get("/dashboard"); res.StatusCode != http.StatusOK {
			t.Fatalf("dashboard after the code: %d", res.StatusCode)
		}
		entries := e.auditEntries()
		for _, want := range []audit.Entry{
			{Action: "auth.mfa_enable", Decision: audit.Allow, ActorID: u.ID},
			{Action: "auth.second_factor", Decision: audit.Deny, ActorID: u.ID, Reason: "replayed code"},
			{Action: "auth.second_factor", Decision: audit.Allow, ActorID: u.ID, Reason: signin.ByTOTP},
		} {
			if !hasEntry(entries, want) {
				t.Errorf("no audit entry like %+v", want)
			}
		}
	})
}

// TestEnrollmentLabelIsNeutral: a seized phone shows the issuer and account
// name; they must not name the person.
func TestEnrollmentLabelIsNeutral(t *testing.T) {
	en, err := mfa.Enroll("Puente", "Puente user "+strconv.FormatInt(int64(42), 10))
	if err != nil {
		t.Fatal(err)
	}
	if want := "otpauth://totp/Puente:Puente%20user%2042?"; !strings.HasPrefix(en.URL, want) {
		t.Errorf("enrollment URL %q, want it to start %q", en.URL, want)
	}
}

// TestPendingSessionIsNotSignedIn tries every route with a session that has
// given the password but not the code: none but the code page, sign-out
// and public routes may answer as if signed in.
func TestPendingSessionIsNotSignedIn(t *testing.T) {
	e := sqliteEnv(t)
	e.enrollIfRequired("supervisor")
	b := e.passwordOnly("supervisor", "/login/code")
	if res := b.get("/dashboard"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login/code?next=%2Fdashboard" {
		t.Fatalf("dashboard while pending: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	tok := b.csrf("/login/code")
	before, _ := e.db.CountOrganizations(context.Background())
	for _, r := range e.srv.Routes() {
		if slices.Contains(publicRoutes, r.Pattern) || r.Pattern == "POST /logout" {
			continue
		}
		method, path, _ := strings.Cut(r.Pattern, " ")
		path = strings.NewReplacer("{id}", "1", "{$}", "").Replace(path)
		path = regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(path, "1")
		res := b.do(method, path, strings.NewReader(form("csrf_token", tok, "name", "Casa Pendiente", "country", "MX", "kind", "shelter").Encode()), "application/x-www-form-urlencoded")
		switch {
		case r.API:
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s while pending: %d, want 401", r.Pattern, res.StatusCode)
			}
		case res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login/code"):
			t.Errorf("%s while pending: %d to %q, want 303 to /login/code", r.Pattern, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if after, _ := e.db.CountOrganizations(context.Background()); after != before {
		t.Fatal("a pending session changed data")
	}
	// The pages it may open show no one signed in.
	if res := b.get("/login/code"); strings.Contains(res.body, `id="sign-out"`) || strings.Contains(res.body, "Sam Supervisor") {
		t.Error("the code page shows the navigation of a signed-in user")
	}
	id := b.cookies["__Host-puente_session"]
	if res := b.post("/logout", form("csrf_token", b.csrf("/login/code"))); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?done=signed_out" {
		t.Fatalf("sign out while pending: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, err := e.db.Session(context.Background(), auth.HashID(id)); err == nil {
		t.Fatal("the pending session survived sign-out")
	}
}

func TestWrongCodesEndTheSession(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		u := e.user("supervisor")
		e.enrollIfRequired("supervisor")
		b := e.passwordOnly("supervisor", "/login/code")
		id := b.cookies["__Host-puente_session"]
		tot, _ := e.db.TOTP(context.Background(), u.ID)
		right := e.codeAt(tot.Secret, e.clock.Now())
		if res := b.postCode("12345"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a five-digit typo: %d, want 422 and not counted", res.StatusCode)
		}
		for i := 1; i < signin.AccountLimit.Failures; i++ {
			if res := b.postCode(wrongCode(right)); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "That code is not right.") {
				t.Fatalf("wrong code %d: %d, want 401", i, res.StatusCode)
			}
		}
		res := b.postCode(wrongCode(right))
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.body, "Too many wrong codes") {
			t.Fatalf("wrong code %d: %d, want 429 and the session ended", signin.AccountLimit.Failures, res.StatusCode)
		}
		if _, ok := b.cookies["__Host-puente_session"]; ok {
			t.Error("the session cookie was not cleared")
		}
		if _, err := e.db.Session(context.Background(), auth.HashID(id)); err == nil {
			t.Fatal("the session survived five wrong codes")
		}
		// The stolen cookie is worthless even with the right code now.
		thief := e.browser()
		thief.cookies["__Host-puente_session"] = id
		if res := thief.post("/login/code", form("csrf_token", thief.csrf("/login"), "code", right)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
			t.Fatalf("right code on the ended session: %d to %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
		}
		// The person must start again, after the lock.
		again := e.browser()
		if res := again.post("/login", form("csrf_token", again.csrf("/login"), "email", "supervisor@"+demo.Domain, "password", demo.Password)); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("password right after the lockout: %d, want 429", res.StatusCode)
		}
		entries := e.auditEntries()
		if !hasEntry(entries, audit.Entry{Action: "auth.lockout", Decision: audit.Deny, ActorID: u.ID}) ||
			!hasEntry(entries, audit.Entry{Action: "auth.second_factor", Decision: audit.Deny, ActorID: u.ID, Reason: "wrong code"}) {
			t.Error("wrong codes and the lockout are not in the audit log")
		}
	})
}

// TestCodeGuessesDoNotResetWithThePassword: someone with the password but
// not the phone gets five guesses in all, not five per sign-in.
func TestCodeGuessesDoNotResetWithThePassword(t *testing.T) {
	e := sqliteEnv(t)
	e.enrollIfRequired("admin")
	for range 2 {
		b := e.passwordOnly("admin", "/login/code")
		for range 2 {
			b.postCode("000000")
		}
	}
	b := e.passwordOnly("admin", "/login/code")
	if res := b.postCode("000000"); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fifth wrong code over three sign-ins: %d, want 429", res.StatusCode)
	}
}

// TestReplayedCodeRefused: a code seen over a shoulder, or in a log, does
// not sign anyone in once it has been used, even while it is current.
func TestReplayedCodeRefused(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		u := e.user("caseworker")
		secret, _ := e.enroll(u.ID)
		code := e.codeAt(secret, e.clock.Now())
		b := e.passwordOnly("caseworker", "/login/code")
		if res := b.postCode(code); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard" {
			t.Fatalf("first use: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		other := e.passwordOnly("caseworker", "/login/code")
		if res := other.postCode(code); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "already used") {
			t.Fatalf("the same code in another session: %d, want 401 already used", res.StatusCode)
		}
		if res := other.get("/dashboard"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("dashboard after a replayed code: %d, want a redirect", res.StatusCode)
		}
	})
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		u := e.user("caseworker")
		_, codes := e.enroll(u.ID)
		b := e.passwordOnly("caseworker", "/login/code")
		typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", " "))
		res := b.postCode(typed)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard?done=recovery_used" {
			t.Fatalf("recovery code: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := b.get("/dashboard?done=recovery_used"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "recovery code") {
			t.Fatalf("dashboard after a recovery code: %d", res.StatusCode)
		}
		if n, _ := e.db.CountRecoveryCodes(context.Background(), u.ID); n != len(codes)-1 {
			t.Errorf("recovery codes left: %d, want %d", n, len(codes)-1)
		}
		b.post("/logout", form("csrf_token", b.csrf("/dashboard")))

		b = e.passwordOnly("caseworker", "/login/code")
		if res := b.postCode(codes[3]); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the same recovery code again: %d, want 401", res.StatusCode)
		}
		if !hasEntry(e.auditEntries(), audit.Entry{Action: "auth.recovery_code_used", Decision: audit.Allow, ActorID: u.ID}) {
			t.Error("no audit entry for the recovery code")
		}
	})
}

// TestRequiredUserMustEnroll: an admin without a second factor is sent to
// set one up, and reaches nothing else until they have.
func TestRequiredUserMustEnroll(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		b := e.passwordOnly("admin", "/account/2fa")
		before, _ := e.db.CountOrganizations(context.Background())
		tok := b.csrf("/account/2fa")
		for _, c := range []struct{ method, path string }{
			{"GET", "/dashboard"}, {"GET", "/users"}, {"GET", "/organizations"}, {"GET", "/account"},
			{"GET", "/account/tokens"}, {"POST", "/organizations"}, {"POST", "/account/2fa/recovery"},
		} {
			res := b.do(c.method, c.path, strings.NewReader(form("csrf_token", tok, "name", "Casa Sin Factor", "country", "MX", "kind", "shelter").Encode()), "application/x-www-form-urlencoded")
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/2fa" {
				t.Errorf("%s %s before enrolling: %d to %q, want 303 to /account/2fa", c.method, c.path, res.StatusCode, res.Header.Get("Location"))
			}
		}
		if after, _ := e.db.CountOrganizations(context.Background()); after != before {
			t.Fatal("an admin who must enroll created an organization")
		}
		if res := b.get("/account/2fa"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, `id="mfa-required"`) {
			t.Fatalf("enrollment page: %d, want 200 saying it is required", res.StatusCode)
		}
		e.enrollThroughPages(b)
		if res := b.get("/dashboard"); res.StatusCode != http.StatusOK {
			t.Fatalf("dashboard after enrolling: %d, want 200", res.StatusCode)
		}

		// Quick exit and sign-out work before enrolling, too.
		sup := e.passwordOnly("supervisor", "/account/2fa")
		if res := sup.get("/exit"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "https://") {
			t.Fatalf("quick exit before enrolling: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		sup = e.passwordOnly("supervisor", "/account/2fa")
		if res := sup.post("/logout", form("csrf_token", sup.csrf("/account/2fa"))); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?done=signed_out" {
			t.Fatalf("sign out before enrolling: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

func TestDisable(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		u := e.user("caseworker")
		b := e.signIn("caseworker")
		secret, _ := e.enrollThroughPages(b)
		e.clock.Add(30 * time.Second)
		disable := func(pw, code string) *response {
			return b.post("/account/2fa/disable", form("csrf_token", b.csrf("/account/2fa"), "password", pw, "code", code))
		}
		code := e.codeAt(secret, e.clock.Now())
		if res := disable("not-the-password", code); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "The current password is not right.") {
			t.Fatalf("wrong password: %d, want 422", res.StatusCode)
		}
		if res := disable(demo.Password, wrongCode(code)); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "That code is not right.") {
			t.Fatalf("wrong code: %d, want 422", res.StatusCode)
		}
		if on, _ := e.db.TOTPEnabled(ctx, u.ID); !on {
			t.Fatal("turned off without the password and a code")
		}
		if res := disable(demo.Password, code); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/2fa?done=mfa_disabled" {
			t.Fatalf("disable: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if on, _ := e.db.TOTPEnabled(ctx, u.ID); on {
			t.Fatal("still on after disable")
		}
		if !hasEntry(e.auditEntries(), audit.Entry{Action: "auth.mfa_disable", Decision: audit.Allow, ActorID: u.ID}) {
			t.Error("no audit entry for turning it off")
		}
	})
}

func TestDisableRefusedWhenRequired(t *testing.T) {
	e := sqliteEnv(t)
	u := e.user("supervisor")
	b := e.signIn("supervisor")
	if res := b.get("/account/2fa"); !strings.Contains(res.body, `id="mfa-cannot-disable"`) || strings.Contains(res.body, `action="/account/2fa/disable"`) {
		t.Fatal("a supervisor is offered the form to turn it off")
	}
	tot, _ := e.db.TOTP(context.Background(), u.ID)
	e.clock.Add(30 * time.Second)
	res := b.post("/account/2fa/disable", form("csrf_token", b.csrf("/account/2fa"), "password", demo.Password, "code", e.codeAt(tot.Secret, e.clock.Now())))
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a supervisor turning it off: %d, want 403", res.StatusCode)
	}
	if on, _ := e.db.TOTPEnabled(context.Background(), u.ID); !on {
		t.Fatal("a required second factor was turned off")
	}
}

func TestRegenerateRecoveryCodes(t *testing.T) {
	e := sqliteEnv(t)
	u := e.user("caseworker")
	b := e.signIn("caseworker")
	secret, old := e.enrollThroughPages(b)
	e.clock.Add(30 * time.Second)
	code := e.codeAt(secret, e.clock.Now())
	regen := func(code string) *response {
		return b.post("/account/2fa/recovery", form("csrf_token", b.csrf("/account/2fa"), "code", code))
	}
	if res := regen(wrongCode(code)); res.StatusCode != http.StatusUnprocessableEntity || codesRE.MatchString(res.body) {
		t.Fatalf("wrong code: %d, want 422 and no codes", res.StatusCode)
	}
	res := regen(code)
	fresh := codesRE.FindAllStringSubmatch(res.body, -1)
	if res.StatusCode != http.StatusCreated || len(fresh) != mfa.DefaultRecoveryCodes {
		t.Fatalf("regenerate: %d with %d codes", res.StatusCode, len(fresh))
	}
	if err := e.db.UseRecoveryCode(context.Background(), u.ID, old[0]); err == nil {
		t.Error("an old recovery code still works")
	}
	if err := e.db.UseRecoveryCode(context.Background(), u.ID, fresh[0][1]); err != nil {
		t.Errorf("a new recovery code: %v", err)
	}
	if !hasEntry(e.auditEntries(), audit.Entry{Action: "auth.recovery_codes_regenerate", Decision: audit.Allow, ActorID: u.ID}) {
		t.Error("no audit entry for new recovery codes")
	}
}

// TestAuditHoldsNoPersonalData signs in every way there is, right and
// wrong, then reads every field of every entry for emails, names,
// passwords and codes.
func TestAuditHoldsNoPersonalData(t *testing.T) {
	e := sqliteEnv(t)
	cw := e.user("caseworker")
	b := e.browser()
	tok := b.csrf("/login")
	b.post("/login", form("csrf_token", tok, "email", "caseworker@"+demo.Domain, "password", "wrong-password-123"))
	b.post("/login", form("csrf_token", tok, "email", "nobody@example.org", "password", "wrong-password-456"))
	s := e.signIn("caseworker")
	s.post("/logout", form("csrf_token", s.csrf("/dashboard")))

	sup := e.user("supervisor")
	e.enrollIfRequired("supervisor")
	tot, _ := e.db.TOTP(context.Background(), sup.ID)
	right := e.codeAt(tot.Secret, e.clock.Now())
	p := e.passwordOnly("supervisor", "/login/code")
	p.postCode(wrongCode(right))
	p.postCode(right)

	entries := e.auditEntries()
	for _, want := range []audit.Entry{
		{Action: "auth.sign_in", Decision: audit.Allow, ActorID: cw.ID},
		{Action: "auth.sign_in", Decision: audit.Deny, ActorID: cw.ID, Reason: "wrong password"},
		{Action: "auth.sign_in", Decision: audit.Deny, ActorID: 0, Reason: "unknown account"},
		{Action: "auth.sign_out", Decision: audit.Allow, ActorID: cw.ID},
		{Action: "auth.second_factor", Decision: audit.Deny, ActorID: sup.ID, Reason: "wrong code"},
		{Action: "auth.second_factor", Decision: audit.Allow, ActorID: sup.ID},
	} {
		if !hasEntry(entries, want) {
			t.Errorf("no audit entry like %+v", want)
		}
	}
	forbidden := []string{"@", "example.org", "nobody", demo.Domain, "Carmen", "Sam Supervisor", "wrong-password", demo.Password, right, wrongCode(right), tot.Secret}
	for _, en := range entries {
		if en.Action == "auth.sign_in" && en.ActorID == 0 && en.Record != "" {
			t.Errorf("an unknown account's entry names a record: %q", en.Record)
		}
		fields := fmt.Sprint(en.ActorID, en.Roles, en.OrgID, en.Action, en.Record, en.Decision, en.Reason, en.RequestID)
		for _, bad := range forbidden {
			if strings.Contains(fields, bad) {
				t.Errorf("audit entry %d (%s) contains %q: %s", en.Seq, en.Action, bad, fields)
			}
		}
	}
	// Codes are digits, which log timestamps are full of: look for them
	// as whole words.
	logs := e.logs.String()
	for _, bad := range forbidden[1:] {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(bad) + `\b`).MatchString(logs) {
			t.Errorf("logs contain %q", bad)
		}
	}
}

func TestCodePageInSpanish(t *testing.T) {
	e := sqliteEnv(t)
	// Silvia's saved language is Spanish.
	e.enrollIfRequired("supervisor.juarez")
	b := e.passwordOnly("supervisor.juarez", "/login/code")
	if res := b.get("/login/code"); !strings.Contains(res.body, "Verificación en dos pasos") || !strings.Contains(res.body, "códigos de recuperación") {
		t.Fatalf("code page in Spanish:\n%s", res.body)
	}
}
