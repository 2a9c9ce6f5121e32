package store

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"puente/internal/access"
	"puente/internal/casework"
)

// idChunk bounds the ids bound to one IN (…) list, far below what either
// engine allows.
const idChunk = 500

// CaseAccess returns what the access policy needs to decide about a case:
// its organization, caseworkers, consents and emergency accesses.
func (db *DB) CaseAccess(ctx context.Context, id int64, now time.Time) (access.Resource, error) {
	m, err := db.CaseAccesses(ctx, []int64{id}, now)
	if err != nil {
		return access.Resource{Now: now}, err
	}
	r, ok := m[id]
	if !ok {
		return access.Resource{Now: now}, translate(sql.ErrNoRows)
	}
	return r, nil
}

// CaseAccesses is CaseAccess for many cases in a few queries; cases that do
// not exist, or were deleted, are missing from the map.
func (db *DB) CaseAccesses(ctx context.Context, ids []int64, now time.Time) (map[int64]access.Resource, error) {
	out := make(map[int64]access.Resource, len(ids))
	for chunk := range slices.Chunk(ids, idChunk) {
		if err := db.caseAccessChunk(ctx, chunk, now, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) caseAccessChunk(ctx context.Context, ids []int64, now time.Time, out map[int64]access.Resource) error {
	in, args := idList(ids)
	err := db.scanRows(ctx, "SELECT id, org_id FROM cases WHERE id IN ("+in+") AND deleted_at IS NULL", args, func(rows *sql.Rows) error {
		var id, org int64
		if err := rows.Scan(&id, &org); err != nil {
			return err
		}
		out[id] = access.Resource{OrgID: org, Now: now, Assigned: []int64{}}
		return nil
	})
	if err != nil {
		return err
	}
	assigned, err := db.assignedMany(ctx, ids)
	if err != nil {
		return err
	}
	for id, users := range assigned {
		if r, ok := out[id]; ok {
			r.Assigned = users
			out[id] = r
		}
	}
	err = db.scanRows(ctx, `SELECT case_id, org_id, classes, purpose, valid_from, valid_until, revoked_at FROM consents
		WHERE case_id IN (`+in+`) ORDER BY id DESC`, args, func(rows *sql.Rows) error {
		var id int64
		var g access.Grant
		var classes string
		var from, until int64
		var revoked sql.NullInt64
		if err := rows.Scan(&id, &g.OrgID, &classes, &g.Purpose, &from, &until, &revoked); err != nil {
			return err
		}
		g.Classes, g.From, g.Until, g.RevokedAt = splitClasses(classes), fromMicros(from), fromMicros(until), fromNullMicros(revoked)
		if r, ok := out[id]; ok {
			r.Grants = append(r.Grants, g)
			out[id] = r
		}
		return nil
	})
	if err != nil {
		return err
	}
	return db.scanRows(ctx, "SELECT case_id, user_id, until FROM break_glass WHERE case_id IN ("+in+") AND until > ? ORDER BY id",
		append(args, micros(now)), func(rows *sql.Rows) error {
			var id, until int64
			var g access.Glass
			if err := rows.Scan(&id, &g.UserID, &until); err != nil {
				return err
			}
			g.Until = fromMicros(until)
			if r, ok := out[id]; ok {
				r.Glass = append(r.Glass, g)
				out[id] = r
			}
			return nil
		})
}

// assignedMany returns the caseworkers of each case in ids, in user id order.
func (db *DB) assignedMany(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	for chunk := range slices.Chunk(ids, idChunk) {
		in, args := idList(chunk)
		err := db.scanRows(ctx, "SELECT case_id, user_id FROM case_assignments WHERE case_id IN ("+in+") ORDER BY case_id, user_id", args,
			func(rows *sql.Rows) error {
				var id, u int64
				if err := rows.Scan(&id, &u); err != nil {
					return err
				}
				out[id] = append(out[id], u)
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// NameMatches lists, in id order, up to limit cases that are not deleted
// and whose blind name index holds every one of tokens. It says nothing of
// who may see them: the case service decides that per case.
func (db *DB) NameMatches(ctx context.Context, tokens []string, limit int) ([]int64, error) {
	if err := db.requireKeys(); err != nil {
		return nil, err
	}
	var args []any
	seen := map[string]bool{}
	for _, tok := range tokens {
		if !seen[tok] {
			seen[tok] = true
			args = append(args, db.keys.BlindIndex("name:"+tok))
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	args = append(args, len(args), limit)
	var out []int64
	err := db.scanRows(ctx, `SELECT i.case_id FROM case_name_index i JOIN cases c ON c.id = i.case_id AND c.deleted_at IS NULL
		WHERE i.token IN (`+placeholders(len(args)-2)+`) GROUP BY i.case_id HAVING COUNT(*) = ? ORDER BY i.case_id LIMIT ?`, args,
		func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
			return nil
		})
	return out, err
}

// idList returns "?, ?, …" and the ids as arguments.
func idList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return placeholders(len(ids)), args
}

// scanRows runs a query and calls scan for each row.
func (db *DB) scanRows(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return translate(err)
		}
	}
	return translate(rows.Err())
}

// Caseload counts an organization's cases that are not closed, those of
// them with no caseworker, and those assigned to user, from indexes.
func (db *DB) Caseload(ctx context.Context, org, user int64) (casework.Caseload, error) {
	var c casework.Caseload
	// The open cases are counted in the (org_id, status, deleted_at)
	// index alone; the assigned ones by walking the assignments, one per
	// assigned case, rather than probing the assignments once per case.
	q := db.q(ctx)
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases WHERE org_id = ? AND status <> ? AND deleted_at IS NULL",
		org, casework.Closed).Scan(&c.Open)
	if err != nil {
		return c, translate(err)
	}
	var assigned int
	err = q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT a.case_id), COUNT(CASE WHEN a.user_id = ? THEN 1 END)
		FROM case_assignments a JOIN cases c ON c.id = a.case_id
		WHERE c.org_id = ? AND c.status <> ? AND c.deleted_at IS NULL`, user, org, casework.Closed).Scan(&assigned, &c.Mine)
	c.Unassigned = c.Open - assigned
	return c, translate(err)
}
