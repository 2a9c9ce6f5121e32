package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// snapshot is what the database holds of the cases and of the audit
// entries that record writes to them, read directly with SQL.
type snapshot struct {
	cases       map[int64]caseRow
	transitions map[int64]int   // status changes per case, its creation included
	consents    map[int64]int64 // consent id → case id
	keys        map[int64]bool  // cases whose data key is there
	// entries counts the allowed entries per action and case: case.create,
	// case.move, and consent.grant for a consent.edit that granted one.
	entries map[string]map[int64]int
	// stray lists the records of such entries that name no case id.
	stray []string
}

type caseRow struct {
	status string
	live   bool // not deleted
}

// readSnapshot reads the cases and their entries. Its queries take no
// arguments, so they run unchanged on both engines.
func readSnapshot(ctx context.Context, db *sql.DB) (*snapshot, error) {
	s := &snapshot{cases: map[int64]caseRow{}, transitions: map[int64]int{}, consents: map[int64]int64{}, keys: map[int64]bool{},
		entries: map[string]map[int64]int{"case.create": {}, "case.move": {}, "consent.grant": {}}}
	for _, q := range []struct {
		query string
		row   func(*sql.Rows) error
	}{
		{"SELECT id, status, CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END FROM cases", s.addCase},
		{"SELECT case_id, COUNT(*) FROM case_transitions GROUP BY case_id", s.addTransitions},
		{"SELECT id, case_id FROM consents", s.addConsent},
		{"SELECT subject FROM data_keys WHERE subject LIKE 'case/%'", s.addKey},
		{`SELECT action, record, reason FROM audit_log
			WHERE decision = 'allow' AND action IN ('case.create', 'case.move', 'consent.edit')`, s.addEntry},
	} {
		if err := eachRow(ctx, db, q.query, q.row); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *snapshot) addCase(rows *sql.Rows) error {
	var id int64
	var r caseRow
	err := rows.Scan(&id, &r.status, &r.live)
	s.cases[id] = r
	return err
}

func (s *snapshot) addTransitions(rows *sql.Rows) error {
	var id int64
	var n int
	err := rows.Scan(&id, &n)
	s.transitions[id] = n
	return err
}

func (s *snapshot) addConsent(rows *sql.Rows) error {
	var id, caseID int64
	err := rows.Scan(&id, &caseID)
	s.consents[id] = caseID
	return err
}

func (s *snapshot) addKey(rows *sql.Rows) error {
	var subject string
	err := rows.Scan(&subject)
	if id, perr := strconv.ParseInt(strings.TrimPrefix(subject, "case/"), 10, 64); perr == nil {
		s.keys[id] = true
	}
	return err
}

func (s *snapshot) addEntry(rows *sql.Rows) error {
	var action, record, reason string
	if err := rows.Scan(&action, &record, &reason); err != nil {
		return err
	}
	if action == "consent.edit" {
		if !strings.Contains(reason, "grant ") {
			return nil // a revocation or a reading of the consents
		}
		action = "consent.grant"
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(record, "case:"), 10, 64)
	if !strings.HasPrefix(record, "case:") || err != nil {
		s.stray = append(s.stray, action+" "+record)
		return nil
	}
	s.entries[action][id]++
	return nil
}

func eachRow(ctx context.Context, db *sql.DB, query string, f func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return fmt.Errorf("%s: %w", query, err)
		}
	}
	return rows.Err()
}

// findings are what one check found wrong; all empty is a pass.
type findings struct {
	withoutEntry []int64  // live cases without exactly one case.create entry
	orphans      []string // case.create entries for a case that does not exist
	unrecorded   []string // written cases whose moves or consents disagree with their entries
	lost         []string // acknowledged writes not in the database
	keyless      []int64  // live cases without their data key: unreadable, so lost too
}

// examine compares the snapshot with the acknowledged writes. Every case
// must have its one case.create entry and its data key; cases the harness
// wrote (those not in baseline, the demo's) must also have one case.move
// entry per status change after their creation and one consent grant
// entry per consent. The demo data is seeded without those entries.
func (s *snapshot) examine(a *acks, baseline map[int64]bool) findings {
	var f findings
	for id, row := range s.cases {
		if !row.live {
			continue
		}
		if n := s.entries["case.create"][id]; n != 1 {
			f.withoutEntry = append(f.withoutEntry, id)
		}
		if !s.keys[id] {
			f.keyless = append(f.keyless, id)
		}
	}
	for id, n := range s.entries["case.create"] {
		if _, ok := s.cases[id]; !ok {
			f.orphans = append(f.orphans, fmt.Sprintf("case:%d (%d entries)", id, n))
		}
	}
	f.orphans = append(f.orphans, s.stray...)
	f.unrecorded = s.unrecorded(baseline)
	f.lost = s.lost(a)
	slices.Sort(f.withoutEntry)
	slices.Sort(f.keyless)
	slices.Sort(f.orphans)
	return f
}

// unrecorded lists the written cases whose status changes or consents are
// not each recorded by one entry.
func (s *snapshot) unrecorded(baseline map[int64]bool) []string {
	grants := map[int64]int{}
	for _, caseID := range s.consents {
		grants[caseID]++
	}
	var out []string
	for id := range s.cases {
		if baseline[id] {
			continue
		}
		if moves, logged := s.transitions[id]-1, s.entries["case.move"][id]; moves != logged {
			out = append(out, fmt.Sprintf("case %d: %d status changes, %d case.move entries", id, moves, logged))
		}
		if n, logged := grants[id], s.entries["consent.grant"][id]; n != logged {
			out = append(out, fmt.Sprintf("case %d: %d consents, %d consent grant entries", id, n, logged))
		}
	}
	for _, action := range []string{"case.move", "consent.grant"} {
		for id := range s.entries[action] {
			if _, ok := s.cases[id]; !ok {
				out = append(out, fmt.Sprintf("%s entry for case %d, which does not exist", action, id))
			}
		}
	}
	slices.Sort(out)
	return out
}

// lost lists the acknowledged writes the database does not hold.
func (s *snapshot) lost(a *acks) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for id := range a.cases {
		if !s.cases[id].live {
			out = append(out, fmt.Sprintf("case %d", id))
		}
	}
	for id := range a.moves {
		if s.cases[id].status != "referred" || s.transitions[id] < 2 {
			out = append(out, fmt.Sprintf("move of case %d to referred", id))
		}
	}
	for id, caseID := range a.consents {
		if s.consents[id] != caseID {
			out = append(out, fmt.Sprintf("consent %d of case %d", id, caseID))
		}
	}
	slices.Sort(out)
	return out
}

// sqliteIntegrity runs SQLite's own checks of the file and of its foreign
// keys, and returns what they found, or "ok".
func sqliteIntegrity(ctx context.Context, db *sql.DB) (string, error) {
	var found []string
	err := eachRow(ctx, db, "PRAGMA integrity_check", func(rows *sql.Rows) error {
		var line string
		err := rows.Scan(&line)
		if line != "ok" {
			found = append(found, line)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	err = eachRow(ctx, db, "PRAGMA foreign_key_check", func(rows *sql.Rows) error {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		err := rows.Scan(&table, &rowid, &parent, &fk)
		found = append(found, fmt.Sprintf("foreign key: %s row %d refers to a missing %s", table, rowid.Int64, parent))
		return err
	})
	if err != nil || len(found) == 0 {
		return "ok", err
	}
	return strings.Join(found, "; "), nil
}
