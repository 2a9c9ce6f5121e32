package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"puente/internal/audit"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// t0 is when the tests' audit logs start; every time in them is fake.
var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// auditEnv is a deployment's data directory and database, as the puente
// command opens them, with the server's checkpointer, and a connection
// that can tamper with the audit tables the way someone with raw access
// to the database could.
type auditEnv struct {
	dir, dsn string // dsn is empty for SQLite in dir
	db       *store.DB
	kr       *secret.Keyring
	cp       *checkpointer // the server's
	raw      *sql.DB
	anchor   string
}

// forEachEngine runs fn on a fresh deployment on SQLite and, when
// PUENTE_TEST_POSTGRES is set, on PostgreSQL.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *auditEnv)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, newAuditEnv(t, "")) })
	t.Run("postgres", func(t *testing.T) { fn(t, newAuditEnv(t, storetest.PostgresDSN(t))) })
}

func newAuditEnv(t *testing.T, dsn string) *auditEnv {
	t.Helper()
	e := &auditEnv{dir: t.TempDir(), dsn: dsn}
	e.anchor = filepath.Join(t.TempDir(), "anchor")
	d := dataFlags{data: e.dir, db: dsn}
	db, kr, err := d.open(context.Background(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db, e.kr = db, kr
	e.cp = newCheckpointer(db, kr, e.dir, []string{e.anchor}, slog.New(slog.DiscardHandler))
	if _, err := e.cp.start(context.Background(), t0, false); err != nil {
		t.Fatal(err)
	}
	if dsn == "" {
		e.raw, err = sql.Open("sqlite", filepath.Join(e.dir, "puente.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.raw.Close() })
		for _, tr := range []string{"audit_log_no_update", "audit_log_no_delete", "audit_checkpoints_no_update", "audit_checkpoints_no_delete"} {
			e.exec(t, "DROP TRIGGER "+tr)
		}
		return e
	}
	e.raw = db.SQL()
	for _, table := range []string{"audit_log", "audit_checkpoints"} {
		e.exec(t, "ALTER TABLE "+table+" DISABLE TRIGGER USER")
		e.exec(t, "GRANT UPDATE, DELETE ON "+table+" TO CURRENT_USER")
	}
	return e
}

// exec runs q on the raw connection, with ? placeholders on both engines.
func (e *auditEnv) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if e.dsn != "" {
		for i := range args {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i+1), 1)
		}
	}
	if _, err := e.raw.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// add appends n entries through the store, written from at on, a
// millisecond apart.
func (e *auditEnv) add(t *testing.T, n int, at time.Time) {
	t.Helper()
	for i := range n {
		err := e.db.AppendAudit(context.Background(), &audit.Entry{At: at.Add(time.Duration(i) * time.Millisecond), ActorID: 1, Roles: "caseworker", OrgID: 1,
			Action: "case.read", Record: fmt.Sprintf("case:%d", i%7), Decision: audit.Allow, Reason: "assigned", RequestID: fmt.Sprint("r", i)})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// serverSigns runs the server's checkpoint chore as its ticker would at at.
func (e *auditEnv) serverSigns(t *testing.T, at time.Time) {
	t.Helper()
	if err := e.cp.tick(context.Background(), at); err != nil {
		t.Fatal(err)
	}
}

// args completes a command's arguments with the deployment's flags.
func (e *auditEnv) args(cmd ...string) []string {
	cmd = append(cmd, "--data", e.dir)
	if e.dsn != "" {
		cmd = append(cmd, "--db", e.dsn)
	}
	return cmd
}

// verify runs "puente audit verify" as if at were the time now.
func (e *auditEnv) verify(t *testing.T, at time.Time, extra ...string) (string, error) {
	t.Helper()
	wallClock = func() time.Time { return at }
	defer func() { wallClock = time.Now }()
	return runCmd(t, "", append(e.args("audit", "verify"), extra...)...)
}

func (e *auditEnv) entries(t *testing.T, after int64) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	for x, err := range e.db.AuditEntries(context.Background(), audit.Filter{AfterSeq: after}) {
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, x)
	}
	return es
}

// reseal re-hashes x as someone without the chain key would: plain
// SHA-256 ("sha256"), or an HMAC under a key of their own ("wrong key").
func reseal(x *audit.Entry, prev []byte, how string) {
	if how == "sha256" {
		x.ChainUnkeyed(prev)
		return
	}
	x.Chain(prev, []byte("a key that is not the deployment's"))
}

// rewrite edits entry seq and re-hashes it and every entry after it.
func (e *auditEnv) rewrite(t *testing.T, seq int64, how string) {
	t.Helper()
	es := e.entries(t, seq-2)
	es[1].Decision = audit.Deny
	for i := 1; i < len(es); i++ {
		reseal(&es[i], es[i-1].Hash, how)
		e.exec(t, "UPDATE audit_log SET decision = ?, prev = ?, hash = ? WHERE seq = ?", string(es[i].Decision), es[i].Prev, es[i].Hash, es[i].Seq)
	}
}

// forge appends n entries that link to the log's end.
func (e *auditEnv) forge(t *testing.T, n int, how string) {
	t.Helper()
	last, _, err := e.db.LastAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	prev := last.Hash
	for i := range n {
		x := audit.Entry{Seq: last.Seq + 1 + int64(i), At: last.At.Add(time.Millisecond), ActorID: 7, Roles: "admin", OrgID: 1,
			Action: "case.read", Record: "case:1", Decision: audit.Allow, Reason: "x", RequestID: "forged"}
		reseal(&x, prev, how)
		e.insert(t, x)
		prev = x.Hash
	}
}

func (e *auditEnv) insert(t *testing.T, x audit.Entry) {
	t.Helper()
	e.exec(t, "INSERT INTO audit_log (seq, at, actor_id, roles, org_id, action, record, decision, reason, request_id, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		x.Seq, x.At.UnixMicro(), x.ActorID, x.Roles, x.OrgID, x.Action, x.Record, string(x.Decision), x.Reason, x.RequestID, x.Prev, x.Hash)
}

// wantTampered checks that verify exited with status 1 and named the
// problem.
func wantTampered(t *testing.T, out string, err error, want ...string) {
	t.Helper()
	t.Logf("puente audit verify: %v\n%s", err, out)
	if err == nil {
		t.Errorf("verify passed, want exit 1; output:\n%s", out)
		return
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("verify output lacks %q:\n%s", w, out)
		}
	}
}

func wantIntact(t *testing.T, out string, err error) {
	t.Helper()
	if err != nil || !strings.Contains(out, "intact") {
		t.Errorf("verify: %v, want an intact log; output:\n%s", err, out)
	}
}

// TestAuditVerifyFailsAfterTailDeletion cuts entries the server signed a
// checkpoint over two seconds before.
func TestAuditVerifyFailsAfterTailDeletion(t *testing.T) {
	for _, k := range []int{1, 10, 100} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e *auditEnv) {
				e.add(t, 50, t0)
				e.serverSigns(t, t0.Add(time.Second))
				e.add(t, 150, t0.Add(2*time.Second))
				e.serverSigns(t, t0.Add(3*time.Second))
				out, err := e.verify(t, t0.Add(4*time.Second))
				wantIntact(t, out, err)
				e.exec(t, "DELETE FROM audit_log WHERE seq > ?", 200-k)
				out, err = e.verify(t, t0.Add(4*time.Second))
				wantTampered(t, out, err, fmt.Sprintf("entry %d was cut from the end: the log stops at entry %d", 201-k, 200-k), "vouches for entry 200")
			})
		})
	}
}

