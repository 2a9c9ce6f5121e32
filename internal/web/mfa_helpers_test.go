package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"puente/internal/auth"
	"puente/internal/mfa"
	"puente/internal/signin"
)

// enrollIfRequired gives a demo user who must have a second factor an
// enabled one, through the store, unless they have one already.
func (e *env) enrollIfRequired(local string) {
	e.t.Helper()
	u := e.user(local)
	org, err := e.db.Organization(context.Background(), u.OrgID)
	if err != nil {
		e.t.Fatal(err)
	}
	if !signin.Required(u, org) {
		return
	}
	if on, err := e.db.TOTPEnabled(context.Background(), u.ID); err != nil {
		e.t.Fatal(err)
	} else if !on {
		e.enroll(u.ID)
	}
}

// enroll turns on a second factor for a user through the store and returns
// the secret and recovery codes.
func (e *env) enroll(userID int64) (secret string, codes []string) {
	e.t.Helper()
	ctx := context.Background()
	en, err := mfa.Enroll("Puente", "Puente user "+strconv.FormatInt(int64(userID), 10))
	if err != nil {
		e.t.Fatal(err)
	}
	if codes, err = mfa.NewRecoveryCodes(mfa.DefaultRecoveryCodes); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.SavePendingTOTP(ctx, userID, en.Secret); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.EnableTOTP(ctx, userID, 0, codes); err != nil {
		e.t.Fatal(err)
	}
	return en.Secret, codes
}

// codeAt asks the TOTP library, not the server, for the code at t.
func (e *env) codeAt(secret string, t time.Time) string {
	e.t.Helper()
	c, err := totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// freshCode returns a code for the user that the server has not seen: the
// current step's, or the next step's if the current one is spent (the
// server accepts one step of clock drift either way). ok is false when both
// are spent, which happens when a test signs the same user in three times
// without moving the clock.
func (e *env) freshCode(userID int64) (code string, ok bool) {
	e.t.Helper()
	t, err := e.db.TOTP(context.Background(), userID)
	if err != nil {
		e.t.Fatal(err)
	}
	cur := e.clock.Now().Unix() / 30
	step := max(cur, t.LastStep+1)
	if step > cur+1 {
		return "", false
	}
	return e.codeAt(t.Secret, time.Unix(step*30, 0)), true
}

// completeSecondFactor gives the code a browser's sign-in is waiting for,
// through the code page. When every code the server would accept is spent,
// it marks the session through the store instead, which is what the page
// does on success; the tests in mfa_test.go cover the page itself.
func (e *env) completeSecondFactor(b *browser, local string) *response {
	e.t.Helper()
	u := e.user(local)
	if code, ok := e.freshCode(u.ID); ok {
		return b.post("/login/code", form("csrf_token", b.csrf("/login/code"), "code", code))
	}
	if err := e.db.MarkSessionSecondFactor(context.Background(), auth.HashID(b.cookies["__Host-puente_session"])); err != nil {
		e.t.Fatal(err)
	}
	res := b.get("/login/code")
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("code page after the session was marked: %d", res.StatusCode)
	}
	return res
}
