package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"puente/internal/audit"
)

// MaxAuditPage bounds how many entries one AuditPage call returns.
const MaxAuditPage = 1000

// AuditPage returns up to limit entries matching f, newest first, for a
// person reading the log a page at a time. With beforeSeq above zero it
// returns only entries older than that seq: pass the seq of the last entry
// of one page to read the next. f.Limit is ignored; limit must be from 1 to
// MaxAuditPage.
func (db *DB) AuditPage(ctx context.Context, f audit.Filter, beforeSeq int64, limit int) ([]audit.Entry, error) {
	if limit < 1 || limit > MaxAuditPage {
		return nil, fmt.Errorf("audit page: limit %d is not from 1 to %d", limit, MaxAuditPage)
	}
	where, args := auditWhere(f)
	if beforeSeq > 0 {
		where = append(where, "seq < ?")
		args = append(args, beforeSeq)
	}
	query := "SELECT " + auditColumns + " FROM audit_log"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += fmt.Sprintf(" ORDER BY seq DESC LIMIT %d", limit)
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, translate(rows.Err())
}

// auditWhere turns f, but for its Limit, into SQL conditions and their
// arguments, for AuditEntries and AuditPage alike.
func auditWhere(f audit.Filter) ([]string, []any) {
	var where []string
	var args []any
	if f.ActorID != 0 {
		where = append(where, "actor_id = ?")
		args = append(args, f.ActorID)
	}
	if f.Record != "" {
		where = append(where, "record = ?")
		args = append(args, f.Record)
	}
	if !f.Since.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, "at < ?")
		args = append(args, micros(f.Until))
	}
	if f.AfterSeq > 0 {
		where = append(where, "seq > ?")
		args = append(args, f.AfterSeq)
	}
	return where, args
}

// scanAudit reads one row selected with auditColumns.
func scanAudit(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	var at int64
	var decision string
	if err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.Roles, &e.OrgID, &e.Action, &e.Record, &decision, &e.Reason, &e.RequestID, &e.Prev, &e.Hash); err != nil {
		return audit.Entry{}, translate(err)
	}
	e.At, e.Decision = fromMicros(at), audit.Decision(decision)
	return e, nil
}
