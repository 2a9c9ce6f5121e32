package signin

import (
	"context"
	"slices"
	"time"

	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/auth"
)

// limitStore keeps sign-in failures and locks, so that a restart forgets
// none.
type limitStore interface {
	SignInLocks(ctx context.Context, now time.Time, keys ...string) (map[string]time.Time, error)
	SignInFailed(ctx context.Context, now time.Time, failures ...auth.Failure) ([]string, error)
	ClearSignInFailures(ctx context.Context, key string) error
	DeleteExpiredSignInLimits(ctx context.Context, now time.Time) (int64, error)
}

// Limits on sign-in failures. Only failures count, never sign-ins, so a
// shelter's staff signing in from one address at shift change use up
// nothing.
//
//   - An address that fails AddrLimit times is refused for every account.
//   - An account that fails AccountLimit times on browsers it has not
//     signed in on before is refused on those browsers. An email with no
//     account is counted by the same keyed hash, in the same table, by the
//     same code, so the two cannot be told apart.
//   - A browser that holds a device token for the account (given when a
//     sign-in completes, password and second factor) is not held by that:
//     a guesser elsewhere cannot lock a person out of their own computer.
//     It has DeviceLimit of its own instead.
//
// Wrong second-factor codes count like wrong passwords, against the same
// keys, so someone with the password alone gets AccountLimit guesses at the
// code in all, however often they sign in again.
var (
	AddrLimit    = auth.Limit{Failures: 20, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
	AccountLimit = auth.Limit{Failures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
	DeviceLimit  = auth.Limit{Failures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
)

// Messages for the three locks: from this address, for this account on
// browsers it has not used, and for this account on this browser.
const (
	LockedAddr    = "login.too_many"
	LockedAccount = "login.locked"
	LockedDevice  = "login.device_locked"
)

// Keys are what one attempt's failures count against: auth.LimitKeys names
// of the client's address, of the account (by its email; "" when none was
// given), and of the account on this browser when the browser is trusted
// for it.
type Keys struct {
	Addr, Account, Device string
}

// own is the key an attempt's failures count against besides the address:
// the browser's own standing with the account when it is trusted, else the
// account's standing with untrusted browsers.
func (k Keys) own() (string, auth.Limit) {
	if k.Device != "" {
		return k.Device, DeviceLimit
	}
	return k.Account, AccountLimit
}

// Turn waits until no other attempt with the same address or own key is
// under way, and returns the function that ends this one's turn. Without
// it a burst of guesses sent at once would all pass Lock before the first
// of them was counted.
func (s *Service) Turn(k Keys) (done func()) {
	own, _ := k.own()
	return s.turns.Lock(k.Addr, own)
}

// Lock returns the message of the lock that refuses an attempt before its
// credentials are checked, or "" when none does.
func (s *Service) Lock(ctx context.Context, k Keys) (string, error) {
	own, _ := k.own()
	keys := []string{k.Addr}
	if own != "" {
		keys = append(keys, own)
	}
	locks, err := s.Store.SignInLocks(ctx, s.now(), keys...)
	if err != nil {
		return "", err
	}
	return k.lockMessage(func(key string) bool { _, ok := locks[key]; return ok }), nil
}

// lockMessage is the message for the locks that hold: the address's first,
// since it refuses every account.
func (k Keys) lockMessage(holds func(key string) bool) string {
	own, _ := k.own()
	switch {
	case holds(k.Addr):
		return LockedAddr
	case own != "" && holds(own):
		return k.messageFor(own)
	}
	return ""
}

// messageFor is the message of a lock on key, one of k's.
func (k Keys) messageFor(key string) string {
	switch key {
	case k.Addr:
		return LockedAddr
	case k.Device:
		return LockedDevice
	}
	return LockedAccount
}

// Audit reasons for a lock that a failure started.
var lockReasons = map[string]string{
	LockedAddr:    "too many failures from one address",
	LockedAccount: "too many failures on browsers the account has not used",
	LockedDevice:  "too many failures on one trusted browser",
}

// countFailure counts a failed attempt of u (nil for an email with no
// account) against its keys and returns the message of a lock it started,
// or "". A lock started is audited, by user id or 0.
func (s *Service) countFailure(ctx context.Context, u *account.User, k Keys, requestID string) (string, error) {
	fs := []auth.Failure{{Key: k.Addr, Limit: AddrLimit}}
	if own, lim := k.own(); own != "" {
		fs = append(fs, auth.Failure{Key: own, Limit: lim})
	}
	locked, err := s.Store.SignInFailed(ctx, s.now(), fs...)
	if err != nil || len(locked) == 0 {
		return "", err
	}
	for _, key := range locked {
		if err := s.record(ctx, u, "auth.lockout", audit.Deny, lockReasons[k.messageFor(key)], requestID); err != nil {
			return "", err
		}
	}
	return k.lockMessage(func(key string) bool { return slices.Contains(locked, key) }), nil
}

// trusted forgets the failures of a browser trusted for the account: the
// password, and the second factor where the account has one, were right.
// (The web layer renews the browser's device cookie.)
func (s *Service) trusted(ctx context.Context, k Keys) error {
	if k.Device == "" {
		return nil
	}
	return s.Store.ClearSignInFailures(ctx, k.Device)
}
