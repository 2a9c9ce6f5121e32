package audit

import (
	"fmt"
	"strings"
)

// ProblemKind says what was done to the log at the place a Problem names.
type ProblemKind int

// The kinds of tampering Verify tells apart. The classification is a best
// guess from what the chain shows; the seq is what to trust.
const (
	// Edited: the entry's fields or its hash were changed.
	Edited ProblemKind = iota + 1
	// Deleted: the entry is missing from the middle or the start of the log.
	Deleted
	// Inserted: the entry is an extra one that is not part of the chain.
	Inserted
	// Reordered: the entry was exchanged with another one, named in Detail.
	Reordered
	// Truncated: the log ends before a checkpoint's seq, so its last entries
	// were deleted, from this seq on.
	Truncated
	// BadCheckpoint: a checkpoint is malformed, forged or out of order, or
	// the entry it vouches for is missing or has another hash.
	BadCheckpoint
	// Unkeyed: the entry is hashed without the chain key, as entries were
	// before the chain was keyed, but no checkpoint vouches for it: someone
	// without the key forged it, or edited it and re-hashed it.
	Unkeyed
	// Uncovered: no checkpoint covers the entry, though it is older than
	// the interval at which the server signs them.
	Uncovered
	// CheckpointMissing: a checkpoint found in one place that keeps them is
	// missing from another that must hold every one (the database or the
	// checkpoint file), so it was removed there.
	CheckpointMissing
)

func (k ProblemKind) String() string {
	switch k {
	case Edited:
		return "edited"
	case Deleted:
		return "deleted"
	case Inserted:
		return "inserted"
	case Reordered:
		return "reordered"
	case Truncated:
		return "truncated"
	case BadCheckpoint:
		return "bad_checkpoint"
	case Unkeyed:
		return "unkeyed"
	case Uncovered:
		return "uncovered"
	case CheckpointMissing:
		return "checkpoint_missing"
	}
	return fmt.Sprintf("ProblemKind(%d)", int(k))
}

// phrase completes "entry 57 …" for a terminal.
func (k ProblemKind) phrase() string {
	switch k {
	case Edited:
		return "was edited"
	case Deleted:
		return "was deleted"
	case Inserted:
		return "was inserted"
	case Reordered:
		return "was reordered"
	case Truncated:
		return "was cut from the end"
	case BadCheckpoint:
		return "does not match its checkpoint"
	case Unkeyed:
		return "is not sealed with the chain key"
	case Uncovered:
		return "has waited too long for a checkpoint"
	case CheckpointMissing:
		return "has a checkpoint missing from one place"
	}
	return "has a problem"
}

// Problem is one place where the log is not the chain that appending
// produces. Detail names the neighbours involved; it holds seqs and times,
// never an entry's contents.
type Problem struct {
	Seq    int64
	Kind   ProblemKind
	Detail string
}

func (p Problem) String() string {
	return fmt.Sprintf("entry %d %s: %s", p.Seq, p.Kind.phrase(), p.Detail)
}

// Report is what Verify found.
type Report struct {
	// Entries counts the entries read, forged ones included.
	Entries int64
	// Last is the last entry read. Sign a new checkpoint over it only when
	// the report is OK.
	Last Entry
	// Checkpointed is the highest seq a given checkpoint vouches for and the
	// log agrees with; 0 when none does. Entries after it are vouched for by
	// the chain alone.
	Checkpointed int64
	// Unkeyed counts the entries read that are hashed without the chain key,
	// as entries were before it was keyed.
	Unkeyed int64
	// Problems lists what Verify found, at most maxProblems of them.
	Problems []Problem
	// Omitted counts the problems found beyond maxProblems.
	Omitted int64
}

// OK reports whether Verify found nothing wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 && r.Omitted == 0 }

// String describes the report for a terminal, one problem a line.
func (r Report) String() string {
	if r.OK() {
		return r.intact()
	}
	if len(r.Problems) == 1 && r.Omitted == 0 {
		return "audit log: " + r.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "audit log: %d problems in %s:", int64(len(r.Problems))+r.Omitted, plural(r.Entries, "entry", "entries"))
	for _, p := range r.Problems {
		b.WriteString("\n  " + p.String())
	}
	if r.Omitted > 0 {
		fmt.Fprintf(&b, "\n  and %d more", r.Omitted)
	}
	return b.String()
}

func (r Report) intact() string {
	if r.Entries == 0 {
		return "audit log: empty"
	}
	s := fmt.Sprintf("audit log: %s, chain intact through seq %d", plural(r.Entries, "entry", "entries"), r.Last.Seq)
	switch from, to := r.Checkpointed+1, r.Last.Seq; {
	case from > to:
		return s + ", all covered by a checkpoint"
	case from == to:
		return s + fmt.Sprintf("; entry %d is not covered by a checkpoint", to)
	default:
		return s + fmt.Sprintf("; entries %d–%d are not covered by a checkpoint", from, to)
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
