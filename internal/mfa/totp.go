package mfa

import (
	"bytes"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// These are what every authenticator app supports; Google Authenticator
// ignores other algorithms, digit counts and periods and shows wrong codes.
const (
	period     = 30
	digits     = otp.DigitsSix
	algorithm  = otp.AlgorithmSHA1
	secretSize = 20 // bytes; RFC 4226 recommends 160 bits
	minSecret  = 16 // bytes; RFC 4226 requires at least 128 bits
	qrSize     = 200
)

// opts are the options for generating and checking codes; Skew stays zero
// because Verify walks the neighbouring steps itself to learn which matched.
var opts = totp.ValidateOpts{Period: period, Digits: digits, Algorithm: algorithm}

// Errors returned by Verify for a code the person typed.
var (
	ErrMalformed = errors.New("malformed code")
	ErrReplayed  = errors.New("code already used")
	ErrWrong     = errors.New("wrong code")
)

// Enrollment is what a person needs to add Puente to an authenticator app.
// The secret cannot be hashed like a password, because the server must
// compute codes from it: store it encrypted.
type Enrollment struct {
	Secret    string // base32, unpadded
	URL       string // otpauth://totp/…, the text the QR code holds
	QRCodePNG []byte // the URL as a 200×200 QR code
}

// Enroll makes a new random TOTP secret for account at issuer.
//
// The account label is shown in the authenticator app, so anyone holding
// the phone — including at a checkpoint or after a seizure — can read it.
// Callers should pass a neutral label such as "Puente (user 12)", not an
// email address or a name; Enroll accepts whatever it is given.
func Enroll(issuer, account string) (*Enrollment, error) {
	return enroll(totp.GenerateOpts{Issuer: issuer, AccountName: account, SecretSize: secretSize})
}

// EnrollmentOf rebuilds the enrollment of a secret already made, so that a
// person who mistypes the confirming code sees the same QR code again, not
// a new one to scan. It makes exactly what Enroll made for that secret.
func EnrollmentOf(issuer, account, secret string) (*Enrollment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("rebuild enrollment: %w", err)
	}
	return enroll(totp.GenerateOpts{Issuer: issuer, AccountName: account, Secret: raw})
}

func enroll(o totp.GenerateOpts) (*Enrollment, error) {
	o.Period, o.Digits, o.Algorithm = period, digits, algorithm
	key, err := totp.Generate(o)
	if err != nil {
		return nil, fmt.Errorf("enroll totp: %w", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, fmt.Errorf("enroll totp: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("enroll totp: encode png: %w", err)
	}
	return &Enrollment{Secret: key.Secret(), URL: key.URL(), QRCodePNG: buf.Bytes()}, nil
}

// QRDataURI returns the QR code as a data: URI, so the enrollment page can
// show it in an <img> without JavaScript and without a second request that
// would have to carry the secret. The library leaves only a few pixels of
// margin around the code, so show it on a white background with padding or
// phones in dark mode may fail to scan it.
func (e *Enrollment) QRDataURI() string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRCodePNG)
}

// Verify checks code against secret at now and returns the 30-second step
// it belongs to. The caller stores that step and passes it back as lastStep
// next time (0 before the first use): a code whose step is not after
// lastStep is refused with ErrReplayed, so a code seen over a shoulder or
// in a log cannot be used again even while it is still current.
//
// Codes from the step before and after now are accepted because phone
// clocks drift and people type slowly. Spaces and dashes are ignored since
// apps show codes as "123 456". A code that is not six digits is
// ErrMalformed; a well-formed code that matches no allowed step is ErrWrong.
// A secret that is not base32 of at least 16 bytes gives an error wrapping
// none of these, because that is the server's fault, not the person's.
func Verify(secret, code string, now time.Time, lastStep int64) (step int64, err error) {
	if err := checkSecret(secret); err != nil {
		return 0, fmt.Errorf("verify totp: %w", err)
	}
	code, ok := normalizeCode(code)
	if !ok {
		return 0, ErrMalformed
	}
	cur := now.Unix() / period
	var fresh, replayed bool
	// Every candidate is computed and compared, with no early return, so the
	// time taken does not reveal which step, if any, matched.
	for s := cur - 1; s <= cur+1; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*period, 0), opts)
		if err != nil {
			return 0, fmt.Errorf("verify totp: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		switch {
		case s <= lastStep:
			replayed = true
		case !fresh: // the earliest fresh step, so as few later codes as possible are spent
			fresh, step = true, s
		}
	}
	switch {
	case fresh:
		return step, nil
	case replayed:
		return 0, ErrReplayed
	}
	return 0, ErrWrong
}

// normalizeCode removes the separators apps and people put in codes and
// reports whether what remains is six ASCII digits.
func normalizeCode(code string) (string, bool) {
	code = stripSeparators(code)
	if len(code) != digits.Length() {
		return "", false
	}
	for i := range len(code) {
		if code[i] < '0' || code[i] > '9' {
			return "", false
		}
	}
	return code, true
}

// stripSeparators removes dashes and white space, which people add when
// copying a code and which carry no meaning.
func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// checkSecret refuses a secret too short to be safe. The library accepts
// any base32 string, even an empty one, and an empty secret would make
// every code computable by anyone — a real risk if a caller passes the
// zero value of a column for a user who never enrolled.
func checkSecret(secret string) error {
	b, err := b32.DecodeString(strings.TrimRight(strings.ToUpper(strings.TrimSpace(secret)), "="))
	if err != nil {
		return fmt.Errorf("secret is not base32: %w", err)
	}
	if len(b) < minSecret {
		return fmt.Errorf("secret is %d bytes, want at least %d", len(b), minSecret)
	}
	return nil
}
