package audit

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"iter"
	"slices"
	"time"
)

// Bounds on what Verify keeps, so that its memory does not grow with the
// log, however badly the log was damaged.
const (
	maxProblems   = 1000 // problems listed in a Report; the rest are counted
	maxCandidates = 16   // recent edited entries kept to find exchanged pairs
)

// Verify reads the log in seq order, as the store returns it (ORDER BY seq),
// and reports every place where it is not the chain that appending produces:
// entries edited, deleted, inserted or exchanged. Its memory does not grow
// with the log: it keeps the end of the chain, the entry after the one it
// checks, up to 16 recently edited entries (to recognise two that were
// exchanged) and up to 1000 problems, counting the rest.
//
// Each checkpoint must agree with the log: the entry at its seq must exist
// and have its hash. Verify trusts the checkpoints it is given, so check
// their signatures with VerifySignature first. Without a checkpoint at or
// after them, deleting the last entries or rewriting every hash from some
// entry onwards cannot be detected.
//
// Verify keeps the slices of a few entries while it reads on, so the
// sequence must not reuse them. When the sequence fails, Verify returns the
// error and a report on the entries before it.
func Verify(entries iter.Seq2[Entry, error], checkpoints ...Checkpoint) (Report, error) {
	v := newVerifier(checkpoints)
	var cur Entry
	have := false
	for e, err := range entries {
		if err != nil {
			if have {
				v.r.Last = cur
			}
			return v.r, fmt.Errorf("verify audit log: %w", err)
		}
		v.r.Entries++
		if have {
			v.step(&cur, &e)
		}
		cur, have = e, true
	}
	if have {
		v.step(&cur, nil)
		v.r.Last = cur
	}
	v.finish()
	return v.r, nil
}

// link is the end of the chain so far: the seq and stored hash of the last
// entry accepted onto it.
type link struct {
	seq  int64
	hash [sha256.Size]byte
	ok   bool // false when the stored hash was not 32 bytes long
}

func linkTo(e *Entry) link {
	l := link{seq: e.Seq, ok: len(e.Hash) == sha256.Size}
	copy(l.hash[:], e.Hash)
	return l
}

// from reports whether an entry whose Prev is prev links to l.
func (l link) from(prev []byte) bool { return l.ok && bytes.Equal(prev, l.hash[:]) }

// state is what Verify knows about the end of the chain.
type state struct {
	tip     link
	linked  bool // the tip links to the entry before it
	suspect bool // the tip is reported already, and the next entry does not link to it
	mark    int  // len(Problems) before the tip was read
}

// candidate is a recent entry whose fields do not match its hash, kept in
// case a later one turns out to have been exchanged with it.
type candidate struct {
	e   Entry
	idx int // its problem in Report.Problems
}

type verifier struct {
	r       Report
	cur     state
	before  state // the state before the tip was accepted
	canUndo bool  // before is valid
	cands   []candidate
	maxSeq  int64

	cps     []Checkpoint
	cpAt    map[int64][]int
	seen    []bool // an entry with the checkpoint's seq was read
	matched []bool // … and it had the checkpoint's hash
}

func newVerifier(cps []Checkpoint) *verifier {
	v := &verifier{cur: state{tip: link{ok: true}, linked: true}, cps: cps}
	v.seen, v.matched = make([]bool, len(cps)), make([]bool, len(cps))
	v.cpAt = make(map[int64][]int, len(cps))
	for i, c := range cps {
		if c.Seq >= 1 && len(c.Hash) == sha256.Size {
			v.cpAt[c.Seq] = append(v.cpAt[c.Seq], i)
		}
	}
	return v
}

// add records a problem and returns its index in Report.Problems, or -1
// when the list is full.
func (v *verifier) add(seq int64, kind ProblemKind, detail string) int {
	if len(v.r.Problems) >= maxProblems {
		v.r.Omitted++
		return -1
	}
	v.r.Problems = append(v.r.Problems, Problem{Seq: seq, Kind: kind, Detail: detail})
	return len(v.r.Problems) - 1
}

// step checks entry c, given the entry after it, n, which is nil at the end.
func (v *verifier) step(c, n *Entry) {
	for _, i := range v.cpAt[c.Seq] {
		v.seen[i] = true
		v.matched[i] = v.matched[i] || bytes.Equal(c.Hash, v.cps[i].Hash)
	}
	v.maxSeq = max(v.maxSeq, c.Seq)
	v.place(c, n)
}

