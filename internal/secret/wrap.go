package secret

import (
	"crypto/rand"
	"fmt"
)

// A wrapped data key is laid out as
//
//	version (1) | len(kekID) (1) | kekID | DEK id (8) | nonce (12) | AES-256-GCM(DEK) (32) | tag (16)
//
// The header before the nonce is in the clear, so that Unwrap knows which
// KEK to use and a rotation job can find keys still wrapped under an old one
// without decrypting anything. It is also authenticated, with the caller's
// aad, so it cannot be altered.
const wrappedBodySize = nonceSize + KeySize + tagSize

// NewDataKey returns a new random data key and the same key wrapped under
// the active KEK, for storing beside the record it protects. aad names that
// record, for example "case/42"; it is authenticated but not stored, so a
// wrapped key moved to another record fails to unwrap there.
func (k *Keyring) NewDataKey(aad string) (dk *DataKey, wrapped []byte, err error) {
	var id [dekIDSize]byte
	var key [KeySize]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, nil, fmt.Errorf("new data key: %w", err)
	}
	if _, err := rand.Read(key[:]); err != nil {
		return nil, nil, fmt.Errorf("new data key: %w", err)
	}
	dk = newDataKey(id, key[:])
	clear(key[:])
	return dk, wrap(k.active(), dk, aad), nil
}

func wrap(c kek, dk *DataKey, aad string) []byte {
	out := make([]byte, 0, 2+len(c.id)+dekIDSize+wrappedBodySize)
	out = append(out, formatVersion, byte(len(c.id)))
	out = append(out, c.id...)
	out = append(out, dk.id[:]...)
	return c.aead.Seal(out, nil, dk.key[:], associated(out, aad))
}

// wrapHeader is the clear part of a wrapped data key.
type wrapHeader struct {
	kekID string
	dekID [dekIDSize]byte
	size  int // bytes before the nonce
}

func parseWrapped(wrapped []byte) (wrapHeader, error) {
	if len(wrapped) < 2 || wrapped[0] != formatVersion {
		return wrapHeader{}, fmt.Errorf("read wrapped data key: %w", ErrFormat)
	}
	size := 2 + int(wrapped[1]) + dekIDSize
	if wrapped[1] == 0 || len(wrapped) != size+wrappedBodySize {
		return wrapHeader{}, fmt.Errorf("read wrapped data key: %w", ErrFormat)
	}
	h := wrapHeader{kekID: string(wrapped[2 : size-dekIDSize]), size: size}
	copy(h.dekID[:], wrapped[size-dekIDSize:size])
	return h, nil
}

// KEKOf returns the id of the KEK a data key is wrapped under, without
// decrypting it, so that a rotation job can tell which records still need
// Rewrap and whether an old KEK may be retired.
func (k *Keyring) KEKOf(wrapped []byte) (string, error) {
	h, err := parseWrapped(wrapped)
	return h.kekID, err
}

// Unwrap decrypts a data key made by NewDataKey or Rewrap with the same
// aad. If the key names a KEK this keyring does not hold, Unwrap reloads the
// keyring once and tries again, because `puente keys rotate` may have added
// that KEK from another process while this one runs. Errors wrap
// ErrFormat, ErrUnknownKEK or ErrDecrypt.
func (k *Keyring) Unwrap(wrapped []byte, aad string) (*DataKey, error) {
	h, err := parseWrapped(wrapped)
	if err != nil {
		return nil, err
	}
	c, err := k.kekForUnwrap(h.kekID)
	if err != nil {
		return nil, err
	}
	key, err := c.aead.Open(nil, nil, wrapped[h.size:], associated(wrapped[:h.size], aad))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key under kek %s: %w", h.kekID, ErrDecrypt)
	}
	defer clear(key)
	return newDataKey(h.dekID, key), nil
}

func (k *Keyring) kekForUnwrap(id string) (kek, error) {
	if c, ok := k.lookup(id); ok {
		return c, nil
	}
	if err := k.Reload(); err != nil {
		return kek{}, fmt.Errorf("unwrap data key: %w %q, and %w", ErrUnknownKEK, id, err)
	}
	if c, ok := k.lookup(id); ok {
		return c, nil
	}
	return kek{}, fmt.Errorf("unwrap data key: %w %q", ErrUnknownKEK, id)
}

// Rewrap re-encrypts a wrapped data key under the active KEK, for the job
// that runs after Rotate so that the old KEK can be retired. It unwraps
// first even when nothing needs to change, so that the job also finds keys
// that are corrupt or stored against the wrong record. changed is false,
// and out is wrapped itself, when the key is already under the active KEK.
func (k *Keyring) Rewrap(wrapped []byte, aad string) (out []byte, changed bool, err error) {
	dk, err := k.Unwrap(wrapped, aad)
	if err != nil {
		return nil, false, fmt.Errorf("rewrap: %w", err)
	}
	defer dk.Destroy()
	h, _ := parseWrapped(wrapped) // Unwrap has parsed it already
	active := k.active()
	if h.kekID == active.id {
		return wrapped, false, nil
	}
	return wrap(active, dk, aad), true, nil
}
