package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"puente/internal/store"
)

// Config says what the harness runs and how hard.
type Config struct {
	Bin           string        // the puente binary
	Dir           string        // where the data directory, the anchor and the server's log go
	DSN           string        // a PostgreSQL DSN whose schema is empty; empty for SQLite in Dir
	Kills         int           // how many times to SIGKILL the server
	Seed          uint64        // seeds every random choice: delays, kinds of kill, writes
	MaxDelay      time.Duration // writes run for a random time up to this before each kill
	Writers       int           // concurrent API clients
	AuditInterval time.Duration // the server's --audit-interval, and verify's --interval
	Progress      io.Writer     // a line per kill; nil for none
}

// harness is one run: the server it restarts, what it was told, and what
// it found.
type harness struct {
	cfg       Config
	rng       *rand.Rand
	acks      *acks
	baseline  map[int64]bool // the demo's cases, there before any write
	startup   time.Duration  // how long the last start took until the server listened
	starts    int            // servers started, numbered in the server log
	serverLog *os.File
	res       *Result
}

func (h *harness) data() string   { return filepath.Join(h.cfg.Dir, "data") }
func (h *harness) anchor() string { return filepath.Join(h.cfg.Dir, "anchor") }

// ServerLog is where the server's logs go, for reading after a failure.
func (c Config) ServerLog() string { return filepath.Join(c.Dir, "server.log") }

func (h *harness) dsn() string {
	if h.cfg.DSN != "" {
		return h.cfg.DSN
	}
	return filepath.Join(h.data(), "puente.db")
}

func (h *harness) progress(format string, args ...any) {
	if h.cfg.Progress != nil {
		fmt.Fprintf(h.cfg.Progress, format+"\n", args...)
	}
}

// Run starts "puente serve --demo", makes an API token as the demo
// caseworker, and then cfg.Kills times lets writers record cases (and move
// some and record consents for some) for a random time and kills the
// server with SIGKILL; about one kill in six comes instead while the
// server is starting again, when it signs what the last crash left
// unsigned. After every start that succeeds it checks the database and
// runs "puente audit verify"; at the end it starts the server once more,
// stops it as Ctrl-C does and checks everything again. The error is for
// a harness that could not go on (it is also in the Result); what the
// checks found is in the Result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	began := time.Now()
	h := &harness{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x70756e7465)), acks: newAcks(), res: &Result{Seed: cfg.Seed, Engine: "sqlite"}}
	if cfg.DSN != "" {
		h.res.Engine = "postgres"
	}
	defer func() { h.res.Elapsed = time.Since(began) }()
	var err error
	if h.serverLog, err = os.OpenFile(cfg.ServerLog(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err != nil {
		return h.res, err
	}
	defer h.serverLog.Close()
	err = h.run(ctx)
	h.res.Err = err
	if len(h.res.Refused) > 0 {
		h.res.fail("valid writes were answered other than 2xx: %s (see %s)", refused(h.res.Refused), cfg.ServerLog())
	}
	return h.res, err
}

func (h *harness) run(ctx context.Context) error {
	srv, base, err := h.start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if srv != nil {
			srv.kill()
		}
	}()
	token, err := apiToken(ctx, base)
	if err != nil {
		return err
	}
	partner, err := h.partner(ctx, base, token)
	if err != nil {
		return err
	}
	if err := h.check(ctx, "first start"); err != nil {
		return err
	}
	h.verify(ctx, "first start")
	for k := 1; k <= h.cfg.Kills; k++ {
		if srv == nil && h.rng.IntN(6) == 0 {
			if err := h.killStarting(ctx, k); err != nil {
				return err
			}
			continue
		}
		if srv == nil {
			if srv, base, err = h.restart(ctx, fmt.Sprintf("start after kill %d", k-1)); err != nil {
				return err
			}
		}
		h.writeAndKill(ctx, srv, base, token, partner, k)
		srv = nil
	}
	err = h.finish(ctx, srv)
	srv = nil
	return err
}

// start starts the server and waits until it listens.
func (h *harness) start(ctx context.Context) (*server, string, error) {
	began := time.Now()
	srv, err := h.spawn(ctx)
	if err != nil {
		return nil, "", err
	}
	base, err := srv.ready(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("%w (server log: %s)", err, h.cfg.ServerLog())
	}
	h.startup = time.Since(began)
	return srv, base, nil
}

