package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"puente/internal/audit"
)

// auditLock serializes appends on PostgreSQL, where two transactions could
// otherwise read the same last entry and fork the chain. SQLite's
// BEGIN IMMEDIATE already serializes writers.
const auditLock = 7104

// AppendAudit records e. Inside Atomic the entry joins the transaction and
// is written when it commits; otherwise the appender writes it with
// others, and AppendAudit returns once it is. Either way it gets its Seq, Prev and Hash
// when it is written, sealed under the chain key from UseKeyring. The
// table refuses updates and deletes; appending is the only write there is.
func (db *DB) AppendAudit(ctx context.Context, e *audit.Entry) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if len(db.auditKey) == 0 {
		return fmt.Errorf("audit entry: no chain key: call UseKeyring")
	}
	// Check the entry now, so that a bad one fails the call that made it
	// rather than the commit of everything else.
	if err := validUnchained(e); err != nil {
		return fmt.Errorf("audit entry: %w", err)
	}
	if u := unitOf(ctx); u != nil {
		u.entries = append(u.entries, e)
		return nil
	}
	return db.appender.append(ctx, []*audit.Entry{e})
}

// appendAudit chains entries to the last one in the log and stores them in
// q's transaction.
func (db *DB) appendAudit(ctx context.Context, q queryer, entries []*audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if db.auditKey == nil {
		return errors.New("audit: no chain key: the store has no keyring (UseKeyring)")
	}
	if db.engine == Postgres {
		if _, err := q.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", auditLock); err != nil {
			return translate(err)
		}
	}
	var last int64
	prev := audit.Genesis
	err := q.QueryRowContext(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&last, &prev)
	if err != nil && !isNoRows(err) {
		return translate(err)
	}
	for _, e := range entries {
		last++
		e.Seq = last
		e.Chain(prev, db.auditKey)
		if err := e.Validate(); err != nil {
			return fmt.Errorf("audit entry: %w", err)
		}
		_, err = q.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_id, roles, org_id, action, record, decision, reason, request_id, prev, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, micros(e.At), e.ActorID, e.Roles, e.OrgID, e.Action, e.Record, string(e.Decision), e.Reason, e.RequestID, e.Prev, e.Hash)
		if err != nil {
			return translate(err)
		}
		prev = e.Hash
	}
	return nil
}

const auditColumns = "seq, at, actor_id, roles, org_id, action, record, decision, reason, request_id, prev, hash"

// AuditEntries streams audit entries in seq order. With the zero filter it
// yields the whole log, which is what verification reads.
func (db *DB) AuditEntries(ctx context.Context, f audit.Filter) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		where, args := auditWhere(f)
		query := "SELECT " + auditColumns + " FROM audit_log"
		if len(where) > 0 {
			query += " WHERE " + strings.Join(where, " AND ")
		}
		query += " ORDER BY seq"
		if f.Limit > 0 {
			query += fmt.Sprintf(" LIMIT %d", f.Limit)
		}
		rows, err := db.q(ctx).QueryContext(ctx, query, args...)
		if err != nil {
			yield(audit.Entry{}, translate(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				yield(audit.Entry{}, err)
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.Entry{}, translate(err))
		}
	}
}

// LastAudit returns the newest entry, for signing a checkpoint; ok is false
// when the log is empty.
func (db *DB) LastAudit(ctx context.Context) (e audit.Entry, ok bool, err error) {
	var last int64
	if err := db.q(ctx).QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM audit_log").Scan(&last); err != nil {
		return e, false, translate(err)
	}
	if last == 0 {
		return e, false, nil
	}
	for entry, err := range db.AuditEntries(ctx, audit.Filter{AfterSeq: last - 1, Limit: 1}) {
		return entry, err == nil, err
	}
	return e, false, nil
}
