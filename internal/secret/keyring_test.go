package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newTestKeyring(t testing.TB) *Keyring {
	t.Helper()
	kr, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// kekIDs lists the keyring's KEK ids in order, the active one last.
func kekIDs(k *Keyring) []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var ids []string
	for _, c := range k.keks {
		ids = append(ids, c.id)
	}
	return ids
}

func TestWrapUnwrapRoundTrip(t *testing.T) {
	kr := newTestKeyring(t)
	dk, wrapped, err := kr.NewDataKey("case/42")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := kr.KEKOf(wrapped); err != nil || got != "k1" {
		t.Errorf("KEKOf = %q, %v; want k1, nil", got, err)
	}
	sealed := dk.SealString("Ana", "people/name/42")
	again, err := kr.Unwrap(wrapped, "case/42")
	if err != nil {
		t.Fatalf("Unwrap: %v", err)
	}
	if got, err := again.OpenString(sealed, "people/name/42"); err != nil || got != "Ana" {
		t.Errorf("OpenString with the unwrapped key = %q, %v; want Ana, nil", got, err)
	}
}

func TestUnwrapRejects(t *testing.T) {
	kr, other := newTestKeyring(t), newTestKeyring(t)
	_, wrapped, _ := kr.NewDataKey("case/42")
	_, foreign, _ := other.NewDataKey("case/42") // under the other keyring's k1
	other.Rotate()
	_, underK2, _ := other.NewDataKey("case/42")
	for _, tc := range []struct {
		name    string
		wrapped []byte
		aad     string
		want    error
	}{
		{"another record", wrapped, "case/43", ErrDecrypt},
		{"empty aad", wrapped, "", ErrDecrypt},
		{"same kek id, other keyring", foreign, "case/42", ErrDecrypt},
		{"unknown kek", underK2, "case/42", ErrUnknownKEK},
		{"truncated", wrapped[:len(wrapped)-1], "case/42", ErrFormat},
		{"too long", append(bytes.Clone(wrapped), 0), "case/42", ErrFormat},
		{"empty", nil, "case/42", ErrFormat},
		{"unknown version", append([]byte{2}, wrapped[1:]...), "case/42", ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := kr.Unwrap(tc.wrapped, tc.aad); !errors.Is(err, tc.want) {
				t.Errorf("Unwrap error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestUnwrapDetectsEveryBitFlip(t *testing.T) {
	kr := newTestKeyring(t)
	_, wrapped, err := kr.NewDataKey("case/42")
	if err != nil {
		t.Fatal(err)
	}
	for i := range wrapped {
		for bit := range 8 {
			flipped := bytes.Clone(wrapped)
			flipped[i] ^= 1 << bit
			if dk, err := kr.Unwrap(flipped, "case/42"); err == nil {
				t.Errorf("byte %d bit %d flipped: Unwrap = key %s, want an error", i, bit, dk.ID())
			}
		}
	}
}

func TestRotateThenRewrap(t *testing.T) {
	kr := newTestKeyring(t)
	dk, wrapped, _ := kr.NewDataKey("case/42")
	sealed := dk.SealString("Ana", "people/name/42")
	rootBefore := kr.Derive("csrf")

	if got := kr.Rotate(); got != "k2" {
		t.Errorf("Rotate = %q, want k2", got)
	}
	if got := kr.ActiveKEK(); got != "k2" {
		t.Errorf("ActiveKEK after Rotate = %q, want k2", got)
	}
	if !bytes.Equal(kr.Derive("csrf"), rootBefore) {
		t.Error("Derive changed when the KEK rotated")
	}
	out, changed, err := kr.Rewrap(wrapped, "case/42")
	if err != nil || !changed {
		t.Fatalf("Rewrap = changed %v, %v; want true, nil", changed, err)
	}
	if got, _ := kr.KEKOf(out); got != "k2" {
		t.Errorf("KEKOf(rewrapped) = %q, want k2", got)
	}
	again, err := kr.Unwrap(out, "case/42")
	if err != nil {
		t.Fatalf("Unwrap(rewrapped): %v", err)
	}
	if got, err := again.OpenString(sealed, "people/name/42"); err != nil || got != "Ana" {
		t.Errorf("OpenString with the rewrapped key = %q, %v; want Ana, nil", got, err)
	}
	same, changed, err := kr.Rewrap(out, "case/42")
	if err != nil || changed || !bytes.Equal(same, out) {
		t.Errorf("second Rewrap = changed %v, same bytes %v, %v; want false, true, nil", changed, bytes.Equal(same, out), err)
	}
	if _, _, err := kr.Rewrap(wrapped, "case/43"); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Rewrap with another record's aad: error = %v, want %v", err, ErrDecrypt)
	}
}

func TestRetire(t *testing.T) {
	kr := newTestKeyring(t)
	kr.Rotate()
	_, underK2, _ := kr.NewDataKey("case/1")
	kr.Rotate()
	kr.Rotate()
	var asked []string
	inUse := func(id string) bool {
		asked = append(asked, id)
		return id == "k2"
	}
	if diff := cmp.Diff([]string{"k1", "k3"}, kr.Retire(inUse)); diff != "" {
		t.Errorf("Retire dropped (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"k1", "k2", "k3"}, asked); diff != "" {
		t.Errorf("Retire asked about (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"k2", "k4"}, kekIDs(kr)); diff != "" {
		t.Errorf("KEKs after Retire (-want +got):\n%s", diff)
	}
	if _, err := kr.Unwrap(underK2, "case/1"); err != nil {
		t.Errorf("Unwrap under the KEK still in use: %v", err)
	}
	if got := kr.Rotate(); got != "k5" {
		t.Errorf("Rotate after Retire = %q, want k5 (ids are never reused)", got)
	}

	if got := kr.Retire(func(string) bool { return false }); !cmp.Equal(got, []string{"k2", "k4"}) {
		t.Errorf("Retire with nothing in use dropped %q, want [k2 k4]", got)
	}
	if diff := cmp.Diff([]string{"k5"}, kekIDs(kr)); diff != "" {
		t.Errorf("Retire must keep the active KEK (-want +got):\n%s", diff)
	}
}

func TestRotateNumbersPastEveryID(t *testing.T) {
	for _, tc := range []struct{ ids, want string }{
		{"k1", "k2"},
		{"k7 k3", "k8"},
		{"main", "k1"},
		{"k9 kx k10 a12", "k11"},
	} {
		text := "puente-keyring 1\nroot " + testKey(0) + "\n"
		for i, id := range strings.Fields(tc.ids) {
			text += "kek " + id + " " + testKey(byte(i+1)) + "\n"
		}
		kr, err := ParseKeyring(text)
		if err != nil {
			t.Fatal(err)
		}
		if got := kr.Rotate(); got != tc.want {
			t.Errorf("Rotate with KEKs %s = %q, want %q", tc.ids, got, tc.want)
		}
	}
}

// testKey returns a base64 32-byte key filled with b.
func testKey(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, KeySize))
}

func TestMarshalParseRoundTrip(t *testing.T) {
	kr := newTestKeyring(t)
	_, wrapped, _ := kr.NewDataKey("case/9")
	kr.Rotate()
	text := kr.Marshal()
	parsed, err := ParseKeyring(text)
	if err != nil {
		t.Fatalf("ParseKeyring(Marshal()): %v", err)
	}
	if diff := cmp.Diff(text, parsed.Marshal()); diff != "" {
		t.Errorf("Marshal after Parse (-want +got):\n%s", diff)
	}
	if got := parsed.ActiveKEK(); got != "k2" {
		t.Errorf("parsed ActiveKEK = %q, want k2", got)
	}
	if _, err := parsed.Unwrap(wrapped, "case/9"); err != nil {
		t.Errorf("parsed keyring cannot unwrap a key wrapped before Marshal: %v", err)
	}
	if !bytes.Equal(parsed.Derive("audit"), kr.Derive("audit")) {
		t.Error("parsed keyring derives other keys")
	}
}

func TestParseKeyringAcceptsCommentsAndSpacing(t *testing.T) {
	text := "# Puente keyring.\r\n\r\n  puente-keyring   1  # version\r\n" +
		"root\t" + testKey(1) + "   # never rotated\r\n" +
		"# retired: kek k0 ...\r\n" +
		"kek k1 " + testKey(2) + "\r\n" +
		"kek K2x " + testKey(3) + " # active\r\n"
	kr, err := ParseKeyring(text)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	if diff := cmp.Diff([]string{"k1", "K2x"}, kekIDs(kr)); diff != "" {
		t.Errorf("KEKs (-want +got):\n%s", diff)
	}
	if got, want := kr.root, [KeySize]byte(bytes.Repeat([]byte{1}, KeySize)); got != want {
		t.Errorf("root = %x, want %x", got, want)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	const header = "# comment\npuente-keyring 1\n"
	root := "root " + testKey(1) + "\n"
	kek1 := "kek k1 " + testKey(2) + "\n"
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", `parse keyring: no "puente-keyring 1" header`},
		{"no header", root + kek1, `parse keyring: line 1: want the "puente-keyring 1" header first`},
		{"legacy key file", testKey(1) + "\n", `parse keyring: line 1: want the "puente-keyring 1" header first`},
		{"version 2", "puente-keyring 2\n" + root + kek1, `parse keyring: line 1: want "puente-keyring 1": this Puente reads only version 1`},
		{"two headers", header + root + "puente-keyring 1\n" + kek1, "parse keyring: line 4: second puente-keyring header"},
		{"no root", header + kek1, "parse keyring: no root line"},
		{"no kek", header + root, "parse keyring: no kek line"},
		{"two roots", header + root + root + kek1, "parse keyring: line 4: second root line: the root key is never rotated"},
		{"root without key", header + "root\n" + kek1, `parse keyring: line 3: want "root <base64 key>"`},
		{"root bad base64", header + "root not*base64\n" + kek1, "parse keyring: line 3: root: key is not valid base64"},
		{"root wrong length", header + "root " + base64.StdEncoding.EncodeToString(make([]byte, 16)) + "\n" + kek1,
			"parse keyring: line 3: root: key is 16 bytes, want 32"},
		{"kek bad base64", header + root + "kek k1 " + testKey(2)[1:] + "\n", "parse keyring: line 4: kek k1: key is not valid base64"},
		{"kek wrong length", header + root + "kek k1 " + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n",
			"parse keyring: line 4: kek k1: key is 33 bytes, want 32"},
		{"kek without id", header + root + "kek " + testKey(2) + "\n", `parse keyring: line 4: want "kek <id> <base64 key>"`},
		{"kek id with punctuation", header + root + "kek k-1 " + testKey(2) + "\n", `parse keyring: line 4: kek id "k-1": want 1 to 16 letters or digits`},
		{"kek id too long", header + root + "kek k1234567890123456 " + testKey(2) + "\n",
			`parse keyring: line 4: kek id "k1234567890123456": want 1 to 16 letters or digits`},
		{"duplicate kek id", header + root + kek1 + "\n" + kek1, `parse keyring: line 6: duplicate kek id "k1"`},
		{"unknown directive", header + root + kek1 + "salt abc\n", `parse keyring: line 5: unknown directive "salt"`},
		{"stray key", header + root + kek1 + testKey(3) + "\n", "parse keyring: line 5: unknown directive (44 characters long)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeyring(tc.text)
			if err == nil {
				t.Fatalf("ParseKeyring error = nil, want %q", tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("ParseKeyring error = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDerive(t *testing.T) {
	kr := newTestKeyring(t)
	csrf, blind := kr.Derive("csrf"), kr.Derive("blind-index")
	if len(csrf) != KeySize || bytes.Equal(csrf, blind) {
		t.Errorf("Derive(csrf) = %x, Derive(blind-index) = %x; want two different %d-byte keys", csrf, blind, KeySize)
	}
}

func TestBlindIndex(t *testing.T) {
	kr, other := newTestKeyring(t), newTestKeyring(t)
	a := kr.BlindIndex("maria jose nunez")
	if got := kr.BlindIndex("maria jose nunez"); got != a {
		t.Errorf("BlindIndex is not deterministic: %q then %q", a, got)
	}
	if got := kr.BlindIndex("maria jose nunes"); got == a {
		t.Errorf("BlindIndex of two values is the same: %q", got)
	}
	if got := other.BlindIndex("maria jose nunez"); got == a {
		t.Errorf("BlindIndex under two keyrings is the same: %q", got)
	}
	if len(a) != 22 || strings.ContainsAny(a, "+/=") {
		t.Errorf("BlindIndex = %q, want 22 characters of unpadded base64url", a)
	}
	kr.Rotate()
	if got := kr.BlindIndex("maria jose nunez"); got != a {
		t.Errorf("BlindIndex after Rotate = %q, want %q", got, a)
	}
}

func TestKEKOfRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, {1}, {1, 0}, {2, 2, 'k', '1'}, bytes.Repeat([]byte{1}, 80)} {
		if id, err := newTestKeyring(t).KEKOf(b); !errors.Is(err, ErrFormat) {
			t.Errorf("KEKOf(%x) = %q, %v; want error %v", b, id, err, ErrFormat)
		}
	}
}

// TestKeyringConcurrentUse is for the race detector: a server unwraps
// while an operator rotates and retires.
func TestKeyringConcurrentUse(t *testing.T) {
	kr := newTestKeyring(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				aad := "case/" + string(rune('a'+g)) + string(rune('a'+i%26))
				dk, wrapped, err := kr.NewDataKey(aad)
				if err != nil {
					t.Error(err)
					return
				}
				again, err := kr.Unwrap(wrapped, aad)
				if err != nil {
					t.Errorf("Unwrap during rotation: %v", err)
					return
				}
				if got, want := again.ID(), dk.ID(); got != want {
					t.Errorf("Unwrap during rotation = key %s, want %s", got, want)
					return
				}
				kr.BlindIndex(aad)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			kr.Rotate()
			kr.Marshal()
			kr.Retire(func(string) bool { return true })
		}
	})
	wg.Wait()
}

func TestPrintingHidesKeys(t *testing.T) {
	kr, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	dk, _, err := kr.NewDataKey("case/1")
	if err != nil {
		t.Fatal(err)
	}
	text := kr.Marshal()
	for _, s := range []string{fmt.Sprint(kr), fmt.Sprintf("%v %+v %#v %s", kr, kr, kr, kr), fmt.Sprintf("%v %+v %#v", dk, dk, dk)} {
		for _, line := range strings.Split(text, "\n") {
			f := strings.Fields(line)
			if len(f) > 0 && len(f[len(f)-1]) == 44 && strings.Contains(s, f[len(f)-1]) {
				t.Fatalf("printing leaks key material: %s", s)
			}
		}
		if !strings.Contains(s, "redacted") {
			t.Errorf("printed form %q does not say it is redacted", s)
		}
	}
}
