package audit

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// entry returns a valid, unchained entry with the given seq; entries with
// different seqs differ in every field a swap could move.
func entry(seq int64) Entry {
	return Entry{
		Seq:       seq,
		At:        t0.Add(time.Duration(seq) * time.Minute),
		ActorID:   100 + seq%7,
		Roles:     "caseworker,screener",
		OrgID:     3,
		Action:    "case.read",
		Record:    fmt.Sprintf("case:%d", 40+seq%5),
		Decision:  Allow,
		RequestID: fmt.Sprintf("req-%04d", seq),
	}
}

// chain returns a log of n entries, seqs 1 to n, as the store appends them.
func chain(n int) []Entry {
	out := make([]Entry, n)
	prev := Genesis
	for i := range out {
		out[i] = entry(int64(i + 1))
		out[i].Chain(prev, testKey)
		prev = out[i].Hash
	}
	return out
}

// all yields es in order, as a store's query would.
func all(es []Entry) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// TestHashPinned pins both encodings: changing one would make every log
// written before the change fail to verify.
func TestHashPinned(t *testing.T) {
	e := entry(1)
	e.ChainUnkeyed(Genesis)
	const unkeyed = "cd3c040a85064b09cdac806a729e7a0130b413e25e1708af643d28b5b866e5ee"
	if got := hex.EncodeToString(e.Hash); got != unkeyed {
		t.Errorf("unkeyed hash of entry(1) = %s, want %s", got, unkeyed)
	}
	e.Chain(Genesis, testKey)
	const keyed = "2d2e1be43545fbe8a83f07f2b9188db85a966701e1e24ce7a6d814ae15450616"
	if got := hex.EncodeToString(e.Hash); got != keyed {
		t.Errorf("keyed hash of entry(1) = %s, want %s", got, keyed)
	}
}

// TestHashCoversEveryField changes each field in turn, including moving a
// byte from one string field to the next, which a naive concatenation would
// not notice.
func TestHashCoversEveryField(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*Entry)
	}{
		{"seq", func(e *Entry) { e.Seq++ }},
		{"at", func(e *Entry) { e.At = e.At.Add(time.Microsecond) }},
		{"actor", func(e *Entry) { e.ActorID++ }},
		{"roles", func(e *Entry) { e.Roles = "admin" }},
		{"org", func(e *Entry) { e.OrgID++ }},
		{"action", func(e *Entry) { e.Action = "case.write" }},
		{"record", func(e *Entry) { e.Record = "case:1" }},
		{"decision", func(e *Entry) { e.Decision = Deny }},
		{"reason", func(e *Entry) { e.Reason = "policy.own_org" }},
		{"request id", func(e *Entry) { e.RequestID = "req-x" }},
		{"prev", func(e *Entry) { e.Prev = bytes.Repeat([]byte{1}, 32) }},
		{"byte moved between fields", func(e *Entry) { e.Action, e.Record = "case.rea", "dcase:41" }},
	} {
		e := entry(1)
		e.Chain(Genesis, testKey)
		tt.edit(&e)
		if bytes.Equal(e.ComputeHash(testKey), e.Hash) {
			t.Errorf("%s: hash unchanged after the edit", tt.name)
		}
	}
}

func TestChain(t *testing.T) {
	e := entry(2)
	prev := bytes.Repeat([]byte{9}, 32)
	e.Chain(prev, testKey)
	prev[0] = 0
	if got, want := e.Prev, bytes.Repeat([]byte{9}, 32); !bytes.Equal(got, want) {
		t.Errorf("Prev = %x after the caller changed its slice, want %x", got, want)
	}
	if got, want := e.Hash, e.ComputeHash(testKey); !bytes.Equal(got, want) || len(got) != 32 {
		t.Errorf("Hash = %x, want %x", got, want)
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*Entry)
		want string // error text; empty for none
	}{
		{"valid", func(*Entry) {}, ""},
		{"break glass", func(e *Entry) { e.Decision, e.Reason = BreakGlass, "emergency.imminent_danger" }, ""},
		{"system actor, no record", func(e *Entry) { e.ActorID, e.Roles, e.Record = 0, "", "" }, ""},
		{"seq 0", func(e *Entry) { e.Seq = 0 }, "audit entry: seq 0 is not 1 or more"},
		{"zero time", func(e *Entry) { e.At = time.Time{} }, "audit entry: no time"},
		{"nanoseconds", func(e *Entry) { e.At = e.At.Add(1) }, "audit entry: time is not truncated to microseconds"},
		{"negative actor", func(e *Entry) { e.ActorID = -1 }, "audit entry: negative actor or organization id"},
		{"unknown decision", func(e *Entry) { e.Decision = "maybe" }, `audit entry: unknown decision "maybe"`},
		{"no action", func(e *Entry) { e.Action = "" }, "audit entry: no action"},
		{"newline", func(e *Entry) { e.Record = "case:1\ncase:2" }, "audit entry: record has control character U+000A at byte 6"},
		{"escape", func(e *Entry) { e.Reason = "\x1b[2J" }, "audit entry: reason has control character U+001B at byte 0"},
		{"bidi override", func(e *Entry) { e.RequestID = "req\u202e" }, "audit entry: request id has control character U+202E at byte 3"},
		{"not utf-8", func(e *Entry) { e.Roles = "\xff" }, "audit entry: roles is not valid UTF-8"},
		{"512 bytes", func(e *Entry) { e.Reason = strings.Repeat("x", 512) }, ""},
		{"513 bytes", func(e *Entry) { e.Action = strings.Repeat("x", 513) }, "audit entry: action is 513 bytes, over 512"},
	} {
		e := entry(1)
		tt.edit(&e)
		got := ""
		if err := e.Validate(); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: Validate() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
