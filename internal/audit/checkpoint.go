package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Checkpoint vouches, with a signature by the deployment's key, that the
// log's entry Seq had hash Hash at time At. Kept outside the database, it
// pins the log up to Seq: see Verify.
type Checkpoint struct {
	Seq       int64
	Hash      []byte
	At        time.Time
	KeyID     string // KeyID of the public key that verifies Signature
	Signature []byte
}

// The errors VerifySignature reports, for errors.Is.
var (
	ErrWrongKey     = errors.New("audit checkpoint: signed by another key")
	ErrBadSignature = errors.New("audit checkpoint: bad signature")
)

// signedVersion starts the bytes a checkpoint signature covers, so that they
// can never be mistaken for anything else the deployment's key signs.
const signedVersion = "puente-audit-checkpoint-v1"

// signed returns the canonical encoding the signature covers.
func (c Checkpoint) signed() []byte {
	b := appendString(make([]byte, 0, 96), signedVersion)
	b = appendInt(b, c.Seq)
	b = appendBytes(b, c.Hash)
	return appendInt(b, c.At.UnixMicro())
}

// Signer signs checkpoints with an ed25519 key. It is safe for concurrent
// use.
type Signer struct {
	key   ed25519.PrivateKey
	keyID string
}

// NewSigner returns a signer for the ed25519 key with the given seed, which
// the caller derives from the deployment's master key (for instance with
// secret.Keyring.Derive("audit-checkpoint")). It panics unless seed is 32
// bytes long, as that is a bug in the caller.
func NewSigner(seed []byte) *Signer {
	if len(seed) != ed25519.SeedSize {
		panic(fmt.Sprintf("audit.NewSigner: seed is %d bytes, want %d", len(seed), ed25519.SeedSize))
	}
	key := ed25519.NewKeyFromSeed(seed)
	return &Signer{key: key, keyID: KeyID(key.Public().(ed25519.PublicKey))}
}

// Public returns the key that verifies the signer's checkpoints. It is not
// secret: give it to whoever keeps or checks the checkpoints.
func (s *Signer) Public() ed25519.PublicKey {
	return s.key.Public().(ed25519.PublicKey)
}

// Sign returns a checkpoint vouching for last, the newest entry of a log
// that Verify has found intact, signed at time at.
func (s *Signer) Sign(last Entry, at time.Time) Checkpoint {
	c := Checkpoint{
		Seq:   last.Seq,
		Hash:  bytes.Clone(last.Hash),
		At:    time.UnixMicro(at.UnixMicro()).UTC(),
		KeyID: s.keyID,
	}
	c.Signature = ed25519.Sign(s.key, c.signed())
	return c
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex. It
// lets a reader pick the right key after the deployment's key has changed.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// VerifySignature reports whether c was signed by the key pub.
func (c Checkpoint) VerifySignature(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("audit checkpoint: public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	if want := KeyID(pub); c.KeyID != want {
		return fmt.Errorf("%w: key %q, not %s", ErrWrongKey, c.KeyID, want)
	}
	if !ed25519.Verify(pub, c.signed(), c.Signature) {
		return ErrBadSignature
	}
	return nil
}

// checkpointTag starts a checkpoint written as text.
const checkpointTag = "puente-audit-checkpoint"

// Marshal writes c as one line of text, without a newline, to export,
// print, mail to a partner or keep anywhere outside the database:
//
//	puente-audit-checkpoint v1 <seq> <hash hex> <unix micros> <key id> <signature base64>
func (c Checkpoint) Marshal() string {
	return fmt.Sprintf("%s v1 %d %s %d %s %s", checkpointTag, c.Seq, hex.EncodeToString(c.Hash),
		c.At.UnixMicro(), c.KeyID, base64.StdEncoding.EncodeToString(c.Signature))
}

// ParseCheckpoint reads a checkpoint written by Marshal; space around it,
// such as a line ending, is ignored. It accepts only the form Marshal
// writes, so a checkpoint has one text. It does not check the signature.
func ParseCheckpoint(s string) (Checkpoint, error) {
	f := strings.Split(strings.TrimSpace(s), " ")
	if len(f) != 7 || f[0] != checkpointTag {
		return Checkpoint{}, errors.New("parse checkpoint: not a puente audit checkpoint")
	}
	if f[1] != "v1" {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: version %q, want v1", f[1])
	}
	seq, err := parseInt(f[2])
	if err != nil || seq < 1 {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: seq %q is not a number from 1", f[2])
	}
	hash, err := parseHex(f[3], sha256.Size)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: hash %w", err)
	}
	micros, err := parseInt(f[4])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: time %q is not a number", f[4])
	}
	if _, err := parseHex(f[5], 8); err != nil {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: key id %w", err)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(f[6])
	if err != nil || len(sig) != ed25519.SignatureSize || base64.StdEncoding.EncodeToString(sig) != f[6] {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: signature is not %d bytes in base64", ed25519.SignatureSize)
	}
	return Checkpoint{Seq: seq, Hash: hash, At: time.UnixMicro(micros).UTC(), KeyID: f[5], Signature: sig}, nil
}

// parseInt reads a decimal integer written by strconv.FormatInt, and no
// other spelling of it.
func parseInt(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && strconv.FormatInt(n, 10) != s {
		err = errors.New("not in canonical form")
	}
	return n, err
}

// parseHex reads n bytes written in lowercase hex.
func parseHex(s string, n int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != n || hex.EncodeToString(b) != s {
		return nil, fmt.Errorf("is not %d bytes in lowercase hex", n)
	}
	return b, nil
}
