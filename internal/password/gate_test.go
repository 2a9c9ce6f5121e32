package password

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGateBoundsAndGivesUp(t *testing.T) {
	g := NewGate(GateLimits{InFlight: 1, PerSecond: 1000, Wait: 20 * time.Millisecond})
	leave, err := g.enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.enter(context.Background()); !errors.Is(err, ErrBusy) {
		t.Fatalf("a second check while the only slot is taken: %v, want ErrBusy", err)
	}
	leave()
	leave2, err := g.enter(context.Background())
	if err != nil {
		t.Fatalf("after the slot was given back: %v", err)
	}
	leave2()
	var none *Gate
	if leave, err := none.enter(context.Background()); err != nil {
		t.Fatal(err)
	} else {
		leave()
	}
}

// TestGatePacesHashes: past its burst, a Gate lets hashes start only at its
// pace; a check whose turn would come after its wait is refused at once.
func TestGatePacesHashes(t *testing.T) {
	g := NewGate(GateLimits{InFlight: 2, PerSecond: 10, Wait: 50 * time.Millisecond})
	for range 2 { // the burst
		leave, err := g.enter(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		leave()
	}
	if _, err := g.enter(context.Background()); !errors.Is(err, ErrBusy) {
		t.Fatalf("a third check within the same 50 ms at 10 a second: %v, want ErrBusy", err)
	}
	time.Sleep(100 * time.Millisecond) // one more turn
	leave, err := g.enter(context.Background())
	if err != nil {
		t.Fatalf("after a tenth of a second: %v", err)
	}
	leave()
}
