package main

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"puente/internal/access"
	"puente/internal/secret"
	"puente/internal/store"
)

// demoData makes a data directory with the demo network, as
// "puente serve --demo" would, without serving.
func demoData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, stop := startServe(t, dir)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestAuditVerifyDetectsAnEditBehindPuentesBack(t *testing.T) {
	dir := demoData(t)
	if out, err := runCmd(t, "", "audit", "checkpoint", "--data", dir); err != nil || !strings.HasPrefix(out, "puente-audit-checkpoint v1 ") {
		t.Fatalf("audit checkpoint: %v\n%s", err, out)
	}
	out, err := runCmd(t, "", "audit", "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("verify on a fresh demo: %v\n%s", err, out)
	}
	raw, err := sql.Open("sqlite", filepath.Join(dir, "puente.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{"DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET decision = 'deny' WHERE seq = 5"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	out, err = runCmd(t, "", "audit", "verify", "--data", dir)
	if err == nil || !strings.Contains(out, "entry 5") || !strings.Contains(out, "edited") {
		t.Fatalf("verify after an edit: err %v\n%s", err, out)
	}
}

func TestAuditVerifyCatchesACutTail(t *testing.T) {
	dir := demoData(t)
	if _, err := runCmd(t, "", "audit", "checkpoint", "--data", dir); err != nil {
		t.Fatal(err)
	}
	raw, _ := sql.Open("sqlite", filepath.Join(dir, "puente.db"))
	defer raw.Close()
	for _, q := range []string{"DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := runCmd(t, "", "audit", "verify", "--data", dir); err == nil || !strings.Contains(out, "cut from the end") {
		t.Fatalf("verify after cutting the tail: %v\n%s", err, out)
	}
	// A forged checkpoint line is refused, not ignored.
	f, _ := os.OpenFile(filepath.Join(dir, "audit-checkpoints"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("puente-audit-checkpoint v1 1 " + strings.Repeat("00", 32) + " 1 abcdabcdabcdabcd AAAA\n")
	f.Close()
	if _, err := runCmd(t, "", "audit", "verify", "--data", dir); err == nil || !strings.Contains(err.Error(), "audit-checkpoints: line ") {
		t.Fatalf("forged checkpoint: %v", err)
	}
}

func TestKeysRotate(t *testing.T) {
	dir := demoData(t)
	path := filepath.Join(dir, "puente.key")
	out, err := runCmd(t, "", "keys", "rotate", "--data", dir, "--wait", "0")
	if err != nil || !strings.Contains(out, "New key-encryption key k2") || !strings.Contains(out, "Retired keys: [k1]") {
		t.Fatalf("keys rotate: %v\n%s", err, out)
	}
	kr, _, err := secret.LoadOrCreateKeyring(path)
	if err != nil || kr.ActiveKEK() != "k2" {
		t.Fatalf("keyring after rotate: active %s, %v", kr.ActiveKEK(), err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "puente.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.UseKeyring(kr)
	if inUse, _ := db.KEKsInUse(context.Background()); len(inUse) != 1 || inUse[0] != "k2" {
		t.Fatalf("KEKs in use after rotate: %v", inUse)
	}
	if out, err := runCmd(t, "", "audit", "verify", "--data", dir); err != nil {
		t.Fatalf("audit after rotate: %v\n%s", err, out)
	}
}

func TestUserReset2FA(t *testing.T) {
	dir := demoData(t)
	kr, _, err := secret.LoadOrCreateKeyring(filepath.Join(dir, "puente.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "puente.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.UseKeyring(kr)
	ctx := context.Background()
	u, err := db.UserByEmail(ctx, "admin@demo.puente.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SavePendingTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	if err := db.EnableTOTP(ctx, u.ID, 1, []string{"abcde-fghjk"}); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, "", "user", "reset-2fa", "--data", dir, "--email", "nobody@example.org"); err == nil {
		t.Error("reset for an unknown email succeeded")
	}
	out, err := runCmd(t, "", "user", "reset-2fa", "--data", dir, "--email", "ADMIN@demo.puente.test")
	if err != nil || !strings.Contains(out, "is off") {
		t.Fatalf("reset-2fa: %v\n%s", err, out)
	}
	if on, err := db.TOTPEnabled(ctx, u.ID); err != nil || on {
		t.Fatalf("after reset: enabled=%v err=%v", on, err)
	}
}

func TestServerFinishesShreddingAfterADeletion(t *testing.T) {
	dir := demoData(t)
	path := filepath.Join(dir, "puente.key")
	kr, _, err := secret.LoadOrCreateKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "puente.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.UseKeyring(kr)
	ctx := context.Background()
	var wrapped []byte
	if err := db.SQL().QueryRow("SELECT wrapped FROM data_keys WHERE subject = 'case/1'").Scan(&wrapped); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteCase(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s := &shredder{db: db, kr: kr, path: path, log: slog.New(slog.DiscardHandler), wait: 2 * time.Minute}
	t0 := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for i, tt := range []struct {
		pending bool
		at      time.Duration
		done    bool
	}{{true, 0, false}, {false, time.Minute, false}, {false, 2 * time.Minute, true}} {
		done, err := s.step(ctx, tt.pending, t0.Add(tt.at))
		if err != nil || done != tt.done {
			t.Fatalf("step %d: done=%v err=%v, want done=%v", i, done, err, tt.done)
		}
	}
	saved, _, err := secret.LoadOrCreateKeyring(path)
	if err != nil || saved.ActiveKEK() != "k2" {
		t.Fatalf("keyring file after shredding: active %s, %v", saved.ActiveKEK(), err)
	}
	if _, err := saved.Unwrap(wrapped, "case/1"); err == nil {
		t.Fatal("the deleted case's data key, as an old backup holds it, still unwraps")
	}
	if c, err := db.Case(ctx, 2, access.Classes); err != nil || c.Identity == nil {
		t.Fatalf("another case after shredding: %v", err)
	}
}
