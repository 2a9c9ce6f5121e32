package password

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGateBoundsAndGivesUp(t *testing.T) {
	g := NewGate(1, 20*time.Millisecond)
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
