package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestParseMix(t *testing.T) {
	got, err := parseMix(defaultMix)
	if err != nil {
		t.Fatal(err)
	}
	want := []weight{{routeDashboard, 20}, {routeList, 20}, {routeCase, 20}, {routeMatch, 15}, {routeGaps, 5}, {routeSearch, 10}, {routeCreate, 10}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(weight{})); diff != "" {
		t.Errorf("default mix (-want +got):\n%s", diff)
	}
	got, err = parseMix("case=3, create=0, dashboard=1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]weight{{routeCase, 3}, {routeDashboard, 1}}, got, cmp.AllowUnexported(weight{})); diff != "" {
		t.Errorf("a zero weight leaves the route out (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "case", "case=x", "case=-1", "teleport=3", "case=1,case=2", "case=0"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("parseMix(%q) accepted it", bad)
		}
	}
}

// Every number in [0, total) picks a route, and each route gets exactly
// as many numbers as its weight: drawn uniformly, the routes come in
// proportion to their weights.
// Each route's request is named back as that route in the tables, and the
// forms carry the session's token.
func TestRequestsAreNamedByTheirRoute(t *testing.T) {
	s := &session{user: "caseworker", csrf: "tok", cases: []int64{7}, list: true, create: true,
		get: http.Header{"Cookie": {"c=1"}}, post: http.Header{"Cookie": {"c=1"}, "Content-Type": {"application/x-www-form-urlencoded"}}}
	mix, _ := parseMix(defaultMix)
	w, err := newWorkload("http://127.0.0.1:8080", mix, []*session{s})
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range routeOrder() {
		var tgt vegeta.Target
		w.request(&tgt, route, s)
		if got := routeOf(tgt.Method, tgt.URL); got != route {
			t.Errorf("%s: request %s %s is named %q", route, tgt.Method, tgt.URL, got)
		}
		if tgt.Header.Get("Cookie") != "c=1" {
			t.Errorf("%s: no session cookie", route)
		}
		if tgt.Method == http.MethodPost {
			f, err := url.ParseQuery(string(tgt.Body))
			if err != nil || f.Get("csrf_token") != "tok" {
				t.Errorf("%s: form %q lacks the session's token", route, tgt.Body)
			}
		}
	}
	if got := routeOf(http.MethodGet, "http://127.0.0.1:8080/cases/12/edit"); got != "unknown" {
		t.Errorf("a route outside the workload is named %q", got)
	}
}

func TestWorkloadNeedsASessionForEveryRoute(t *testing.T) {
	analyst := &session{user: "analyst", list: true, cases: []int64{3}}
	mix, _ := parseMix(defaultMix)
	if _, err := newWorkload("http://127.0.0.1:8080", mix, []*session{analyst}); err == nil || !strings.Contains(err.Error(), routeCreate) {
		t.Errorf("no session may create cases: err = %v", err)
	}
	mix, _ = parseMix("dashboard=1,case=1,search=1")
	if _, err := newWorkload("http://127.0.0.1:8080", mix, []*session{analyst}); err != nil {
		t.Errorf("a mix the analyst can do: %v", err)
	}
}

func TestOnlyThisMachine(t *testing.T) {
	for _, raw := range []string{"http://127.0.0.1:8080", "http://localhost:9000/", "http://[::1]:8080", "http://127.0.0.2:80"} {
		if _, err := checkTargetURL(raw); err != nil {
			t.Errorf("checkTargetURL(%q): %v", raw, err)
		}
	}
	for _, raw := range []string{"http://10.0.0.5:8080", "http://example.org", "https://127.0.0.1:8443", "127.0.0.1:8080", "http://0.0.0.0:8080"} {
		if _, err := checkTargetURL(raw); err == nil {
			t.Errorf("checkTargetURL(%q) accepted it", raw)
		}
	}
	for _, raw := range []string{"postgres://puente:puente@127.0.0.1:5432/postgres?sslmode=disable", "postgresql://localhost/postgres", "postgres:///postgres"} {
		if _, err := checkPostgresURL(raw); err != nil {
			t.Errorf("checkPostgresURL(%q): %v", raw, err)
		}
	}
	for _, raw := range []string{"postgres://db.example.org/postgres", "postgres://127.0.0.1/postgres?host=10.0.0.5", "postgres://127.0.0.1,10.0.0.5/postgres", "mysql://127.0.0.1/x"} {
		if _, err := checkPostgresURL(raw); err == nil {
			t.Errorf("checkPostgresURL(%q) accepted it", raw)
		}
	}
	if _, err := parseFlags([]string{"--url", "http://192.0.2.1:8080"}, &strings.Builder{}); err == nil {
		t.Error("the command accepted a target on another machine")
	}
}

// TestWorkloadSpreadsEveryRoute: every run of a hundred requests under the
// default mix holds each route exactly its weight's times, and even the
// first fifty hold every route.
func TestWorkloadSpreadsEveryRoute(t *testing.T) {
	mix, err := parseMix(defaultMix)
	if err != nil {
		t.Fatal(err)
	}
	w := &workload{pick: newPicker(mix)}
	want := map[string]int{}
	for _, m := range mix {
		want[m.route] = m.n
	}
	for run := range 3 {
		got := map[string]int{}
		for i := range w.pick.total() {
			got[w.next()]++
			if run == 0 && i == 49 && len(got) != len(mix) {
				t.Errorf("the first fifty requests make %d routes of %d: %v", len(got), len(mix), got)
			}
		}
		for r, n := range want {
			if got[r] != n {
				t.Errorf("run %d: %s %d times, want %d", run, r, got[r], n)
			}
		}
	}
}
