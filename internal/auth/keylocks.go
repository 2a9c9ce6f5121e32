package auth

import (
	"slices"
	"sync"
)

// KeyLocks serializes work that shares a key. Sign-in uses it so that
// attempts on one account or from one address take turns: each sees the
// failures of those before it, and a burst of guesses sent at once cannot
// all pass the limits before any of them is counted. It holds only the keys
// in use, so its memory stays bounded by the requests under way.
type KeyLocks struct {
	mu   sync.Mutex
	held map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	waiters int
}

// Lock waits until it holds every one of keys (empty ones are ignored) and
// returns the function that lets them go. Keys are taken in sorted order,
// so two callers with overlapping keys cannot deadlock.
func (l *KeyLocks) Lock(keys ...string) (unlock func()) {
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	if len(keys) > 0 && keys[0] == "" {
		keys = keys[1:]
	}
	locks := make([]*keyLock, len(keys))
	for i, k := range keys {
		l.mu.Lock()
		if l.held == nil {
			l.held = map[string]*keyLock{}
		}
		kl := l.held[k]
		if kl == nil {
			kl = &keyLock{}
			l.held[k] = kl
		}
		kl.waiters++
		l.mu.Unlock()
		kl.Lock()
		locks[i] = kl
	}
	return func() {
		for i := len(keys) - 1; i >= 0; i-- {
			kl := locks[i]
			kl.Unlock()
			l.mu.Lock()
			if kl.waiters--; kl.waiters == 0 {
				delete(l.held, keys[i])
			}
			l.mu.Unlock()
		}
	}
}