// TestAuditVerifyFailsAfterChainRecomputed edits an entry written after the
// last checkpoint and re-hashes the rest of the chain, as someone with the
// database but not the keyring can.
func TestAuditVerifyFailsAfterChainRecomputed(t *testing.T) {
	for _, tt := range []struct{ how, want string }{
		{"sha256", "entry 60 is not sealed with the chain key: entries 60–70 are hashed without the chain key"},
		{"wrong key", "entry 60 was edited: its fields no longer match its hash"},
	} {
		t.Run(tt.how, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e *auditEnv) {
				e.add(t, 50, t0)
				e.serverSigns(t, t0.Add(time.Second))
				e.add(t, 20, t0.Add(2*time.Second))
				e.rewrite(t, 60, tt.how)
				out, err := e.verify(t, t0.Add(2500*time.Millisecond))
				wantTampered(t, out, err, tt.want)
			})
		})
	}
}

// TestAuditVerifyFailsOnForgedEntries appends entries that link to the
// log's end, hashed without the key.
func TestAuditVerifyFailsOnForgedEntries(t *testing.T) {
	for _, tt := range []struct{ how, want string }{
		{"sha256", "entry 51 is not sealed with the chain key: entries 51–55 are hashed without the chain key, and no checkpoint vouches for them"},
		{"wrong key", "entry 51 was edited: its fields no longer match its hash"},
	} {
		t.Run(tt.how, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e *auditEnv) {
				e.add(t, 50, t0)
				e.serverSigns(t, t0.Add(time.Second))
				e.forge(t, 5, tt.how)
				out, err := e.verify(t, t0.Add(1500*time.Millisecond))
				wantTampered(t, out, err, tt.want)
			})
		})
	}
}

