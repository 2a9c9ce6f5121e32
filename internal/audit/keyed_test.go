package audit

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
)

// legacy returns a log whose first k entries were chained before the chain
// was keyed, and the rest after, as an upgraded deployment has.
func legacy(n, k int) []Entry {
	out := make([]Entry, n)
	prev := Genesis
	for i := range out {
		out[i] = entry(int64(i + 1))
		if i < k {
			out[i].ChainUnkeyed(prev)
		} else {
			out[i].Chain(prev, testKey)
		}
		prev = out[i].Hash
	}
	return out
}

// rechain edits nothing but re-hashes every entry from seq on, as someone
// who cannot compute the real hashes would: unkeyed, or under another key.
func rechain(es []Entry, seq int64, key []byte) []Entry {
	for i := seq - 1; i < int64(len(es)); i++ {
		prev := Genesis
		if i > 0 {
			prev = es[i-1].Hash
		}
		if key == nil {
			es[i].ChainUnkeyed(prev)
		} else {
			es[i].Chain(prev, key)
		}
	}
	return es
}

// appendForged appends k entries that link to the log's end, hashed as
// someone without the key would.
func appendForged(es []Entry, k int, key []byte) []Entry {
	for range k {
		e := entry(int64(len(es) + 1))
		e.ActorID, e.RequestID = 999, "forged"
		es = append(es, e)
		es = rechain(es, e.Seq, key)
	}
	return es
}

var otherKey = []byte("some other key an attacker chose")

