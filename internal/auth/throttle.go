package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle limits how often something keyed by a string (a person's name
// searches, their openings of confidential addresses) may be attempted: a
// burst, then a steady refill. It lives in memory, per server: it slows
// someone working through a list, and the audit log records every attempt.
// Sign-in limits, which must survive restarts and answer alike for
// unknown accounts, are kept in the database instead (SignInLimits).
type Throttle struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	entries map[string]*throttleEntry
	swept   time.Time
}

type throttleEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewThrottle allows burst attempts per key, refilled one per every.
func NewThrottle(burst int, every time.Duration) *Throttle {
	return &Throttle{every: every, burst: burst, entries: map[string]*throttleEntry{}}
}

// Allow reports whether an attempt for key may go ahead at now, and counts it.
func (t *Throttle) Allow(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	e := t.entries[key]
	if e == nil {
		e = &throttleEntry{lim: rate.NewLimiter(rate.Every(t.every), t.burst)}
		t.entries[key] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}

// Reset forgets key's attempts, as after a successful sign-in.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	delete(t.entries, key)
	t.mu.Unlock()
}

// sweep drops keys whose bucket has long since refilled, so memory stays
// bounded however many addresses try.
func (t *Throttle) sweep(now time.Time) {
	if now.Sub(t.swept) < time.Minute {
		return
	}
	t.swept = now
	full := t.every * time.Duration(t.burst)
	for k, e := range t.entries {
		if now.Sub(e.seen) > full {
			delete(t.entries, k)
		}
	}
}
