package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Result is what a run did and found. The counts of things wrong are the
// most any one check found; every check that found something is
// described in Problems.
type Result struct {
	Engine     string
	Seed       uint64
	Kills      int // SIGKILLs sent to the server
	StartKills int // of which while it was starting
	// Writes the server acknowledged.
	Cases, Moves, Consents int
	Refused                map[int]int // answers other than 2xx to the harness's valid writes, by status
	// What the last check found in the database.
	CasesFound int // cases not deleted
	Demo       int // of which the demo's
	Unacked    int // of which written by the harness and committed, but never acknowledged: the server died first
	// Things wrong.
	WithoutEntry int // cases without exactly one case.create entry
	Orphans      int // case.create entries for no case
	Unrecorded   int // moves and consents without their entry, or entries without them
	Lost         int // acknowledged writes not in the database
	Keyless      int // cases without their data key
	Checks       int
	Verifies     int // runs of "puente audit verify"
	// VerifyFailures counts the runs of "puente audit verify" that failed.
	VerifyFailures int
	Integrity      string // SQLite's integrity and foreign key checks at the last check
	Problems       []string
	Elapsed        time.Duration
	Err            error // why the run stopped before its end, if it did

	reported map[string]bool // problems described already, each described once
}

// OK reports whether every check passed.
func (r *Result) OK() bool { return len(r.Problems) == 0 && r.Err == nil }

func (r *Result) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// record notes what one check found.
func (r *Result) record(label string, f findings, s *snapshot, a *acks, baseline map[int64]bool) {
	r.Checks++
	r.Cases, r.Moves, r.Consents = a.total()
	a.mu.Lock()
	r.Refused = maps.Clone(a.refused)
	r.CasesFound, r.Demo, r.Unacked = 0, 0, 0
	for id, row := range s.cases {
		switch {
		case !row.live:
		case baseline[id]:
			r.CasesFound++
			r.Demo++
		default:
			r.CasesFound++
			if !a.cases[id] {
				r.Unacked++
			}
		}
	}
	a.mu.Unlock()
	r.WithoutEntry = max(r.WithoutEntry, len(f.withoutEntry))
	r.Orphans = max(r.Orphans, len(f.orphans))
	r.Unrecorded = max(r.Unrecorded, len(f.unrecorded))
	r.Lost = max(r.Lost, len(f.lost))
	r.Keyless = max(r.Keyless, len(f.keyless))
	for _, p := range []struct {
		what  string
		items []string
	}{
		{"cases without exactly one case.create entry", ids(f.withoutEntry)},
		{"case.create entries without their case", f.orphans},
		{"moves or consents and their entries disagree", f.unrecorded},
		{"acknowledged writes lost", f.lost},
		{"cases without their data key", ids(f.keyless)},
	} {
		if fresh := r.fresh(p.what, p.items); len(fresh) > 0 {
			r.fail("%s: %d %s: %s", label, len(fresh), p.what, sample(fresh))
		}
	}
}

// fresh returns the items not described by an earlier check: a case found
// without its entry after one kill is still without it after the next.
func (r *Result) fresh(what string, items []string) []string {
	if r.reported == nil {
		r.reported = map[string]bool{}
	}
	var out []string
	for _, it := range items {
		if !r.reported[what+it] {
			r.reported[what+it] = true
			out = append(out, it)
		}
	}
	return out
}

func ids(list []int64) []string {
	out := make([]string, len(list))
	for i, id := range list {
		out[i] = fmt.Sprint(id)
	}
	return out
}

// sample lists the first few items.
func sample(items []string) string {
	const n = 10
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(", … (%d more)", len(items)-n)
}

// Print writes the result as a short table, then the problems.
func (r *Result) Print(w io.Writer) {
	verdict := func(bad int) string {
		if bad > 0 {
			return fmt.Sprintf("%d  FAIL", bad)
		}
		return "0"
	}
	verify := fmt.Sprintf("ok (%d runs)", r.Verifies)
	if r.VerifyFailures > 0 {
		verify = fmt.Sprintf("FAIL (%d of %d runs)", r.VerifyFailures, r.Verifies)
	}
	rows := [][2]string{
		{"kills (SIGKILL to puente serve)", fmt.Sprintf("%d (%d while starting)", r.Kills, r.StartKills)},
		{"writes acknowledged", fmt.Sprintf("%d (cases %d, moves %d, consents %d)", r.Cases+r.Moves+r.Consents, r.Cases, r.Moves, r.Consents)},
		{"cases found", fmt.Sprintf("%d (%d demo, %d written: %d acknowledged, %d committed as the server died)", r.CasesFound, r.Demo, r.CasesFound-r.Demo, r.CasesFound-r.Demo-r.Unacked, r.Unacked)},
		{"cases without their case.create entry", verdict(r.WithoutEntry)},
		{"case.create entries without their case", verdict(r.Orphans)},
		{"moves/consents without their entry", verdict(r.Unrecorded)},
		{"acknowledged writes lost", verdict(r.Lost)},
		{"cases without their data key", verdict(r.Keyless)},
		{"answers other than 2xx", refused(r.Refused)},
		{"audit verify", verify},
	}
	if r.Engine == "sqlite" {
		rows = append(rows, [2]string{"SQLite integrity and foreign keys", fmt.Sprintf("%s (%d checks)", r.Integrity, r.Checks)})
	}
	rows = append(rows, [2]string{"time", r.Elapsed.Round(100 * time.Millisecond).String()})
	fmt.Fprintf(w, "Crash test on %s, seed %d\n", r.Engine, r.Seed)
	for _, row := range rows {
		fmt.Fprintf(w, "  %-40s %s\n", row[0], row[1])
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "FAIL:", p)
	}
	if r.Err != nil {
		fmt.Fprintln(w, "STOPPED:", r.Err)
	}
	if r.OK() {
		fmt.Fprintln(w, "PASS")
	}
}

// refused lists the statuses other than 2xx the writers were answered.
func refused(by map[int]int) string {
	if len(by) == 0 {
		return "0"
	}
	n, statuses := 0, []string{}
	for _, status := range slices.Sorted(maps.Keys(by)) {
		n += by[status]
		statuses = append(statuses, fmt.Sprintf("%d× %d", by[status], status))
	}
	return fmt.Sprintf("%d  FAIL (%s)", n, strings.Join(statuses, ", "))
}
