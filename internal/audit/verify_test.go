package audit

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"testing"
	"time"
)

var testSigner = NewSigner([]byte("0123456789abcdef0123456789abcdef"))

// testKey is the chain key the tests' logs are sealed with.
var testKey = []byte("chain key for tests, 32 bytes ..")

// verify checks es with the chain key against the checkpoints given, as
// "puente audit verify" does.
func verify(es iter.Seq2[Entry, error], cps ...Checkpoint) (Report, error) {
	return Options{Key: testKey, Sources: []Source{CheckpointList(cps...)}}.Verify(es)
}

// signedAt is when the tests' checkpoints were signed.
var signedAt = t0.Add(24 * time.Hour)

// summary is the part of a Report a tampering test pins down.
type summary struct {
	Entries, Last, Checkpointed int64
	Problems                    []Problem
}

func summarize(r Report) summary {
	return summary{r.Entries, r.Last.Seq, r.Checkpointed, r.Problems}
}

func (s summary) equal(o summary) bool {
	return s.Entries == o.Entries && s.Last == o.Last && s.Checkpointed == o.Checkpointed &&
		slices.Equal(s.Problems, o.Problems)
}

// forge returns an entry someone with write access to the database made up,
// with a well-formed hash: it links to prev.
func forge(seq int64, prev []byte) Entry {
	e := entry(seq)
	e.ActorID, e.RequestID = 999, "forged"
	e.Chain(prev, testKey)
	return e
}

// Tampering helpers. Each takes the log as the store would return it, by
// seq, and returns the tampered log, again in seq order. Indexes are seq-1.

func without(es []Entry, seqs ...int64) []Entry {
	return slices.DeleteFunc(es, func(e Entry) bool { return slices.Contains(seqs, e.Seq) })
}

func insertAt(es []Entry, i int, e Entry) []Entry { return slices.Insert(es, i, e) }

// swapSeqs exchanges the seq values of two rows, which moves each row to
// the other's place in seq order.
func swapSeqs(es []Entry, a, b int64) []Entry {
	es[a-1], es[b-1] = es[b-1], es[a-1]
	es[a-1].Seq, es[b-1].Seq = a, b
	return es
}

// swapContents exchanges everything but the chain columns: seq, prev, hash.
func swapContents(es []Entry, a, b int64) []Entry {
	x, y := &es[a-1], &es[b-1]
	*x, *y = *y, *x
	x.Seq, x.Prev, x.Hash, y.Seq, y.Prev, y.Hash = y.Seq, y.Prev, y.Hash, x.Seq, x.Prev, x.Hash
	return es
}

