package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
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

// Options say what Verify holds the log to besides its own hash chain.
type Options struct {
	// Key is the chain key, secret.Keyring.Derive(ChainKeyPurpose). With it,
	// every entry must be sealed under it, but for entries written before
	// the chain was keyed, which must be at or before a checkpoint that the
	// log agrees with (or trusted, see TrustUnkeyed). Without it Verify can
	// only check that the entries link up: an entry edited in place keeps a
	// hash nobody without the key can check, so the edit goes unseen.
	Key []byte
	// Public, when set, checks the signature of every checkpoint the
	// sources hold; a checkpoint it does not verify is reported and
	// otherwise ignored. When nil the sources' checkpoints are trusted.
	Public ed25519.PublicKey
	// Sources are the places signed checkpoints are kept. Each checkpoint
	// must agree with the log, and each one found anywhere must also be in
	// every source that is Complete.
	Sources []Source
	// Now and MaxUncovered: when MaxUncovered is set, an entry that no
	// checkpoint covers and that was written more than MaxUncovered before
	// Now is a problem, for the server signs the log's end every few
	// seconds. Set MaxUncovered to the checkpoint interval and a little more.
	Now          time.Time
	MaxUncovered time.Duration
	// Resume starts verification from a checkpoint verified before: the
	// entries read must start at its seq, with its hash, and link on from
	// there. The server uses it to check only what it is about to sign.
	Resume Checkpoint
	// TrustUnkeyed accepts entries hashed without the key as long as no
	// keyed entry came before them in what is read: that is how a log
	// written before the chain was keyed gets its first checkpoint.
	TrustUnkeyed bool
}

// Verify checks the log's chain and the checkpoints given, without the
// chain key: see Options.Verify, and Options.Key for what that misses.
func Verify(entries iter.Seq2[Entry, error], checkpoints ...Checkpoint) (Report, error) {
	return Options{Sources: []Source{CheckpointList(checkpoints...)}}.Verify(entries)
}

