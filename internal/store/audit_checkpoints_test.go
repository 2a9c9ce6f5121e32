package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"puente/internal/audit"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

var testSigner = audit.NewSigner([]byte("a seed for the store's tests ..."))

// checkpoints reads every recorded checkpoint, in the order the store
// yields them.
func checkpoints(t *testing.T, db *store.DB) []string {
	t.Helper()
	cps, err := db.AuditCheckpoints(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for c, err := range cps {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.Marshal())
	}
	return out
}

func TestAuditCheckpointsRecorded(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		keyed(t, db)
		appendN(t, db, 3)
		var es []audit.Entry
		for e, err := range db.AuditEntries(ctx, audit.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, e)
		}
		at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
		c2, c3, c3later := testSigner.Sign(es[1], at), testSigner.Sign(es[2], at.Add(time.Second)), testSigner.Sign(es[2], at.Add(2*time.Second))
		if _, ok, err := db.LastAuditCheckpoint(ctx); ok || err != nil {
			t.Fatalf("LastAuditCheckpoint with none: ok %v, err %v", ok, err)
		}
		var written []string
		write := func(c audit.Checkpoint) func() error {
			return func() error { written = append(written, c.Marshal()); return nil }
		}
		for _, tt := range []struct {
			name string
			c    audit.Checkpoint
			want bool
		}{
			{"first", c2, true},
			{"again", c2, false},
			{"later entry", c3, true},
			{"earlier entry than one recorded", c2, false},
			{"same entry, signed later", c3later, true},
		} {
			got, err := db.RecordAuditCheckpoint(ctx, tt.c, write(tt.c))
			if err != nil || got != tt.want {
				t.Errorf("%s: recorded %v, err %v; want %v", tt.name, got, err, tt.want)
			}
		}
		want := []string{c2.Marshal(), c3.Marshal(), c3later.Marshal()}
		if got := checkpoints(t, db); !slices.Equal(got, want) {
			t.Errorf("recorded:\n got  %q\nwant %q", got, want)
		}
		if !slices.Equal(written, want) {
			t.Errorf("written to the file:\n got  %q\nwant %q", written, want)
		}
		if last, ok, err := db.LastAuditCheckpoint(ctx); err != nil || !ok || last.Marshal() != c3later.Marshal() {
			t.Errorf("LastAuditCheckpoint = %s, %v, %v", last.Marshal(), ok, err)
		}

		// A failed file write records nothing.
		c4 := testSigner.Sign(es[2], at.Add(3*time.Second))
		broken := errors.New("disk full")
		if ok, err := db.RecordAuditCheckpoint(ctx, c4, func() error { return broken }); ok || !errors.Is(err, broken) {
			t.Errorf("record with a failing write: %v, %v", ok, err)
		}
		if got := checkpoints(t, db); len(got) != 3 {
			t.Errorf("after a failed write, %d recorded, want 3", len(got))
		}

		// Importing skips what is recorded already.
		if n, err := db.ImportAuditCheckpoints(ctx, each(c2, c4)); n != 1 || err != nil {
			t.Errorf("import: added %d, %v; want 1", n, err)
		}

		// A reading marked before a checkpoint is recorded does not yield it.
		marked := false
		cps, err := db.AuditCheckpoints(ctx, func() error { marked = true; return nil })
		if err != nil || !marked {
			t.Fatalf("AuditCheckpoints: %v, marked %v", err, marked)
		}
		c5 := testSigner.Sign(es[2], at.Add(5*time.Second))
		if ok, err := db.RecordAuditCheckpoint(ctx, c5, nil); !ok || err != nil {
			t.Fatalf("record c5: %v, %v", ok, err)
		}
		n := 0
		for _, err := range cps {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 4 {
			t.Errorf("the marked reading yields %d checkpoints, want the 4 recorded before the mark", n)
		}
	})
}

func each(cps ...audit.Checkpoint) func(func(audit.Checkpoint, error) bool) {
	return func(yield func(audit.Checkpoint, error) bool) {
		for _, c := range cps {
			if !yield(c, nil) {
				return
			}
		}
	}
}

func TestAuditCheckpointsAreAppendOnly(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		keyed(t, db)
		appendN(t, db, 1)
		last, _, _ := db.LastAudit(ctx)
		if _, err := db.RecordAuditCheckpoint(ctx, testSigner.Sign(last, time.Now()), nil); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			"UPDATE audit_checkpoints SET seq = 9",
			"DELETE FROM audit_checkpoints",
		} {
			if _, err := db.SQL().ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "permission denied") {
				t.Errorf("%s: err = %v, want refused", stmt, err)
			}
		}
		if db.Engine() == store.Postgres {
			if _, err := db.SQL().ExecContext(ctx, "TRUNCATE audit_checkpoints"); err == nil {
				t.Error("TRUNCATE audit_checkpoints succeeded")
			}
		}
		if got := checkpoints(t, db); len(got) != 1 {
			t.Errorf("after refused changes: %d checkpoints, want 1", len(got))
		}
	})
}