// place decides where c belongs relative to the tip of the chain.
func (v *verifier) place(c, n *Entry) {
	mark := len(v.r.Problems)
	t := v.cur.tip // t.seq >= 0: accepted entries only move it forward
	switch {
	case c.Seq < 1:
		v.add(c.Seq, Edited, "its seq is not 1 or more")
	case c.Seq < t.seq:
		v.add(c.Seq, Reordered, fmt.Sprintf("it comes after entry %d: the log must be read in seq order", t.seq))
	case c.Seq == t.seq:
		v.duplicate(c, n)
	case c.Seq-1 > t.seq:
		v.gap(c, n, mark)
	default:
		v.next(c, n, mark)
	}
}

// next checks an entry whose seq follows the tip's.
func (v *verifier) next(c, n *Entry, mark int) {
	t := v.cur.tip
	linked := t.from(c.Prev)
	nextLinks := n == nil || bytes.Equal(n.Prev, c.Hash)
	switch {
	case linked || v.cur.suspect:
		if !c.sealed() {
			v.edited(c, n, mark, linked, "its fields no longer match its hash")
			return
		}
	case !c.sealed():
		v.edited(c, n, mark, linked, "its fields no longer match its hash, and it does not link to "+at(t.seq))
		return
	case n != nil && t.from(n.Prev) && !nextLinks:
		v.add(c.Seq, Inserted, fmt.Sprintf("it does not link to %s, and entry %d links past it", at(t.seq), n.Seq))
		return
	case t.seq > 0 && nextLinks:
		// c still carries the tip's old hash: the tip was edited and re-hashed.
		v.add(t.seq, Edited, fmt.Sprintf("its hash was recomputed after an edit: entry %d no longer links to it", c.Seq))
	default:
		v.add(c.Seq, Edited, fmt.Sprintf("it links to neither %s nor the entry after it: it was replaced, or edited and re-hashed", at(t.seq)))
		v.accept(c, mark, false, true)
		return
	}
	v.accept(c, mark, linked, false)
}

// gap checks an entry whose seq is more than one past the tip's.
func (v *verifier) gap(c, n *Entry, mark int) {
	t := v.cur.tip
	if t.from(c.Prev) {
		// Nothing is missing from the chain, so c's seq itself was changed.
		v.add(c.Seq, Edited, "its seq was changed: it links to "+at(t.seq))
		v.accept(c, mark, true, false)
		return
	}
	first, last := t.seq+1, c.Seq-1
	switch {
	case first == last && t.seq == 0:
		v.add(first, Deleted, fmt.Sprintf("it is missing before entry %d", c.Seq))
	case first == last:
		v.add(first, Deleted, fmt.Sprintf("it is missing between entries %d and %d", t.seq, c.Seq))
	case t.seq == 0:
		v.add(first, Deleted, fmt.Sprintf("entries %d–%d are missing before entry %d", first, last, c.Seq))
	default:
		v.add(first, Deleted, fmt.Sprintf("entries %d–%d are missing between entries %d and %d", first, last, t.seq, c.Seq))
	}
	if !c.sealed() {
		v.edited(c, n, mark, false, "its fields no longer match its hash")
		return
	}
	v.accept(c, mark, false, false)
}

// duplicate decides which of two entries with the tip's seq is the genuine
// one: the one the next entry links to, else the only one that links to the
// entry before. The other is reported as inserted.
func (v *verifier) duplicate(c, n *Entry) {
	t, s := v.cur.tip, c.Seq
	if t.from(c.Hash) {
		v.add(s, Inserted, "it appears twice")
		return
	}
	cFirst := n != nil && bytes.Equal(n.Prev, c.Hash) && !t.from(n.Prev)
	switch {
	case n != nil && t.from(n.Prev):
		v.add(s, Inserted, fmt.Sprintf("another entry also claims seq %d, and entry %d links to that one", s, n.Seq))
	case cFirst && v.canUndo:
		v.undo()
		v.place(c, n)
		v.add(s, Inserted, fmt.Sprintf("another entry also claims seq %d, and entry %d links to that one", s, n.Seq))
	case !cFirst && v.canUndo && !v.cur.linked && v.before.tip.from(c.Prev):
		prev := v.before.tip.seq
		v.undo()
		v.place(c, n)
		v.add(s, Inserted, fmt.Sprintf("another entry also claims seq %d, and only that one links to %s", s, at(prev)))
	case v.cur.linked && v.canUndo && !v.before.tip.from(c.Prev):
		v.add(s, Inserted, fmt.Sprintf("another entry also claims seq %d, and only that one links to %s", s, at(v.before.tip.seq)))
	default:
		v.add(s, Inserted, fmt.Sprintf("another entry also claims seq %d, and nothing shows which one is genuine", s))
	}
}

