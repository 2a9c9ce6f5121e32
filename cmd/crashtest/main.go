// Command crashtest proves that a survivor's case and the audit entry that
// records it are written together, even when the server dies in between:
// it runs "puente serve --demo" on 127.0.0.1, records cases through the
// JSON API from several clients at once (moving some and recording
// consents for some), kills the server with SIGKILL at a random moment,
// starts it again on the same data, and so on; after every start and at
// the end it checks in the database that every acknowledged write is there
// and that every case has exactly one case.create entry and every entry
// its case, and runs "puente audit verify" (issue 9).
//
// Usage:
//
//	go run ./cmd/crashtest [--kills 30] [--db postgres://…] [--seed 1]
//
// It exits with status 1 when any check fails. On PostgreSQL it works in
// a schema of its own, dropped afterwards, and kills only the puente
// server, never the database.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"puente/internal/store"
)

const usage = `Usage: go run ./cmd/crashtest [--kills 30] [--db postgres://…] [--seed 1]

Kills "puente serve --demo" with SIGKILL while it records cases through the
JSON API, restarts it on the same data, and checks in the database that no
acknowledged write was lost, that every case has exactly one case.create
audit entry and every such entry its case (moves and consents likewise),
and that "puente audit verify" passes. Exits with status 1 on any failure,
keeping the data directory (and the PostgreSQL schema) to look into.

Examples:
  go run ./cmd/crashtest
  go run ./cmd/crashtest --kills 100 --seed 7
  go run ./cmd/crashtest --db 'postgres://puente:puente@127.0.0.1:5432/puente_test?sslmode=disable'
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	cfg     Config
	db      string
	timeout time.Duration
	keep    bool
}

func parse(args []string, out io.Writer) (*options, error) {
	fs := flag.NewFlagSet("crashtest", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, usage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	o := &options{}
	fs.IntVar(&o.cfg.Kills, "kills", 30, "how many times to kill the server")
	fs.StringVar(&o.db, "db", "", "a PostgreSQL `URL` to test on, in a new schema; empty for SQLite in a temporary directory")
	fs.Uint64Var(&o.cfg.Seed, "seed", 1, "seed of every random choice (when to kill, what to write)")
	fs.DurationVar(&o.cfg.MaxDelay, "max-delay", 1500*time.Millisecond, "writes run for a random time up to this before each kill")
	fs.IntVar(&o.cfg.Writers, "writers", 4, "concurrent API clients")
	fs.DurationVar(&o.cfg.AuditInterval, "audit-interval", 250*time.Millisecond, "the server's --audit-interval (shorter than its 2s default, so kills land while it signs)")
	fs.StringVar(&o.cfg.Bin, "puente", "", "a puente `binary` to test; empty builds ./cmd/puente")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long")
	fs.BoolVar(&o.keep, "keep", false, "keep the data directory (and the PostgreSQL schema) even when every check passes")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.cfg.Kills < 0 || o.cfg.Writers < 1 || o.cfg.MaxDelay <= 0 || o.cfg.AuditInterval <= 0:
		return nil, errors.New("--kills must be 0 or more, --writers 1 or more, --max-delay and --audit-interval positive")
	case o.db != "" && !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://"):
		return nil, errors.New("--db must be a postgres:// URL; leave it empty for SQLite")
	}
	return o, nil
}

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	o, err := parse(args, out)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if o.cfg.Dir, err = os.MkdirTemp("", "puente-crashtest-"); err != nil {
		return err
	}
	if o.cfg.Bin == "" {
		fmt.Fprintln(errOut, "building puente…")
		if o.cfg.Bin, err = buildPuente(ctx, o.cfg.Dir); err != nil {
			return err
		}
	}
	drop := func() error { return nil }
	if o.db != "" {
		if o.cfg.DSN, drop, err = freshSchema(ctx, o.db); err != nil {
			return err
		}
	}
	o.cfg.Progress = errOut
	res, err := Run(ctx, o.cfg)
	res.Print(out)
	if err == nil && !res.OK() {
		err = errors.New("the crash test failed")
	}
	if err != nil {
		err = errors.New("the crash test failed") // Print told why
	}
	if err != nil || o.keep {
		fmt.Fprintf(out, "kept %s (the server's log is %s)", o.cfg.Dir, o.cfg.ServerLog())
		if o.db != "" {
			u, _ := url.Parse(o.cfg.DSN)
			fmt.Fprintf(out, " and the PostgreSQL schema %s", u.Query().Get("search_path"))
		}
		fmt.Fprintln(out)
		return err
	}
	return errors.Join(drop(), os.RemoveAll(o.cfg.Dir))
}

// freshSchema creates an empty schema in the PostgreSQL database at dsn and
// returns a DSN whose connections use it, and a function that drops it.
func freshSchema(ctx context.Context, dsn string) (string, func() error, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "crashtest_" + hex.EncodeToString(b)
	if _, err := db.SQL().ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		db.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() error {
		defer db.Close()
		_, err := db.SQL().ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		return err
	}, nil
}
