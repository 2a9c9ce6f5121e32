package mfa

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// rfcSecret is the RFC 6238 appendix B test key "12345678901234567890".
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// base is 10 s into step 59,000,000 (in March 2026), so ±30 s stays within
// the neighbouring steps and nothing depends on the wall clock.
const baseStep = 59_000_000

var base = time.Unix(baseStep*30+10, 0)

// codeAt asks the library, not Verify, for the code at t.
func codeAt(t *testing.T, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(rfcSecret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEnroll(t *testing.T) {
	e, err := Enroll("Puente", "Puente (user 12)")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatalf("parse %q: %v", e.URL, err)
	}
	q := u.Query()
	for _, c := range []struct{ name, got, want string }{
		{"scheme", u.Scheme, "otpauth"},
		{"type", u.Host, "totp"},
		{"label", u.Path, "/Puente:Puente (user 12)"},
		{"issuer", q.Get("issuer"), "Puente"},
		{"secret", q.Get("secret"), e.Secret},
		{"digits", q.Get("digits"), "6"},
		{"period", q.Get("period"), "30"},
		{"algorithm", q.Get("algorithm"), "SHA1"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if b, err := b32.DecodeString(e.Secret); err != nil || len(b) != 20 {
		t.Errorf("secret %q: got %d bytes (err %v), want 20", e.Secret, len(b), err)
	}
	img, err := png.Decode(bytes.NewReader(e.QRCodePNG))
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	if got, want := img.Bounds().Size().String(), "(200,200)"; got != want {
		t.Errorf("png size: got %s, want %s", got, want)
	}
	uri := e.QRDataURI()
	data, ok := strings.CutPrefix(uri, "data:image/png;base64,")
	if !ok {
		t.Fatalf("QRDataURI: got prefix %.30q, want data:image/png;base64,", uri)
	}
	if got, err := base64.StdEncoding.DecodeString(data); err != nil || !bytes.Equal(got, e.QRCodePNG) {
		t.Errorf("QRDataURI does not decode to QRCodePNG (err %v)", err)
	}

	again, err := Enroll("Puente", "Puente (user 12)")
	if err != nil {
		t.Fatal(err)
	}
	if again.Secret == e.Secret {
		t.Errorf("two enrollments got the same secret %q", e.Secret)
	}
}

func TestEnrollRefusesEmptyNames(t *testing.T) {
	for _, c := range []struct{ name, issuer, account string }{
		{"no issuer", "", "Puente (user 12)"},
		{"no account", "Puente", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e, err := Enroll(c.issuer, c.account); err == nil {
				t.Errorf("got %+v, want an error", e)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	now := codeAt(t, base)
	for _, c := range []struct {
		name     string
		code     string
		at       time.Time
		lastStep int64
		wantStep int64
		wantErr  error
	}{
		{"current step", now, base, 0, baseStep, nil},
		{"previous step", codeAt(t, base.Add(-30*time.Second)), base, 0, baseStep - 1, nil},
		{"next step", codeAt(t, base.Add(30*time.Second)), base, 0, baseStep + 1, nil},
		{"two steps old", codeAt(t, base.Add(-60*time.Second)), base, 0, 0, ErrWrong},
		{"90 s old", codeAt(t, base.Add(-90*time.Second)), base, 0, 0, ErrWrong},
		{"90 s ahead", codeAt(t, base.Add(90*time.Second)), base, 0, 0, ErrWrong},
		{"wrong digits", wrongCode(now), base, 0, 0, ErrWrong},
		{"after an earlier step was used", now, base, baseStep - 1, baseStep, nil},
		{"replayed, same step", now, base, baseStep, 0, ErrReplayed},
		{"replayed, later step already used", now, base, baseStep + 1, 0, ErrReplayed},
		{"spaced", now[:3] + " " + now[3:], base, 0, baseStep, nil},
		{"dashed", now[:3] + "-" + now[3:], base, 0, baseStep, nil},
		{"padded", " " + now + "\n", base, 0, baseStep, nil},
		{"five digits", "12345", base, 0, 0, ErrMalformed},
		{"letters", "abcdef", base, 0, 0, ErrMalformed},
		{"seven digits", "1234567", base, 0, 0, ErrMalformed},
		{"empty", "", base, 0, 0, ErrMalformed},
		{"full-width digits", "１２３４５６", base, 0, 0, ErrMalformed},
		// RFC 6238 appendix B: SHA1 at T=59 is 94287082; six digits keep the last six.
		{"rfc 6238 vector", "287082", time.Unix(59, 0), 0, 1, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			step, err := Verify(rfcSecret, c.code, c.at, c.lastStep)
			if !errors.Is(err, c.wantErr) || step != c.wantStep {
				t.Errorf("Verify(%q): got (%d, %v), want (%d, %v)", c.code, step, err, c.wantStep, c.wantErr)
			}
		})
	}
}

// wrongCode changes the last digit of a valid code.
func wrongCode(c string) string {
	return c[:5] + string('0'+(c[5]-'0'+1)%10)
}

func TestVerifyRefusesBadSecrets(t *testing.T) {
	for _, c := range []struct{ name, secret string }{
		{"empty", ""},
		{"not base32", "not base32!"},
		{"80 bits", "JBSWY3DPEHPK3PXP"},
	} {
		t.Run(c.name, func(t *testing.T) {
			step, err := Verify(c.secret, "123456", base, 0)
			if err == nil || errors.Is(err, ErrWrong) || errors.Is(err, ErrMalformed) {
				t.Errorf("got (%d, %v), want an error about the secret", step, err)
			}
		})
	}
}

func TestVerifyAcceptsLowercaseSecret(t *testing.T) {
	step, err := Verify(strings.ToLower(rfcSecret), codeAt(t, base), base, 0)
	if diff := cmp.Diff([]any{int64(baseStep), nil}, []any{step, err}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func BenchmarkVerify(b *testing.B) {
	code, err := totp.GenerateCode(rfcSecret, base.Add(30*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Verify(rfcSecret, code, base, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEnrollmentOfMatchesEnroll keeps the rebuilt enrollment, shown after a
// mistyped code, the same as the one Enroll made.
func TestEnrollmentOfMatchesEnroll(t *testing.T) {
	en, err := Enroll("Puente", "Puente user 7")
	if err != nil {
		t.Fatal(err)
	}
	got, err := EnrollmentOf("Puente", "Puente user 7", en.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != en.URL || got.Secret != en.Secret || !bytes.Equal(got.QRCodePNG, en.QRCodePNG) {
		t.Errorf("EnrollmentOf: got URL %q, want %q (QR equal: %t)", got.URL, en.URL, bytes.Equal(got.QRCodePNG, en.QRCodePNG))
	}
}
