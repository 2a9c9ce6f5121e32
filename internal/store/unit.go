package store

import (
	"context"
	"database/sql"
	"errors"

	"puente/internal/audit"
)

// errClosed is the error of a read whose entries came after Close.
var errClosed = errors.New("store: closed")

// unit is one service call's transaction: the queries it runs, the audit
// entries it records (chained and written just before it commits), and
// what must happen once it has committed.
type unit struct {
	q        queryer
	entries  []*audit.Entry
	after    []func(context.Context)
	readOnly bool // a Read: its entries go to the appender when it ends
}

type unitKey struct{}

// unitOf returns the transaction ctx carries, or nil.
func unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	return u
}

// Atomic runs fn in one transaction. Every store method that fn calls with
// the context it is given joins that transaction, and the audit entries
// appended meanwhile are chained and written last, in the same
// transaction: a write is never stored without the entry that records it,
// nor an entry kept for a write that did not happen. A call of Atomic
// inside another joins the outer one.
//
// When fn fails, everything is rolled back, and then the entries that
// record refusals are written on their own: a denied attempt stays in the
// log although nothing else happened.
func (db *DB) Atomic(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if unitOf(ctx) != nil {
		return fn(ctx)
	}
	t, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	u := &unit{}
	u.q = dialectTx{q: t, engine: db.engine, unit: u, tx: t, stmts: db.writeStmts}
	committed := false
	defer func() {
		if committed {
			return
		}
		t.Rollback()
		if lerr := db.appendDenials(ctx, u.entries); lerr != nil {
			err = errors.Join(err, lerr)
		}
	}()
	if err := fn(context.WithValue(ctx, unitKey{}, u)); err != nil {
		return err
	}
	var pending []int64
	if db.engine == Postgres {
		// Stored with the write, chained by the appender after it: see
		// audit_pending.go.
		if pending, err = db.stagePending(ctx, u.q, u.entries); err != nil {
			return err
		}
	} else if err := db.appendAudit(ctx, u.q, u.entries); err != nil {
		return err
	}
	if err := t.Commit(); err != nil {
		return translate(err)
	}
	committed = true
	if len(pending) > 0 {
		// The write and its entries are stored. Should chaining fail now,
		// the entries stay pending until a sweep chains them: the write
		// did happen, and saying otherwise would have it made twice.
		db.appender.appendPending(u.entries, pending)
	}
	for _, f := range u.after {
		f(context.WithoutCancel(ctx))
	}
	return nil
}

// Read runs fn in one read-only transaction, beside any write (on SQLite,
// on a read connection, which WAL lets run while the writer writes). Every
// store method fn calls with the context it is given joins it; it may not
// write. The audit entries fn appends — what was read, and what was
// refused — are written when fn has returned, many reads' together in one
// transaction (see appender), and Read returns only once they are: no read
// is answered before its entry is durable. A Read inside Atomic joins the
// write.
//
// When fn fails, the refusals among its entries are written all the same.
func (db *DB) Read(ctx context.Context, fn func(ctx context.Context) error) error {
	if unitOf(ctx) != nil {
		return fn(ctx)
	}
	t, err := db.reads.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return translate(err)
	}
	u := &unit{readOnly: true}
	u.q = dialectTx{q: t, engine: db.engine, unit: u, tx: t, stmts: db.readStmts}
	err = fn(context.WithValue(ctx, unitKey{}, u))
	t.Rollback() // nothing was written; ending it frees the snapshot
	if err != nil {
		if lerr := db.appendDenials(ctx, u.entries); lerr != nil {
			err = errors.Join(err, lerr)
		}
		return err
	}
	return db.appender.append(ctx, u.entries)
}

// appendDenials writes, in a transaction of their own, the refusals among
// the entries of a unit that was rolled back. It runs even when the
// request was cancelled: the attempt happened.
func (db *DB) appendDenials(ctx context.Context, entries []*audit.Entry) error {
	var denials []*audit.Entry
	for _, e := range entries {
		if e.Decision == audit.Deny {
			denials = append(denials, e)
		}
	}
	if len(denials) == 0 {
		return nil
	}
	return db.appender.append(context.WithoutCancel(ctx), denials)
}

// afterCommit runs f once q's transaction has committed, or at once when
// q is not a transaction. It is for work that cannot run inside one, such
// as checkpointing SQLite's write-ahead log.
func (db *DB) afterCommit(ctx context.Context, q queryer, f func(context.Context)) {
	if dt, ok := q.(dialectTx); ok && dt.unit != nil {
		dt.unit.after = append(dt.unit.after, f)
		return
	}
	f(ctx)
}
