package audit

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCheckpointSignVerify(t *testing.T) {
	last := chain(3)[2]
	c := testSigner.Sign(last, signedAt.Add(1500*time.Nanosecond))
	want := Checkpoint{
		Seq:       3,
		Hash:      last.Hash,
		At:        signedAt.Add(time.Microsecond),
		KeyID:     KeyID(testSigner.Public()),
		Signature: c.Signature,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Sign:\n got  %+v\nwant %+v", c, want)
	}
	if err := c.VerifySignature(testSigner.Public()); err != nil {
		t.Errorf("VerifySignature of a fresh checkpoint: %v", err)
	}
	last.Hash[0] ^= 1
	if c.Hash[0] == last.Hash[0] {
		t.Error("the checkpoint shares its hash with the entry it was signed over")
	}
}

func TestCheckpointRejects(t *testing.T) {
	other := NewSigner(bytes.Repeat([]byte{1}, 32))
	good := testSigner.Sign(chain(3)[2], signedAt)
	for _, tt := range []struct {
		name string
		edit func(c *Checkpoint)
		pub  []byte
		want error
	}{
		{"flipped signature bit", func(c *Checkpoint) { c.Signature[10] ^= 4 }, testSigner.Public(), ErrBadSignature},
		{"other seq", func(c *Checkpoint) { c.Seq++ }, testSigner.Public(), ErrBadSignature},
		{"other hash", func(c *Checkpoint) { c.Hash[0] ^= 1 }, testSigner.Public(), ErrBadSignature},
		{"other time", func(c *Checkpoint) { c.At = c.At.Add(time.Microsecond) }, testSigner.Public(), ErrBadSignature},
		{"wrong key", func(*Checkpoint) {}, other.Public(), ErrWrongKey},
		{"wrong key, its key id claimed", func(c *Checkpoint) { c.KeyID = KeyID(other.Public()) }, other.Public(), ErrBadSignature},
		{"signed by the other key", func(c *Checkpoint) { *c = other.Sign(chain(3)[2], signedAt) }, testSigner.Public(), ErrWrongKey},
	} {
		c := good
		c.Hash, c.Signature = bytes.Clone(c.Hash), bytes.Clone(c.Signature)
		tt.edit(&c)
		if err := c.VerifySignature(tt.pub); !errors.Is(err, tt.want) {
			t.Errorf("%s: VerifySignature = %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := good.VerifySignature([]byte("short")); err == nil {
		t.Error("VerifySignature accepted a 5-byte public key")
	}
}

func TestNewSignerPanicsOnShortSeed(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewSigner accepted a 16-byte seed")
		}
	}()
	NewSigner(make([]byte, 16))
}

// golden is the text of testSigner's checkpoint over entry 3 of chain(3),
// signed at signedAt. It pins the format partners keep and parse (the
// entry's hash changed when the chain was keyed; the format did not).
const golden = "puente-audit-checkpoint v1 3 73262dc7c417f715aa2bbd0215d6afbadd6e5d879ede2718ad8b8920903ba46a 1772452800000000 fb7970219e26d1f4 HRW8j/O8va4IcanDqc2bh1CxPJqOW9AWpmtPmYiUZ4hith4tp4/sP3QTp1/TUpQOCpcYJXvs3/JSvykCqEPHCg=="

func TestCheckpointMarshal(t *testing.T) {
	c := testSigner.Sign(chain(3)[2], signedAt)
	if got := c.Marshal(); got != golden {
		t.Errorf("Marshal =\n%s\nwant\n%s", got, golden)
	}
	got, err := ParseCheckpoint(golden + "\r\n")
	if err != nil {
		t.Fatalf("ParseCheckpoint: %v", err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("ParseCheckpoint:\n got  %+v\nwant %+v", got, c)
	}
	if err := got.VerifySignature(testSigner.Public()); err != nil {
		t.Errorf("VerifySignature of the parsed checkpoint: %v", err)
	}
}

func TestParseCheckpointErrors(t *testing.T) {
	field := func(i int, v string) string {
		f := strings.Split(golden, " ")
		f[i] = v
		return strings.Join(f, " ")
	}
	const notCheckpoint = "parse checkpoint: not a puente audit checkpoint"
	for _, tt := range []struct {
		name, in, want string
	}{
		{"empty", "", notCheckpoint},
		{"other text", "hello world", notCheckpoint},
		{"field missing", strings.Join(strings.Split(golden, " ")[:6], " "), notCheckpoint},
		{"field extra", golden + " x", notCheckpoint},
		{"two spaces", strings.Replace(golden, " ", "  ", 1), notCheckpoint},
		{"tag", field(0, "puente-audit-checkpoin"), notCheckpoint},
		{"version", field(1, "v2"), `parse checkpoint: version "v2", want v1`},
		{"seq 0", field(2, "0"), `parse checkpoint: seq "0" is not a number from 1`},
		{"seq with plus", field(2, "+3"), `parse checkpoint: seq "+3" is not a number from 1`},
		{"seq with zero", field(2, "03"), `parse checkpoint: seq "03" is not a number from 1`},
		{"seq not a number", field(2, "three"), `parse checkpoint: seq "three" is not a number from 1`},
		{"hash short", field(3, "abcd"), "parse checkpoint: hash is not 32 bytes in lowercase hex"},
		{"hash upper case", field(3, strings.ToUpper(strings.Split(golden, " ")[3])), "parse checkpoint: hash is not 32 bytes in lowercase hex"},
		{"time", field(4, "1.5"), `parse checkpoint: time "1.5" is not a number`},
		{"key id", field(5, "xyz"), "parse checkpoint: key id is not 8 bytes in lowercase hex"},
		{"signature not base64", field(6, "!!!"), "parse checkpoint: signature is not 64 bytes in base64"},
		{"signature short", field(6, "AAAA"), "parse checkpoint: signature is not 64 bytes in base64"},
	} {
		got := ""
		if _, err := ParseCheckpoint(tt.in); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: ParseCheckpoint error = %q, want %q", tt.name, got, tt.want)
		}
	}
}
