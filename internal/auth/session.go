// Package auth holds the mechanics of proving who someone is: server-side
// sessions, API tokens, the keys sign-in limits count against, and device
// tokens. Secrets are only ever stored hashed, so reading the database does
// not let anyone sign in.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Session is a signed-in browser. The session id itself lives only in the
// person's cookie; the database holds its SHA-256 hash.
type Session struct {
	Hash       string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute limit, fixed at sign-in
	// SecondFactor is true once the person has given a code from their
	// authenticator app or a recovery code in this session. A session of
	// a user with a second factor is not signed in until it is.
	SecondFactor bool
}

// Timeouts bound how long a session lives.
type Timeouts struct {
	Idle     time.Duration // since the last request
	Absolute time.Duration // since sign-in, whatever happens
}

// DefaultTimeouts suit shared office computers: a forgotten tab stops being
// a way into survivors' records after half an hour, and no session outlives
// a working day.
var DefaultTimeouts = Timeouts{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}

// NewSession starts a session for user at now and returns it with the id to
// put in the cookie.
func NewSession(user int64, now time.Time, t Timeouts) (id string, s Session) {
	id = randomString(32)
	return id, Session{Hash: HashID(id), UserID: user, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(t.Absolute)}
}

// Live reports whether s may still be used at now.
func (s *Session) Live(now time.Time, t Timeouts) bool {
	return now.Before(s.ExpiresAt) && now.Sub(s.LastSeenAt) < t.Idle
}

// HashID returns the stored form of a session id or token secret.
func HashID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// randomString returns n random bytes encoded in unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never returns an error on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