// TestAuditVerifyCrossChecksDatabaseAndFile removes checkpoints from the
// checkpoint file or from the database.
func TestAuditVerifyCrossChecksDatabaseAndFile(t *testing.T) {
	for _, tt := range []struct {
		name   string
		tamper func(t *testing.T, e *auditEnv)
		want   string
	}{
		{"checkpoint file deleted", func(t *testing.T, e *auditEnv) {
			if err := os.Remove(checkpointFile(e.dir)); err != nil {
				t.Fatal(err)
			}
		}, "entry 50 has a checkpoint missing from one place: 2 checkpoints of entries 50–60, signed 2026-05-04T09:00:01Z to 2026-05-04T09:00:03Z, are in the database but not in "},
		{"a line cut from the checkpoint file", func(t *testing.T, e *auditEnv) {
			lines, _ := os.ReadFile(checkpointFile(e.dir))
			first, _, _ := strings.Cut(string(lines), "\n")
			if err := os.WriteFile(checkpointFile(e.dir), []byte(first+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "entry 60 has a checkpoint missing from one place: the checkpoint signed 2026-05-04T09:00:03Z is in the database but not in "},
		{"checkpoints deleted from the database", func(t *testing.T, e *auditEnv) {
			e.exec(t, "DELETE FROM audit_checkpoints")
		}, "are in " + "FILE but not in the database"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, e *auditEnv) {
				e.add(t, 50, t0)
				e.serverSigns(t, t0.Add(time.Second))
				e.add(t, 10, t0.Add(2*time.Second))
				e.serverSigns(t, t0.Add(3*time.Second))
				tt.tamper(t, e)
				out, err := e.verify(t, t0.Add(4*time.Second))
				wantTampered(t, out, err, strings.ReplaceAll(tt.want, "FILE", checkpointFile(e.dir)))
			})
		})
	}
}

// TestAuditVerifyFailsOnOldUncoveredEntries leaves entries unsigned, as a
// server that stopped signing (or whose checkpoints were removed from both
// places) would, and checks them just within and just past the interval.
func TestAuditVerifyFailsOnOldUncoveredEntries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *auditEnv) {
		e.add(t, 50, t0)
		e.serverSigns(t, t0.Add(time.Second))
		written := t0.Add(2 * time.Second)
		e.add(t, 10, written)
		limit := defaultCheckpointInterval + checkpointGrace
		out, err := e.verify(t, written.Add(limit))
		if err != nil || !strings.Contains(out, "entries 51–60 are not covered by a checkpoint") {
			t.Errorf("verify within the interval: %v\n%s", err, out)
		}
		out, err = e.verify(t, written.Add(limit+time.Second))
		wantTampered(t, out, err, "entry 51 has waited too long for a checkpoint: entries 51–60 are covered by no checkpoint, yet the oldest was written 2026-05-04T09:00:02Z, 6s before this check")
		if out, err := e.verify(t, written.Add(time.Hour), "--interval", "0"); err != nil {
			t.Errorf("verify --interval 0: %v\n%s", err, out)
		}
	})
}

