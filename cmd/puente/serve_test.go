package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestTrustedProxiesFlag(t *testing.T) {
	for _, tt := range []struct {
		name   string
		behind bool
		n      int
		given  bool
		want   int
		err    string
	}{
		{"direct", false, 0, false, 0, ""},
		{"behind a proxy", true, 0, false, 1, ""},
		{"behind two", true, 2, true, 2, ""},
		{"number without a proxy", false, 2, true, 0, "goes with --behind-proxy"},
		{"zero proxies", true, 0, true, 0, "1 or more"},
		{"negative", true, -1, true, 0, "1 or more"},
	} {
		got, err := trustedProxies(tt.behind, tt.n, tt.given)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: trustedProxies = %d, %v; want %d, error with %q", tt.name, got, err, tt.want, tt.err)
		}
	}
	// serve refuses a bad combination before it opens anything.
	dir := t.TempDir()
	if out, err := runCmd(t, "", "serve", "--data", dir, "--addr", "127.0.0.1:0", "--trusted-proxies", "2"); err == nil || !strings.Contains(err.Error(), "--behind-proxy") {
		t.Errorf("serve --trusted-proxies 2 without --behind-proxy: %v\n%s", err, out)
	}
	if out, _ := runCmd(t, "", "serve", "-h"); !strings.Contains(out, "--trusted-proxies N") {
		t.Errorf("serve -h does not show --trusted-proxies:\n%s", out)
	}
}

// TestMetricsOnTheirOwnAddress: metrics tell when and at what a shelter's
// staff work; they are served apart from the app, and only as metrics.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "puente_http_requests_total 1\n") })
	for _, profile := range []bool{false, true} {
		at, stop, err := serveMetrics(t.Context(), "127.0.0.1:0", h, profile, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		// The profiler only when asked for (--profile).
		pprof := http.StatusNotFound
		if profile {
			pprof = http.StatusOK
		}
		for path, want := range map[string]int{"/metrics": http.StatusOK, "/": http.StatusNotFound, "/dashboard": http.StatusNotFound, "/debug/pprof/": pprof} {
			res, err := http.Get("http://" + at.String() + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != want {
				t.Errorf("profile %v: GET %s: %d, want %d", profile, path, res.StatusCode, want)
			}
		}
		stop()
	}
}
