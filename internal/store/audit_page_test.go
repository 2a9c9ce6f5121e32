package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/audit"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

func TestAuditPage(t *testing.T) {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		filter audit.Filter
		before int64
		limit  int
		want   []int64
	}{
		{"newest first", audit.Filter{}, 0, 4, []int64{12, 11, 10, 9}},
		{"next page", audit.Filter{}, 9, 4, []int64{8, 7, 6, 5}},
		{"last page is short", audit.Filter{}, 3, 4, []int64{2, 1}},
		{"past the start", audit.Filter{}, 1, 4, nil},
		{"by actor", audit.Filter{ActorID: 2}, 0, 10, []int64{11, 8, 5, 2}},
		{"by actor, paged", audit.Filter{ActorID: 2}, 8, 10, []int64{5, 2}},
		{"by record", audit.Filter{Record: "case:3"}, 0, 10, []int64{11, 7, 3}},
		{"by time", audit.Filter{Since: base.Add(3 * time.Hour), Until: base.Add(6 * time.Hour)}, 0, 10, []int64{6, 5, 4}},
		{"combined", audit.Filter{ActorID: 1, Record: "case:1", Since: base}, 0, 10, []int64{1}},
		{"own limit ignored", audit.Filter{Limit: 1}, 0, 3, []int64{12, 11, 10}},
	}
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		keyed(t, db)
		for i := range 12 {
			e := &audit.Entry{At: base.Add(time.Duration(i) * time.Hour), ActorID: int64(i%3 + 1), Roles: "supervisor", OrgID: 1,
				Action: "case.read", Record: fmt.Sprintf("case:%d", i%4+1), Decision: audit.Allow, Reason: "ok", RequestID: fmt.Sprint("R", i)}
			if err := db.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				page, err := db.AuditPage(ctx, tt.filter, tt.before, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, e := range page {
					got = append(got, e.Seq)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("seqs (-want +got):\n%s", diff)
				}
			})
		}
	})
}

// TestAuditPageEntriesAreWhole checks that a page holds the same entries,
// field for field, as reading the log in order does.
func TestAuditPageEntriesAreWhole(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		keyed(t, db)
		appendN(t, db, 5)
		var want []audit.Entry
		for e, err := range db.AuditEntries(ctx, audit.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
			want = append([]audit.Entry{e}, want...)
		}
		got, err := db.AuditPage(ctx, audit.Filter{}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("page (-want +got):\n%s", diff)
		}
	})
}

func TestAuditPageRefusesBadLimits(t *testing.T) {
	db := storetest.SQLite(t)
	for _, limit := range []int{0, -1, store.MaxAuditPage + 1} {
		if _, err := db.AuditPage(ctx, audit.Filter{}, 0, limit); err == nil {
			t.Errorf("limit %d accepted", limit)
		}
	}
}
