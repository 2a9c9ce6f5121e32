// Package store keeps Puente's records in SQL: SQLite embedded by default,
// PostgreSQL for multi-user deployments. Queries are written once, with ?
// placeholders, and rebound for PostgreSQL; the two engines differ only in
// their migrations and in the few places the dialect names.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"puente/internal/problem"
	"puente/internal/secret"
)

// Engine names a SQL engine Puente runs on.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is Puente's store.
type DB struct {
	// sql takes every write. On SQLite it is one connection: SQLite has
	// one writer at a time, and a writer that queues in Go waits less
	// than one that retries on a busy lock.
	sql *sql.DB
	// reads takes queries outside a write: on SQLite a pool of read-only
	// connections, which WAL lets run beside the writer; on PostgreSQL
	// the same pool as sql.
	reads *sql.DB
	// writeStmts and readStmts cache the prepared statements of sql and
	// reads, on SQLite (nil on PostgreSQL, whose driver caches them).
	writeStmts, readStmts *statements
	engine                Engine
	// appender writes audit entries of reads in batches, one transaction
	// for many (see Read).
	appender *appender
	keys     *secret.Keyring
	// auditKey seals audit entries: see audit.ChainKeyPurpose.
	auditKey []byte
	// Now is the store's clock, replaced in tests.
	Now func() time.Time
}

// Open connects to the database named by dsn: a postgres:// or postgresql://
// URL for PostgreSQL, or a file path (optionally prefixed "sqlite:") for an
// embedded SQLite database, created if it does not exist. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	engine, driver, source, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	open := func(source string, conns int) (*sql.DB, error) {
		db, err := sql.Open(driver, source)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", engine, err)
		}
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", engine, err)
		}
		return db, nil
	}
	d := &DB{engine: engine, Now: time.Now}
	switch {
	case engine == Postgres:
		// As many connections as the server can keep busy, not more: on
		// two cores, 20 made PostgreSQL warm twenty backends up at once
		// (p99 1–3 s for seconds at 300 requests/s), where six hold p99
		// under 50 ms.
		if d.sql, err = open(source, 2*runtime.GOMAXPROCS(0)+2); err != nil {
			return nil, err
		}
		d.reads = d.sql
	case strings.Contains(source, ":memory:"):
		// One in-memory database is one connection's: nothing to share.
		if d.sql, err = open(source, 1); err != nil {
			return nil, err
		}
		d.reads = d.sql
	default:
		if d.sql, err = open(source, 1); err != nil {
			return nil, err
		}
		if d.reads, err = open(readOnly(source), 2*runtime.GOMAXPROCS(0)+2); err != nil {
			d.sql.Close()
			return nil, err
		}
	}
	if engine == SQLite {
		d.writeStmts = newStatements(d.sql)
		d.readStmts = d.writeStmts
		if d.reads != d.sql {
			d.readStmts = newStatements(d.reads)
		}
	}
	d.appender = newAppender(d)
	return d, nil
}

// readOnly turns an SQLite source into one for the read pool: connections
// that refuse writes, whose transactions take no lock until they read.
func readOnly(source string) string {
	source = strings.Replace(source, "_txlock=immediate", "_txlock=deferred", 1)
	return source + "&_pragma=" + url.QueryEscape("query_only(1)")
}

func parseDSN(dsn string) (engine Engine, driver, source string, err error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, "pgx", dsn, nil
	case dsn == "":
		return "", "", "", errors.New("open store: empty database name")
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path != ":memory:" {
		if err := privateFile(path); err != nil {
			return "", "", "", fmt.Errorf("open store: %w", err)
		}
	}
	q := url.Values{}
	// secure_delete overwrites deleted content with zeros, so a value
	// replaced or removed (a shelter's old address) does not linger in the
	// file's free space. mmap_size maps up to 256 MiB of the file, so
	// readers take pages from the kernel's cache without a system call
	// for each (a count over 20,000 cases took 14 ms through read(2) and
	// 9 ms mapped).
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)", "busy_timeout(10000)", "secure_delete(ON)", "mmap_size(268435456)"} {
		q.Add("_pragma", p)
	}
	// BEGIN IMMEDIATE takes the write lock when a transaction starts, so
	// two writers wait on the busy timeout instead of deadlocking.
	q.Set("_txlock", "immediate")
	return SQLite, "sqlite", "file:" + path + "?" + q.Encode(), nil
}

// privateFile makes sure the database file exists and only its owner can
// read it. SQLite gives the -wal and -shm files the main file's mode, so
// this covers them too.
func privateFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return f.Chmod(0o600)
	}
	return nil
}

// Engine reports which engine the store runs on.
func (db *DB) Engine() Engine { return db.engine }