// Verify reads the log in seq order, as the store returns it (ORDER BY seq),
// and reports every place where it is not the chain that appending produces:
// entries edited, deleted, inserted or exchanged, entries forged or re-hashed
// without the key, checkpoints the log does not agree with or that are
// missing from one of the places that keep them, and entries left uncovered
// by any checkpoint for too long. Its memory does not grow with the log: it
// keeps the end of the chain, the entry after the one it checks, up to 16
// recently edited entries (to recognise two that were exchanged), the
// checkpoints of one seq at a time and up to 1000 problems, counting the
// rest.
//
// Each checkpoint must agree with the log: the entry at its seq must exist
// and have its hash. Without a checkpoint at or after them, deleting the
// last entries cannot be detected; the server signs one every few seconds,
// which bounds what can be cut unseen.
//
// Verify keeps the slices of a few entries while it reads on, so the
// sequence must not reuse them. When a sequence fails, Verify returns the
// error and a report on what it read before.
func (o Options) Verify(entries iter.Seq2[Entry, error]) (Report, error) {
	v := newVerifier(o)
	defer v.cps.stop()
	var cur Entry
	have := false
	for e, err := range entries {
		if err == nil && have {
			err = v.step(&cur, &e)
		}
		if err != nil {
			if have {
				v.r.Last = cur
			}
			return v.r, fmt.Errorf("verify audit log: %w", err)
		}
		v.r.Entries++
		cur, have = e, true
	}
	if have {
		if err := v.step(&cur, nil); err != nil {
			v.r.Last = cur
			return v.r, fmt.Errorf("verify audit log: %w", err)
		}
		v.r.Last = cur
	}
	if err := v.finish(); err != nil {
		return v.r, fmt.Errorf("verify audit log: %w", err)
	}
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

// sealing is how an entry's hash was made.
type sealing int

const (
	broken    sealing = iota // matches none of the ways
	keyed                    // under the chain key
	unkeyed                  // plain SHA-256, as before the chain was keyed
	unchecked                // Verify has no key to tell
)

type verifier struct {
	o       Options
	r       Report
	cur     state
	before  state // the state before the tip was accepted
	canUndo bool  // before is valid
	cands   []candidate
	maxSeq  int64
	mac     hash.Hash // HMAC under o.Key, reused
	buf     []byte    // an entry's encoding, reused
	sum     []byte    // its HMAC, reused
	sealed  bool      // the entry being placed matches its hash

	resuming  bool // the first entry, o.Resume's, is still to come
	sawKeyed  bool // a keyed entry has been read
	unkeyed   span // unkeyed entries no checkpoint vouches for yet
	uncovered span // entries after the last checkpoint the log agrees with

	cps   *merger
	group group // the checkpoints of the seq the log has reached
	late  runs  // problems with checkpoints, reported after the chain's
}

func newVerifier(o Options) *verifier {
	v := &verifier{o: o, cur: state{tip: link{ok: true}, linked: true}, resuming: o.Resume.Seq > 0}
	if len(o.Key) > 0 {
		v.mac = hmac.New(sha256.New, o.Key)
	}
	if v.resuming {
		v.r.Checkpointed = o.Resume.Seq
	}
	v.cps = newMerger(o.Sources, o.Public, &v.late)
	return v
}

// seal tells how e's hash was made, given its fields as they are now.
func (v *verifier) seal(e *Entry) sealing {
	if v.mac == nil {
		return unchecked
	}
	v.buf = e.encode(keyedVersion, v.buf[:0])
	v.mac.Reset()
	v.mac.Write(v.buf)
	v.sum = v.mac.Sum(v.sum[:0])
	if hmac.Equal(v.sum, e.Hash) {
		return keyed
	}
	v.buf = e.encode(unkeyedVersion, v.buf[:0])
	if h := sha256.Sum256(v.buf); bytes.Equal(h[:], e.Hash) {
		return unkeyed
	}
	return broken
}

// matches reports whether e's hash matches its fields, as far as Verify can
// tell.
func (v *verifier) matches(e *Entry) bool { return v.seal(e) != broken }

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
func (v *verifier) step(c, n *Entry) error {
	how := v.seal(c)
	v.sealed = how != broken
	if how == keyed {
		v.sawKeyed = true
	}
	if how == unkeyed {
		v.r.Unkeyed++
	}
	if v.resuming {
		v.resume(c)
	} else {
		v.maxSeq = max(v.maxSeq, c.Seq)
		v.place(c, n)
	}
	covered, err := v.match(c)
	if err != nil {
		return err
	}
	if covered || c.Seq <= v.o.Resume.Seq {
		v.unkeyed, v.uncovered = span{}, span{}
		return nil
	}
	if how == unkeyed && (!v.o.TrustUnkeyed || v.sawKeyed) {
		v.unkeyed.add(c)
	}
	v.uncovered.add(c)
	return nil
}

// resume takes c, the first entry read, as the one o.Resume vouches for.
func (v *verifier) resume(c *Entry) {
	v.resuming = false
	v.maxSeq = c.Seq
	mark := len(v.r.Problems)
	switch rc := v.o.Resume; {
	case c.Seq != rc.Seq:
		v.add(rc.Seq, BadCheckpoint, fmt.Sprintf("it is missing, but the checkpoint signed %s vouches for it", stamp(rc.At)))
	case !bytes.Equal(c.Hash, rc.Hash):
		v.add(c.Seq, BadCheckpoint, fmt.Sprintf("its hash is not the one the checkpoint signed %s vouches for: the log was rewritten at or before it", stamp(rc.At)))
	case !v.sealed:
		v.add(c.Seq, Edited, "its fields no longer match its hash")
	}
	v.accept(c, mark, true, false)
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
		if !v.sealed {
			v.edited(c, n, mark, linked, "its fields no longer match its hash")
			return
		}
	case !v.sealed:
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
	if !v.sealed {
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
		case v.seqsSwapped(&p.e, c):
			how = "exchanged seq values"
			// c's successor links to the entry that belongs at c's seq.
			v.cur.tip = linkTo(&p.e)
			v.cur.tip.seq, v.cur.suspect = c.Seq, false
		case v.contentsSwapped(&p.e, c):
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
func (v *verifier) seqsSwapped(a, b *Entry) bool {
	if a.Seq == b.Seq {
		return false
	}
	x, y := *a, *b
	x.Seq, y.Seq = b.Seq, a.Seq
	return v.matches(&x) && v.matches(&y)
}

// contentsSwapped reports whether a and b match their hashes once
// everything but their seq, prev and hash is exchanged back.
func (v *verifier) contentsSwapped(a, b *Entry) bool {
	x, y := *b, *a
	x.Seq, x.Prev, x.Hash = a.Seq, a.Prev, a.Hash
	y.Seq, y.Prev, y.Hash = b.Seq, b.Prev, b.Hash
	return v.matches(&x) && v.matches(&y)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// at names the entry with the given seq, or the start of the log for 0.
func at(seq int64) string {
	if seq == 0 {
		return "the start of the log"
	}
	return fmt.Sprintf("entry %d", seq)
}