// restart starts the server on what the last kill left, and checks the
// database and the audit log while it idles.
func (h *harness) restart(ctx context.Context, label string) (*server, string, error) {
	srv, base, err := h.start(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := h.check(ctx, label); err != nil {
		srv.kill()
		return nil, "", err
	}
	h.verify(ctx, label)
	return srv, base, nil
}

// finish starts the server after the last kill, so that it signs what the
// kill left unsigned, stops it as Ctrl-C does, and checks everything once
// more.
func (h *harness) finish(ctx context.Context, srv *server) error {
	if srv == nil {
		var err error
		if srv, _, err = h.restart(ctx, "start after the last kill"); err != nil {
			return err
		}
	}
	if err := srv.stop(); err != nil {
		return err
	}
	if err := h.check(ctx, "stopped at the end"); err != nil {
		return err
	}
	h.verify(ctx, "stopped at the end")
	return nil
}

// partner returns an organization other than the caseworker's, for
// consents to be given to.
func (h *harness) partner(ctx context.Context, base, token string) (int64, error) {
	a := &api{base: base, token: token, client: &http.Client{Timeout: requestTimeout}}
	own, err := a.orgID(ctx)
	if own == 1 {
		return 2, err
	}
	return 1, err
}

// writeAndKill runs the writers for a random time, then kills the server
// under them.
func (h *harness) writeAndKill(ctx context.Context, srv *server, base, token string, partner int64, k int) {
	delay := time.Duration(h.rng.Int64N(int64(h.cfg.MaxDelay) + 1))
	client := &http.Client{Timeout: requestTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: h.cfg.Writers}}
	defer client.CloseIdleConnections()
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range h.cfg.Writers {
		w := &writer{api: &api{base: base, token: token, client: client}, rng: rand.New(rand.NewPCG(h.rng.Uint64(), h.rng.Uint64())),
			acks: h.acks, partner: partner}
		wg.Go(func() { w.run(wctx) })
	}
	select {
	case <-time.After(delay):
	case <-ctx.Done():
	}
	srv.kill()
	cancel()
	wg.Wait()
	h.res.Kills++
	cases, moves, consents := h.acks.total()
	h.progress("kill %d/%d after %v of writes: acknowledged so far %d cases, %d moves, %d consents",
		k, h.cfg.Kills, delay.Round(time.Millisecond), cases, moves, consents)
}

// killStarting starts the server and kills it at a random moment in the
// second half of the time the last start took until it listened: when it
// has opened the data and checks and signs what the last kill left
// unsigned.
func (h *harness) killStarting(ctx context.Context, k int) error {
	delay := h.startup/2 + time.Duration(h.rng.Int64N(int64(h.startup/2)+1))
	srv, err := h.spawn(ctx)
	if err != nil {
		return err
	}
	select {
	case <-time.After(delay):
	case <-ctx.Done():
	}
	srv.kill()
	h.res.Kills++
	h.res.StartKills++
	h.progress("kill %d/%d %v after a start", k, h.cfg.Kills, delay.Round(time.Millisecond))
	return nil
}

// check reads the database directly and records what it found.
func (h *harness) check(ctx context.Context, label string) error {
	db, err := store.Open(ctx, h.dsn())
	if err != nil {
		return fmt.Errorf("check %s: %w", label, err)
	}
	defer db.Close()
	snap, err := readSnapshot(ctx, db.SQL())
	if err != nil {
		return fmt.Errorf("check %s: %w", label, err)
	}
	if h.baseline == nil {
		h.baseline = map[int64]bool{}
		for id := range snap.cases {
			h.baseline[id] = true
		}
	}
	h.res.record(label, snap.examine(h.acks, h.baseline), snap, h.acks, h.baseline)
	if db.Engine() != store.SQLite {
		return nil
	}
	found, err := sqliteIntegrity(ctx, db.SQL())
	if err != nil {
		return fmt.Errorf("check %s: %w", label, err)
	}
	h.res.Integrity = found
	if found != "ok" {
		h.res.fail("%s: SQLite integrity: %s", label, found)
	}
	return nil
}

// verify runs "puente audit verify" and records its verdict.
func (h *harness) verify(ctx context.Context, label string) {
	h.res.Verifies++
	if err := h.auditVerify(ctx); err != nil {
		h.res.VerifyFailures++
		h.res.fail("%s: %v", label, err)
	}
}
