package store

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"puente/internal/audit"
)

// On PostgreSQL a write does not chain its audit entries itself: chaining
// needs the chain's lock from the moment it reads the last entry until it
// commits, and every write holding it in turn made staff pages wait on
// each other. A write stores its entries in audit_pending, in its own
// transaction, and hands them to the appender, which chains them with the
// reads' entries in one transaction, deleting their pending rows as it
// appends them. Deleting claims a row: a pending entry is chained once,
// by whichever server's appender deletes it first. Rows left by a crash
// are chained when a server starts, and by any running server's appender
// after pendingGrace.

// pendingGrace is how long a pending entry is left to the appender of the
// server whose write made it before another's sweep takes it.
const pendingGrace = 10 * time.Second

// stagePending stores entries in audit_pending in q's transaction and
// returns their ids, in order.
func (db *DB) stagePending(ctx context.Context, q queryer, entries []*audit.Entry) ([]int64, error) {
	ids := make([]int64, len(entries))
	for i, e := range entries {
		if err := validUnchained(e); err != nil {
			return nil, err
		}
		err := q.QueryRowContext(ctx, `INSERT INTO audit_pending (at, actor_id, roles, org_id, action, record, decision, reason, request_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			micros(e.At), e.ActorID, e.Roles, e.OrgID, e.Action, e.Record, string(e.Decision), e.Reason, e.RequestID).Scan(&ids[i])
		if err != nil {
			return nil, translate(err)
		}
	}
	return ids, nil
}

// claimPending deletes the pending rows of ids in q's transaction and
// returns those it deleted: the entries this transaction is to chain.
func claimPending(ctx context.Context, q queryer, ids []int64) (map[int64]bool, error) {
	claimed := make(map[int64]bool, len(ids))
	for chunk := range slices.Chunk(ids, idChunk) {
		in, args := idList(chunk)
		rows, err := q.QueryContext(ctx, "DELETE FROM audit_pending WHERE id IN ("+in+") RETURNING id", args...)
		if err != nil {
			return nil, translate(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, translate(err)
			}
			claimed[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, translate(err)
		}
	}
	return claimed, nil
}

// SweepPending chains the pending entries written before cutoff (all of
// them when it is zero), oldest first: those a crash left between a
// write's commit and its appender. It reports how many it chained.
func (db *DB) SweepPending(ctx context.Context, cutoff time.Time) (int, error) {
	if db.engine != Postgres {
		return 0, nil
	}
	before := int64(math.MaxInt64)
	if !cutoff.IsZero() {
		before = micros(cutoff)
	}
	total := 0
	for {
		var n int
		err := db.tx(ctx, func(q queryer) error {
			rows, err := q.QueryContext(ctx, `DELETE FROM audit_pending WHERE id IN (
				SELECT id FROM audit_pending WHERE at < ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
				RETURNING id, at, actor_id, roles, org_id, action, record, decision, reason, request_id`, before, maxBatch)
			if err != nil {
				return translate(err)
			}
			type pending struct {
				id    int64
				entry *audit.Entry
			}
			var claimed []pending
			for rows.Next() {
				var e audit.Entry
				var id, at int64
				var decision string
				if err := rows.Scan(&id, &at, &e.ActorID, &e.Roles, &e.OrgID, &e.Action, &e.Record, &decision, &e.Reason, &e.RequestID); err != nil {
					rows.Close()
					return translate(err)
				}
				e.At, e.Decision = fromMicros(at), audit.Decision(decision)
				claimed = append(claimed, pending{id, &e})
			}
			if err := rows.Close(); err != nil {
				return translate(err)
			}
			// RETURNING gives no order: the chain takes them as written.
			slices.SortFunc(claimed, func(a, b pending) int { return cmp.Compare(a.id, b.id) })
			sorted := make([]*audit.Entry, len(claimed))
			for i, p := range claimed {
				sorted[i] = p.entry
			}
			n = len(sorted)
			return db.appendAudit(ctx, q, sorted)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < maxBatch {
			return total, nil
		}
	}
}

// validUnchained checks an entry before it has its place in the chain.
func validUnchained(e *audit.Entry) error {
	probe := *e
	probe.Seq = 1
	return probe.Validate()
}
