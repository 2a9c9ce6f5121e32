package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"puente/internal/access"
)

// Decision is what the access policy decided about the action an entry
// records.
type Decision string

// The decisions an entry can record.
const (
	Allow Decision = "allow"
	Deny  Decision = "deny"
	// BreakGlass records access granted in an emergency outside the usual
	// policy, which a supervisor must review afterwards.
	BreakGlass Decision = "break_glass"
)

// Entry is one record in the append-only audit log: who did what to which
// record, when, and what the access policy decided.
//
// Never put sensitive values in an entry: no names, addresses, dates of
// birth, narratives or free text copied from a case, only ids and action
// names. The log is kept longer and shown to more people (auditors, partner
// organizations) than the records it describes, and it can never be edited
// to take a value out again.
type Entry struct {
	Seq       int64     // 1, 2, 3 … assigned by the store
	At        time.Time // UTC, truncated to microseconds
	ActorID   int64     // 0 for the system or an anonymous caller
	Roles     string    // the actor's role names, comma-separated
	OrgID     int64
	Action    string // such as "case.read"
	Record    string // such as "case:42"; empty when the action is not about one record
	Decision  Decision
	Reason    string // a short code such as "policy.own_org", never free text
	RequestID string
	Prev      []byte // Hash of the entry before; Genesis for seq 1
	Hash      []byte // set by Chain
}

// Genesis is the Prev of the first entry: 32 zero bytes. Treat it as a
// constant; Verify does not read it.
var Genesis = make([]byte, 32)

// The versions that start every encoded entry, so that a change to the
// encoding can never produce the same bytes for a different entry.
const (
	// unkeyedVersion: plain SHA-256, as Puente chained entries before the
	// chain was keyed. Anyone who can write the database can recompute it.
	unkeyedVersion = "puente-audit-v1"
	// keyedVersion: HMAC-SHA256 under the deployment's chain key.
	keyedVersion = "puente-audit-v2"
)

// ChainKeyPurpose names the chain key among the keys derived from the
// deployment's keyring: the key is secret.Keyring.Derive(ChainKeyPurpose).
// The store seals entries with it and Verify checks them with it.
const ChainKeyPurpose = "audit-chain"

// Chain links e to the entry before it, whose Hash is prev, and seals it:
// e.Hash becomes the HMAC-SHA256, under the chain key, of e's fields. Without
// the key nobody can compute that hash, so nobody with only the database can
// edit an entry and re-hash it, or append one. Chain panics if key is empty,
// as that is a bug in the caller.
func (e *Entry) Chain(prev, key []byte) {
	if len(key) == 0 {
		panic("audit: Entry.Chain without a chain key")
	}
	e.Prev = bytes.Clone(prev)
	e.Hash = e.ComputeHash(key)
}

// ChainUnkeyed links and hashes e as Puente did before the chain was keyed:
// plain SHA-256 of its fields. Verify accepts such an entry only where a
// signed checkpoint vouches for it. It is here for tests and for tools that
// rebuild a log written before the change; the store never uses it.
func (e *Entry) ChainUnkeyed(prev []byte) {
	e.Prev = bytes.Clone(prev)
	e.Hash = e.ComputeHash(nil)
}

// ComputeHash returns the hash of e's fields as they are now, without setting
// e.Hash: keyed under key, or, for a nil key, unkeyed as entries were before
// the chain was keyed. It covers every field but Hash, Prev included.
func (e *Entry) ComputeHash(key []byte) []byte {
	if len(key) == 0 {
		h := sha256.Sum256(e.encode(unkeyedVersion, make([]byte, 0, 256)))
		return h[:]
	}
	m := hmac.New(sha256.New, key)
	m.Write(e.encode(keyedVersion, make([]byte, 0, 256)))
	return m.Sum(nil)
}

// encode appends a canonical encoding of e to b: the version, then every
// field but Hash in a fixed order, each prefixed by its length, so no two
// entries encode alike. Times count as Unix microseconds, the precision
// stores keep.
func (e *Entry) encode(version string, b []byte) []byte {
	b = appendString(b, version)
	b = appendInt(b, e.Seq)
	b = appendInt(b, e.At.UnixMicro())
	b = appendInt(b, e.ActorID)
	b = appendString(b, e.Roles)
	b = appendInt(b, e.OrgID)
	b = appendString(b, e.Action)
	b = appendString(b, e.Record)
	b = appendString(b, string(e.Decision))
	b = appendString(b, e.Reason)
	b = appendString(b, e.RequestID)
	return appendBytes(b, e.Prev)
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, p []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(p)))
	return append(b, p...)
}

func appendInt(b []byte, v int64) []byte {
	b = binary.BigEndian.AppendUint64(b, 8)
	return binary.BigEndian.AppendUint64(b, uint64(v))
}

// maxText bounds every string field: entries hold ids and names of actions,
// never anything long.
const maxText = 512

// Validate reports whether e is fit to append: a seq, a time in
// microseconds, a known decision, an action, ids that are not negative, and
// short strings of printable text. It does not look at Prev or Hash, which
// Chain sets.
func (e *Entry) Validate() error {
	switch {
	case e.Seq < 1:
		return fmt.Errorf("audit entry: seq %d is not 1 or more", e.Seq)
	case e.At.IsZero():
		return errors.New("audit entry: no time")
	case e.At.Nanosecond()%1000 != 0:
		// The hash covers microseconds only; finer digits would be unprotected.
		return errors.New("audit entry: time is not truncated to microseconds")
	case e.ActorID < 0 || e.OrgID < 0:
		return errors.New("audit entry: negative actor or organization id")
	case e.Decision != Allow && e.Decision != Deny && e.Decision != BreakGlass:
		return fmt.Errorf("audit entry: unknown decision %q", e.Decision)
	case e.Action == "":
		return errors.New("audit entry: no action")
	}
	fields := [...]struct{ name, s string }{
		{"roles", e.Roles}, {"action", e.Action}, {"record", e.Record},
		{"reason", e.Reason}, {"request id", e.RequestID},
	}
	for _, f := range fields {
		if err := checkText(f.s); err != nil {
			return fmt.Errorf("audit entry: %s %w", f.name, err)
		}
	}
	return nil
}

// checkText rejects text that could disguise itself on the terminal or in
// the report an auditor reads: control characters, and format characters
// such as bidirectional overrides and zero-width spaces. Ids and action
// names never need them.
func checkText(s string) error {
	if len(s) > maxText {
		return fmt.Errorf("is %d bytes, over %d", len(s), maxText)
	}
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	for i, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("has control character %U at byte %d", r, i)
		}
	}
	return nil
}

// Of builds the entry for a decision about a record made for a request:
// who, with which roles, for which organization, what, and why. note adds
// codes to the reason (classes read, a filter, a count); never values
// someone typed, which a service checks before it makes any entry.
func Of(rq access.Request, at time.Time, act access.Action, record string, d access.Decision, note string) *Entry {
	decision := Deny
	if d.Allowed {
		decision = Allow
		if d.Reason == "break-the-glass" {
			decision = BreakGlass
		}
	}
	reason := d.Reason
	if note != "" {
		reason += "; " + note
	}
	roles := make([]string, len(rq.Actor.Roles))
	for i, r := range rq.Actor.Roles {
		roles[i] = string(r)
	}
	return &Entry{
		At: at, ActorID: rq.Actor.UserID, Roles: strings.Join(roles, ","), OrgID: rq.Actor.OrgID,
		Action: string(act), Record: record, Decision: decision, Reason: reason, RequestID: rq.RequestID,
	}
}
