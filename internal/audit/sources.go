package audit

import (
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"
)

// Source is one place that keeps signed checkpoints: the database, the
// checkpoint file beside it, an anchor on another disk, a partner's copy.
type Source struct {
	// Name says where the checkpoints are, for the report: "the database",
	// a file's path.
	Name string
	// Checkpoints yields them in the order they were written, in which seq
	// never goes down; one that goes back is reported and skipped.
	Checkpoints iter.Seq2[Checkpoint, error]
	// Complete sources must hold every checkpoint found in any source: the
	// database and the checkpoint file are written together, so one missing
	// from either was removed. A copy kept elsewhere may start late or miss
	// some, but whatever it holds must be in the complete sources.
	Complete bool
}

// CheckpointList is a source holding the checkpoints given, in any order.
func CheckpointList(cps ...Checkpoint) Source {
	sorted := slices.SortedStableFunc(slices.Values(cps), func(a, b Checkpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	return Source{Name: "the checkpoints given", Checkpoints: func(yield func(Checkpoint, error) bool) {
		for _, c := range sorted {
			if !yield(c, nil) {
				return
			}
		}
	}}
}

// group is the checkpoints of one seq, as the verifier holds them against
// the entry with that seq.
type group struct {
	loaded  bool
	seq     int64
	cps     []Checkpoint
	seen    bool   // an entry with the seq was read
	matched []bool // … and it had the checkpoint's hash
}

// merger reads every source at once, in seq order, and yields the
// checkpoints of one seq at a time, each once however many sources hold
// it, after checking its signature and that each complete source holds it.
// It keeps one seq's worth of checkpoints, so memory does not grow with the
// number of checkpoints.
type merger struct {
	srcs []*reader
	pub  ed25519.PublicKey
	late *runs
}

type reader struct {
	Source
	next func() (Checkpoint, error, bool)
	stop func()
	head Checkpoint
	has  bool  // head holds the next checkpoint
	last int64 // seq of the checkpoint taken before head
}

// held is one distinct checkpoint of a group, and which sources hold it.
type held struct {
	c  Checkpoint
	in []bool
}

func newMerger(srcs []Source, pub ed25519.PublicKey, late *runs) *merger {
	m := &merger{pub: pub, late: late}
	for _, s := range srcs {
		r := &reader{Source: s}
		if s.Checkpoints != nil {
			r.next, r.stop = iter.Pull2(s.Checkpoints)
		}
		m.srcs = append(m.srcs, r)
	}
	return m
}

func (m *merger) stop() {
	for _, r := range m.srcs {
		if r.stop != nil {
			r.stop()
		}
	}
}

// next returns the checkpoints of the lowest seq not yet returned; ok is
// false when every source is read to its end.
func (m *merger) next() (g group, ok bool, err error) {
	seq := int64(math.MaxInt64)
	for _, r := range m.srcs {
		if err := m.fill(r); err != nil {
			return g, false, err
		}
		if r.has && r.head.Seq < seq {
			seq, ok = r.head.Seq, true
		}
	}
	if !ok {
		return g, false, nil
	}
	var es []held
	for i, r := range m.srcs {
		for r.has && r.head.Seq == seq {
			es = addHeld(es, r.head, i, len(m.srcs))
			r.has = false
			if err := m.fill(r); err != nil {
				return g, false, err
			}
		}
	}
	g = group{loaded: true, seq: seq}
	for _, e := range es {
		if m.genuine(e) {
			m.crossCheck(e)
			g.cps = append(g.cps, e.c)
		}
	}
	g.matched = make([]bool, len(g.cps))
	return g, true, nil
}

func addHeld(es []held, c Checkpoint, src, nsrc int) []held {
	text := c.Marshal()
	for i := range es {
		if es[i].c.Marshal() == text {
			es[i].in[src] = true
			return es
		}
	}
	e := held{c: c, in: make([]bool, nsrc)}
	e.in[src] = true
	return append(es, e)
}

// fill reads r's next checkpoint into its head, skipping and reporting
// malformed ones and ones that go back in seq.
func (m *merger) fill(r *reader) error {
	for !r.has && r.next != nil {
		c, err, ok := r.next()
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", r.Name, err)
		case !ok:
			r.stop()
			r.next, r.stop = nil, nil
			return nil
		case c.Seq < 1 || len(c.Hash) != sha256.Size:
			m.late.add("malformed "+r.Name, c.Seq, c.At, func(run *run) Problem {
				if run.n == 1 {
					return Problem{run.from, BadCheckpoint, "the checkpoint is malformed"}
				}
				return Problem{run.from, BadCheckpoint, fmt.Sprintf("%d checkpoints in %s are malformed", run.n, r.Name)}
			})
		case c.Seq < r.last:
			last := r.last
			m.late.add("order "+r.Name, c.Seq, c.At, func(run *run) Problem {
				return Problem{run.from, BadCheckpoint, fmt.Sprintf("in %s, a checkpoint for it comes after one for entry %d, but checkpoints are written in order: %s was edited", r.Name, last, r.Name)}
			})
		default:
			r.head, r.has, r.last = c, true, c.Seq
		}
	}
	return nil
}

// genuine checks e's signature, reporting it in every source that holds it
// when it is not the deployment's.
func (m *merger) genuine(e held) bool {
	if m.pub == nil {
		return true
	}
	err := e.c.VerifySignature(m.pub)
	if err == nil {
		return true
	}
	for i, r := range m.srcs {
		if e.in[i] {
			m.late.add("forged "+r.Name, e.c.Seq, e.c.At, func(run *run) Problem {
				return Problem{run.from, BadCheckpoint, fmt.Sprintf("%s holds %s that the deployment's key did not sign (%v): forged", r.Name, plural(run.n, "checkpoint", "checkpoints"), err)}
			})
		}
	}
	return false
}

// crossCheck reports e missing from each complete source that lacks it.
func (m *merger) crossCheck(e held) {
	holder := ""
	for i, r := range m.srcs {
		if e.in[i] && (holder == "" || r.Complete) {
			holder = r.Name
		}
	}
	for i, r := range m.srcs {
		key := "absent " + r.Name
		switch {
		case !r.Complete:
		case e.in[i]:
			m.late.end(key)
		default:
			m.late.add(key, e.c.Seq, e.c.At, func(run *run) Problem {
				if run.n == 1 {
					return Problem{run.from, CheckpointMissing, fmt.Sprintf("the checkpoint signed %s is in %s but not in %s", stamp(run.first), holder, r.Name)}
				}
				return Problem{run.from, CheckpointMissing, fmt.Sprintf("%d checkpoints of entries %d–%d, signed %s to %s, are in %s but not in %s", run.n, run.from, run.to, stamp(run.first), stamp(run.last), holder, r.Name)}
			})
		}
	}
}

// runs gathers problems with checkpoints, folding a run of the same
// problem with consecutive checkpoints into one, so that a removed file or
// a rewritten log yields a line, not thousands.
type runs struct {
	open    []*run
	out     []Problem
	omitted int64
}

type run struct {
	key         string
	from, to, n int64
	first, last time.Time
	render      func(*run) Problem
}

// add records a problem with the checkpoint of entry seq signed at at,
// extending the open run with the same key if there is one.
func (rs *runs) add(key string, seq int64, at time.Time, render func(*run) Problem) {
	for _, r := range rs.open {
		if r.key == key {
			r.to, r.n, r.last = seq, r.n+1, at
			return
		}
	}
	rs.open = append(rs.open, &run{key: key, from: seq, to: seq, n: 1, first: at, last: at, render: render})
}

// end closes the run with the given key: the next problem of that kind
// starts a new one.
func (rs *runs) end(key string) {
	for i, r := range rs.open {
		if r.key == key {
			rs.emit(r)
			rs.open = slices.Delete(rs.open, i, i+1)
			return
		}
	}
}

// flush closes every run.
func (rs *runs) flush() {
	for _, r := range rs.open {
		rs.emit(r)
	}
	rs.open = nil
}

func (rs *runs) emit(r *run) {
	if len(rs.out) >= maxProblems {
		rs.omitted++
		return
	}
	rs.out = append(rs.out, r.render(r))
}
