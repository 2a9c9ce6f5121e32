package secret

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// newTestDataKey returns a data key from a fresh keyring.
func newTestDataKey(t testing.TB) *DataKey {
	t.Helper()
	dk, _, err := newTestKeyring(t).NewDataKey("case/1")
	if err != nil {
		t.Fatal(err)
	}
	return dk
}

func TestSealOpenRoundTrip(t *testing.T) {
	dk := newTestDataKey(t)
	for _, tc := range []struct {
		name      string
		plaintext []byte
	}{
		{"empty", nil},
		{"one byte", []byte{0}},
		{"name", []byte("María José Núñez Hernández")},
		{"address", []byte(strings.Repeat("Calle 5 de Mayo 123, Col. Centro, Ciudad Juárez, Chih. ", 4))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const aad = "people/name/42"
			sealed := dk.Seal(tc.plaintext, aad)
			if got, want := len(sealed), 1+8+12+len(tc.plaintext)+16; got != want {
				t.Errorf("len(sealed) = %d, want %d", got, want)
			}
			if got, want := sealed[0], byte(1); got != want {
				t.Errorf("version byte = %d, want %d", got, want)
			}
			if got, want := sealed[1:9], dk.id[:]; !bytes.Equal(got, want) {
				t.Errorf("id prefix = %x, want %x", got, want)
			}
			if bytes.Contains(sealed, tc.plaintext) && len(tc.plaintext) > 4 {
				t.Error("sealed field contains the plaintext")
			}
			got, err := dk.Open(sealed, aad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tc.plaintext) {
				t.Errorf("Open = %q, want %q", got, tc.plaintext)
			}
		})
	}
}

func TestSealStringRoundTrip(t *testing.T) {
	dk := newTestDataKey(t)
	const want = "Av. Juárez 1010, Nuevo Laredo"
	got, err := dk.OpenString(dk.SealString(want, "people/address/7"), "people/address/7")
	if err != nil || got != want {
		t.Errorf("OpenString(SealString(%q)) = %q, %v; want %q, nil", want, got, err, want)
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	dk := newTestDataKey(t)
	a, b := dk.SealString("Ana", "people/name/1"), dk.SealString("Ana", "people/name/1")
	if bytes.Equal(a, b) {
		t.Errorf("two seals of the same field are equal (%x): the nonce is not random", a)
	}
}

func TestOpenRejects(t *testing.T) {
	dk, other := newTestDataKey(t), newTestDataKey(t)
	sealed := dk.SealString("Ana", "people/name/42")
	for _, tc := range []struct {
		name   string
		sealed []byte
		aad    string
		want   error
	}{
		{"another column", sealed, "people/address/42", ErrDecrypt},
		{"moved to another row", sealed, "people/name/43", ErrDecrypt},
		{"empty aad", sealed, "", ErrDecrypt},
		{"sealed under another data key", other.SealString("Ana", "people/name/42"), "people/name/42", ErrWrongKey},
		{"truncated", sealed[:len(sealed)-17], "people/name/42", ErrFormat},
		{"empty", nil, "people/name/42", ErrFormat},
		{"unknown version", append([]byte{2}, sealed[1:]...), "people/name/42", ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dk.Open(tc.sealed, tc.aad)
			if !errors.Is(err, tc.want) {
				t.Errorf("Open = %q, %v; want error %v", got, err, tc.want)
			}
		})
	}
}

func TestOpenDetectsEveryBitFlip(t *testing.T) {
	dk := newTestDataKey(t)
	const aad = "people/name/42"
	sealed := dk.SealString("María", aad)
	for i := range sealed {
		want := ErrDecrypt
		switch {
		case i == 0:
			want = ErrFormat
		case i <= 8:
			want = ErrWrongKey
		}
		for bit := range 8 {
			flipped := bytes.Clone(sealed)
			flipped[i] ^= 1 << bit
			if _, err := dk.Open(flipped, aad); !errors.Is(err, want) {
				t.Errorf("byte %d bit %d flipped: Open error = %v, want %v", i, bit, err, want)
			}
		}
	}
}

func TestDataKeyID(t *testing.T) {
	kr := newTestKeyring(t)
	dk, wrapped, err := kr.NewDataKey("case/1")
	if err != nil {
		t.Fatal(err)
	}
	if got := dk.ID(); len(got) != 16 || strings.Trim(got, "0123456789abcdef") != "" {
		t.Errorf("ID() = %q, want 16 lowercase hex digits", got)
	}
	again, err := kr.Unwrap(wrapped, "case/1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := again.ID(), dk.ID(); got != want {
		t.Errorf("unwrapped ID() = %q, want %q", got, want)
	}
}

func TestDestroy(t *testing.T) {
	dk := newTestDataKey(t)
	sealed := dk.SealString("Ana", "people/name/1")
	dk.Destroy()
	if got, want := dk.key, [KeySize]byte{}; got != want {
		t.Errorf("key after Destroy = %x, want zeros", got)
	}
	for name, use := range map[string]func(){
		"Seal": func() { dk.SealString("Ana", "people/name/1") },
		"Open": func() { dk.Open(sealed, "people/name/1") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s after Destroy did not panic", name)
				}
			}()
			use()
		})
	}
}