// TestAuditAnchorCatchesARewriteWithTheKeyring plays someone who holds the
// whole data folder, keyring included: they edit an entry, re-seal the
// chain with the real key, remove every checkpoint from the database and
// the file and sign the rewritten log afresh. Nothing in the folder can
// tell; the anchor the server kept on another disk can.
func TestAuditAnchorCatchesARewriteWithTheKeyring(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *auditEnv) {
		ctx := context.Background()
		e.add(t, 50, t0)
		e.serverSigns(t, t0.Add(time.Second))
		e.add(t, 10, t0.Add(2*time.Second))
		e.serverSigns(t, t0.Add(3*time.Second))
		out, err := e.verify(t, t0.Add(4*time.Second), "--checkpoints", e.anchor)
		wantIntact(t, out, err)

		key := e.kr.Derive(audit.ChainKeyPurpose)
		es := e.entries(t, 0)
		es[29].Decision = audit.Deny
		for i := 29; i < len(es); i++ {
			es[i].Chain(es[i-1].Hash, key)
			e.exec(t, "UPDATE audit_log SET decision = ?, prev = ?, hash = ? WHERE seq = ?", string(es[i].Decision), es[i].Prev, es[i].Hash, es[i].Seq)
		}
		e.exec(t, "DELETE FROM audit_checkpoints")
		if err := os.Remove(checkpointFile(e.dir)); err != nil {
			t.Fatal(err)
		}
		forger := newCheckpointer(e.db, e.kr, e.dir, nil, slog.New(slog.DiscardHandler))
		if _, err := forger.start(ctx, t0.Add(3500*time.Millisecond), true); err != nil {
			t.Fatal(err)
		}
		out, err = e.verify(t, t0.Add(4*time.Second))
		wantIntact(t, out, err) // the limit of what the folder alone can show
		out, err = e.verify(t, t0.Add(4*time.Second), "--checkpoints", e.anchor)
		wantTampered(t, out, err,
			"entry 50 does not match its checkpoint: its hash is not the one the checkpoint signed 2026-05-04T09:00:01Z vouches for",
			"entry 60 does not match its checkpoint: its hash is not the one the checkpoint signed 2026-05-04T09:00:03Z vouches for",
			"the checkpoint signed 2026-05-04T09:00:01Z is in "+e.anchor+" but not in the database")
	})
}

