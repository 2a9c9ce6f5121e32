package store

import (
	"context"
	"iter"

	"puente/internal/audit"
)

// checkpointLock serializes recording checkpoints, and marking how far they
// go, on PostgreSQL; SQLite's BEGIN IMMEDIATE already does.
const checkpointLock = 7105

const checkpointColumns = "seq, hash, at, key_id, signature"

// RecordAuditCheckpoint stores c and, before committing, calls write, which
// appends c to the checkpoint file; when write fails nothing is recorded.
// No other checkpoint is recorded meanwhile, so the database and the file
// get the same checkpoints in the same order. It records nothing and
// reports false when c is recorded already, or a checkpoint of a later
// entry is (another process signed meanwhile).
func (db *DB) RecordAuditCheckpoint(ctx context.Context, c audit.Checkpoint, write func() error) (recorded bool, err error) {
	err = db.tx(ctx, func(q queryer) error {
		if err := db.lockCheckpoints(ctx, q); err != nil {
			return err
		}
		var newest int64
		if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints").Scan(&newest); err != nil {
			return translate(err)
		}
		if newest > c.Seq {
			return nil
		}
		n, err := insertCheckpoint(ctx, q, c)
		if err != nil || n == 0 {
			return err
		}
		if write != nil {
			if err := write(); err != nil {
				return err
			}
		}
		recorded = true
		return nil
	})
	return recorded, err
}

// ImportAuditCheckpoints records checkpoints kept only elsewhere until now,
// such as the checkpoint file of a deployment from before they were kept in
// the database too, skipping those recorded already. It returns how many it
// added; when cps fails it records none.
func (db *DB) ImportAuditCheckpoints(ctx context.Context, cps iter.Seq2[audit.Checkpoint, error]) (int, error) {
	added := 0
	err := db.tx(ctx, func(q queryer) error {
		if err := db.lockCheckpoints(ctx, q); err != nil {
			return err
		}
		for c, err := range cps {
			if err != nil {
				return err
			}
			n, err := insertCheckpoint(ctx, q, c)
			if err != nil {
				return err
			}
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

func insertCheckpoint(ctx context.Context, q queryer, c audit.Checkpoint) (int64, error) {
	res, err := q.ExecContext(ctx, "INSERT INTO audit_checkpoints ("+checkpointColumns+") VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		c.Seq, c.Hash, micros(c.At), c.KeyID, c.Signature)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

func (db *DB) lockCheckpoints(ctx context.Context, q queryer) error {
	if db.engine != Postgres {
		return nil
	}
	_, err := q.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", checkpointLock)
	return translate(err)
}

// AuditCheckpoints returns the checkpoints recorded so far, to read in seq
// order (then in the order they were signed). It calls mark, which notes how
// far the checkpoint files go, while no checkpoint is being recorded, so that
// the files up to that point and the sequence hold the same checkpoints;
// those recorded later are not yielded. Call it before reading the log, so
// that no checkpoint yielded vouches for an entry the reading cannot see.
func (db *DB) AuditCheckpoints(ctx context.Context, mark func() error) (iter.Seq2[audit.Checkpoint, error], error) {
	var upTo int64
	err := db.tx(ctx, func(q queryer) error {
		if err := db.lockCheckpoints(ctx, q); err != nil {
			return err
		}
		if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM audit_checkpoints").Scan(&upTo); err != nil {
			return translate(err)
		}
		if mark != nil {
			return mark()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(yield func(audit.Checkpoint, error) bool) {
		rows, err := db.q(ctx).QueryContext(ctx, "SELECT "+checkpointColumns+" FROM audit_checkpoints WHERE id <= ? ORDER BY seq, at, id", upTo)
		if err != nil {
			yield(audit.Checkpoint{}, translate(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCheckpoint(rows)
			if err != nil {
				yield(audit.Checkpoint{}, err)
				return
			}
			if !yield(c, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.Checkpoint{}, translate(err))
		}
	}, nil
}

// LastAuditCheckpoint returns the checkpoint of the latest entry, the one
// signed last if there are several; ok is false when none is recorded.
func (db *DB) LastAuditCheckpoint(ctx context.Context) (c audit.Checkpoint, ok bool, err error) {
	row := db.q(ctx).QueryRowContext(ctx, "SELECT "+checkpointColumns+" FROM audit_checkpoints ORDER BY seq DESC, at DESC, id DESC LIMIT 1")
	c, err = scanCheckpoint(row)
	if isNoRows(err) {
		return c, false, nil
	}
	return c, err == nil, err
}

func scanCheckpoint(row interface{ Scan(...any) error }) (audit.Checkpoint, error) {
	var c audit.Checkpoint
	var at int64
	if err := row.Scan(&c.Seq, &c.Hash, &at, &c.KeyID, &c.Signature); err != nil {
		return c, translate(err)
	}
	c.At = fromMicros(at)
	return c, nil
}
