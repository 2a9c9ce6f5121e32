package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// target is the server under test, and where its data is for the audit
// checks afterwards (data is empty when there is none to check).
type target struct {
	base      string
	engine    string
	srv       *server // nil when measuring a server the run did not start
	bin       string
	data, dsn string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	limited, cancel := context.WithTimeout(ctx, cfg.max)
	defer cancel()
	t, cleanup, err := prepare(limited, cfg, out)
	if err != nil {
		return err
	}
	defer cleanup()
	steps, since, err := measure(limited, cfg, t, out)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		fmt.Fprintln(out, "Interrupted: stopping the server and checking the audit log.")
	}
	// The checks run even after Ctrl-C or --max: they are what tells
	// whether the server kept its log under the load it was given.
	return finish(context.WithoutCancel(ctx), cfg, t, steps, since, out)
}

// prepare starts the server under test, or checks the one --url names. The
// returned function stops the server and removes what the run made.
func prepare(ctx context.Context, cfg *config, out io.Writer) (*target, func(), error) {
	if cfg.url != "" {
		t := &target{base: cfg.url, engine: "running server", data: cfg.data, dsn: cfg.db, bin: cfg.puente}
		if t.data == "" || t.bin != "" {
			return t, func() {}, nil
		}
		tmp, err := os.MkdirTemp("", "puente-load-")
		if err != nil {
			return nil, nil, err
		}
		t.bin, err = buildPuente(ctx, tmp)
		return t, func() { os.RemoveAll(tmp) }, err
	}
	tmp, err := os.MkdirTemp("", "puente-load-")
	if err != nil {
		return nil, nil, err
	}
	var drops []func() error
	cleanup := func() {
		if cfg.keep {
			fmt.Fprintf(out, "Kept %s (data, server.log)\n", tmp)
			return
		}
		for _, d := range drops {
			if err := d(); err != nil {
				fmt.Fprintf(out, "cleanup: %v\n", err)
			}
		}
		os.RemoveAll(tmp)
	}
	t := &target{engine: "SQLite", bin: cfg.puente, data: filepath.Join(tmp, "data")}
	if t.bin == "" {
		fmt.Fprintln(out, "Building puente…")
		if t.bin, err = buildPuente(ctx, tmp); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	if cfg.db != "" {
		u, _ := checkPostgresURL(cfg.db)
		dsn, drop, err := freshDatabase(ctx, u)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		t.dsn, t.engine = dsn, "PostgreSQL"
		drops = append(drops, drop)
		if cfg.keep {
			fmt.Fprintf(out, "PostgreSQL database for this run: %s\n", strings.TrimPrefix(u.Path, "/"))
		}
	}
	fmt.Fprintf(out, "Starting puente serve --demo on %s…\n", t.engine)
	if t.srv, err = startServer(ctx, t.bin, t.data, t.dsn, filepath.Join(tmp, "server.log"), cfg.flood); err != nil {
		cleanup()
		return nil, nil, err
	}
	t.base = t.srv.url
	return t, func() { t.srv.stop(); cleanup() }, nil
}

// measure signs staff in and runs the steps. since is when the first step
// began: the audit checks look at what was written from then on.
func measure(ctx context.Context, cfg *config, t *target, out io.Writer) ([]*stepResult, time.Time, error) {
	fmt.Fprintf(out, "Signing in %d staff sessions at %s…\n", cfg.sessions, t.base)
	staff, err := signInStaff(ctx, t.base, cfg.sessions)
	if err != nil {
		return nil, time.Time{}, err
	}
	describeStaff(out, staff)
	wl, err := newWorkload(t.base, cfg.mix, staff)
	if err != nil {
		return nil, time.Time{}, err
	}
	var fl *flood
	modes := []bool{false}
	if cfg.flood {
		fl, modes = &flood{base: t.base, workers: cfg.floodWorkers}, []bool{false, true}
	}
	deadline, _ := ctx.Deadline()
	since := time.Now()
	var results []*stepResult
	var steps stepping
	for _, rate := range cfg.rates {
		for _, flooded := range modes {
			if ctx.Err() != nil || time.Until(deadline) < cfg.step {
				fmt.Fprintf(out, "\nStopping: %s.\n", stopReason(ctx, cfg))
				return results, since, nil
			}
			r := runStep(ctx, wl, rate, cfg.step, cfg.wait, flooded, fl)
			results = append(results, r)
			printStepResult(out, t.engine, r, cfg.p99)
		}
		// The quiet step decides: the flooded one says what an attack
		// costs at that rate.
		if !steps.next(verdict(results[len(results)-len(modes)].overall(), cfg.p99)) {
			fmt.Fprintln(out, "\nStopping: two steps failed.")
			break
		}
	}
	return results, since, nil
}

// stepping is the rule for going on: stepping up stops at the second
// failed step, since a server past its limit only gets slower, and the
// rates after it would measure the queue rather than the server.
type stepping struct{ failed int }

// next takes a step's verdict ("" for a pass) and says whether to go on.
func (s *stepping) next(verdict string) bool {
	if verdict != "" {
		s.failed++
	}
	return s.failed < 2
}

func stopReason(ctx context.Context, cfg *config) string {
	if errors.Is(context.Cause(ctx), context.Canceled) {
		return "interrupted"
	}
	return fmt.Sprintf("--max %s leaves no room for another step", cfg.max)
}

func describeStaff(out io.Writer, staff []*session) {
	seen := map[string]bool{}
	var parts []string
	for _, s := range staff {
		if !seen[s.user] {
			seen[s.user] = true
			parts = append(parts, fmt.Sprintf("%s (%d cases, new cases %s)", s.user, len(s.cases), map[bool]string{true: "yes", false: "no"}[s.create]))
		}
	}
	fmt.Fprintf(out, "Signed in: %s\n", strings.Join(parts, ", "))
}

// runStep sends the workload at rate for dur (open loop: vegeta sends each
// request on schedule and starts another worker when all are busy) and
// collects every answer; with flooded, the sign-in flood runs alongside.
func runStep(ctx context.Context, wl *workload, rate int, dur, timeout time.Duration, flooded bool, fl *flood) *stepResult {
	r := &stepResult{rate: rate, flood: flooded, routes: map[string]*sample{}}
	atk := vegeta.NewAttacker(vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(timeout), vegeta.MaxBody(0), vegeta.Workers(32))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	floodCtx, stopFlood := context.WithCancel(ctx)
	defer stopFlood()
	floodDone := make(chan *sample, 1)
	if flooded {
		go func() { floodDone <- fl.run(floodCtx) }()
	}
	start := time.Now()
	for res := range atk.Attack(wl.target, vegeta.Rate{Freq: rate, Per: time.Second}, dur, "") {
		route := routeOf(res.Method, res.URL)
		s := r.routes[route]
		if s == nil {
			s = &sample{}
			r.routes[route] = s
		}
		s.add(res.Latency, int(res.Code), outcomeOf(route, int(res.Code), res.Headers.Get("Location")))
	}
	r.elapsed = time.Since(start)
	if flooded {
		stopFlood()
		r.flooded = <-floodDone
	}
	return r
}

func printStepResult(out io.Writer, engine string, r *stepResult, p99 time.Duration) {
	what := ""
	if r.flood {
		what = ", with the sign-in flood"
	}
	status := "passed"
	if v := verdict(r.overall(), p99); v != "" {
		status = "FAILED: " + v
	}
	fmt.Fprintf(out, "\n%s, %d requests/s for %s%s — %s\n", engine, r.rate, r.elapsed.Round(100*time.Millisecond), what, status)
	printStep(out, r, routeOrder())
}

// printSummary is one line per step.
func printSummary(out io.Writer, engine string, results []*stepResult, p99 time.Duration) {
	fmt.Fprintf(out, "\nSummary (%s; a step fails on any error or p99 > %s):\n", engine, ms(p99))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rate\tflood\tanswers/s\tp50\tp95\tp99\tmax\terrors\tthrottled\tflood sign-ins/s\tverdict\t")
	for _, r := range results {
		all := r.overall()
		flood, floodRate := "no", "-"
		if r.flood {
			flood, floodRate = "yes", fmt.Sprintf("%.0f", achieved(r.flooded.count(), r.elapsed))
		}
		v := verdict(all, p99)
		if v == "" {
			v = "passed"
		}
		fmt.Fprintf(tw, "%d\t%s\t%.0f\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t\n", r.rate, flood, achieved(all.count(), r.elapsed),
			ms(all.percentile(50)), ms(all.percentile(95)), ms(all.percentile(99)), ms(all.max()), all.errors, all.throttled, floodRate, v)
	}
	tw.Flush()
}

// finish prints the summary, stops the server and checks the audit log:
// verify, then entries against requests. It fails only when the log fails
// verification.
func finish(ctx context.Context, cfg *config, t *target, results []*stepResult, since time.Time, out io.Writer) error {
	printSummary(out, t.engine, results, cfg.p99)
	if t.srv != nil {
		if err := t.srv.stop(); err != nil {
			fmt.Fprintf(out, "\nThe server did not stop cleanly: %v\n", err)
		}
	}
	if t.data == "" {
		fmt.Fprintln(out, "\nAudit checks skipped: give --data (and --db) of the running server to have them.")
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	report, verified := verifyAudit(ctx, t.bin, t.data, t.dsn)
	fmt.Fprintf(out, "\npuente audit verify: %s\n", report)
	var log *serverLog
	if t.srv != nil {
		f, err := os.Open(t.srv.log)
		if err == nil {
			log, err = scanLog(f, since)
			f.Close()
		}
		if err != nil {
			fmt.Fprintf(out, "server log: %v\n", err)
		} else {
			printServerLog(out, log)
		}
	}
	if a, err := readAudit(ctx, t.data, t.dsn, since); err != nil {
		fmt.Fprintf(out, "audit log: %v\n", err)
	} else {
		fmt.Fprintln(out, "\nAudit entries written during the steps, against the requests:")
		printAudit(out, totals(results), log, a)
	}
	if !verified {
		return errors.New("the audit log failed verification")
	}
	return nil
}

// totals adds up every step's requests per route, the flood's included.
func totals(results []*stepResult) map[string]*sample {
	out := map[string]*sample{}
	add := func(route string, s *sample) {
		if out[route] == nil {
			out[route] = &sample{}
		}
		out[route].merge(s)
	}
	for _, r := range results {
		for _, route := range slices.Sorted(maps.Keys(r.routes)) {
			add(route, r.routes[route])
		}
		if r.flooded != nil {
			add(floodRoute, r.flooded)
		}
	}
	return out
}
