package password

import (
	"context"
	"errors"
	"runtime"
	"time"

	"golang.org/x/time/rate"
)

// ErrBusy says a password check waited its turn too long: the server is
// flooded with sign-ins, and the person should try again in a moment.
var ErrBusy = errors.New("password: too many checks under way")

// Gate bounds the argon2id hashes: how many run at once, and how many a
// second. Each takes about 50 ms of a core and 19 MiB; unbounded, a flood
// of sign-ins from a few dozen addresses takes every core and a great deal
// of memory, and the staff's own pages stall behind it. Bounding only how
// many run at once still gave a flood a whole core and 400 MiB a second of
// garbage, and staff pages at 300 a second went from a p99 of 17 ms to
// 1.5 s; a few hashes a second are more than the sign-ins of a network of
// organizations need. A check waits its turn for at most a short while,
// then gives up with ErrBusy, which costs nothing.
type Gate struct {
	slots chan struct{}
	pace  *rate.Limiter
	wait  time.Duration
}

// GateLimits are a Gate's bounds; their zero values take the defaults.
type GateLimits struct {
	// InFlight hashes run at once: by default half the cores, at least one.
	InFlight int
	// PerSecond hashes start each second, after a burst of InFlight: by
	// default two for each core.
	PerSecond float64
	// Wait is the longest a check waits for its turn: one second.
	Wait time.Duration
}

// NewGate makes a Gate with limits l.
func NewGate(l GateLimits) *Gate {
	if l.InFlight <= 0 {
		l.InFlight = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if l.PerSecond <= 0 {
		l.PerSecond = 2 * float64(runtime.GOMAXPROCS(0))
	}
	if l.Wait <= 0 {
		l.Wait = time.Second
	}
	return &Gate{slots: make(chan struct{}, l.InFlight), pace: rate.NewLimiter(rate.Limit(l.PerSecond), max(l.InFlight, 1)), wait: l.Wait}
}

// enter waits for a turn; leave gives it back.
func (g *Gate) enter(ctx context.Context) (leave func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, g.wait)
	defer cancel()
	// Wait refuses at once, taking nothing, when the turn would come
	// after the deadline.
	if err := g.pace.Wait(ctx); err != nil {
		return nil, ErrBusy
	}
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
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
