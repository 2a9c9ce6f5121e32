package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"time"

	"puente/internal/demo"
	"puente/internal/password"
	"puente/internal/web"
	"puente/internal/wiring"
)

func runServe(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlagSet("serve", `Usage: puente serve [--addr HOST:PORT] [--data DIR] [--db URL] [--demo] [--tls-cert FILE --tls-key FILE]
                    [--behind-proxy [--trusted-proxies N]]
                    [--audit-interval 2s] [--audit-anchor PATH]… [--metrics-addr HOST:PORT [--profile]]

Runs the web app and the JSON API until interrupted (Ctrl-C or SIGTERM), then
finishes the requests under way and stops. Logs go to standard error as JSON
lines and never hold personal data.

Every --audit-interval, when the audit log has moved, the server checks the
entries written since the last checkpoint and signs the log's end, recording
the checkpoint in the database and in DIR/audit-checkpoints; at start it does
the same for what a crash left unsigned, and at shutdown once more. Each
--audit-anchor PATH gets every checkpoint line too: a file on another disk or
a mounted share, or a named pipe to a partner. On several servers sharing one
database, let one sign and give the others --audit-interval 0.

Examples:
  puente serve --demo                       fictional demo data, http://127.0.0.1:8080
  puente serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  puente serve --db postgres://puente@localhost/puente --behind-proxy
  puente serve --behind-proxy --trusted-proxies 2   behind a load balancer and a TLS proxy
  puente serve --audit-anchor /mnt/offsite/puente-checkpoints
`, out)
	var d dataFlags
	d.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to listen on")
	demoFlag := fs.Bool("demo", false, "fill an empty database with fictional demo data and show the demo banner")
	tlsCert := fs.String("tls-cert", "", "TLS certificate `file` (PEM); serve HTTPS")
	tlsKey := fs.String("tls-key", "", "TLS private key `file` (PEM)")
	proxy := fs.Bool("behind-proxy", false, "trust X-Forwarded-Proto and X-Forwarded-For from a TLS-terminating reverse proxy")
	proxies := fs.Int("trusted-proxies", 0, "how many `N` proxies stand in front of the server, each appending to X-Forwarded-For (with --behind-proxy; default 1)")
	interval := fs.Duration("audit-interval", defaultCheckpointInterval, "how often to sign the audit log's end when it moves; 0 for never (another server signs)")
	var anchors listFlag
	fs.Var(&anchors, "audit-anchor", "a `path` that gets every audit checkpoint line too (repeatable)")
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics at http://`HOST:PORT`/metrics, apart from the app (off when empty)")
	profile := fs.Bool("profile", false, "with --metrics-addr, serve Go's profiler there too, at /debug/pprof/ (to find where a load's time goes)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "trusted-proxies" })
	nProxies, err := trustedProxies(*proxy, *proxies, given)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("serve: --tls-cert and --tls-key go together")
	}
	if *interval < 0 || *interval == 0 && len(anchors) > 0 {
		return errors.New("serve: --audit-interval must be positive, and is needed by --audit-anchor")
	}
	log := slog.New(slog.NewJSONHandler(errOut, nil))

	db, key, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()

	if *demoFlag {
		// All of the demo or none of it: a server killed while seeding
		// leaves an empty database, which the next start seeds again.
		var logins []demo.Login
		err := db.Atomic(ctx, func(ctx context.Context) error {
			var err error
			logins, err = demo.Seed(ctx, db, func(pw string) (string, error) { return password.Hash(pw, password.Default) }, time.Now())
			return err
		})
		marked, serr := db.Setting(ctx, demo.SettingKey)
		switch {
		case serr != nil:
			return serr
		case err == nil:
			// Statistics for the tables just filled, before the first
			// request: until autovacuum gets to them, PostgreSQL plans
			// for empty tables.
			if err := db.Analyze(ctx); err != nil {
				return fmt.Errorf("serve --demo: analyze the demo data: %w", err)
			}
			printLogins(out, logins)
		case marked == "1":
			printLogins(out, demo.Logins())
		default:
			return fmt.Errorf("serve --demo: %w", err)
		}
	}
	var cp *checkpointer
	if *interval > 0 {
		cp = newCheckpointer(db, key, d.data, anchors, log)
		if _, err := cp.start(ctx, time.Now(), false); errors.Is(err, errTampered) {
			log.Error("audit checkpoint at start", "err", err)
		} else if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	isDemo, err := db.Setting(ctx, demo.SettingKey)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{Services: wiring.Services(db, key, wiring.Options{}), Keys: key, Logger: log, Version: buildVersion(),
		Demo: isDemo == "1", TrustProxy: *proxy, TrustedProxies: nProxies})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if *tlsCert == "" && !*proxy && !isLoopback(ln.Addr()) {
		log.Warn("serving plain HTTP on a non-loopback address: passwords and session cookies cross the network unencrypted; use --tls-cert/--tls-key or a TLS proxy with --behind-proxy")
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(out, "Puente %s is serving on %s://%s (%s database). Press Ctrl-C to stop.\n", buildVersion(), scheme, ln.Addr(), db.Engine())
	if *metricsAddr != "" {
		at, stop, err := serveMetrics(ctx, *metricsAddr, srv.MetricsHandler(), *profile, log)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Fprintf(out, "Metrics on http://%s/metrics\n", at)
	}
	shred := &shredder{db: db, kr: key, path: filepath.Join(d.data, "puente.key"), log: log, wait: 2 * time.Minute}
	chores := func(ctx context.Context, now time.Time) {
		if srv.DeletionPending() || !shred.rotated.IsZero() {
			done, err := shred.step(ctx, srv.DeletionPending(), now)
			if err != nil {
				log.Error("finish crypto-shredding", "err", err)
			} else if done {
				srv.DeletionDone()
			}
		}
		srv.Sweep(ctx)
		// Pick up a key rotated by "puente keys rotate" in another process.
		if err := key.Reload(); err != nil {
			log.Error("reload keyring", "err", err)
		}
	}
	if cp != nil {
		// Sign every interval while serving, and once more when the
		// requests under way at shutdown have written their entries.
		wait := cp.run(ctx, *interval)
		defer func() {
			wait()
			if err := cp.tick(context.WithoutCancel(ctx), time.Now()); err != nil {
				log.Error("audit checkpoint at shutdown", "err", err)
			}
		}()
	}
	return serveUntilDone(ctx, srv, ln, *tlsCert, *tlsKey, log, chores)
}

// serveMetrics serves the Prometheus metrics on an address of their own,
// so that the app's listener never shows when and how its staff work to
// whoever can reach the sign-in page. It warns when that address is not a
// loopback one: metrics are for the monitoring system's eyes.
func serveMetrics(ctx context.Context, addr string, h http.Handler, profile bool, log *slog.Logger) (at net.Addr, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: --metrics-addr: %w", err)
	}
	if !isLoopback(ln.Addr()) {
		log.Warn("metrics are served on a non-loopback address: reach it only from the monitoring network")
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	if profile {
		// Stacks and timings only: a profile holds no record's contents.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go hs.Serve(ln)
	return ln.Addr(), func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}, nil
}

func serveUntilDone(ctx context.Context, srv *web.Server, ln net.Listener, cert, key string, log *slog.Logger, chores func(context.Context, time.Time)) error {
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if cert != "" {
			errc <- hs.ServeTLS(ln, cert, key)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case now := <-tick.C:
			chores(ctx, now)
		case <-ctx.Done():
			log.Info("shutting down: finishing requests under way")
			sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := hs.Shutdown(sctx); err != nil {
				return fmt.Errorf("shutdown: %w", err)
			}
			log.Info("stopped")
			return nil
		}
	}
}

// trustedProxies checks --trusted-proxies against --behind-proxy: it means
// nothing without it, and behind a proxy there is at least one.
func trustedProxies(behind bool, n int, given bool) (int, error) {
	switch {
	case given && !behind:
		return 0, errors.New("serve: --trusted-proxies goes with --behind-proxy")
	case given && n < 1:
		return 0, errors.New("serve: --trusted-proxies must be 1 or more")
	case behind && !given:
		return 1, nil
	}
	return n, nil
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

func printLogins(out io.Writer, logins []demo.Login) {
	fmt.Fprintf(out, "Demo data: every person and organization is fictional. Sign in with any of these (password %q):\n", demo.Password)
	for _, l := range logins {
		fmt.Fprintf(out, "  %-32s %-17s %s\n", l.Email, l.Role, l.Org)
	}
}