// undo takes the tip off the chain, with the problems found while reading
// it, when a duplicate shows that the tip was the forgery.
func (v *verifier) undo() {
	mark := v.cur.mark
	v.r.Problems = v.r.Problems[:mark]
	v.cands = slices.DeleteFunc(v.cands, func(c candidate) bool { return c.idx >= mark })
	v.cur, v.canUndo = v.before, false
}

// accept makes c the tip of the chain.
func (v *verifier) accept(c *Entry, mark int, linked, suspect bool) {
	v.before, v.canUndo = v.cur, true
	v.cur = state{tip: linkTo(c), linked: linked, suspect: suspect, mark: mark}
}

// edited reports c, whose fields do not match its hash, and accepts it onto
// the chain. If an earlier such entry turns out to have been exchanged with
// c, both are reported as reordered instead.
func (v *verifier) edited(c, n *Entry, mark int, linked bool, detail string) {
	idx := v.add(c.Seq, Edited, detail)
	suspect := n != nil && !bytes.Equal(n.Prev, c.Hash)
	v.accept(c, mark, linked, suspect)
	if idx < 0 {
		return
	}
	for i, p := range slices.Backward(v.cands) {
		var how string
		switch {
		case seqsSwapped(&p.e, c):
			how = "exchanged seq values"
			// c's successor links to the entry that belongs at c's seq.
			v.cur.tip = linkTo(&p.e)
			v.cur.tip.seq, v.cur.suspect = c.Seq, false
		case contentsSwapped(&p.e, c):
			how = "exchanged contents"
		default:
			continue
		}
		detail := fmt.Sprintf("entries %d and %d have %s", p.e.Seq, c.Seq, how)
		v.r.Problems[p.idx] = Problem{Seq: p.e.Seq, Kind: Reordered, Detail: detail}
		v.r.Problems[idx] = Problem{Seq: c.Seq, Kind: Reordered, Detail: detail}
		v.cands = slices.Delete(v.cands, i, i+1)
		return
	}
	if len(v.cands) == maxCandidates {
		v.cands = slices.Delete(v.cands, 0, 1)
	}
	v.cands = append(v.cands, candidate{e: *c, idx: idx})
}

// seqsSwapped reports whether a and b match their hashes once their seqs
// are exchanged back: whole rows were moved.
func seqsSwapped(a, b *Entry) bool {
	if a.Seq == b.Seq {
		return false
	}
	x, y := *a, *b
	x.Seq, y.Seq = b.Seq, a.Seq
	return x.sealed() && y.sealed()
}

// contentsSwapped reports whether a and b match their hashes once
// everything but their seq, prev and hash is exchanged back.
func contentsSwapped(a, b *Entry) bool {
	x, y := *b, *a
	x.Seq, x.Prev, x.Hash = a.Seq, a.Prev, a.Hash
	y.Seq, y.Prev, y.Hash = b.Seq, b.Prev, b.Hash
	return x.sealed() && y.sealed()
}

// finish holds the log, now read, against the checkpoints.
func (v *verifier) finish() {
	var beyond *Checkpoint // the furthest checkpoint past the end of the log
	for i := range v.cps {
		c := &v.cps[i]
		switch {
		case c.Seq < 1 || len(c.Hash) != sha256.Size:
			v.add(c.Seq, BadCheckpoint, "the checkpoint is malformed")
		case v.matched[i]:
			v.r.Checkpointed = max(v.r.Checkpointed, c.Seq)
		case !v.seen[i] && c.Seq > v.maxSeq:
			if beyond == nil || c.Seq > beyond.Seq {
				beyond = c
			}
		case !v.seen[i]:
			v.add(c.Seq, BadCheckpoint, fmt.Sprintf("it is missing, but the checkpoint signed %s vouches for it", stamp(c.At)))
		default:
			v.add(c.Seq, BadCheckpoint, fmt.Sprintf("its hash is not the one the checkpoint signed %s vouches for: the log was rewritten at or before it", stamp(c.At)))
		}
	}
	if beyond != nil {
		end := fmt.Sprintf("the log stops at entry %d", v.maxSeq)
		if v.maxSeq == 0 {
			end = "the log is empty"
		}
		v.add(v.maxSeq+1, Truncated, fmt.Sprintf("%s, but the checkpoint signed %s vouches for entry %d", end, stamp(beyond.At), beyond.Seq))
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// at names the entry with the given seq, or the start of the log for 0.
func at(seq int64) string {
	if seq == 0 {
		return "the start of the log"
	}
	return fmt.Sprintf("entry %d", seq)
}
