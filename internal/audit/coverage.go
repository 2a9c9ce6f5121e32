package audit

import (
	"bytes"
	"fmt"
	"time"
)

// This file holds the log, as Verify reads it, against the checkpoints:
// those of each seq as the log reaches it, then those past its end, and
// says which entries no checkpoint vouches for.

// span is a run of entries that still need a checkpoint.
type span struct {
	from, to, n int64
	oldest      time.Time
}

func (s *span) add(e *Entry) {
	if s.n == 0 || e.At.Before(s.oldest) {
		s.oldest = e.At
	}
	if s.n == 0 {
		s.from = e.Seq
	}
	s.to, s.n = e.Seq, s.n+1
}

// match holds entry c against the checkpoints of its seq, settling those
// of earlier seqs on the way, and reports whether one of them vouches for c.
func (v *verifier) match(c *Entry) (bool, error) {
	for {
		if !v.group.loaded {
			g, ok, err := v.cps.next()
			if err != nil || !ok {
				return false, err
			}
			v.group = g
		}
		if v.group.seq >= c.Seq {
			break
		}
		v.settle()
	}
	if v.group.seq != c.Seq {
		return false, nil
	}
	v.group.seen = true
	covered := false
	for i, cp := range v.group.cps {
		if bytes.Equal(c.Hash, cp.Hash) {
			v.group.matched[i], covered = true, true
		}
	}
	return covered, nil
}

// settle reports what the log showed about the checkpoints of one seq, once
// it has read past that seq. It returns the checkpoint the log ends before,
// if any of them is beyond the end.
func (v *verifier) settle() (beyond *Checkpoint) {
	g := &v.group
	g.loaded = false
	for i := range g.cps {
		c := &g.cps[i]
		switch {
		case g.matched[i]:
			v.r.Checkpointed = max(v.r.Checkpointed, c.Seq)
			v.late.end("missing")
			v.late.end("mismatch")
		case !g.seen && c.Seq > v.maxSeq:
			beyond = c
		case !g.seen:
			v.late.add("missing", c.Seq, c.At, func(r *run) Problem {
				if r.n == 1 {
					return Problem{r.from, BadCheckpoint, fmt.Sprintf("it is missing, but the checkpoint signed %s vouches for it", stamp(r.first))}
				}
				return Problem{r.from, BadCheckpoint, fmt.Sprintf("it and entries up to %d are missing, but %d checkpoints signed %s to %s vouch for them", r.to, r.n, stamp(r.first), stamp(r.last))}
			})
		default:
			v.late.add("mismatch", c.Seq, c.At, func(r *run) Problem {
				if r.n == 1 {
					return Problem{r.from, BadCheckpoint, fmt.Sprintf("its hash is not the one the checkpoint signed %s vouches for: the log was rewritten at or before it", stamp(r.first))}
				}
				return Problem{r.from, BadCheckpoint, fmt.Sprintf("its hash is not the one the checkpoint signed %s vouches for, nor are those of %d more checkpoints up to entry %d: the log was rewritten at or before it", stamp(r.first), r.n-1, r.to)}
			})
		}
	}
	return beyond
}

// finish holds what is left of the checkpoints against the log, now read,
// and reports the entries no checkpoint vouches for.
func (v *verifier) finish() error {
	if v.resuming {
		v.add(v.o.Resume.Seq, Truncated, fmt.Sprintf("the log stops before it, but the checkpoint signed %s vouches for it", stamp(v.o.Resume.At)))
	}
	var beyond *Checkpoint // the furthest checkpoint past the end of the log
	for {
		if v.group.loaded {
			if b := v.settle(); b != nil {
				c := *b
				beyond = &c
			}
		}
		g, ok, err := v.cps.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		v.group = g
	}
	v.late.flush()
	for _, p := range v.late.out {
		v.add(p.Seq, p.Kind, p.Detail)
	}
	v.r.Omitted += v.late.omitted
	if beyond != nil {
		end := fmt.Sprintf("the log stops at entry %d", v.maxSeq)
		if v.maxSeq == 0 {
			end = "the log is empty"
		}
		v.add(v.maxSeq+1, Truncated, fmt.Sprintf("%s, but the checkpoint signed %s vouches for entry %d", end, stamp(beyond.At), beyond.Seq))
	}
	if u := v.unkeyed; u.n > 0 {
		subject, be, object := spanWords(u)
		v.add(u.from, Unkeyed, fmt.Sprintf("%s %s hashed without the chain key, and no checkpoint vouches for %s: forged, or edited and re-hashed, by someone without the key", subject, be, object))
	}
	if u := v.uncovered; u.n > 0 && v.o.MaxUncovered > 0 && v.o.Now.Sub(u.oldest) > v.o.MaxUncovered {
		subject, be, _ := spanWords(u)
		oldest := "the oldest was"
		if u.n == 1 {
			oldest = "it was"
		}
		v.add(u.from, Uncovered, fmt.Sprintf("%s %s covered by no checkpoint, yet %s written %s, %s before this check, and the server signs one every few seconds: it stopped signing, or checkpoints were removed (after a crash, start the server: it checks and signs what it left)",
			subject, be, oldest, stamp(u.oldest), v.o.Now.Sub(u.oldest).Round(time.Second)))
	}
	return nil
}

// spanWords names the entries of s for a sentence: its subject, the verb
// to be to go with it, and the pronoun to refer to them.
func spanWords(s span) (subject, be, object string) {
	switch {
	case s.n == 1:
		return "it", "is", "it"
	case s.n == s.to-s.from+1:
		return fmt.Sprintf("entries %d–%d", s.from, s.to), "are", "them"
	}
	return fmt.Sprintf("%d entries from %d to %d", s.n, s.from, s.to), "are", "them"
}
