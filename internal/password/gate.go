package password

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// ErrBusy says a password check waited its turn too long: the server is
// flooded with sign-ins, and the person should try again in a moment.
var ErrBusy = errors.New("password: too many checks under way")

// Gate bounds how many argon2id hashes run at once. Each takes about 50 ms
// of a core and 19 MiB; unbounded, a flood of sign-ins from a few dozen
// addresses takes every core and a great deal of memory, and the staff's
// own pages stall behind it. A check waits its turn for at most a short
// while, then gives up with ErrBusy, which costs nothing.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// NewGate lets n hashes run at once (half the cores, at least one, when n
// is 0), each waiting at most wait for its turn (one second when 0).
func NewGate(n int, wait time.Duration) *Gate {
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if wait <= 0 {
		wait = time.Second
	}
	return &Gate{slots: make(chan struct{}, n), wait: wait}
}

// enter waits for a turn; leave gives it back.
func (g *Gate) enter(ctx context.Context) (leave func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ErrBusy
	}
}

// Verify is the package's Verify, in its turn. A nil Gate does not bound.
func (g *Gate) Verify(ctx context.Context, pw, encoded string, p Params) (ok, rehash bool, err error) {
	leave, err := g.enter(ctx)
	if err != nil {
		return false, false, err
	}
	defer leave()
	return Verify(pw, encoded, p)
}

// Hash is the package's Hash, in its turn. A nil Gate does not bound.
func (g *Gate) Hash(ctx context.Context, pw string, p Params) (string, error) {
	leave, err := g.enter(ctx)
	if err != nil {
		return "", err
	}
	defer leave()
	return Hash(pw, p)
}
