package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"fmt"
)

// The errors below are wrapped with context; test for them with errors.Is.
var (
	// ErrFormat means the bytes are not a sealed field or wrapped key that this
	// version of Puente can read: they are truncated or carry an unknown version.
	ErrFormat = errors.New("malformed ciphertext")

	// ErrWrongKey means a field was sealed under another data key than the one
	// used to open it, usually because it was copied from another record.
	ErrWrongKey = errors.New("sealed under another data key")

	// ErrDecrypt means authentication failed: the ciphertext was altered, or
	// it is being opened with associated data other than that it was sealed
	// with (another row or column), or under the wrong key.
	ErrDecrypt = errors.New("decryption failed")

	// ErrUnknownKEK means a wrapped data key names a key-encryption key that
	// the keyring does not hold, even after reloading it from its file.
	ErrUnknownKEK = errors.New("unknown key-encryption key")
)

const (
	// formatVersion is the first byte of every sealed field and wrapped key,
	// so that a later format can be told apart from this one.
	formatVersion = 1
	dekIDSize     = 8
	nonceSize     = 12
	tagSize       = 16
	// sealHeaderSize covers the version byte and the data key id.
	sealHeaderSize = 1 + dekIDSize
	sealOverhead   = sealHeaderSize + nonceSize + tagSize
)

// DataKey is a data-encryption key: it seals the personal fields of one
// record (or of a few that are deleted together). It is stored only wrapped
// under a key-encryption key of the Keyring, so deleting the wrapped key
// shreds the record. Seal and Open are safe for concurrent use; Destroy is
// not, and must be the last call.
type DataKey struct {
	id  [dekIDSize]byte
	key [KeySize]byte
	// aead is built once because expanding the AES key on every call would
	// cost more than sealing a short field. It is nil once destroyed.
	aead cipher.AEAD
}

func newDataKey(id [dekIDSize]byte, key []byte) *DataKey {
	d := &DataKey{id: id, aead: newAEAD(key)}
	copy(d.key[:], key)
	return d
}

// newAEAD returns AES-256-GCM with random nonces prepended to the
// ciphertext. It panics only when key is not 32 bytes, which callers rule out.
func newAEAD(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("secret: " + err.Error())
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		panic("secret: " + err.Error())
	}
	return aead
}

// ID returns the data key's id in hex. The id is not secret: it is stored
// in the clear at the start of every field sealed under the key.
func (d *DataKey) ID() string { return hex.EncodeToString(d.id[:]) }

// Seal encrypts plaintext with AES-256-GCM under a random 96-bit nonce. The
// result is a version byte, the 8-byte data key id, the nonce, then the
// ciphertext and tag. aad is the "table/column/row" string of the field's
// place in the database: it is authenticated but not stored, so a
// ciphertext copied into another row or column fails to open. Seal panics if
// the key has been destroyed, since sealing under a zeroed key would be a
// silent disaster.
func (d *DataKey) Seal(plaintext []byte, aad string) []byte {
	aead := d.live()
	out := make([]byte, sealHeaderSize, sealOverhead+len(plaintext))
	out[0] = formatVersion
	copy(out[1:], d.id[:])
	return aead.Seal(out, nil, plaintext, associated(out, aad))
}

// Open decrypts a field made by Seal with the same aad. It returns an error
// wrapping ErrFormat for bytes that are not a sealed field, ErrWrongKey for
// a field sealed under another data key, and ErrDecrypt when
// authentication fails. Open panics if the key has been destroyed.
func (d *DataKey) Open(sealed []byte, aad string) ([]byte, error) {
	aead := d.live()
	if len(sealed) < sealOverhead || sealed[0] != formatVersion {
		return nil, fmt.Errorf("open field: %w", ErrFormat)
	}
	header := sealed[:sealHeaderSize]
	if !bytes.Equal(header[1:], d.id[:]) {
		return nil, fmt.Errorf("open field sealed under data key %x with data key %x: %w", header[1:], d.id, ErrWrongKey)
	}
	plaintext, err := aead.Open(nil, nil, sealed[sealHeaderSize:], associated(header, aad))
	if err != nil {
		return nil, fmt.Errorf("open field: %w", ErrDecrypt)
	}
	return plaintext, nil
}

// SealString is Seal for a string field, such as a name or an address.
func (d *DataKey) SealString(s, aad string) []byte { return d.Seal([]byte(s), aad) }

// OpenString is Open for a field sealed with SealString.
func (d *DataKey) OpenString(sealed []byte, aad string) (string, error) {
	b, err := d.Open(sealed, aad)
	return string(b), err
}

// Destroy zeroes the key bytes, so that a key no longer needed does not
// linger in memory for a core dump or a swapped page to expose. It is best
// effort: Go may have copied the key (the AES key schedule, the stack, the
// garbage collector) and cannot promise that no copy remains. Crypto-shredding
// does not rely on Destroy; it relies on deleting the wrapped key from the
// database, which makes every copy of the record's data unreadable,
// including those in old backups.
func (d *DataKey) Destroy() {
	clear(d.key[:])
	d.aead = nil
}

func (d *DataKey) live() cipher.AEAD {
	if d.aead == nil {
		panic("secret: use of a destroyed DataKey")
	}
	return d.aead
}

// associated returns what GCM authenticates besides the ciphertext: the
// header, so that its version and key ids cannot be altered, then the
// caller's context. The header has a fixed or length-prefixed layout, so no
// two (header, aad) pairs give the same bytes.
func associated(header []byte, aad string) []byte {
	b := make([]byte, 0, len(header)+len(aad))
	return append(append(b, header...), aad...)
}

// String hides the key bytes, showing only the key id.
func (d *DataKey) String() string { return "secret.DataKey{" + d.ID() + ", redacted}" }

// GoString hides the key bytes from %#v too.
func (d *DataKey) GoString() string { return d.String() }
