package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"puente/internal/audit"
	"puente/internal/secret"
	"puente/internal/store"
)

// shredder finishes crypto-shredding after a survivor's data is deleted.
// Deleting the case's data key makes the live database unreadable for that
// person at once; older backups still hold the key, wrapped by the current
// key-encryption key. So after a deletion the server rotates that key,
// re-wraps every remaining data key, gives other servers time to load the
// new key, and then retires the old one: from then on no backup taken
// before the deletion can be read with the keyring, and the person's data
// in them is gone for good.
type shredder struct {
	db      *store.DB
	kr      *secret.Keyring
	path    string
	log     *slog.Logger
	wait    time.Duration // how long other servers get to reload the keyring
	rotated time.Time     // when the current rotation started; zero when idle
}

// step advances the rotation; pending reports whether a deletion is waiting.
// It returns true when a rotation finished.
func (s *shredder) step(ctx context.Context, pending bool, now time.Time) (bool, error) {
	if _, env := os.LookupEnv(secret.KeyringEnvVar); env {
		if pending {
			s.log.Warn("a case was deleted: run \"puente keys rotate\" with the keyring file so older backups cannot read it")
		}
		return true, nil
	}
	switch {
	case s.rotated.IsZero() && pending:
		id := s.kr.Rotate()
		if err := s.kr.Save(s.path); err != nil {
			return false, fmt.Errorf("shred: save keyring: %w", err)
		}
		if _, err := s.db.RewrapDataKeys(ctx); err != nil {
			return false, fmt.Errorf("shred: re-wrap: %w", err)
		}
		s.rotated = now
		s.log.Info("key-encryption key rotated after a deletion", "kek", id)
	case !s.rotated.IsZero() && now.Sub(s.rotated) >= s.wait:
		if _, err := s.db.RewrapDataKeys(ctx); err != nil {
			return false, fmt.Errorf("shred: re-wrap: %w", err)
		}
		inUse, err := s.db.KEKsInUse(ctx)
		if err != nil {
			return false, err
		}
		retired := s.kr.Retire(func(id string) bool { return slices.Contains(inUse, id) })
		if err := s.kr.Save(s.path); err != nil {
			return false, fmt.Errorf("shred: save keyring: %w", err)
		}
		s.rotated = time.Time{}
		s.log.Info("old key-encryption keys retired", "count", len(retired))
		return true, s.db.AppendAudit(ctx, &audit.Entry{At: now, Roles: "system", Action: "keys.rotate", Decision: audit.Allow, Reason: "after deletion", RequestID: "shred"})
	}
	return false, nil
}
