package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealerVersion starts every value a Sealer seals, so a future format can
// be told apart from this one.
const sealerVersion = 1

// Sealer seals small values that are not a record's own data, such as a
// person's authenticator secret, under one key derived from the keyring's
// root for a purpose: AES-256-GCM, as version (1) | nonce (12) | ciphertext
// and tag, bound to associated data naming where the value belongs, so a
// value copied elsewhere does not open there. The root never rotates, so
// what a Sealer seals needs no rewriting when key-encryption keys do. Data
// that must be erasable on its own (a case's) gets a DataKey instead.
type Sealer struct {
	aead cipher.AEAD
}

// Sealer returns the Sealer for purpose.
func (k *Keyring) Sealer(purpose string) *Sealer {
	block, err := aes.NewCipher(k.Derive(purpose))
	if err != nil {
		panic("secret: a derived key is not an AES-256 key: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("secret: " + err.Error())
	}
	return &Sealer{aead: aead}
}

// Seal encrypts plain, bound to aad.
func (s *Sealer) Seal(plain []byte, aad string) []byte {
	n := 1 + s.aead.NonceSize()
	out := make([]byte, n, n+len(plain)+s.aead.Overhead())
	out[0] = sealerVersion
	rand.Read(out[1:n]) // never fails (crypto/rand)
	return s.aead.Seal(out, out[1:n], plain, []byte(aad))
}

// Open reverses Seal with the same aad; any change to sealed, or another
// aad, is an error.
func (s *Sealer) Open(sealed []byte, aad string) ([]byte, error) {
	n := 1 + s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() || sealed[0] != sealerVersion {
		return nil, errors.New("secret: open: not a sealed value")
	}
	plain, err := s.aead.Open(nil, sealed[1:n], sealed[n:], []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("secret: open: %w", err)
	}
	return plain, nil
}
