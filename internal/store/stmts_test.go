package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestStatementsArePreparedOnceAndBounded checks the SQLite statement
// cache: a query is prepared in the background after its first run and
// used from then on, inside a write transaction too (where preparing on
// the pool would wait forever for the one write connection), and the
// cache stops growing at its bound while queries past it still run.
func TestStatementsArePreparedOnceAndBounded(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const q = "SELECT COUNT(*) FROM organizations WHERE id > ?"
	count := func(ctx context.Context) {
		t.Helper()
		var n int
		if err := db.q(ctx).QueryRowContext(ctx, q, 0).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*statements{db.readStmts, db.writeStmts} {
		if c == nil {
			t.Fatal("SQLite without a statement cache")
		}
	}
	// Inside a write: the statement is new, so it runs unprepared and is
	// prepared once the write connection is free again.
	done := make(chan error, 1)
	go func() {
		done <- db.Atomic(ctx, func(ctx context.Context) error {
			count(ctx)
			_, err := db.q(ctx).ExecContext(ctx, "UPDATE organizations SET name = name WHERE id = ?", -1)
			count(ctx)
			return err
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write transaction waits on its own statement cache")
	}
	waitPrepared(t, db.writeStmts, q)
	count(context.Background()) // outside a transaction: the read pool
	waitPrepared(t, db.readStmts, q)
	if err := db.Read(ctx, func(ctx context.Context) error { count(ctx); return nil }); err != nil {
		t.Fatal(err)
	}

	for i := range maxStatements + 50 {
		var n int
		if err := db.q(ctx).QueryRowContext(ctx, "SELECT "+strconv.Itoa(i)).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d past the bound: %d %v", i, n, err)
		}
	}
	db.readStmts.mu.RLock()
	size := len(db.readStmts.m)
	db.readStmts.mu.RUnlock()
	if size > maxStatements {
		t.Fatalf("the cache holds %d statements, more than %d", size, maxStatements)
	}
}

func waitPrepared(t *testing.T, c *statements, q string) *sql.Stmt {
	t.Helper()
	for range 500 {
		if st := c.get(q); st != nil {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%q never prepared", q)
	return nil
}
