package mfa

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var recoveryFormat = regexp.MustCompile(`^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$`)

func TestNewRecoveryCodes(t *testing.T) {
	for _, n := range []int{1, DefaultRecoveryCodes, 500} {
		codes, err := NewRecoveryCodes(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != n {
			t.Errorf("NewRecoveryCodes(%d): got %d codes, want %d", n, len(codes), n)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if !recoveryFormat.MatchString(c) {
				t.Errorf("got code %q, want xxxxx-xxxxx from %s", c, recoveryAlphabet)
			}
			if seen[c] {
				t.Errorf("got code %q twice", c)
			}
			seen[c] = true
		}
	}
}

// TestNewRecoveryCodesUseWholeAlphabet fails if the generator draws from
// only part of the alphabet, which would quietly cut the codes' strength.
// Each of 31 characters is expected about 160 times in 5,000 draws.
func TestNewRecoveryCodesUseWholeAlphabet(t *testing.T) {
	codes, err := NewRecoveryCodes(500)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(codes, "")
	for _, r := range recoveryAlphabet {
		if n := strings.Count(all, string(r)); n < 80 {
			t.Errorf("character %q: got %d times in 5000, want about 160", r, n)
		}
	}
}

// TestNewRecoveryCodesSkipsRepeats feeds the same random bytes twice; the
// second code must be drawn again rather than issued twice.
func TestNewRecoveryCodesSkipsRepeats(t *testing.T) {
	a := bytes.Repeat([]byte{0}, 16) // "22222-22222"
	b := bytes.Repeat([]byte{1}, 16) // "33333-33333"
	codes, err := newRecoveryCodes(bytes.NewReader(slices.Concat(a, a, b)), 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"22222-22222", "33333-33333"}, codes); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNewRecoveryCodesRefusesNone(t *testing.T) {
	for _, n := range []int{0, -1} {
		if codes, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d): got %q, want an error", n, codes)
		}
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		ok             bool
	}{
		{"as shown", "abcde-fghjk", "abcdefghjk", true},
		{"no dash", "abcdefghjk", "abcdefghjk", true},
		{"uppercase", "ABCDE-FGHJK", "abcdefghjk", true},
		{"spaces", " abcde fghjk ", "abcdefghjk", true},
		{"spaces and dashes", "ab-cde - fg hjk", "abcdefghjk", true},
		{"digits", "23456-789ab", "23456789ab", true},
		{"zero", "abcde-fghj0", "", false},
		{"letter o", "abcde-fghjo", "", false},
		{"one", "abcde-fghj1", "", false},
		{"letter i", "abcde-fghji", "", false},
		{"letter l", "abcde-fghjl", "", false},
		{"capital O", "ABCDE-FGHJO", "", false},
		{"too short", "abcde-fghj", "", false},
		{"too long", "abcde-fghjkm", "", false},
		{"empty", "", "", false},
		{"punctuation", "abcde.fghjk", "", false},
		{"non-ascii", "abcdé-fghjk", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := NormalizeRecoveryCode(c.in)
			if got != c.want || ok != c.ok {
				t.Errorf("NormalizeRecoveryCode(%q): got (%q, %t), want (%q, %t)", c.in, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestNormalizeRecoveryCodeRoundTrips(t *testing.T) {
	codes, err := NewRecoveryCodes(DefaultRecoveryCodes)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range codes {
		want := strings.ReplaceAll(code, "-", "")
		for _, typed := range []string{code, strings.ToUpper(code), strings.ReplaceAll(code, "-", " "), " " + want + " "} {
			if got, ok := NormalizeRecoveryCode(typed); got != want || !ok {
				t.Errorf("NormalizeRecoveryCode(%q): got (%q, %t), want (%q, true)", typed, got, ok, want)
			}
		}
	}
}

func TestHashRecoveryCode(t *testing.T) {
	key1 := []byte("0123456789abcdef0123456789abcdef")
	key2 := []byte("fedcba9876543210fedcba9876543210")
	h := HashRecoveryCode(key1, "abcde-fghjk")

	m := hmac.New(sha256.New, key1)
	m.Write([]byte("abcdefghjk"))
	if want := hex.EncodeToString(m.Sum(nil)); h != want {
		t.Errorf("got %s, want HMAC-SHA256 of the normalized code %s", h, want)
	}
	for _, c := range []struct {
		name  string
		key   []byte
		code  string
		equal bool
	}{
		{"same code as typed differently", key1, "ABCDE FGHJK", true},
		{"other key", key2, "abcde-fghjk", false},
		{"other code", key1, "abcde-fghjm", false},
		{"malformed code", key1, "abcde-fghj0", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := HashRecoveryCode(c.key, c.code); (got == h) != c.equal {
				t.Errorf("HashRecoveryCode(%q): got %s, equal to %s is %t, want %t", c.code, got, h, got == h, c.equal)
			}
		})
	}
}
