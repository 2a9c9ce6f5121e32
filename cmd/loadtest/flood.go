package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"puente/internal/demo"
)

// flood is a password-guessing attack on the sign-in form while staff
// work: closed-loop workers, each posting wrong passwords as fast as the
// server answers, every attempt from another address (X-Forwarded-For,
// which the server believes only with --behind-proxy). Seven attempts in
// eight name an email with no account, each a new one, so that no limit
// ever refuses them before the password is hashed; the eighth names one of
// the staff accounts the workload is signed in as, whose lock must not
// touch their sessions.
type flood struct {
	base    string
	workers int

	mu     sync.Mutex
	sample *sample
}

// floodRoute names the flood's attempts in the tables.
const floodRoute = "sign-in flood"

// run floods until ctx ends and returns the attempts' latencies.
func (f *flood) run(ctx context.Context) *sample {
	f.sample = &sample{}
	var wg sync.WaitGroup
	for i := range f.workers {
		wg.Go(func() { f.worker(ctx, i) })
	}
	wg.Wait()
	return f.sample
}

func (f *flood) record(d time.Duration, code int, err error) {
	o := failed
	// 401 is the answer to a wrong password, 429 to a locked account or
	// address: both are the server refusing the guess, as it should.
	if err == nil && (code == http.StatusUnauthorized || code == http.StatusTooManyRequests) {
		o = ok
	}
	f.mu.Lock()
	f.sample.add(d, code, o)
	f.mu.Unlock()
}

func (f *flood) worker(ctx context.Context, n int) {
	c := browser()
	c.Timeout = 10 * time.Second
	tok, err := formToken(ctx, c, f.base+"/login")
	if err != nil {
		if ctx.Err() == nil {
			f.record(0, 0, err)
		}
		return
	}
	for i := 0; ctx.Err() == nil; i++ {
		email := fmt.Sprintf("nobody-%d-%d-%d@flood.invalid", n, i, rand.Uint32())
		if i%8 == 7 {
			email = staffUsers[rand.IntN(len(staffUsers))] + "@" + demo.Domain
		}
		form := url.Values{"csrf_token": {tok}, "email": {email}, "password": {fmt.Sprintf("wrong-guess-%d", rand.Uint64())}}
		// An attempt under way when the flood stops is finished, not
		// cut: a cut one would read as the server's failure (it logs a
		// request whose client left as a 500).
		start := time.Now()
		res, _, err := fetch(context.WithoutCancel(ctx), c, f.base+"/login", form, http.Header{"X-Forwarded-For": {randomAddr().String()}})
		code := 0
		if res != nil {
			code = res.StatusCode
		}
		f.record(time.Since(start), code, err)
	}
}

// randomAddr is an address in 198.18.0.0/15, the block set aside for
// benchmarks (RFC 2544): never a real client's.
func randomAddr() netip.Addr {
	v := rand.Uint32()
	return netip.AddrFrom4([4]byte{198, 18 + byte(v>>16)&1, byte(v >> 8), byte(v)})
}
