package auth

import (
	"strings"
	"testing"
	"time"
)

// publicIDShaped reports whether s is exactly twelve characters of the
// public id alphabet.
func publicIDShaped(s string) bool {
	if len(s) != publicIDLength {
		return false
	}
	for _, c := range []byte(s) {
		if !strings.ContainsRune(publicIDAlphabet, rune(c)) {
			return false
		}
	}
	return true
}

// TestNewTokenAlwaysWellShaped makes enough tokens that an id generator
// failing once in ten thousand would fail here: every public id must be
// twelve characters of one alphabet, and every bearer must split back into
// its parts.
func TestNewTokenAlwaysWellShaped(t *testing.T) {
	seen := map[string]bool{}
	for i := range 200_000 {
		bearer, tok := NewToken(1, "n", nil, t0, time.Hour)
		if !publicIDShaped(tok.PublicID) {
			t.Fatalf("token %d: public id %q is not %d characters of %q", i, tok.PublicID, publicIDLength, publicIDAlphabet)
		}
		if seen[tok.PublicID] {
			t.Fatalf("token %d: public id %q issued twice", i, tok.PublicID)
		}
		seen[tok.PublicID] = true
		public, secret, ok := SplitBearer(bearer)
		if !ok || public != tok.PublicID || !tok.Matches(secret) {
			t.Fatalf("token %d: SplitBearer(%q) = %q, %q, %v", i, bearer, public, secret, ok)
		}
	}
}

func TestSplitBearer(t *testing.T) {
	secret := strings.Repeat("s", 43)
	for _, tt := range []struct {
		name, bearer   string
		public, secret string
		ok             bool
	}{
		{"well formed", "puente_abcdefgh2345_" + secret, "abcdefgh2345", secret, true},
		{"secret with underscores and dashes", "puente_abcdefgh2345_a_b-c" + secret, "abcdefgh2345", "a_b-c" + secret, true},
		{"id issued before the fixed alphabet", "puente_a0b1c8d9e0f1_" + secret, "a0b1c8d9e0f1", secret, true},
		{"empty", "", "", "", false},
		{"no prefix", "abcdefgh2345_" + secret, "", "", false},
		{"other prefix", "other_abcdefgh2345_" + secret, "", "", false},
		{"no secret", "puente_abcdefgh2345", "", "", false},
		{"short id", "puente_abcdefgh234_" + secret, "", "", false},
		{"long id", "puente_abcdefgh23456_" + secret, "", "", false},
		{"upper case id", "puente_ABCDEFGH2345_" + secret, "", "", false},
		{"id with a dash", "puente_abcdefgh-345_" + secret, "", "", false},
		{"id with a non-ASCII letter", "puente_abcdefghñ45_" + secret, "", "", false},
		{"short secret", "puente_abcdefgh2345_" + secret[:39], "", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			public, secret, ok := SplitBearer(tt.bearer)
			if public != tt.public || secret != tt.secret || ok != tt.ok {
				t.Errorf("SplitBearer(%q) = %q, %q, %v; want %q, %q, %v", tt.bearer, public, secret, ok, tt.public, tt.secret, tt.ok)
			}
		})
	}
}
