package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"puente/internal/audit"
	"puente/internal/secret"
	"puente/internal/store"
)

const auditHelp = `Usage: puente audit verify     [--data DIR] [--db URL]
       puente audit checkpoint [--data DIR] [--db URL]

verify reads the whole audit log and checks its hash chain and every signed
checkpoint in DIR/audit-checkpoints. It says where an entry was edited,
deleted, inserted or reordered behind Puente's back, and exits with status 1
if it finds anything.

checkpoint signs the log's current end with the deployment's key, appends
the line to DIR/audit-checkpoints and prints it. Send copies elsewhere (a
partner, a printout): a checkpoint held outside the server is what proves
the end of the log was not cut. The server signs one every ten minutes.

Examples:
  puente audit verify --data /var/lib/puente
  puente audit checkpoint >> /mnt/offsite/puente-checkpoints
`

// checkpointFile is where signed checkpoints are kept, beside the database.
func checkpointFile(data string) string { return filepath.Join(data, "audit-checkpoints") }

// auditSigner derives the checkpoint signing key from the keyring's root,
// so it survives key rotation.
func auditSigner(kr *secret.Keyring) *audit.Signer {
	return audit.NewSigner(kr.Derive("audit-checkpoint"))
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
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, kr, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "checkpoint" {
		line, err := writeCheckpoint(ctx, db, kr, d.data, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(out, line)
		return nil
	}
	cps, err := readCheckpoints(checkpointFile(d.data), auditSigner(kr))
	if err != nil {
		return err
	}
	opts := audit.Options{Key: kr.Derive(audit.ChainKeyPurpose), Sources: []audit.Source{audit.CheckpointList(cps...)}}
	report, err := opts.Verify(db.AuditEntries(ctx, store.AuditFilter{}))
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintln(out, report.String())
	if !report.OK() {
		return errors.New("audit verify: the audit log has been tampered with")
	}
	return nil
}

// writeCheckpoint signs the end of the log and appends it to the
// checkpoint file; it returns "" when the log is empty.
func writeCheckpoint(ctx context.Context, db *store.DB, kr *secret.Keyring, data string, now time.Time) (string, error) {
	last, ok, err := db.LastAudit(ctx)
	if err != nil || !ok {
		return "", err
	}
	line := auditSigner(kr).Sign(last, now.UTC()).Marshal()
	f, err := os.OpenFile(checkpointFile(data), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("audit checkpoint: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		return "", fmt.Errorf("audit checkpoint: %w", err)
	}
	return line, f.Sync()
}

// readCheckpoints loads and checks the signatures of the stored
// checkpoints; a forged or damaged one is an error, not something to skip.
func readCheckpoints(path string, s *audit.Signer) ([]audit.Checkpoint, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []audit.Checkpoint
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		c, err := audit.ParseCheckpoint(line)
		if err == nil {
			err = c.VerifySignature(s.Public())
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}
