package secret

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Keyring holds the keys for envelope encryption. The root key never
// changes: it is the source of derived keys (CSRF, blind indexes, audit
// signing), which would all break if it did. Key-encryption keys (KEKs) wrap
// the per-record data keys; they can be rotated and retired without
// re-encrypting any record, and the last one added is the active one. Like
// the master key, the keyring lives in a file or the PUENTE_KEYRING
// environment variable, never in the database. A Keyring is safe for
// concurrent use; get one from NewKeyring, ParseKeyring or
// LoadOrCreateKeyring, as the zero value holds no keys.
type Keyring struct {
	// root and blindKey are set at construction and never change (Reload
	// refuses a file with another root), so they are read without the lock.
	root     [KeySize]byte
	blindKey []byte

	mu      sync.RWMutex
	keks    []kek  // in file order, never empty; the last is active
	path    string // the file Reload reads; "" if none
	fromEnv bool   // loaded from PUENTE_KEYRING, so Save must not write a file
}

type kek struct {
	id   string
	key  [KeySize]byte
	aead cipher.AEAD
}

const maxKEKIDLen = 16

// NewKeyring returns a keyring with a fresh random root key and one KEK, k1.
func NewKeyring() (*Keyring, error) {
	var root [KeySize]byte
	if _, err := rand.Read(root[:]); err != nil {
		return nil, fmt.Errorf("new keyring: %w", err)
	}
	first, err := randomKEK("k1")
	if err != nil {
		return nil, fmt.Errorf("new keyring: %w", err)
	}
	return newKeyring(root, []kek{first}), nil
}

func newKeyring(root [KeySize]byte, keks []kek) *Keyring {
	k := &Keyring{root: root, keks: keks}
	k.blindKey = k.Derive("blind-index")
	return k
}

func newKEK(id string, key []byte) kek {
	c := kek{id: id, aead: newAEAD(key)}
	copy(c.key[:], key)
	return c
}

func randomKEK(id string) (kek, error) {
	var key [KeySize]byte
	if _, err := rand.Read(key[:]); err != nil {
		return kek{}, fmt.Errorf("generate kek: %w", err)
	}
	return newKEK(id, key[:]), nil
}

// Derive returns a 32-byte subkey for one purpose, such as "csrf" or
// "blind-index", so that no two mechanisms share key material. It uses
// HKDF-SHA256 over the root key with info "puente/"+purpose, exactly as
// Key.Derive does over the master key, so it does not change when KEKs
// rotate.
func (k *Keyring) Derive(purpose string) []byte {
	out, err := hkdf.Key(sha256.New, k.root[:], nil, "puente/"+purpose, KeySize)
	if err != nil {
		panic(err) // only possible for lengths HKDF cannot produce
	}
	return out
}

// BlindIndex returns a keyed hash of value for finding encrypted records by
// exact match (for example a survivor's normalized name) without storing
// the value: HMAC-SHA256 under Derive("blind-index"), cut to 16 bytes and
// encoded as unpadded base64url. It does not normalize value; callers must,
// or "Ana" and "ana " will not match.
func (k *Keyring) BlindIndex(value string) string {
	m := hmac.New(sha256.New, k.blindKey)
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// ActiveKEK returns the id of the KEK that wraps new data keys.
func (k *Keyring) ActiveKEK() string { return k.active().id }

func (k *Keyring) active() kek {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keks[len(k.keks)-1]
}

func (k *Keyring) lookup(id string) (kek, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, c := range k.keks {
		if c.id == id {
			return c, true
		}
	}
	return kek{}, false
}

// Rotate adds a new random KEK and makes it active, in memory only; call
// Save to keep it, or the data keys it wraps are lost with the process. The
// new id is k<N+1>, where N is the largest number among ids of the form
// k<N>, so an id is never reused after Retire.
func (k *Keyring) Rotate() (newID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, c := range k.keks {
		digits, ok := strings.CutPrefix(c.id, "k")
		if m, err := strconv.Atoi(digits); ok && err == nil && m > n {
			n = m
		}
	}
	id := "k" + strconv.Itoa(n+1)
	c, err := randomKEK(id)
	if err != nil {
		panic(err) // crypto/rand.Read never returns an error
	}
	k.keks = append(k.keks, c)
	return id
}

// Retire drops, in memory, the KEKs that are not active and for which
// inUse returns false, and returns the ids dropped. inUse should report
// whether any wrapped key in the database still names the KEK; it is called
// without the lock held, since it may query the database. Call Save
// afterwards to make the change permanent.
func (k *Keyring) Retire(inUse func(kekID string) bool) []string {
	k.mu.RLock()
	var candidates []string
	for _, c := range k.keks[:len(k.keks)-1] {
		candidates = append(candidates, c.id)
	}
	k.mu.RUnlock()

	drop := make(map[string]bool)
	for _, id := range candidates {
		if !inUse(id) {
			drop[id] = true
		}
	}

	k.mu.Lock()
	defer k.mu.Unlock()
	active := k.keks[len(k.keks)-1].id
	var kept []kek
	var dropped []string
	for _, c := range k.keks {
		if drop[c.id] && c.id != active {
			dropped = append(dropped, c.id)
			continue
		}
		kept = append(kept, c)
	}
	k.keks = kept
	return dropped
}

// Marshal returns the keyring in the text format ParseKeyring reads. The
// text holds every key in the clear: write it only to a file readable by
// Puente's user alone, or to PUENTE_KEYRING.
func (k *Keyring) Marshal() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var b strings.Builder
	b.WriteString("# Puente keyring. Keep this file apart from the database and every backup.\n")
	b.WriteString("# root is never rotated; the last kek line is the active key-encryption key.\n")
	b.WriteString("puente-keyring 1\n")
	fmt.Fprintf(&b, "root %s\n", base64.StdEncoding.EncodeToString(k.root[:]))
	for _, c := range k.keks {
		fmt.Fprintf(&b, "kek %s %s\n", c.id, base64.StdEncoding.EncodeToString(c.key[:]))
	}
	return b.String()
}