func TestVerifyFindsTampering(t *testing.T) {
	const n = 50
	signed := fmt.Sprintf("checkpoint signed %s", signedAt.Format(time.RFC3339))
	edited := func(seq int64, detail string) Problem { return Problem{seq, Edited, detail} }
	reordered := func(a, b int64, how string) []Problem {
		d := fmt.Sprintf("entries %d and %d have %s", a, b, how)
		return []Problem{{a, Reordered, d}, {b, Reordered, d}}
	}
	for _, tt := range []struct {
		name       string
		tamper     func(es []Entry) []Entry
		checkpoint int64 // seq of the real log to sign a checkpoint at; 0 for none
		want       summary
	}{
		{"intact", nil, 0, summary{n, n, 0, nil}},
		{"intact, checkpoint at the end", nil, n, summary{n, n, n, nil}},
		{"edit a field", func(es []Entry) []Entry {
			es[19].Action = "case.delete"
			return es
		}, 0, summary{n, n, 0, []Problem{edited(20, "its fields no longer match its hash")}}},
		{"edit the hash", func(es []Entry) []Entry {
			es[19].Hash[0] ^= 1
			return es
		}, 0, summary{n, n, 0, []Problem{edited(20, "its fields no longer match its hash")}}},
		{"edit a field and re-hash", func(es []Entry) []Entry {
			es[19].Record = "case:7"
			es[19].Chain(es[19].Prev, testKey)
			return es
		}, 0, summary{n, n, 0, []Problem{edited(20, "its hash was recomputed after an edit: entry 21 no longer links to it")}}},
		{"edit the first entry and re-hash", func(es []Entry) []Entry {
			es[0].Decision = Deny
			es[0].Chain(Genesis, testKey)
			return es
		}, 0, summary{n, n, 0, []Problem{edited(1, "its hash was recomputed after an edit: entry 2 no longer links to it")}}},
		{"replace an entry with a forgery", func(es []Entry) []Entry {
			es[19] = forge(20, make([]byte, 32))
			return es
		}, 0, summary{n, n, 0, []Problem{edited(20, "it links to neither entry 19 nor the entry after it: it was replaced, or edited and re-hashed")}}},
		// Without a checkpoint a re-hashed last entry, or a rewritten tail,
		// is a valid chain; the checkpoint catches it.
		{"edit the last entry and re-hash", func(es []Entry) []Entry {
			es[n-1].Reason = "x"
			es[n-1].Chain(es[n-1].Prev, testKey)
			return es
		}, 0, summary{n, n, 0, nil}},
		{"edit the last entry and re-hash, checkpoint", func(es []Entry) []Entry {
			es[n-1].Reason = "x"
			es[n-1].Chain(es[n-1].Prev, testKey)
			return es
		}, n, summary{n, n, 0, []Problem{{n, BadCheckpoint, "its hash is not the one the " + signed + " vouches for: the log was rewritten at or before it"}}}},
		{"rewrite every hash from entry 40", func(es []Entry) []Entry {
			es[39].ActorID = 1
			for i := 39; i < n; i++ {
				es[i].Chain(es[i-1].Hash, testKey)
			}
			return es
		}, 0, summary{n, n, 0, nil}},
		{"rewrite every hash from entry 40, checkpoint at 45", func(es []Entry) []Entry {
			es[39].ActorID = 1
			for i := 39; i < n; i++ {
				es[i].Chain(es[i-1].Hash, testKey)
			}
			return es
		}, 45, summary{n, n, 0, []Problem{{45, BadCheckpoint, "its hash is not the one the " + signed + " vouches for: the log was rewritten at or before it"}}}},
		{"delete a middle entry", func(es []Entry) []Entry { return without(es, 20) }, 0,
			summary{n - 1, n, 0, []Problem{{20, Deleted, "it is missing between entries 19 and 21"}}}},
		{"delete three middle entries", func(es []Entry) []Entry { return without(es, 20, 21, 22) }, 0,
			summary{n - 3, n, 0, []Problem{{20, Deleted, "entries 20–22 are missing between entries 19 and 23"}}}},
		{"delete the first entry", func(es []Entry) []Entry { return without(es, 1) }, 0,
			summary{n - 1, n, 0, []Problem{{1, Deleted, "it is missing before entry 2"}}}},
		{"delete a middle entry named by a checkpoint", func(es []Entry) []Entry { return without(es, 20) }, 20,
			summary{n - 1, n, 0, []Problem{
				{20, Deleted, "it is missing between entries 19 and 21"},
				{20, BadCheckpoint, "it is missing, but the " + signed + " vouches for it"},
			}}},
		// Deleting the last entries leaves a valid, shorter chain.
		{"delete the last three entries", func(es []Entry) []Entry { return es[:n-3] }, 0,
			summary{n - 3, n - 3, 0, nil}},
		{"delete the last three entries, checkpoint", func(es []Entry) []Entry { return es[:n-3] }, n,
			summary{n - 3, n - 3, 0, []Problem{{n - 2, Truncated, "the log stops at entry 47, but the " + signed + " vouches for entry 50"}}}},
		{"delete the last three entries, older checkpoint", func(es []Entry) []Entry { return es[:n-3] }, 40,
			summary{n - 3, n - 3, 40, nil}},
		{"insert a forgery after the entry with its seq", func(es []Entry) []Entry {
			return insertAt(es, 20, forge(20, es[18].Hash))
		}, 0, summary{n + 1, n, 0, []Problem{{20, Inserted, "another entry also claims seq 20, and entry 21 links to that one"}}}},
		{"insert a forgery before the entry with its seq", func(es []Entry) []Entry {
			return insertAt(es, 19, forge(20, es[18].Hash))
		}, 0, summary{n + 1, n, 0, []Problem{{20, Inserted, "another entry also claims seq 20, and entry 21 links to that one"}}}},
		{"insert a forgery that links to the entry before it", func(es []Entry) []Entry {
			return insertAt(es, 20, forge(21, es[19].Hash))
		}, 0, summary{n + 1, n, 0, []Problem{{21, Inserted, "another entry also claims seq 21, and entry 22 links to that one"}}}},
		{"insert a forgery that links nowhere", func(es []Entry) []Entry {
			return insertAt(es, 19, forge(20, make([]byte, 32)))
		}, 0, summary{n + 1, n, 0, []Problem{{20, Inserted, "it does not link to entry 19, and entry 20 links past it"}}}},
		{"insert a forgery at the last seq", func(es []Entry) []Entry {
			return insertAt(es, n, forge(n, es[n-2].Hash))
		}, 0, summary{n + 1, n, 0, []Problem{{n, Inserted, "another entry also claims seq 50, and nothing shows which one is genuine"}}}},
		// Appending with a valid link is what the store does: only a
		// signature could tell, so the report says the entry is uncovered.
		{"append a forgery", func(es []Entry) []Entry { return append(es, forge(n+1, es[n-1].Hash)) }, 0,
			summary{n + 1, n + 1, 0, nil}},
		{"append a forgery, checkpoint before it", func(es []Entry) []Entry { return append(es, forge(n+1, es[n-1].Hash)) }, n,
			summary{n + 1, n + 1, n, nil}},
		{"duplicate an entry", func(es []Entry) []Entry { return insertAt(es, 20, es[19]) }, 0,
			summary{n + 1, n, 0, []Problem{{20, Inserted, "it appears twice"}}}},
		{"duplicate the last entry", func(es []Entry) []Entry { return append(es, es[n-1]) }, 0,
			summary{n + 1, n, 0, []Problem{{n, Inserted, "it appears twice"}}}},
		{"swap two entries' seq values", func(es []Entry) []Entry { return swapSeqs(es, 10, 30) }, 0,
			summary{n, n, 0, reordered(10, 30, "exchanged seq values")}},
		{"swap two neighbours' seq values", func(es []Entry) []Entry { return swapSeqs(es, 10, 11) }, 0,
			summary{n, n, 0, reordered(10, 11, "exchanged seq values")}},
		{"swap the first two entries' seq values", func(es []Entry) []Entry { return swapSeqs(es, 1, 2) }, 0,
			summary{n, n, 0, reordered(1, 2, "exchanged seq values")}},
		{"swap the last two entries' seq values", func(es []Entry) []Entry { return swapSeqs(es, n-1, n) }, 0,
			summary{n, n, 0, reordered(n-1, n, "exchanged seq values")}},
		{"swap two entries' contents", func(es []Entry) []Entry { return swapContents(es, 10, 30) }, 0,
			summary{n, n, 0, reordered(10, 30, "exchanged contents")}},
		{"swap two neighbours' contents", func(es []Entry) []Entry { return swapContents(es, 10, 11) }, 0,
			summary{n, n, 0, reordered(10, 11, "exchanged contents")}},
		// The store sorts by seq, so this is a caller's mistake, not a
		// tampering; it is reported, if not diagnosed.
		{"rows out of seq order", func(es []Entry) []Entry {
			es[9], es[10] = es[10], es[9]
			return es
		}, 0, summary{n, n, 0, []Problem{
			{10, Deleted, "it is missing between entries 9 and 11"},
			{10, Reordered, "it comes after entry 11: the log must be read in seq order"},
		}}},
		{"edit one entry and delete another", func(es []Entry) []Entry {
			es[4].OrgID = 9
			return without(es, 30)
		}, 0, summary{n - 1, n, 0, []Problem{
			edited(5, "its fields no longer match its hash"),
			{30, Deleted, "it is missing between entries 29 and 31"},
		}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es := chain(n)
			var cps []Checkpoint
			if tt.checkpoint > 0 {
				cps = append(cps, testSigner.Sign(es[tt.checkpoint-1], signedAt))
			}
			if tt.tamper != nil {
				es = tt.tamper(es)
			}
			r, err := verify(all(es), cps...)
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(r); !got.equal(tt.want) {
				t.Errorf("Verify:\n got  %+v\nwant %+v", got, tt.want)
			}
			if got, want := r.OK(), len(tt.want.Problems) == 0; got != want {
				t.Errorf("OK() = %v, want %v", got, want)
			}
		})
	}
}