func TestVerifyWithTheChainKey(t *testing.T) {
	const n = 50
	cp := func(es []Entry, seq int64) Checkpoint { return testSigner.Sign(es[seq-1], signedAt) }
	for _, tt := range []struct {
		name string
		log  func() []Entry
		opts func(es []Entry) Options
		want summary
	}{
		{"keyed, intact", func() []Entry { return chain(n) }, nil, summary{n, n, 0, nil}},
		{"edit entry 40 and re-hash the rest without the key", func() []Entry {
			es := chain(n)
			es[39].ActorID = 1
			return rechain(es, 40, nil)
		}, nil, summary{n, n, 0, []Problem{{40, Unkeyed, "entries 40–50 are hashed without the chain key, and no checkpoint vouches for them: forged, or edited and re-hashed, by someone without the key"}}}},
		{"edit the last entry and re-hash it without the key", func() []Entry {
			es := chain(n)
			es[n-1].Reason = "x"
			return rechain(es, n, nil)
		}, nil, summary{n, n, 0, []Problem{{n, Unkeyed, "it is hashed without the chain key, and no checkpoint vouches for it: forged, or edited and re-hashed, by someone without the key"}}}},
		{"edit entry 48 and re-hash the rest under another key", func() []Entry {
			es := chain(n)
			es[47].ActorID = 1
			return rechain(es, 48, otherKey)
		}, nil, summary{n, n, 0, []Problem{
			{48, Edited, "its fields no longer match its hash"},
			{49, Edited, "its fields no longer match its hash"},
			{50, Edited, "its fields no longer match its hash"},
		}}},
		{"append forgeries without the key", func() []Entry { return appendForged(chain(n), 3, nil) }, nil,
			summary{n + 3, n + 3, 0, []Problem{{n + 1, Unkeyed, "entries 51–53 are hashed without the chain key, and no checkpoint vouches for them: forged, or edited and re-hashed, by someone without the key"}}}},
		{"append a forgery under another key", func() []Entry { return appendForged(chain(n), 1, otherKey) }, nil,
			summary{n + 1, n + 1, 0, []Problem{{n + 1, Edited, "its fields no longer match its hash"}}}},
		{"upgraded log, checkpoint over the unkeyed entries", func() []Entry { return legacy(n, 30) },
			func(es []Entry) Options { return Options{Sources: []Source{CheckpointList(cp(es, 30))}} },
			summary{n, n, 30, nil}},
		{"upgraded log, checkpoint past the unkeyed entries", func() []Entry { return legacy(n, 30) },
			func(es []Entry) Options { return Options{Sources: []Source{CheckpointList(cp(es, 45))}} },
			summary{n, n, 45, nil}},
		{"upgraded log, checkpoint short of the unkeyed entries", func() []Entry { return legacy(n, 30) },
			func(es []Entry) Options { return Options{Sources: []Source{CheckpointList(cp(es, 20))}} },
			summary{n, n, 20, []Problem{{21, Unkeyed, "entries 21–30 are hashed without the chain key, and no checkpoint vouches for them: forged, or edited and re-hashed, by someone without the key"}}}},
		{"upgraded log, no checkpoint", func() []Entry { return legacy(n, 30) }, nil,
			summary{n, n, 0, []Problem{{1, Unkeyed, "entries 1–30 are hashed without the chain key, and no checkpoint vouches for them: forged, or edited and re-hashed, by someone without the key"}}}},
		{"upgraded log, no checkpoint, unkeyed entries trusted", func() []Entry { return legacy(n, 30) },
			func([]Entry) Options { return Options{TrustUnkeyed: true} }, summary{n, n, 0, nil}},
		{"unkeyed entries after keyed ones are never trusted", func() []Entry { return appendForged(legacy(n, 30), 2, nil) },
			func([]Entry) Options { return Options{TrustUnkeyed: true} },
			summary{n + 2, n + 2, 0, []Problem{{51, Unkeyed, "entries 51–52 are hashed without the chain key, and no checkpoint vouches for them: forged, or edited and re-hashed, by someone without the key"}}}},
		{"a forgery appended to an upgraded log after its checkpoint", func() []Entry { return appendForged(legacy(30, 30), 1, nil) },
			func(es []Entry) Options { return Options{Sources: []Source{CheckpointList(cp(es, 30))}} },
			summary{31, 31, 30, []Problem{{31, Unkeyed, "it is hashed without the chain key, and no checkpoint vouches for it: forged, or edited and re-hashed, by someone without the key"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.log()
			var o Options
			if tt.opts != nil {
				o = tt.opts(es)
			}
			o.Key = testKey
			r, err := o.Verify(all(es))
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(r); !got.equal(tt.want) {
				t.Errorf("Verify:\n got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestVerifyWithoutTheKeyChecksLinksOnly(t *testing.T) {
	es := chain(10)
	es[4].Action = "case.delete" // edited in place: only the key shows it
	if r, err := Verify(all(es)); err != nil || !r.OK() {
		t.Errorf("Verify without the key = %v, %v; want OK, for it cannot check a keyed hash", r, err)
	}
	if r, _ := Verify(all(without(chain(10), 5))); r.OK() {
		t.Error("Verify without the key missed a deleted entry")
	}
}

func TestVerifyUncoveredEntries(t *testing.T) {
	es := chain(50) // entry i written at t0 + i minutes
	cp := testSigner.Sign(es[39], signedAt)
	opts := func(now time.Time) Options {
		return Options{Key: testKey, Sources: []Source{CheckpointList(cp)}, Now: now, MaxUncovered: 5 * time.Second}
	}
	written41 := t0.Add(41 * time.Minute)
	for _, tt := range []struct {
		name string
		now  time.Time
		want []Problem
	}{
		{"within the interval", written41.Add(5 * time.Second), nil},
		{"past the interval", written41.Add(6 * time.Second), []Problem{{41, Uncovered, "entries 41–50 are covered by no checkpoint, yet the oldest was written 2026-03-01T12:41:00Z, 6s before this check, and the server signs one every few seconds: it stopped signing, or checkpoints were removed (after a crash, start the server: it checks and signs what it left)"}}},
	} {
		r, err := opts(tt.now).Verify(all(es))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Problems, tt.want) {
			t.Errorf("%s: problems\n got  %v\nwant %v", tt.name, r.Problems, tt.want)
		}
	}
	full := Options{Key: testKey, Sources: []Source{CheckpointList(testSigner.Sign(es[49], signedAt))}, Now: t0.Add(time.Hour * 24 * 365), MaxUncovered: time.Second}
	if r, _ := full.Verify(all(es)); !r.OK() {
		t.Errorf("a log covered to its end, a year later: %v", r)
	}
}

func TestVerifyResume(t *testing.T) {
	es := chain(50)
	cp := testSigner.Sign(es[39], signedAt)
	for _, tt := range []struct {
		name   string
		tail   []Entry
		want   summary
		trusts bool
	}{
		{"intact", slices.Clone(es[39:]), summary{11, 50, 40, nil}, false},
		{"the checkpointed entry only", slices.Clone(es[39:40]), summary{1, 40, 40, nil}, false},
		{"the checkpointed entry is gone", slices.Clone(es[40:]), summary{10, 50, 40, []Problem{{40, BadCheckpoint, "it is missing, but the checkpoint signed 2026-03-02T12:00:00Z vouches for it"}}}, false},
		{"nothing left", nil, summary{0, 0, 40, []Problem{{40, Truncated, "the log stops before it, but the checkpoint signed 2026-03-02T12:00:00Z vouches for it"}}}, false},
		{"a forgery after it, unkeyed, is not trusted after a keyed entry",
			appendForged(slices.Clone(es), 1, nil)[39:], summary{12, 51, 40, []Problem{{51, Unkeyed, "it is hashed without the chain key, and no checkpoint vouches for it: forged, or edited and re-hashed, by someone without the key"}}}, true},
	} {
		r, err := Options{Key: testKey, Resume: cp, TrustUnkeyed: tt.trusts}.Verify(all(tt.tail))
		if err != nil {
			t.Fatal(err)
		}
		if got := summarize(r); !got.equal(tt.want) {
			t.Errorf("%s:\n got  %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
	old := legacy(40, 40)
	up := testSigner.Sign(old[29], signedAt)
	if r, _ := (Options{Key: testKey, Resume: up, TrustUnkeyed: true}).Verify(all(old[29:])); !r.OK() || r.Unkeyed != 11 {
		t.Errorf("unkeyed tail after an unkeyed checkpoint, trusted: %v (unkeyed %d)", r, r.Unkeyed)
	}
}

// list is a source over cps in the order given.
func list(name string, complete bool, cps ...Checkpoint) Source {
	return Source{Name: name, Complete: complete, Checkpoints: func(yield func(Checkpoint, error) bool) {
		for _, c := range cps {
			if !yield(c, nil) {
				return
			}
		}
	}}
}

func TestVerifySources(t *testing.T) {
	es := chain(20)
	cps := make([]Checkpoint, 0, 20)
	for i := range es {
		cps = append(cps, testSigner.Sign(es[i], signedAt.Add(time.Duration(i)*time.Second)))
	}
	forged := cps[5]
	forged.Signature = slices.Clone(forged.Signature)
	forged.Signature[0] ^= 1
	drop := func(i ...int) []Checkpoint {
		return slices.DeleteFunc(slices.Clone(cps), func(c Checkpoint) bool { return slices.Contains(i, int(c.Seq-1)) })
	}
	for _, tt := range []struct {
		name string
		srcs []Source
		want []Problem
	}{
		{"database and file agree", []Source{list("the database", true, cps...), list("FILE", true, cps...)}, nil},
		{"one missing from the file", []Source{list("the database", true, cps...), list("FILE", true, drop(7)...)},
			[]Problem{{8, CheckpointMissing, "the checkpoint signed 2026-03-02T12:00:07Z is in the database but not in FILE"}}},
		{"one missing from the database", []Source{list("the database", true, drop(7)...), list("FILE", true, cps...)},
			[]Problem{{8, CheckpointMissing, "the checkpoint signed 2026-03-02T12:00:07Z is in FILE but not in the database"}}},
		{"the file is gone", []Source{list("the database", true, cps...), list("FILE", true)},
			[]Problem{{1, CheckpointMissing, "20 checkpoints of entries 1–20, signed 2026-03-02T12:00:00Z to 2026-03-02T12:00:19Z, are in the database but not in FILE"}}},
		{"two runs missing from the file", []Source{list("the database", true, cps...), list("FILE", true, drop(2, 3, 9)...)},
			[]Problem{
				{3, CheckpointMissing, "2 checkpoints of entries 3–4, signed 2026-03-02T12:00:02Z to 2026-03-02T12:00:03Z, are in the database but not in FILE"},
				{10, CheckpointMissing, "the checkpoint signed 2026-03-02T12:00:09Z is in the database but not in FILE"},
			}},
		{"a copy elsewhere that starts late", []Source{list("the database", true, cps...), list("FILE", true, cps...), list("COPY", false, cps[10:]...)}, nil},
		{"a copy elsewhere holds one the database and file lack", []Source{list("the database", true, drop(15)...), list("FILE", true, drop(15)...), list("COPY", false, cps[10:]...)},
			[]Problem{
				{16, CheckpointMissing, "the checkpoint signed 2026-03-02T12:00:15Z is in COPY but not in the database"},
				{16, CheckpointMissing, "the checkpoint signed 2026-03-02T12:00:15Z is in COPY but not in FILE"},
			}},
		{"a forged checkpoint", []Source{list("the database", true, cps...), list("FILE", true, append(drop(5), forged)...)},
			[]Problem{
				{6, CheckpointMissing, "the checkpoint signed 2026-03-02T12:00:05Z is in the database but not in FILE"},
				{6, BadCheckpoint, "in FILE, a checkpoint for it comes after one for entry 20, but checkpoints are written in order: FILE was edited"},
			}},
		{"a forged checkpoint in order", []Source{list("the database", true, cps...), list("FILE", true, slices.Insert(slices.Clone(cps), 6, forged)...)},
			[]Problem{{6, BadCheckpoint, "FILE holds 1 checkpoint that the deployment's key did not sign (audit checkpoint: bad signature): forged"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Options{Key: testKey, Public: testSigner.Public(), Sources: tt.srcs}.Verify(all(es))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Problems, tt.want) {
				t.Errorf("problems\n got  %q\nwant %q", r.Problems, tt.want)
			}
			if len(tt.want) == 0 && r.Checkpointed != 20 {
				t.Errorf("Checkpointed = %d, want 20", r.Checkpointed)
			}
		})
	}
}

func TestVerifySourceError(t *testing.T) {
	broken := errors.New("disk on fire")
	src := Source{Name: "FILE", Checkpoints: func(yield func(Checkpoint, error) bool) {
		yield(Checkpoint{}, broken)
	}}
	_, err := Options{Key: testKey, Sources: []Source{src}}.Verify(all(chain(3)))
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "FILE") {
		t.Errorf("Verify error = %v, want one naming FILE and wrapping %v", err, broken)
	}
}

// TestVerifyManyCheckpointsRewritten checks that a rewrite under thousands
// of checkpoints yields one problem, read one seq at a time.
func TestVerifyManyCheckpointsRewritten(t *testing.T) {
	const n = 5000
	es := chain(n)
	cps := make([]Checkpoint, n)
	for i := range es {
		cps[i] = testSigner.Sign(es[i], signedAt)
	}
	src := list("the database", true, cps...)
	es[99].ActorID = 1
	rechain(es, 100, testKey) // someone with the key, but not the signing key
	r, err := Options{Key: testKey, Public: testSigner.Public(), Sources: []Source{src}}.Verify(all(es))
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{{100, BadCheckpoint, fmt.Sprintf("its hash is not the one the checkpoint signed %s vouches for, nor are those of %d more checkpoints up to entry %d: the log was rewritten at or before it", stamp(signedAt), n-100, n)}}
	if !slices.Equal(r.Problems, want) || r.Checkpointed != 99 {
		t.Errorf("report %v (checkpointed %d), want %v", r.Problems, r.Checkpointed, want)
	}
}

var _ iter.Seq2[Checkpoint, error] = list("x", false).Checkpoints
