package auth

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	th := NewThrottle(3, time.Minute)
	for i := range 3 {
		if !th.Allow("user:1", t0) {
			t.Fatalf("attempt %d refused within burst", i+1)
		}
	}
	if th.Allow("user:1", t0) {
		t.Fatal("attempt over burst allowed")
	}
	if !th.Allow("user:2", t0) {
		t.Fatal("another key was throttled")
	}
	if !th.Allow("user:1", t0.Add(time.Minute)) {
		t.Fatal("bucket did not refill")
	}
	th.Reset("user:1")
	for range 3 {
		if !th.Allow("user:1", t0.Add(time.Minute)) {
			t.Fatal("Reset did not clear the key")
		}
	}
}
