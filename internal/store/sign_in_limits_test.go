package store_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/auth"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

func TestSignInLimits(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		lim := auth.Limit{Failures: 3, Window: 10 * time.Minute, LockFor: 15 * time.Minute}
		fail := func(at time.Time, keys ...string) []string {
			t.Helper()
			var fs []auth.Failure
			for _, k := range keys {
				fs = append(fs, auth.Failure{Key: k, Limit: lim})
			}
			locked, err := db.SignInFailed(ctx, at, fs...)
			if err != nil {
				t.Fatal(err)
			}
			return locked
		}
		locks := func(at time.Time) map[string]time.Time {
			t.Helper()
			got, err := db.SignInLocks(ctx, at, "a", "b", "c")
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// Two failures of a and b, a third of a alone: a locks.
		for i := range 2 {
			if got := fail(t0.Add(time.Duration(i)*time.Minute), "a", "b"); len(got) != 0 {
				t.Fatalf("failure %d locked %v", i+1, got)
			}
		}
		if got := fail(t0.Add(3*time.Minute), "a"); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("third failure of a locked %v, want [a]", got)
		}
		want := map[string]time.Time{"a": t0.Add(18 * time.Minute)}
		if diff := cmp.Diff(want, locks(t0.Add(3*time.Minute))); diff != "" {
			t.Errorf("locks after a's third failure (-want +got):\n%s", diff)
		}
		// b's window (opened at t0) passes before its third failure.
		if got := fail(t0.Add(10*time.Minute), "b"); len(got) != 0 {
			t.Errorf("b's failure after its window locked %v", got)
		}
		if diff := cmp.Diff(map[string]time.Time{}, locks(t0.Add(18*time.Minute))); diff != "" {
			t.Errorf("locks when a's lock is over (-want +got):\n%s", diff)
		}
		// After the lock a counts from zero.
		if got := fail(t0.Add(20*time.Minute), "a"); len(got) != 0 {
			t.Errorf("a's first failure after its lock locked %v", got)
		}
		// Clearing forgets the count.
		fail(t0.Add(21*time.Minute), "c")
		fail(t0.Add(21*time.Minute), "c")
		if err := db.ClearSignInFailures(ctx, "c"); err != nil {
			t.Fatal(err)
		}
		if got := fail(t0.Add(21*time.Minute), "c"); len(got) != 0 {
			t.Errorf("c locked after it was cleared: %v", got)
		}
		// The sweep removes only rows that say nothing any more: b's
		// window (+10m) closes at +20m, a's (+20m) at +30m, c's at +31m.
		for _, tt := range []struct {
			at   time.Duration
			want int64
		}{{19 * time.Minute, 0}, {29 * time.Minute, 1}, {31 * time.Minute, 2}} {
			if n, err := db.DeleteExpiredSignInLimits(ctx, t0.Add(tt.at)); err != nil || n != tt.want {
				t.Errorf("sweep at +%v: %d, %v; want %d", tt.at, n, err, tt.want)
			}
		}
	})
}

// TestSignInFailuresAllCount: failures that arrive together are all
// counted, none lost to another's update.
func TestSignInFailuresAllCount(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		lim := auth.Limit{Failures: 20, Window: time.Hour, LockFor: time.Hour}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var locked []string
		for range 20 {
			wg.Go(func() {
				got, err := db.SignInFailed(ctx, t0, auth.Failure{Key: "k", Limit: lim})
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				locked = append(locked, got...)
				mu.Unlock()
			})
		}
		wg.Wait()
		if !slices.Equal(locked, []string{"k"}) {
			t.Fatalf("twenty concurrent failures under a limit of twenty locked %v, want [k] once", locked)
		}
	})
}
