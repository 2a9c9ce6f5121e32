package secret

import (
	"bytes"
	"testing"
)

func TestSealerOpensOnlyWhatItSealedWhereItBelongs(t *testing.T) {
	kr, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	s := kr.Sealer("totp")
	plain := []byte("JBSWY3DPEHPK3PXP")
	sealed := s.Seal(plain, "user_totp/7")
	if bytes.Contains(sealed, plain) {
		t.Fatal("the sealed value holds the plain text")
	}
	if again := s.Seal(plain, "user_totp/7"); bytes.Equal(again, sealed) {
		t.Error("sealing twice gave the same bytes: the nonce is not fresh")
	}
	got, err := s.Open(sealed, "user_totp/7")
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q, %v", got, err)
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	other, _ := NewKeyring()
	for name, try := range map[string]func() ([]byte, error){
		"another user's aad": func() ([]byte, error) { return s.Open(sealed, "user_totp/8") },
		"a flipped bit":      func() ([]byte, error) { return s.Open(flipped, "user_totp/7") },
		"another purpose":    func() ([]byte, error) { return kr.Sealer("mfa-recovery").Open(sealed, "user_totp/7") },
		"another keyring":    func() ([]byte, error) { return other.Sealer("totp").Open(sealed, "user_totp/7") },
		"too short":          func() ([]byte, error) { return s.Open(sealed[:10], "user_totp/7") },
		"another version":    func() ([]byte, error) { v := bytes.Clone(sealed); v[0] = 2; return s.Open(v, "user_totp/7") },
	} {
		if got, err := try(); err == nil {
			t.Errorf("%s opened: %q", name, got)
		}
	}
}
