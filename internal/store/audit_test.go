package store_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"puente/internal/audit"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// keyed gives db a fresh keyring, as the puente command gives the store
// the deployment's, so that it can seal audit entries; it returns the
// chain key they are sealed with.
func keyed(t testing.TB, db *store.DB) []byte {
	t.Helper()
	kr, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(kr)
	return kr.Derive(audit.ChainKeyPurpose)
}

func appendN(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		e := &audit.Entry{ActorID: int64(i%3 + 1), Roles: "caseworker", OrgID: 1, Action: "case.read", Record: fmt.Sprintf("case:%d", i%5+1),
			Decision: audit.Allow, Reason: "assigned caseworker", RequestID: fmt.Sprintf("REQ%d", i)}
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) || len(e.Hash) != 32 {
			t.Fatalf("entry %d: seq %d hash %x", i, e.Seq, e.Hash)
		}
	}
}

func verify(t *testing.T, db *store.DB, key []byte, cps ...audit.Checkpoint) audit.Report {
	t.Helper()
	r, err := audit.Options{Key: key, Sources: []audit.Source{audit.CheckpointList(cps...)}}.Verify(db.AuditEntries(ctx, audit.Filter{}))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAuditAppendAndVerify(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		key := keyed(t, db)
		appendN(t, db, 30)
		if r := verify(t, db, key); !r.OK() || r.Entries != 30 {
			t.Fatalf("fresh log: %s", r)
		}
		n := 0
		for e, err := range db.AuditEntries(ctx, audit.Filter{Record: "case:2"}) {
			if err != nil || e.Record != "case:2" {
				t.Fatalf("filtered entry %+v, %v", e, err)
			}
			n++
		}
		if n != 6 {
			t.Errorf("entries for case:2 = %d, want 6", n)
		}
		last, ok, err := db.LastAudit(ctx)
		if err != nil || !ok || last.Seq != 30 {
			t.Fatalf("LastAudit = %d, %v, %v", last.Seq, ok, err)
		}
	})
}

func TestAuditIsAppendOnly(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		key := keyed(t, db)
		appendN(t, db, 3)
		for _, stmt := range []string{
			"UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 2",
			"DELETE FROM audit_log WHERE seq = 2",
			"DELETE FROM audit_log",
		} {
			if _, err := db.SQL().ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "permission denied") {
				t.Errorf("%s: err = %v, want refused", stmt, err)
			}
		}
		if db.Engine() == store.Postgres {
			if _, err := db.SQL().ExecContext(ctx, "TRUNCATE audit_log"); err == nil {
				t.Error("TRUNCATE audit_log succeeded")
			}
		}
		if r := verify(t, db, key); !r.OK() || r.Entries != 3 {
			t.Fatalf("after refused changes: %s", r)
		}
	})
}

func TestAuditConcurrentAppendsKeepOneChain(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		key := keyed(t, db)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					e := &audit.Entry{ActorID: int64(w + 1), Roles: "supervisor", OrgID: 1, Action: "case.update", Record: "case:1", Decision: audit.Allow, Reason: "ok", RequestID: fmt.Sprint(w, i)}
					if err := db.AppendAudit(ctx, e); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if r := verify(t, db, key); !r.OK() || r.Entries != 40 {
			t.Fatalf("after concurrent appends: %s", r)
		}
	})
}

// TestAuditTamperingBehindPuentesBack edits the table the way someone with
// raw access to the database could, with the append-only guard removed, and
// checks that verification says where.
func TestAuditTamperingBehindPuentesBack(t *testing.T) {
	tampers := []struct {
		name  string
		sql   string
		seq   int64
		kinds []audit.ProblemKind
	}{
		{"edit", "UPDATE audit_log SET decision = 'deny' WHERE seq = 7", 7, []audit.ProblemKind{audit.Edited}},
		{"delete", "DELETE FROM audit_log WHERE seq = 7", 7, []audit.ProblemKind{audit.Deleted}},
		{"reorder", "", 7, []audit.ProblemKind{audit.Reordered, audit.Edited}},
	}
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
				key := keyed(t, db)
				appendN(t, db, 12)
				unguard(t, db)
				if tt.name == "reorder" {
					// Swap through a free seq: both engines check the key per row.
					for _, s := range []string{"UPDATE audit_log SET seq = 1000 WHERE seq = 7", "UPDATE audit_log SET seq = 7 WHERE seq = 8", "UPDATE audit_log SET seq = 8 WHERE seq = 1000"} {
						mustExec(t, db, s)
					}
				} else {
					mustExec(t, db, tt.sql)
				}
				r := verify(t, db, key)
				if r.OK() {
					t.Fatalf("%s went unnoticed", tt.name)
				}
				found := false
				for _, p := range r.Problems {
					for _, k := range tt.kinds {
						if p.Kind == k && (p.Seq == tt.seq || p.Seq == tt.seq+1) {
							found = true
						}
					}
				}
				if !found {
					t.Errorf("%s at %d: report %s", tt.name, tt.seq, r)
				}
			})
		})
	}
	t.Run("insert", func(t *testing.T) {
		storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
			key := keyed(t, db)
			appendN(t, db, 12)
			unguard(t, db)
			// Shift entries up to make room, then forge a well-formed entry at 7.
			for s := int64(12); s >= 7; s-- {
				mustExec(t, db, fmt.Sprintf("UPDATE audit_log SET seq = %d WHERE seq = %d", s+1, s))
			}
			var prev []byte
			db.SQL().QueryRowContext(ctx, "SELECT hash FROM audit_log WHERE seq = 6").Scan(&prev)
			forged := audit.Entry{Seq: 7, At: db.Now().UTC().Truncate(1000), ActorID: 9, Roles: "admin", OrgID: 1, Action: "case.read", Record: "case:1", Decision: audit.Allow, Reason: "x", RequestID: "forged"}
			forged.Chain(prev, []byte("a key that is not the deployment's"))
			q := "INSERT INTO audit_log (seq, at, actor_id, roles, org_id, action, record, decision, reason, request_id, prev, hash) VALUES (7, 1, 9, 'admin', 1, 'case.read', 'case:1', 'allow', 'x', 'forged', $1, $2)"
			if db.Engine() == store.SQLite {
				q = strings.NewReplacer("$1", "?", "$2", "?").Replace(q)
			}
			if _, err := db.SQL().ExecContext(ctx, q, forged.Prev, forged.Hash); err != nil {
				t.Fatal(err)
			}
			if r := verify(t, db, key); r.OK() {
				t.Fatal("a forged entry went unnoticed")
			}
		})
	})
}

