// Command puente runs Puente, the information system for organizations that
// fight human trafficking on both sides of the US–Mexico border.
//
// Run "puente help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"puente/internal/secret"
	"puente/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const usage = `Puente: cases, screening, referrals and statistics for anti-trafficking work
on both sides of the US–Mexico border.

Usage:
  puente <command> [flags]

Commands:
  serve      run the web app and JSON API
  migrate    bring the database schema up to date
  user add   create a user (the first administrator, for instance)
  user confirm       agree to a user's roles for an organization with no supervisor
  user reset-2fa     turn off a user's two-step verification (lost phone)
  keys rotate        rotate the key-encryption key, re-wrapping every data key
  audit verify       check the audit log's keyed chain and signed checkpoints
  screen             evaluate screening answers under US, Mexican and UN law (JSON in, JSON out)
  audit checkpoint   sign the audit log's current end (the server does it every 2 s)
  directory import/export   the services directory as HSDS 3.0 JSON
  version    print the version
  help       print this help, or "puente help <command>" for one command

Every command that touches data takes the same flags:
  --data DIR   the data directory: SQLite database and key file (default ./puente-data)
  --db DSN     a PostgreSQL URL (postgres://…) to use instead of SQLite

Examples:
  puente serve --demo                      try Puente with fictional demo data
  puente serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  puente migrate --db postgres://puente@db.internal/puente
  puente user add --email ana@example.org --name "Ana Pérez" --role admin \
      --new-org "Casa Ejemplo" --country MX --kind shelter
`

// command is one subcommand.
type command struct {
	name string
	run  func(ctx context.Context, args []string, out, errOut io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", runServe},
		{"migrate", runMigrate},
		{"user", runUser},
		{"keys", runKeys},
		{"audit", runAudit},
		{"screen", runScreen},
		{"directory", runDirectory},
		{"version", func(_ context.Context, args []string, out, _ io.Writer) error {
			fs := flag.NewFlagSet("version", flag.ContinueOnError)
			fs.SetOutput(out)
			fs.Usage = func() { fmt.Fprint(out, "Usage: puente version\n\nPrints Puente's version.\n") }
			if err := fs.Parse(args); err != nil {
				return err
			}
			fmt.Fprintln(out, "puente", buildVersion())
			return nil
		}},
	}
}

func main() {
	ctx, stop := signalContext()
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "puente:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "-h"}, out, errOut)
		}
		fmt.Fprint(out, usage)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], out, errOut)
		}
	}
	fmt.Fprint(errOut, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// dataFlags are the flags every data command shares.
type dataFlags struct {
	data string
	db   string
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.data, "data", "puente-data", "data `directory` for the SQLite database and the key file")
	fs.StringVar(&d.db, "db", "", "PostgreSQL `URL` (postgres://…); empty for the embedded SQLite database")
}

// open opens and migrates the store, and loads (or creates) the key file.
func (d *dataFlags) open(ctx context.Context, errOut io.Writer) (*store.DB, *secret.Keyring, error) {
	if err := os.MkdirAll(d.data, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	key, created, err := secret.LoadOrCreateKeyring(filepath.Join(d.data, "puente.key"))
	if err != nil {
		return nil, nil, err
	}
	if created {
		fmt.Fprintf(errOut, "Created a new key file at %s. Back it up apart from the database: without it, encrypted data cannot be read.\n", filepath.Join(d.data, "puente.key"))
	}
	dsn := d.db
	if dsn == "" {
		dsn = filepath.Join(d.data, "puente.db")
	} else if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil, nil, fmt.Errorf("--db must be a postgres:// URL; leave it empty for SQLite in --data")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	db.UseKeyring(key)
	// What a crash left between a write and its place in the audit chain
	// (PostgreSQL) goes in it before anything else is written.
	if _, err := db.SweepPending(ctx, time.Time{}); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("chain the audit entries a crash left pending: %w", err)
	}
	if _, err := db.SealLegacy(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("seal values earlier versions kept in the clear: %w", err)
	}
	return db, key, nil
}

func newFlagSet(name, help string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, help)
		fmt.Fprintln(out, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

func runMigrate(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlagSet("migrate", `Usage: puente migrate [--data DIR] [--db URL]

Applies every schema migration the database does not have yet. "puente serve"
does this at start too; run it alone before upgrading a fleet of servers.

Examples:
  puente migrate
  puente migrate --db postgres://puente@localhost/puente
`, out)
	var d dataFlags
	d.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("migrate: unexpected argument %q", fs.Arg(0))
	}
	if err := os.MkdirAll(d.data, 0o700); err != nil {
		return err
	}
	dsn := d.db
	if dsn == "" {
		dsn = filepath.Join(d.data, "puente.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.Version(ctx)
	if err != nil {
		return err
	}
	for _, name := range applied {
		fmt.Fprintln(out, "applied", name)
	}
	fmt.Fprintf(out, "%s database at schema version %d\n", db.Engine(), v)
	return signAfterMigrate(ctx, db, d.data, out, errOut)
}

// signAfterMigrate signs the audit log's end once the schema is up to date,
// as the server does at start, when the deployment has a keyring: after the
// upgrade that keyed the chain, this checks and signs the unkeyed entries
// written before it, so that the upgraded log verifies.
func signAfterMigrate(ctx context.Context, db *store.DB, data string, out, errOut io.Writer) error {
	path := filepath.Join(data, "puente.key")
	if _, env := os.LookupEnv(secret.KeyringEnvVar); !env {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil // a new deployment: no keyring, so no audit log yet
		}
	}
	kr, _, err := secret.LoadOrCreateKeyring(path)
	if err != nil {
		return err
	}
	db.UseKeyring(kr)
	cp := newCheckpointer(db, kr, data, nil, slog.New(slog.NewTextHandler(errOut, nil)))
	line, err := cp.start(ctx, time.Now(), false)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if line != "" {
		fmt.Fprintln(out, "signed the audit log's end:", line)
	}
	return nil
}
