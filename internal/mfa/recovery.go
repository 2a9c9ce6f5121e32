package mfa

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// DefaultRecoveryCodes is how many recovery codes to issue at once: enough
// to last until the person can set up a new phone, few enough to write down.
const DefaultRecoveryCodes = 10

// recoveryAlphabet leaves out 0, o, 1, i and l, which people misread when
// copying a code from paper, so every character that can be written is
// unambiguous. 31 symbols × 10 characters give log2(31^10) ≈ 49.5 bits.
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

const (
	recoveryLen = 10              // characters that carry entropy
	shownLen    = recoveryLen + 1 // with the dash in the middle
)

// NewRecoveryCodes returns n distinct recovery codes from crypto/rand, each
// ten characters shown as "xxxxx-xxxxx" so it is easy to copy by hand.
// Store only their hashes (HashRecoveryCode) and show the codes once.
func NewRecoveryCodes(n int) ([]string, error) {
	return newRecoveryCodes(rand.Reader, n)
}

// newRecoveryCodes takes its randomness from r so a test can force a repeat.
func newRecoveryCodes(r io.Reader, n int) ([]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("new recovery codes: n is %d, want at least 1", n)
	}
	codes := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(codes) < n {
		c, err := newRecoveryCode(r)
		if err != nil {
			return nil, fmt.Errorf("new recovery codes: %w", err)
		}
		if !seen[c] { // a repeat is vanishingly rare but would waste a code
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return codes, nil
}

// newRecoveryCode draws each character uniformly: bytes at or above the
// largest multiple of the alphabet size are thrown away, because keeping
// them would make the first few characters slightly more likely.
func newRecoveryCode(r io.Reader) (string, error) {
	const limit = 256 / len(recoveryAlphabet) * len(recoveryAlphabet)
	var b strings.Builder
	buf := make([]byte, 16)
	for b.Len() < shownLen {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		for _, x := range buf {
			if int(x) >= limit || b.Len() == shownLen {
				continue
			}
			if b.Len() == recoveryLen/2 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[int(x)%len(recoveryAlphabet)])
		}
	}
	return b.String(), nil
}

// NormalizeRecoveryCode returns the canonical form of a recovery code as a
// person typed it — lowercase, without spaces or dashes — and reports
// whether it is ten characters from the recovery alphabet. Characters that
// no code contains, such as 0 or O, make it invalid rather than being
// guessed at, so a typo is reported instead of silently using up a code.
func NormalizeRecoveryCode(s string) (string, bool) {
	s = stripSeparators(strings.ToLower(s))
	if len(s) != recoveryLen {
		return "", false
	}
	for i := range len(s) {
		if strings.IndexByte(recoveryAlphabet, s[i]) < 0 {
			return "", false
		}
	}
	return s, true
}

// HashRecoveryCode returns the hex HMAC-SHA256 of the normalized code under
// key, which is what the database stores. Keying the hash with a server
// secret kept outside the database means a stolen copy of it yields no
// usable codes, and guessing them offline needs the key as well.
//
// key should be at least 32 random bytes. A code that does not normalize is
// hashed as given, which matches no stored hash; callers should still check
// NormalizeRecoveryCode first to tell the person their code is malformed.
func HashRecoveryCode(key []byte, code string) string {
	if n, ok := NormalizeRecoveryCode(code); ok {
		code = n
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}
