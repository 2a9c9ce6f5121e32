package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"puente/internal/audit"
	"puente/internal/secret"
	"puente/internal/store"
)

const auditHelp = `Usage: puente audit verify     [--data DIR] [--db URL] [--checkpoints FILE]… [--interval 2s]
       puente audit checkpoint [--data DIR] [--db URL]

verify reads the whole audit log and checks that every entry is sealed with
the deployment's chain key and linked to the one before, that every signed
checkpoint (in the database, in DIR/audit-checkpoints and in each FILE given)
agrees with the log, that the database and DIR/audit-checkpoints hold the
same checkpoints, that each FILE holds none they lack, and that no entry has
waited longer than the checkpoint interval (and a few seconds) for one. It
says where an entry was edited, deleted, inserted, reordered, forged or cut
from the end behind Puente's back, and exits with status 1 if it finds
anything.

--checkpoints names a copy of the checkpoints kept elsewhere: an anchor the
server appends to (--audit-anchor), a partner's copy, a printout typed back.
--interval is the server's --audit-interval; 0 skips the check for entries
waiting for a checkpoint.

checkpoint checks the entries written since the newest checkpoint, signs the
log's current end with the deployment's key, records the checkpoint in the
database and in DIR/audit-checkpoints, and prints it. The server does this by
itself every two seconds while the log moves; run this when no server runs.

Examples:
  puente audit verify --data /var/lib/puente
  puente audit verify --checkpoints /mnt/offsite/puente-checkpoints
  puente audit checkpoint
`

// wallClock is the time verify holds the log to; tests replace it.
var wallClock = time.Now

// listFlag collects a repeatable flag's values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	if v == "" {
		return errors.New("empty path")
	}
	*l = append(*l, v)
	return nil
}

func runAudit(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, auditHelp)
		if len(args) == 0 {
			return errors.New("audit: missing subcommand (verify or checkpoint)")
		}
		return nil
	}
	sub := args[0]
	if sub != "verify" && sub != "checkpoint" {
		return fmt.Errorf("audit: unknown subcommand %q (want verify or checkpoint)", sub)
	}
	fs := newFlagSet("audit "+sub, auditHelp, out)
	var d dataFlags
	d.register(fs)
	var copies listFlag
	interval := defaultCheckpointInterval
	if sub == "verify" {
		fs.Var(&copies, "checkpoints", "a `file` of checkpoints kept elsewhere to check too (repeatable)")
		fs.DurationVar(&interval, "interval", defaultCheckpointInterval, "the server's --audit-interval: how often it signs the log's end")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit %s: unexpected argument %q", sub, fs.Arg(0))
	}
	db, kr, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "checkpoint" {
		cp := newCheckpointer(db, kr, d.data, nil, slog.New(slog.NewTextHandler(errOut, nil)))
		line, err := cp.start(ctx, time.Now(), true)
		if err != nil {
			return err
		}
		if line == "" {
			line = "audit log: empty, nothing to sign"
		}
		fmt.Fprintln(out, line)
		return nil
	}
	report, err := verifyAudit(ctx, db, kr, d.data, copies, interval, wallClock())
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintln(out, report.String())
	if !report.OK() {
		return errors.New("audit verify: the audit log has been tampered with")
	}
	return nil
}

// verifyAudit checks the whole log against the checkpoints in the
// database, in the data directory's checkpoint file and in copies kept
// elsewhere, as of now.
func verifyAudit(ctx context.Context, db *store.DB, kr *secret.Keyring, data string, copies []string, interval time.Duration, now time.Time) (audit.Report, error) {
	files := []*checkpointLines{{path: checkpointFile(data), optional: true}}
	for _, c := range copies {
		files = append(files, &checkpointLines{path: c})
	}
	// Note how far the file and the copies go while no checkpoint is being
	// recorded, and before the log is read.
	inDB, err := db.AuditCheckpoints(ctx, func() error {
		for _, f := range files {
			if err := f.mark(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return audit.Report{}, err
	}
	srcs := []audit.Source{{Name: "the database", Checkpoints: inDB, Complete: true}}
	for i, f := range files {
		srcs = append(srcs, audit.Source{Name: f.path, Checkpoints: f.all(), Complete: i == 0})
	}
	opts := audit.Options{Key: kr.Derive(audit.ChainKeyPurpose), Public: auditSigner(kr).Public(), Sources: srcs, Now: now}
	if interval > 0 {
		opts.MaxUncovered = interval + checkpointGrace
	}
	return opts.Verify(db.AuditEntries(ctx, audit.Filter{}))
}

var _ flag.Value = (*listFlag)(nil)
