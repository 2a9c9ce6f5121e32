package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"
)

// Devices issues and checks device tokens: proof, kept in a long-lived
// cookie, that a browser has completed a sign-in to an account before
// (OWASP's "device cookies"). A browser that holds one for an account is
// not held by that account's lockout for unknown browsers, only by a limit
// of its own, so a guesser elsewhere cannot lock a person out of their own
// computer.
//
// A token is a random device id, an expiry and an HMAC over both and the
// account's limit key (LimitKeys.Account). It names no account: only the
// server, given the email typed, can tell which account a token is for, so
// the cookie on a shared or seized computer does not say who used it. One
// cookie holds the tokens of up to MaxDeviceTokens accounts, for shared
// computers, newest first, separated by dots.
type Devices struct{ key []byte }

// MaxDeviceTokens is how many accounts' tokens one browser keeps.
const MaxDeviceTokens = 8

const (
	deviceIDLen  = 16
	deviceMACLen = 16
	deviceLen    = deviceIDLen + 8 + deviceMACLen
)

// NewDevices returns a token issuer that signs with key (a key derived for
// this purpose alone).
func NewDevices(key []byte) Devices { return Devices{key: key} }

// Find returns the device id of a token in cookie that is valid for account
// at now.
func (d Devices) Find(cookie, account string, now time.Time) (id string, ok bool) {
	for tok := range strings.SplitSeq(cookie, ".") {
		if id, ok := d.check(tok, account, now); ok {
			return id, true
		}
	}
	return "", false
}

// Issue returns cookie with a new token for account, valid until expires,
// in front. It drops the account's older tokens, expired and malformed ones,
// and any past MaxDeviceTokens; the rest are kept unchecked, since checking
// a token needs the email of its account.
func (d Devices) Issue(cookie, account string, now, expires time.Time) string {
	out := []string{d.token(newDeviceID(), account, expires)}
	for tok := range strings.SplitSeq(cookie, ".") {
		if len(out) == MaxDeviceTokens {
			break
		}
		if _, mine := d.check(tok, account, now); mine || !wellFormed(tok, now) {
			continue
		}
		out = append(out, tok)
	}
	return strings.Join(out, ".")
}

func newDeviceID() []byte {
	b := make([]byte, deviceIDLen)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return b
}

func (d Devices) token(id []byte, account string, expires time.Time) string {
	b := make([]byte, 0, deviceLen)
	b = append(b, id...)
	b = binary.BigEndian.AppendUint64(b, uint64(expires.Unix()))
	b = append(b, d.mac(b, account)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (d Devices) mac(body []byte, account string) []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(account))
	m.Write([]byte{0})
	m.Write(body)
	return m.Sum(nil)[:deviceMACLen]
}

func (d Devices) check(tok, account string, now time.Time) (id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != deviceLen {
		return "", false
	}
	body, sum := b[:deviceIDLen+8], b[deviceIDLen+8:]
	if !hmac.Equal(sum, d.mac(body, account)) || !unexpired(body, now) {
		return "", false
	}
	return base64.RawURLEncoding.EncodeToString(body[:deviceIDLen]), true
}

// wellFormed reports whether tok has a token's shape and is unexpired.
func wellFormed(tok string, now time.Time) bool {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	return err == nil && len(b) == deviceLen && unexpired(b, now)
}

func unexpired(b []byte, now time.Time) bool {
	exp := int64(binary.BigEndian.Uint64(b[deviceIDLen : deviceIDLen+8]))
	return now.Unix() < exp
}
