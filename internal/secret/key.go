// Package secret holds the deployment's master key and the keys derived from
// it. The master key lives in a file readable only by Puente's user (or in
// the PUENTE_KEY environment variable), never in the database, so a copy of
// the database or of a backup is not enough to read what it protects.
package secret

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// KeySize is the length of the master key and of every derived key, in bytes.
const KeySize = 32

// EnvVar names the environment variable that may hold the master key,
// base64-encoded, instead of a file.
const EnvVar = "PUENTE_KEY"

// Key is the deployment's master key.
type Key struct{ b [KeySize]byte }

// Generate returns a new random master key.
func Generate() (*Key, error) {
	k := new(Key)
	if _, err := rand.Read(k.b[:]); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return k, nil
}

// Parse decodes a base64-encoded master key.
func Parse(s string) (*Key, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != KeySize {
		return nil, errors.New("parse key: want 32 bytes in base64")
	}
	k := new(Key)
	copy(k.b[:], b)
	return k, nil
}

// String encodes the key in base64. Handle with care.
func (k *Key) String() string { return base64.StdEncoding.EncodeToString(k.b[:]) }

// Derive returns a subkey for one purpose, such as "session" or
// "csrf", so that no two mechanisms share key material.
func (k *Key) Derive(purpose string) []byte {
	out, err := hkdf.Key(sha256.New, k.b[:], nil, "puente/"+purpose, KeySize)
	if err != nil {
		panic(err) // only possible for lengths HKDF cannot produce
	}
	return out
}

// LoadOrCreate returns the master key from the environment variable if it is
// set, else from path, creating the file with mode 0600 when it does not
// exist. It refuses a key file that other users can read or write.
func LoadOrCreate(path string) (k *Key, created bool, err error) {
	if v, ok := os.LookupEnv(EnvVar); ok {
		k, err := Parse(v)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", EnvVar, err)
		}
		return k, false, nil
	}
	k, err = Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if k, err = Generate(); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(k.String() + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write key file: %w", err)
	}
	return k, true, f.Close()
}

// Load reads the master key from path.
func Load(path string) (*Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s has mode %v: other users could read it; run chmod 600 on it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	k, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}
