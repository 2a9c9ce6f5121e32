package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func msSample(values ...int) *sample {
	s := &sample{}
	for _, v := range values {
		s.add(time.Duration(v)*time.Millisecond, http.StatusOK, ok)
	}
	return s
}

func TestPercentileIsNearestRank(t *testing.T) {
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // given out of order
	}
	for _, tt := range []struct {
		name string
		s    *sample
		p    float64
		want time.Duration
	}{
		{"empty", &sample{}, 99, 0},
		{"one request is every percentile", msSample(7), 50, 7 * time.Millisecond},
		{"one request, p99", msSample(7), 99, 7 * time.Millisecond},
		{"p50 of 1..100", msSample(hundred...), 50, 50 * time.Millisecond},
		{"p95 of 1..100", msSample(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", msSample(hundred...), 99, 99 * time.Millisecond},
		{"max of 1..100", msSample(hundred...), 100, 100 * time.Millisecond},
		// Of ten requests, p99 is the slowest: nine of ten is only 90%.
		{"p99 of ten is the slowest", msSample(1, 1, 1, 1, 1, 1, 1, 1, 1, 900), 99, 900 * time.Millisecond},
		{"p50 of ten", msSample(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 50, 5 * time.Millisecond},
	} {
		if got := tt.s.percentile(tt.p); got != tt.want {
			t.Errorf("%s: percentile(%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestPercentileAfterMoreRequests(t *testing.T) {
	s := msSample(5, 1)
	if got := s.max(); got != 5*time.Millisecond {
		t.Fatalf("max = %v, want 5ms", got)
	}
	s.add(3*time.Millisecond, http.StatusOK, ok)
	s.merge(msSample(9))
	if got, want := s.percentile(50), 3*time.Millisecond; got != want {
		t.Errorf("p50 after adding = %v, want %v", got, want)
	}
	if got, want := s.max(), 9*time.Millisecond; got != want {
		t.Errorf("max after merging = %v, want %v", got, want)
	}
}

func TestOutcome(t *testing.T) {
	for _, tt := range []struct {
		route    string
		code     int
		location string
		want     outcome
	}{
		{routeDashboard, 200, "", ok},
		{routeCase, 404, "", failed},
		{routeList, 303, "/login?next=%2Fcases", failed}, // the session was lost
		{routeMatch, 500, "", failed},
		{routeGaps, 0, "", failed}, // no answer in time
		{routeSearch, 200, "", ok},
		{routeSearch, 429, "", throttled},
		{routeDashboard, 429, "", failed},
		{routeCreate, 303, "/cases/42", ok},
		{routeCreate, 303, "/login", failed},
		{routeCreate, 422, "", failed},
		{routeCreate, 200, "", failed},
	} {
		if got := outcomeOf(tt.route, tt.code, tt.location); got != tt.want {
			t.Errorf("outcomeOf(%s, %d, %q) = %v, want %v", tt.route, tt.code, tt.location, got, tt.want)
		}
	}
}

func TestVerdict(t *testing.T) {
	limit := 50 * time.Millisecond
	withErrors := msSample(1, 2, 3)
	withErrors.add(5*time.Second, 0, failed)
	withErrors.add(time.Millisecond, 500, failed)
	throttledOnly := msSample(1, 2)
	throttledOnly.add(time.Millisecond, 429, throttled)
	for _, tt := range []struct {
		name string
		s    *sample
		want string
	}{
		{"fast, no errors", msSample(1, 2, 49), ""},
		{"p99 at the limit passes", msSample(50), ""},
		{"p99 over the limit", msSample(1, 2, 51), "p99 51.0ms > 50.0ms"},
		{"errors", withErrors, "p99 5000ms > 50.0ms, 2 errors (no answer ×1, 500 ×1)"},
		{"throttled searches are not errors", throttledOnly, ""},
		{"nothing answered", &sample{}, "no request was answered"},
	} {
		if got := verdict(tt.s, limit); got != tt.want {
			t.Errorf("%s: verdict = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSteppingStopsAtTheSecondFailure(t *testing.T) {
	var s stepping
	var got []bool
	for _, v := range []string{"", "p99 60ms > 50ms", "", "3 errors", ""} {
		got = append(got, s.next(v))
	}
	if diff := cmp.Diff([]bool{true, true, true, false, false}, got); diff != "" {
		t.Errorf("go on after each step (-want +got):\n%s", diff)
	}
}

func TestAchieved(t *testing.T) {
	if got := achieved(500, 2*time.Second); got != 250 {
		t.Errorf("achieved(500, 2s) = %v, want 250", got)
	}
	if got := achieved(5, 0); got != 0 {
		t.Errorf("achieved over no time = %v, want 0", got)
	}
}