func TestVerifyCheckpoints(t *testing.T) {
	es := chain(10)
	good := testSigner.Sign(es[9], signedAt)
	older := testSigner.Sign(es[4], signedAt)
	malformed := good
	malformed.Hash = malformed.Hash[:4]
	for _, tt := range []struct {
		name string
		cps  []Checkpoint
		want summary
	}{
		{"two, both agree", []Checkpoint{older, good}, summary{10, 10, 10, nil}},
		{"older only", []Checkpoint{older}, summary{10, 10, 5, nil}},
		{"malformed", []Checkpoint{malformed}, summary{10, 10, 0, []Problem{{10, BadCheckpoint, "the checkpoint is malformed"}}}},
		{"seq 0", []Checkpoint{{Hash: good.Hash}}, summary{10, 10, 0, []Problem{{0, BadCheckpoint, "the checkpoint is malformed"}}}},
	} {
		r, err := verify(all(es), tt.cps...)
		if err != nil {
			t.Fatal(err)
		}
		if got := summarize(r); !got.equal(tt.want) {
			t.Errorf("%s:\n got  %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestVerifyEmpty(t *testing.T) {
	r, err := verify(all(nil), testSigner.Sign(chain(3)[2], signedAt))
	if err != nil {
		t.Fatal(err)
	}
	want := summary{0, 0, 0, []Problem{{1, Truncated, "the log is empty, but the checkpoint signed 2026-03-02T12:00:00Z vouches for entry 3"}}}
	if got := summarize(r); !got.equal(want) {
		t.Errorf("Verify:\n got  %+v\nwant %+v", got, want)
	}
}

func TestVerifyReadError(t *testing.T) {
	broken := errors.New("connection reset")
	es := chain(5)
	seq := func(yield func(Entry, error) bool) {
		for _, e := range es[:3] {
			if !yield(e, nil) {
				return
			}
		}
		yield(Entry{}, broken)
	}
	r, err := verify(iter.Seq2[Entry, error](seq))
	if !errors.Is(err, broken) {
		t.Errorf("Verify error = %v, want %v", err, broken)
	}
	if got, want := [2]int64{r.Entries, r.Last.Seq}, [2]int64{3, 3}; got != want {
		t.Errorf("Entries, Last.Seq = %v, want %v", got, want)
	}
}

// TestVerifyBounded checks that a log damaged everywhere yields a bounded
// report that still counts every problem.
func TestVerifyBounded(t *testing.T) {
	es := chain(maxProblems + 10)
	for i := range es {
		es[i].Action = "case.write"
	}
	r, err := verify(all(es))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [2]int64{int64(len(r.Problems)), r.Omitted}, [2]int64{maxProblems, 10}; got != want {
		t.Errorf("problems listed, omitted = %v, want %v", got, want)
	}
}

func TestReportString(t *testing.T) {
	last := chain(3)[2]
	for _, tt := range []struct {
		name string
		r    Report
		want string
	}{
		{"empty", Report{}, "audit log: empty"},
		{"no checkpoint", Report{Entries: 3, Last: last},
			"audit log: 3 entries, chain intact through seq 3; entries 1–3 are not covered by a checkpoint"},
		{"one uncovered", Report{Entries: 3, Last: last, Checkpointed: 2},
			"audit log: 3 entries, chain intact through seq 3; entry 3 is not covered by a checkpoint"},
		{"covered", Report{Entries: 3, Last: last, Checkpointed: 3},
			"audit log: 3 entries, chain intact through seq 3, all covered by a checkpoint"},
		{"one problem", Report{Entries: 3, Last: last, Problems: []Problem{{2, Edited, "its fields no longer match its hash"}}},
			"audit log: entry 2 was edited: its fields no longer match its hash"},
		{"several", Report{Entries: 1, Last: last, Omitted: 5, Problems: []Problem{
			{1, Deleted, "it is missing before entry 2"},
			{4, Truncated, "the log stops at entry 3, but …"},
		}}, "audit log: 7 problems in 1 entry:\n" +
			"  entry 1 was deleted: it is missing before entry 2\n" +
			"  entry 4 was cut from the end: the log stops at entry 3, but …\n" +
			"  and 5 more"},
	} {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%s: String() =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}
