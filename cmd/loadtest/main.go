// Command loadtest measures Puente under a mixed staff workload on this
// machine: it starts "puente serve --demo" (or uses one already running on
// 127.0.0.1), signs demo staff in, sends their requests at stepped constant
// rates (open loop: requests go out on schedule whether or not earlier
// ones have been answered), prints latency percentiles per route and step,
// and afterwards checks the audit log. With --flood a password-guessing
// attack on the sign-in form runs alongside.
//
//	go run ./cmd/loadtest                      SQLite, default steps
//	go run ./cmd/loadtest --db postgres://puente:puente@127.0.0.1:5432/postgres
//	go run ./cmd/loadtest --flood --rates 50,100,200 --max 3m
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const help = `Usage: go run ./cmd/loadtest [flags]      (or: make load)

Starts "puente serve --demo" on 127.0.0.1 with a fresh data folder (SQLite,
or a fresh database on the PostgreSQL server --db names, dropped afterwards),
signs in demo staff (caseworkers, the screener, the analyst), and sends the
mixed staff workload at each rate of --rates for --step, open loop. Prints
p50/p95/p99/max, errors and answers per second per route and step. A step
fails when any request fails or the overall p99 passes --p99; stepping stops
after two failed steps, or when --max has passed. Then it stops the server,
runs "puente audit verify", and compares the audit entries with the requests
(one entry per case list, case page, name search and new case).

A name search answered 429 is the server's per-person search limit, counted
as "throttled", not as an error. Exit status 1 when the run could not be made
or the audit log fails verification; failed steps are findings, not errors.

Everything stays on this machine: --url and --db must name 127.0.0.1, ::1 or
localhost. --flood sends X-Forwarded-For, which the server it starts believes
(--behind-proxy); against --url, start that server with --behind-proxy, or the
flood locks 127.0.0.1 out of signing in for 15 minutes.
`

// config is what the flags ask for.
type config struct {
	url, db, data, puente string
	rates                 []int
	step, max, p99, wait  time.Duration
	sessions              int
	mix                   []weight
	flood                 bool
	floodWorkers          int
	keep                  bool
}

func parseFlags(args []string, out io.Writer) (*config, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { fmt.Fprint(out, help, "\nFlags:\n"); fs.PrintDefaults() }
	c := &config{}
	fs.StringVar(&c.url, "url", "", "measure a server already running at `http://127.0.0.1:PORT` (started with --demo) instead of starting one")
	fs.StringVar(&c.db, "db", "", "PostgreSQL server `URL` (postgres://user:pass@127.0.0.1:5432/postgres): the run gets a fresh database there, dropped afterwards, and the user needs CREATEDB; with --url, the running server's own --db, for the audit checks")
	fs.StringVar(&c.data, "data", "", "with --url: the running server's data `directory`, to verify and count its audit log afterwards")
	fs.StringVar(&c.puente, "puente", "", "a built puente `binary` to run (default: go build ./cmd/puente)")
	rates := fs.String("rates", "50,100,200,300,500,750,1000", "requests a `second` for each step, comma-separated")
	fs.DurationVar(&c.step, "step", 10*time.Second, "how long each step sends requests")
	fs.DurationVar(&c.max, "max", 2*time.Minute, "the most the run may take before stopping the server and checking the audit log")
	fs.DurationVar(&c.p99, "p99", 50*time.Millisecond, "a step fails when its overall p99 latency is above this")
	fs.DurationVar(&c.wait, "timeout", 5*time.Second, "how long a request may take before it counts as failed")
	fs.IntVar(&c.sessions, "sessions", 18, "staff sessions to sign in (the accounts taken in turn)")
	mix := fs.String("mix", defaultMix, "the workload's `weights`: dashboard, list, case, match, gaps, search, create")
	fs.BoolVar(&c.flood, "flood", false, "at each rate, one step as usual, then one with a sign-in flood alongside")
	fs.IntVar(&c.floodWorkers, "flood-workers", 32, "goroutines posting wrong passwords in --flood")
	fs.BoolVar(&c.keep, "keep", false, "keep the data folder, the server's log and the PostgreSQL database")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.rates, err = parseRates(*rates); err != nil {
		return nil, err
	}
	if c.mix, err = parseMix(*mix); err != nil {
		return nil, err
	}
	if c.url != "" {
		if c.url, err = checkTargetURL(c.url); err != nil {
			return nil, err
		}
	} else if c.data != "" {
		return nil, errors.New("--data goes with --url; without it the run makes a fresh data folder")
	}
	if c.db != "" {
		if _, err := checkPostgresURL(c.db); err != nil {
			return nil, err
		}
	}
	if c.step <= 0 || c.max <= 0 || c.wait <= 0 || c.sessions < 1 || c.floodWorkers < 1 {
		return nil, errors.New("--step, --max, --timeout, --sessions and --flood-workers must be positive")
	}
	return c, nil
}

func parseRates(s string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--rates: %q is not a positive number of requests a second", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first Ctrl-C the run stops the workload and the server and
	// checks the audit log; a second one ends it at once (the kernel then
	// ends the server, see childAttr).
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}