// Close closes the database.
func (db *DB) Close() error {
	db.appender.stop()
	db.readStmts.close()
	db.writeStmts.close()
	err := db.sql.Close()
	if db.reads != db.sql {
		err = errors.Join(err, db.reads.Close())
	}
	return err
}

// Analyze gathers the statistics by which the database chooses its
// indexes. PostgreSQL's autovacuum does it by itself after a while; run it
// at once after loading many rows (an import, a benchmark's seed), or the
// first queries plan for the tables as they were before.
func (db *DB) Analyze(ctx context.Context) error {
	stmt := "ANALYZE"
	if db.engine == Postgres {
		// VACUUM too marks the pages all-visible, which is what lets
		// PostgreSQL count from an index without reading the rows.
		stmt = "VACUUM (ANALYZE)"
	}
	_, err := db.sql.ExecContext(ctx, stmt)
	return translate(err)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// SQL exposes the connection pool to the store's tests and to the backup
// tooling; the rest of Puente goes through DB's methods.
func (db *DB) SQL() *sql.DB { return db.sql }

// queryer is what both *sql.DB and *sql.Tx offer; unexported helpers take
// one so that exported methods decide the transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx runs fn in a transaction, committing when it returns nil. Inside
// Atomic it joins the transaction ctx carries instead, so that a service's
// whole call commits or rolls back as one.
func (db *DB) tx(ctx context.Context, fn func(q queryer) error) error {
	if u := unitOf(ctx); u != nil {
		return fn(u.q)
	}
	return db.Atomic(ctx, func(ctx context.Context) error { return fn(unitOf(ctx).q) })
}

// q returns the transaction ctx carries, or else the pools: a query that
// only reads goes to the read pool, anything else to the writer. Either is
// wrapped with the dialect's placeholder rebinding.
func (db *DB) q(ctx context.Context) queryer {
	if u := unitOf(ctx); u != nil {
		return u.q
	}
	return pools{writes: dialectTx{q: db.sql, engine: db.engine, stmts: db.writeStmts}, reads: dialectTx{q: db.reads, engine: db.engine, stmts: db.readStmts}}
}

// pools sends each statement outside a transaction to the pool it needs.
type pools struct{ writes, reads dialectTx }

// reading reports whether a statement only reads.
func reading(query string) bool {
	q := strings.TrimSpace(query)
	return len(q) >= 6 && strings.EqualFold(q[:6], "select")
}

func (p pools) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.writes.ExecContext(ctx, query, args...)
}

func (p pools) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if reading(query) {
		return p.reads.QueryContext(ctx, query, args...)
	}
	return p.writes.QueryContext(ctx, query, args...)
}

func (p pools) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if reading(query) {
		return p.reads.QueryRowContext(ctx, query, args...)
	}
	return p.writes.QueryRowContext(ctx, query, args...)
}

// dialectTx rebinds ? placeholders to $n for PostgreSQL, and runs
// statements prepared once when it has a cache of them.
type dialectTx struct {
	q      queryer
	engine Engine
	unit   *unit       // the transaction's unit, when q is one
	tx     *sql.Tx     // q, when it is a transaction
	stmts  *statements // the cache of q's pool, if any
}

func (d dialectTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := d.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return d.q.ExecContext(ctx, d.rebind(query), args...)
}

func (d dialectTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := d.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.q.QueryContext(ctx, d.rebind(query), args...)
}

func (d dialectTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := d.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.q.QueryRowContext(ctx, d.rebind(query), args...)
}

// prepared returns query's cached statement, bound to the transaction when
// there is one, or nil.
func (d dialectTx) prepared(ctx context.Context, query string) *sql.Stmt {
	st := d.stmts.get(query)
	if st == nil || d.tx == nil {
		return st
	}
	return d.tx.StmtContext(ctx, st)
}

func (d dialectTx) rebind(query string) string {
	if d.engine != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// translate maps engine errors to Puente's error vocabulary: a unique
// violation is a conflict, a broken reference is invalid input, and no
// rows is not found. Anything else stays internal.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return problem.Wrap(problem.NotFound, "error.not_found", err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return problem.Wrap(problem.Conflict, "error.conflict", err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return problem.Wrap(problem.Invalid, "error.bad_reference", err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return problem.Wrap(problem.Conflict, "error.conflict", err)
		case "23503":
			return problem.Wrap(problem.Invalid, "error.bad_reference", err)
		}
	}
	return err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Times are stored as Unix microseconds.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func fromNullMicros(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.UnixMicro(n.Int64).UTC()
	return &t
}

// now returns the store clock's time, truncated to what the columns hold.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// Rebind turns ? placeholders into the engine's own, for tests and tools
// that use SQL() directly.
func (db *DB) Rebind(query string) string { return dialectTx{engine: db.engine}.rebind(query) }
