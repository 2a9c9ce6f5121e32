package auth

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestKeyLocks(t *testing.T) {
	var l KeyLocks
	var inside atomic.Int32
	var overlapped atomic.Bool
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			// Every caller shares "addr"; half name it first, half last,
			// and some pass it twice or with an empty key.
			keys := []string{"addr", "acct:" + string(rune('a'+i%3))}
			if i%2 == 0 {
				keys = []string{keys[1], "", keys[0], keys[0]}
			}
			unlock := l.Lock(keys...)
			if inside.Add(1) > 1 {
				overlapped.Store(true)
			}
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if overlapped.Load() {
		t.Error("two callers held a shared key at once")
	}
	if len(l.held) != 0 {
		t.Errorf("%d keys still held after every caller let go", len(l.held))
	}
	// Different keys do not wait on each other.
	unlock := l.Lock("a")
	done := make(chan struct{})
	go func() { l.Lock("b")(); close(done) }()
	<-done
	unlock()
}
