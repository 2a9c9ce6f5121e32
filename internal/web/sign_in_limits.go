package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/auth"
)

// Limits on sign-in failures, kept in the database (store.SignInFailed) so
// a restart forgets none. Only failures count, never sign-ins, so a
// shelter's staff signing in from one address at shift change use up
// nothing.
//
//   - An address that fails addrLimit times is refused for every account.
//   - An account that fails accountLimit times on browsers it has not
//     signed in on before is refused on those browsers. An email with no
//     account is counted by the same keyed hash, in the same table, by the
//     same code, so the two cannot be told apart.
//   - A browser that holds a device token for the account (given when a
//     sign-in completes, password and second factor) is not held by that:
//     a guesser elsewhere cannot lock a person out of their own computer.
//     It has deviceLimit of its own instead.
//
// Wrong second-factor codes count like wrong passwords, against the same
// keys, so someone with the password alone gets accountLimit guesses at the
// code in all, however often they sign in again.
var (
	addrLimit    = auth.Limit{Failures: 20, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
	accountLimit = auth.Limit{Failures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
	deviceLimit  = auth.Limit{Failures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
)

// deviceTTL is how long a browser stays trusted after a sign-in completed
// on it; every sign-in renews it.
const deviceTTL = 90 * 24 * time.Hour

// signInKeys are what one attempt's failures count against.
type signInKeys struct {
	addr    string // the client's address
	account string // the account, by its email; empty when none was given
	device  string // the account on this browser, when the browser is trusted for it
}

// signInKeys names the keys of an attempt at email (normalized; empty when
// the email typed was not one).
func (s *Server) signInKeys(r *http.Request, email string) signInKeys {
	k := signInKeys{addr: s.limitKeys.Address(s.clientIP(r))}
	if email == "" {
		return k
	}
	k.account = s.limitKeys.Account(email)
	if c, err := r.Cookie(s.cookieName(stateOf(r), deviceCookie)); err == nil {
		if id, ok := s.devices.Find(c.Value, k.account, s.now()); ok {
			k.device = s.limitKeys.Device(k.account, id)
		}
	}
	return k
}

// own is the key an attempt's failures count against besides the address:
// the browser's own standing with the account when it is trusted, else the
// account's standing with untrusted browsers.
func (k signInKeys) own() (string, auth.Limit) {
	if k.device != "" {
		return k.device, deviceLimit
	}
	return k.account, accountLimit
}

// takeTurn waits until no other attempt with the same address or own key is
// under way, and returns the function that ends this one's turn. Without
// it a burst of guesses sent at once would all pass signInLock before the
// first of them was counted.
func (s *Server) takeTurn(k signInKeys) (done func()) {
	own, _ := k.own()
	return s.attempts.Lock(k.addr, own)
}

// Messages for the three locks: from this address, for this account on
// browsers it has not used, and for this account on this browser.
const (
	lockedAddr    = "login.too_many"
	lockedAccount = "login.locked"
	lockedDevice  = "login.device_locked"
)

// signInLock returns the message of the lock that refuses an attempt
// before its credentials are checked, or "" when none does.
func (s *Server) signInLock(ctx context.Context, k signInKeys) (string, error) {
	own, _ := k.own()
	keys := []string{k.addr}
	if own != "" {
		keys = append(keys, own)
	}
	locks, err := s.store.SignInLocks(ctx, s.now(), keys...)
	if err != nil {
		return "", err
	}
	return k.lockMessage(func(key string) bool { _, ok := locks[key]; return ok }), nil
}

// lockMessage is the message for the locks that hold: the address's first,
// since it refuses every account.
func (k signInKeys) lockMessage(holds func(key string) bool) string {
	own, _ := k.own()
	switch {
	case holds(k.addr):
		return lockedAddr
	case own != "" && holds(own):
		return k.messageFor(own)
	}
	return ""
}

// messageFor is the message of a lock on key, one of k's.
func (k signInKeys) messageFor(key string) string {
	switch key {
	case k.addr:
		return lockedAddr
	case k.device:
		return lockedDevice
	}
	return lockedAccount
}

// Audit reasons for a lock that a failure started.
var lockReasons = map[string]string{
	lockedAddr:    "too many failures from one address",
	lockedAccount: "too many failures on browsers the account has not used",
	lockedDevice:  "too many failures on one trusted browser",
}

// countFailure counts a failed attempt of u (nil for an email with no
// account) against its keys and returns the message of a lock it started,
// or "". A lock started is audited, by user id or 0.
func (s *Server) countFailure(r *http.Request, u *account.User, k signInKeys) (string, error) {
	fs := []auth.Failure{{Key: k.addr, Limit: addrLimit}}
	if own, lim := k.own(); own != "" {
		fs = append(fs, auth.Failure{Key: own, Limit: lim})
	}
	locked, err := s.store.SignInFailed(r.Context(), s.now(), fs...)
	if err != nil || len(locked) == 0 {
		return "", err
	}
	for _, key := range locked {
		if err := s.audit(r, u, "auth.lockout", audit.Deny, lockReasons[k.messageFor(key)]); err != nil {
			return "", err
		}
	}
	msg := k.lockMessage(func(key string) bool { return slices.Contains(locked, key) })
	s.log.Info("sign-in locked", "ref", stateOf(r).ref, "lock", msg)
	return msg, nil
}

// signInCompleted trusts this browser for the account from now on, or
// renews its trust, and forgets its failures: the password, and the second
// factor where the account has one, were right.
func (s *Server) signInCompleted(w http.ResponseWriter, r *http.Request, k signInKeys) error {
	st := stateOf(r)
	if k.device != "" {
		if err := s.store.ClearSignInFailures(r.Context(), k.device); err != nil {
			return err
		}
	}
	old := ""
	if c, err := r.Cookie(s.cookieName(st, deviceCookie)); err == nil {
		old = c.Value
	}
	now := s.now()
	s.setCookie(w, st, deviceCookie, s.devices.Issue(old, k.account, now, now.Add(deviceTTL)), deviceTTL)
	return nil
}
