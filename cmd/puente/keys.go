package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"puente/internal/audit"
	"puente/internal/secret"
)

const keysHelp = `Usage: puente keys rotate [--wait DURATION] [--data DIR] [--db URL]

Rotates the key-encryption key: adds a new one to the keyring file, re-wraps
every record's data key under it, waits for running servers to pick the new
key up (they re-read the keyring every minute), re-wraps any data key written
meanwhile, and then removes old keys that no longer wrap anything.

Run it while Puente serves; nothing stops. After it, backups taken before the
rotation can no longer be read with the current keyring file: that is what
makes a deleted survivor's data unreadable in old backups too. Keep the
keyring file's backup apart from the database's, and replace it after every
rotation.

Examples:
  puente keys rotate
  puente keys rotate --db postgres://puente@localhost/puente --data /etc/puente
`

func runKeys(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, keysHelp)
		if len(args) == 0 {
			return errors.New("keys: missing subcommand (rotate)")
		}
		return nil
	}
	if args[0] != "rotate" {
		return fmt.Errorf("keys: unknown subcommand %q (want rotate)", args[0])
	}
	fs := newFlagSet("keys rotate", keysHelp, out)
	var d dataFlags
	d.register(fs)
	wait := fs.Duration("wait", 2*time.Minute, "how long to give running servers to load the new key before retiring old ones")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if _, ok := os.LookupEnv(secret.KeyringEnvVar); ok {
		return fmt.Errorf("keys rotate: the keyring comes from %s; rotate needs the keyring file", secret.KeyringEnvVar)
	}
	db, kr, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	path := filepath.Join(d.data, "puente.key")
	newID := kr.Rotate()
	if err := kr.Save(path); err != nil {
		return err
	}
	fmt.Fprintf(out, "New key-encryption key %s saved to %s.\n", newID, path)
	n, err := db.RewrapDataKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys rotate: re-wrap: %w (the new key is saved; run rotate again to finish)", err)
	}
	fmt.Fprintf(out, "Re-wrapped %d data keys.\n", n)
	if *wait > 0 {
		fmt.Fprintf(out, "Waiting %s for running servers to load the new key…\n", *wait)
		select {
		case <-time.After(*wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		if m, err := db.RewrapDataKeys(ctx); err != nil {
			return err
		} else if m > 0 {
			fmt.Fprintf(out, "Re-wrapped %d more data keys written meanwhile.\n", m)
		}
	}
	inUse, err := db.KEKsInUse(ctx)
	if err != nil {
		return err
	}
	retired := kr.Retire(func(id string) bool { return slices.Contains(inUse, id) })
	if err := kr.Save(path); err != nil {
		return err
	}
	fmt.Fprintf(out, "Retired keys: %v. Active key: %s.\n", retired, kr.ActiveKEK())
	return appendAndSign(ctx, db, kr, d.data, &audit.Entry{Roles: "operator", Action: "keys.rotate", Decision: audit.Allow, Reason: "cli", RequestID: "cli"}, errOut)
}
