// Package password hashes passwords with argon2id and decides whether a new
// password is acceptable: long enough, and not a common password dressed up
// with digits or a name the account already gives away.
package password

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default follows OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane):
// about 50 ms on one core of a small server, which bounds how fast a stolen
// database can be guessed without making sign-in slow.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// MinLength is the shortest password accepted, in characters.
	MinLength = 12
	// MaxLength bounds the work an attacker can make the server do.
	MaxLength = 256
)

// ErrMalformed is returned for a stored hash Puente did not write.
var ErrMalformed = errors.New("malformed password hash")

// Hash returns the PHC-format argon2id hash of pw with a random salt.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the stored hash, in constant time, and
// whether the hash was made with parameters other than want and should be
// replaced now that the password is known.
func Verify(pw, hash string, want Params) (ok, rehash bool, err error) {
	p, salt, key, err := decode(hash)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, ok && p != want, nil
}

func decode(hash string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, ErrMalformed
	}
	if p.Memory < 8 || p.Memory > 1<<22 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return p, nil, nil, ErrMalformed
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return p, nil, nil, ErrMalformed
	}
	return p, salt, key, nil
}

// DummyHash returns a valid hash of a random password, made with p.
// Verifying against it when an account does not exist makes a failed
// sign-in take the same time either way, so response times do not reveal
// which email addresses have accounts. It is made on first use, once per
// set of parameters, so that commands that never check a password do not
// pay for it.
func DummyHash(p Params) string {
	if h, ok := dummies.Load(p); ok {
		return h.(string)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	h, err := Hash(base64.StdEncoding.EncodeToString(b), p)
	if err != nil {
		panic(err)
	}
	actual, _ := dummies.LoadOrStore(p, h)
	return actual.(string)
}

var dummies sync.Map // Params → a dummy hash
//go:embed common.txt
var commonList string

var common = func() map[string]bool {
	m := make(map[string]bool, 4000)
	sc := bufio.NewScanner(strings.NewReader(commonList))
	for sc.Scan() {
		if w := sc.Text(); w != "" && !strings.HasPrefix(w, "#") {
			m[fold(w)] = true
		}
	}
	return m
}()

// Translation keys for rejected passwords.
const (
	KeyTooShort = "password.too_short"
	KeyTooLong  = "password.too_long"
	KeyCommon   = "password.common"
	KeyPersonal = "password.personal"
)

// Check returns "" when pw is acceptable as a new password, or the
// translation key of the reason it is not. personal holds words the account
// gives away (email, name, organization): a password built on them is refused.
//
// Following NIST SP 800-63B, there are no composition rules; instead a
// password is refused when, stripped of the digits and symbols people pad it
// with and of simple letter-for-digit swaps, it is a common password, a
// keyboard or number run, one repeated character, or the account's own words.
func Check(pw string, personal ...string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return KeyTooShort
	case n > MaxLength:
		return KeyTooLong
	}
	f := fold(pw)
	core := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) })
	swapped := fold(strings.Map(unleet, pw))
	for _, c := range []string{f, core, swapped, strings.Map(unleet, core)} {
		if common[c] || common[strings.ReplaceAll(c, " ", "")] {
			return KeyCommon
		}
	}
	if distinct(f) <= 3 || isRun(f) {
		return KeyCommon
	}
	for _, p := range personal {
		for _, w := range words(p) {
			if len(w) >= 4 && strings.Contains(swapped, w) && len(swapped)-len(w) < 8 {
				return KeyPersonal
			}
		}
	}
	return ""
}

// fold lowercases and removes accents, so "Contraseña" and "contrasena" match.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

func unleet(r rune) rune {
	switch r {
	case '0':
		return 'o'
	case '1', '!':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	}
	return r
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// isRun reports whether s is an ascending or descending run of characters,
// such as "123456789012" or "abcdefghijkl", allowing wrap-around of digits.
func isRun(s string) bool {
	r := []rune(s)
	up, down := true, true
	for i := 1; i < len(r); i++ {
		d := r[i] - r[i-1]
		if unicode.IsDigit(r[i]) && unicode.IsDigit(r[i-1]) {
			d = (d + 10) % 10
			up = up && d == 1
			down = down && d == 9
			continue
		}
		up = up && d == 1
		down = down && d == -1
	}
	return up || down
}

func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