// TestAuditUpgradeFromAnUnkeyedLog upgrades a deployment from before the
// chain was keyed: entries hashed with plain SHA-256, checkpoints in the
// file only, the newest a while old. "puente migrate" records the file's
// checkpoints in the database, checks the unkeyed entries after the newest
// and signs them, and seals the upgrade with a keyed entry; the log then
// verifies, and an unkeyed entry appended later does not.
func TestAuditUpgradeFromAnUnkeyedLog(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *auditEnv) {
		prev := audit.Genesis
		var old []audit.Entry
		for i := range 30 {
			x := audit.Entry{Seq: int64(i + 1), At: t0.Add(time.Duration(i) * time.Second), ActorID: 1, Roles: "caseworker", OrgID: 1,
				Action: "case.read", Record: "case:1", Decision: audit.Allow, Reason: "assigned", RequestID: fmt.Sprint("old", i)}
			x.ChainUnkeyed(prev)
			e.insert(t, x)
			old, prev = append(old, x), x.Hash
		}
		legacy := auditSigner(e.kr).Sign(old[19], t0.Add(25*time.Second)).Marshal()
		if err := os.WriteFile(checkpointFile(e.dir), []byte(legacy+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := e.verify(t, t0.Add(time.Minute))
		wantTampered(t, out, err, "entry 21 is not sealed with the chain key: entries 21–30 are hashed without the chain key")

		out, err = runCmd(t, "", e.args("migrate")...)
		if err != nil || !strings.Contains(out, "signed the audit log's end: puente-audit-checkpoint v1 31 ") {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		out, err = e.verify(t, time.Now())
		if err != nil || !strings.Contains(out, "audit log: 31 entries, chain intact through seq 31, all covered by a checkpoint") {
			t.Fatalf("verify after the upgrade: %v\n%s", err, out)
		}
		if last, _, _ := e.db.LastAudit(context.Background()); last.Action != "audit.chain_keyed" {
			t.Errorf("the upgrade's last entry is %q, want audit.chain_keyed", last.Action)
		}

		if _, err := e.cp.start(context.Background(), time.Now(), false); err != nil { // the server starts
			t.Fatal(err)
		}
		e.add(t, 5, time.Now())
		e.serverSigns(t, time.Now())
		out, err = e.verify(t, time.Now())
		wantIntact(t, out, err)
		e.forge(t, 1, "sha256")
		out, err = e.verify(t, time.Now())
		wantTampered(t, out, err, "entry 37 is not sealed with the chain key")
	})
}

// TestServerStartSignsWhatACrashLeft stops the server the way kill -9
// does, before it signed the last entries: the next start checks them
// (keyed, linked) and signs them, but refuses to sign entries forged while
// it was down, as "puente audit checkpoint" does.
func TestServerStartSignsWhatACrashLeft(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *auditEnv) {
		ctx := context.Background()
		e.add(t, 50, t0)
		e.serverSigns(t, t0.Add(time.Second))
		e.add(t, 5, t0.Add(1500*time.Millisecond)) // then the crash
		out, err := e.verify(t, t0.Add(time.Minute))
		wantTampered(t, out, err, "entry 51 has waited too long for a checkpoint")

		restarted := newCheckpointer(e.db, e.kr, e.dir, nil, slog.New(slog.DiscardHandler))
		if _, err := restarted.start(ctx, t0.Add(time.Minute), false); err != nil {
			t.Fatal(err)
		}
		out, err = e.verify(t, t0.Add(2*time.Minute))
		if err != nil || !strings.Contains(out, "55 entries, chain intact through seq 55, all covered by a checkpoint") {
			t.Fatalf("verify after the restart: %v\n%s", err, out)
		}

		// A crash between writing the checkpoint file and committing.
		e.add(t, 1, t0.Add(2*time.Minute))
		last, _, _ := e.db.LastAudit(ctx)
		if err := appendLine(checkpointFile(e.dir), auditSigner(e.kr).Sign(last, t0.Add(2*time.Minute)).Marshal(), false); err != nil {
			t.Fatal(err)
		}
		out, err = e.verify(t, t0.Add(2*time.Minute))
		wantTampered(t, out, err, "but not in the database")
		if _, err := newCheckpointer(e.db, e.kr, e.dir, nil, slog.New(slog.DiscardHandler)).start(ctx, t0.Add(3*time.Minute), false); err != nil {
			t.Fatal(err)
		}
		out, err = e.verify(t, t0.Add(3*time.Minute))
		wantIntact(t, out, err)

		// Entries forged while the server was down.
		e.forge(t, 2, "sha256")
		_, err = newCheckpointer(e.db, e.kr, e.dir, nil, slog.New(slog.DiscardHandler)).start(ctx, t0.Add(4*time.Minute), false)
		if !errors.Is(err, errTampered) || !strings.Contains(err.Error(), "entry 57 is not sealed with the chain key") {
			t.Errorf("start over forged entries: %v", err)
		}
		if out, err := runCmd(t, "", e.args("audit", "checkpoint")...); err == nil || !strings.Contains(err.Error(), "behind Puente's back") {
			t.Errorf("audit checkpoint over forged entries: %v\n%s", err, out)
		}
		out, err = e.verify(t, t0.Add(4*time.Minute))
		wantTampered(t, out, err, "entry 57 is not sealed with the chain key")
	})
}

// TestServeSignsAndAnchors runs the real server with an anchor: after it
// stops, the checkpoint file, the anchor and the database hold the same
// checkpoints, the last over the log's end, and verify agrees with all.
func TestServeSignsAndAnchors(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			anchor := filepath.Join(t.TempDir(), "anchor")
			args := []string{"--audit-anchor", anchor}
			if engine == "postgres" {
				args = append(args, "--db", storetest.PostgresDSN(t))
			}
			base, stop := startServeWith(t, dir, args...)
			res, err := http.Get(base + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			file, _ := os.ReadFile(checkpointFile(dir))
			anchored, _ := os.ReadFile(anchor)
			if len(file) == 0 || string(file) != string(anchored) {
				t.Fatalf("checkpoint file and anchor differ:\n%s\n---\n%s", file, anchored)
			}
			verify := append([]string{"audit", "verify", "--data", dir, "--checkpoints", anchor}, args[2:]...)
			out, err := runCmd(t, "", verify...)
			if err != nil || !strings.Contains(out, "all covered by a checkpoint") {
				t.Errorf("verify after serving: %v\n%s", err, out)
			}
		})
	}
}