func unguard(t *testing.T, db *store.DB) {
	t.Helper()
	if db.Engine() == store.SQLite {
		mustExec(t, db, "DROP TRIGGER audit_log_no_update")
		mustExec(t, db, "DROP TRIGGER audit_log_no_delete")
		return
	}
	mustExec(t, db, "ALTER TABLE audit_log DISABLE TRIGGER USER")
	mustExec(t, db, "GRANT UPDATE, DELETE ON audit_log TO CURRENT_USER")
}

func mustExec(t *testing.T, db *store.DB, q string) {
	t.Helper()
	if _, err := db.SQL().ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestAuditEntriesAreKeyed checks that the store seals entries under the
// chain key, so that nobody with the database alone can re-hash one, and
// refuses to append without it.
func TestAuditEntriesAreKeyed(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := &audit.Entry{Roles: "system", Action: "case.read", Decision: audit.Allow}
		if err := db.AppendAudit(ctx, e); err == nil || !strings.Contains(err.Error(), "UseKeyring") {
			t.Fatalf("append without a keyring: err = %v, want one asking for UseKeyring", err)
		}
		key := keyed(t, db)
		appendN(t, db, 2)
		for e, err := range db.AuditEntries(ctx, audit.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e.Hash, e.ComputeHash(key)) || bytes.Equal(e.Hash, e.ComputeHash(nil)) {
				t.Errorf("entry %d is not sealed under the chain key", e.Seq)
			}
		}
	})
}

// TestAuditPendingEntriesChainedOnce: on PostgreSQL a write's entries wait
// in audit_pending between its commit and the chain. Concurrent writes
// leave one intact chain and nothing pending; entries a crash left pending
// are chained when the server starts (Migrate), and sweeps racing each
// other chain each exactly once.
func TestAuditPendingEntriesChainedOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		key := keyed(t, db)
		pending := func() int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_pending").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := range 4 {
			wg.Go(func() {
				for i := range 10 {
					errs <- db.Atomic(ctx, func(ctx context.Context) error {
						if err := db.SetSetting(ctx, fmt.Sprint("test.", w), fmt.Sprint(i)); err != nil {
							return err
						}
						return db.AppendAudit(ctx, &audit.Entry{ActorID: int64(w + 1), Roles: "caseworker", OrgID: 1, Action: "case.create",
							Record: fmt.Sprintf("case:%d", w*10+i+1), Decision: audit.Allow, Reason: "ok", RequestID: fmt.Sprint(w, i)})
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if r := verify(t, db, key); !r.OK() || r.Entries != 40 || pending() != 0 {
			t.Fatalf("after concurrent writes: %s, %d pending", r, pending())
		}
		if db.Engine() != store.Postgres {
			return // SQLite's one writer chains as it commits
		}
		// A crash between commits and the appender: rows left pending.
		for i := range 600 {
			_, err := db.SQL().ExecContext(ctx, `INSERT INTO audit_pending (at, actor_id, roles, org_id, action, record, decision, reason, request_id)
				VALUES ($1, 1, 'caseworker', 1, 'case.create', $2, 'allow', 'ok', $3)`, time.Now().UnixMicro(), fmt.Sprintf("case:%d", 100+i), fmt.Sprint("crash", i))
			if err != nil {
				t.Fatal(err)
			}
		}
		var swept atomic.Int64
		var sw sync.WaitGroup
		for range 3 {
			sw.Go(func() {
				n, err := db.SweepPending(ctx, time.Time{})
				if err != nil {
					t.Error(err)
				}
				swept.Add(int64(n))
			})
		}
		sw.Wait()
		if n, err := db.SweepPending(ctx, time.Time{}); err != nil || n != 0 { // a start: sweeps what is left
			t.Fatalf("a last sweep chained %d: %v", n, err)
		}
		if r := verify(t, db, key); !r.OK() || r.Entries != 640 || swept.Load() != 600 || pending() != 0 {
			t.Fatalf("after the sweeps: %s; swept %d, %d pending", r, swept.Load(), pending())
		}
	})
}
