package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"strings"
	"time"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognize
// in code, logs and secret scanners.
const TokenPrefix = "puente_"

// Token is an API client's credential: a public id for lookup and a secret
// stored only as a hash. It acts for one user, within its scopes, until it
// expires or is revoked.
type Token struct {
	ID         int64    `json:"id"`
	UserID     int64    `json:"user_id"`
	Name       string   `json:"name"`
	PublicID   string   `json:"public_id"`
	SecretHash string   `json:"-"`
	Scopes     []string `json:"scopes"`
	// Roles and OrgID are what the account could do when the token was
	// made: the roles in force then, in that organization. The token never
	// does more, whatever the account is given later.
	Roles      []string   `json:"roles"`
	OrgID      int64      `json:"organization_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// A public id is publicIDLength characters of publicIDAlphabet (60 random
// bits: it finds the token, the secret proves it). Ids issued before the
// alphabet was fixed are lower-case letters and digits, which SplitBearer
// still accepts.
const (
	publicIDLength   = 12
	publicIDAlphabet = "abcdefghijklmnopqrstuvwxyz234567"
)

// newPublicID draws a public id. rand.Text gives 26 characters of the
// upper-case base32 alphabet, always, so the id never comes up short.
func newPublicID() string {
	return strings.ToLower(rand.Text()[:publicIDLength])
}

// NewToken returns a token for user and the bearer string to hand to the
// client once; Puente cannot show it again.
func NewToken(user int64, name string, scopes []string, now time.Time, ttl time.Duration) (bearer string, t Token) {
	public := newPublicID()
	secret := randomString(32)
	t = Token{UserID: user, Name: name, PublicID: public, SecretHash: HashID(secret), Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	return TokenPrefix + public + "_" + secret, t
}

// SplitBearer separates a bearer string into its public id and secret, or
// reports that it is not shaped like a Puente token.
func SplitBearer(bearer string) (public, secret string, ok bool) {
	rest, ok := strings.CutPrefix(bearer, TokenPrefix)
	if !ok {
		return "", "", false
	}
	public, secret, ok = strings.Cut(rest, "_")
	if !ok || !isPublicID(public) || len(secret) < 40 {
		return "", "", false
	}
	return public, secret, true
}

// isPublicID reports whether s could be a public id, of today's alphabet or
// the older one.
func isPublicID(s string) bool {
	if len(s) != publicIDLength {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Matches reports, in constant time, whether secret is this token's secret.
func (t *Token) Matches(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(HashID(secret)), []byte(t.SecretHash)) == 1
}

// Usable reports whether the token may authenticate a request at now.
func (t *Token) Usable(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}
