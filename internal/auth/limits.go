package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/netip"
	"time"
)

// Limit bounds sign-in failures under one key: Failures of them within
// Window lock the key for LockFor, after which counting starts afresh.
type Limit struct {
	Failures int
	Window   time.Duration
	LockFor  time.Duration
}

// LimitKeys names what sign-in failures are counted against: a client
// address, an account, or an account on one trusted browser. Each name is a
// keyed hash, so the table that holds the counts holds no address or email,
// and an email with no account is counted exactly like one with an account:
// the same key shape, the same rows, the same queries.
type LimitKeys struct{ key []byte }

// NewLimitKeys returns key names made with key (a key derived for this
// purpose alone).
func NewLimitKeys(key []byte) LimitKeys { return LimitKeys{key: key} }

// Address names a client address. An IPv6 address counts by its /64, the
// block one home or office is usually given, so a guesser cannot take a new
// address for every attempt; anything that is not an address counts as
// itself.
func (k LimitKeys) Address(ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil {
		a = a.Unmap().WithZone("")
		if a.Is6() {
			ip = netip.PrefixFrom(a, 64).Masked().String()
		} else {
			ip = a.String()
		}
	}
	return "addr:" + k.hash("addr", ip)
}

// Account names an account by its normalized email, whether or not an
// account has it.
func (k LimitKeys) Account(email string) string {
	return "acct:" + k.hash("acct", email)
}

// Device names an account on one trusted browser: account is the name
// Account gave, device the id from the browser's device cookie.
func (k LimitKeys) Device(account, device string) string {
	return "dev:" + k.hash("dev", account+"\x00"+device)
}

func (k LimitKeys) hash(kind, value string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(kind + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Failure is one sign-in failure to count: the key it counts against
// (an LimitKeys name) and that key's limit.
type Failure struct {
	Key   string
	Limit Limit
}