// ParseKeyring reads the text format written by Marshal: a
// "puente-keyring 1" header, one root line and at least one kek line, with
// blank lines and # comments allowed. It is strict, and its errors name the
// offending line but never echo key material.
func ParseKeyring(text string) (*Keyring, error) {
	var p keyringParser
	for i, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if err := p.directive(fields); err != nil {
			return nil, fmt.Errorf("parse keyring: line %d: %w", i+1, err)
		}
	}
	switch {
	case !p.header:
		return nil, errors.New(`parse keyring: no "puente-keyring 1" header`)
	case p.root == nil:
		return nil, errors.New("parse keyring: no root line")
	case len(p.keks) == 0:
		return nil, errors.New("parse keyring: no kek line")
	}
	return newKeyring([KeySize]byte(p.root), p.keks), nil
}

type keyringParser struct {
	header bool
	root   []byte
	keks   []kek
}

func (p *keyringParser) directive(f []string) error {
	if !p.header {
		if f[0] != "puente-keyring" {
			return errors.New(`want the "puente-keyring 1" header first`)
		}
		if len(f) != 2 || f[1] != "1" {
			return errors.New(`want "puente-keyring 1": this Puente reads only version 1`)
		}
		p.header = true
		return nil
	}
	switch f[0] {
	case "puente-keyring":
		return errors.New("second puente-keyring header")
	case "root":
		return p.rootLine(f)
	case "kek":
		return p.kekLine(f)
	}
	// A long word here is likely a pasted key; keep it out of logs.
	if len(f[0]) > maxKEKIDLen {
		return fmt.Errorf("unknown directive (%d characters long)", len(f[0]))
	}
	return fmt.Errorf("unknown directive %q", f[0])
}

func (p *keyringParser) rootLine(f []string) error {
	if len(f) != 2 {
		return errors.New(`want "root <base64 key>"`)
	}
	if p.root != nil {
		return errors.New("second root line: the root key is never rotated")
	}
	key, err := decodeKey(f[1])
	if err != nil {
		return fmt.Errorf("root: %w", err)
	}
	p.root = key
	return nil
}

func (p *keyringParser) kekLine(f []string) error {
	if len(f) != 3 {
		return errors.New(`want "kek <id> <base64 key>"`)
	}
	id := f[1]
	if !validKEKID(id) {
		return fmt.Errorf("kek id %q: want 1 to %d letters or digits", id, maxKEKIDLen)
	}
	for _, c := range p.keks {
		if c.id == id {
			return fmt.Errorf("duplicate kek id %q", id)
		}
	}
	key, err := decodeKey(f[2])
	if err != nil {
		return fmt.Errorf("kek %s: %w", id, err)
	}
	p.keks = append(p.keks, newKEK(id, key))
	return nil
}

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, errors.New("key is not valid base64")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("key is %d bytes, want %d", len(key), KeySize)
	}
	return key, nil
}

func validKEKID(id string) bool {
	if len(id) == 0 || len(id) > maxKEKIDLen {
		return false
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// String hides the key material, so a keyring that ends up in a log line or
// an error message does not leak it.
func (k *Keyring) String() string { return "secret.Keyring{redacted}" }

// GoString hides the key material from %#v too.
func (k *Keyring) GoString() string { return k.String() }
