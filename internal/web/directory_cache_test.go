package web

import (
	"context"
	"sync/atomic"
	"testing"

	"puente/internal/directory"
	"puente/internal/store"
)

// countingStore counts how often the whole directory is read.
type countingStore struct {
	*store.DB
	reads atomic.Int32
}

func (c *countingStore) Listings(ctx context.Context) ([]directory.Listing, error) {
	c.reads.Add(1)
	return c.DB.Listings(ctx)
}

// TestDirectoryReadOncePerChange: matching, the gap report and the HSDA
// API share one copy of the directory until it changes, and see a change
// at once.
func TestDirectoryReadOncePerChange(t *testing.T) {
	e := sqliteEnv(t)
	cs := &countingStore{DB: e.db}
	srv, err := New(Config{Services: testServices(e.db, cs, e.keys, e.clock.Now), Keys: e.keys, Version: "test", Password: fastHash, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, _, err := srv.dir.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, err := srv.dir.Current(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.reads.Load(); n != 1 {
		t.Fatalf("the directory was read %d times without a change", n)
	}
	l := first[0]
	sal := directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)
	seven := 7
	if err := e.db.UpdateAvailability(ctx, sal, 9, &seven, e.user("albergue.hombres").ID); err != nil {
		t.Fatal(err)
	}
	after, _, err := srv.dir.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := cs.reads.Load(); n != 2 {
		t.Errorf("after a bed count the directory was read %d times in all, want 2", n)
	}
	for _, a := range after {
		if a.Service.ID == l.Service.ID && a.Location.ID == l.Location.ID && (a.Service.Eligibility.BedsAvailable == nil || *a.Service.Eligibility.BedsAvailable != 7) {
			t.Error("the new bed count is not in the copy")
		}
	}
}
