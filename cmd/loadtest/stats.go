package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// outcome is how one request ended, as the step tables count it.
type outcome int

const (
	ok        outcome = iota // the answer the route gives when it works
	throttled                // 429 from a limit the server keeps on purpose (name search)
	failed                   // any other answer, a timeout, a refused connection
)

// outcomeOf classifies an answer (code 0: none came, or it was cut
// short). Stricter than "any 2xx or 3xx": a page must answer 200, since a
// 303 to the sign-in page means the session was lost, and a new case must
// be a 303 to its page. A name search answered 429 is the server's
// per-person search limit doing its job, not a failure: it is counted
// apart, so that a run with a handful of accounts does not read as broken.
func outcomeOf(route string, code int, location string) outcome {
	switch {
	case route == routeCreate:
		if code == http.StatusSeeOther && strings.HasPrefix(location, "/cases/") {
			return ok
		}
	case code == http.StatusOK:
		return ok
	case code == http.StatusTooManyRequests && route == routeSearch:
		return throttled
	}
	return failed
}

// sample is one route's requests in one step: every latency, kept whole so
// the percentiles are exact rather than estimated, and how they ended.
// At the rates this command runs (a few thousand requests a second, for
// seconds) a sorted slice costs less than the requests it measures.
type sample struct {
	lat       []time.Duration
	errors    int
	throttled int
	codes     map[int]int // statuses of the failures; 0 for no response
	sorted    bool
}

func (s *sample) add(d time.Duration, code int, o outcome) {
	s.lat = append(s.lat, d)
	s.sorted = false
	switch o {
	case throttled:
		s.throttled++
	case failed:
		s.errors++
		if s.codes == nil {
			s.codes = map[int]int{}
		}
		s.codes[code]++
	}
}

// merge adds every request of o to s.
func (s *sample) merge(o *sample) {
	s.lat = append(s.lat, o.lat...)
	s.sorted = false
	s.errors += o.errors
	s.throttled += o.throttled
	for c, n := range o.codes {
		if s.codes == nil {
			s.codes = map[int]int{}
		}
		s.codes[c] += n
	}
}

func (s *sample) count() int { return len(s.lat) }

// percentile is the nearest-rank percentile p (0 < p ≤ 100): the smallest
// latency that at least p% of the requests did not exceed. Zero when
// there are no requests.
func (s *sample) percentile(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	if !s.sorted {
		slices.Sort(s.lat)
		s.sorted = true
	}
	rank := int(math.Ceil(p / 100 * float64(len(s.lat))))
	return s.lat[min(max(rank, 1), len(s.lat))-1]
}

func (s *sample) max() time.Duration { return s.percentile(100) }

// stepResult is what one step of the workload measured.
type stepResult struct {
	rate    int           // asked for, requests a second
	flood   bool          // sign-in flood running alongside
	elapsed time.Duration // from the first request sent to the last answer
	routes  map[string]*sample
	flooded *sample // the flood's own sign-in attempts, when flood
}

func (r *stepResult) overall() *sample {
	all := &sample{}
	for _, name := range slices.Sorted(maps.Keys(r.routes)) {
		all.merge(r.routes[name])
	}
	return all
}

// achieved is the answers per second the server gave over the step.
func achieved(n int, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(n) / elapsed.Seconds()
}

// verdict is the step-fail rule: a step fails when any request failed or
// the overall p99 is over the threshold. It says why, or "" for a pass.
func verdict(all *sample, p99Limit time.Duration) string {
	var why []string
	if all.count() == 0 {
		return "no request was answered"
	}
	if p := all.percentile(99); p > p99Limit {
		why = append(why, fmt.Sprintf("p99 %s > %s", ms(p), ms(p99Limit)))
	}
	if all.errors > 0 {
		why = append(why, fmt.Sprintf("%d errors (%s)", all.errors, codeList(all.codes)))
	}
	return strings.Join(why, ", ")
}

// codeList says which statuses the failures had, 0 meaning no answer
// (a timeout or a refused connection).
func codeList(codes map[int]int) string {
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		name := fmt.Sprint(c)
		if c == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", name, codes[c]))
	}
	return strings.Join(parts, ", ")
}

// ms prints a latency in milliseconds, to a tenth below 100 ms.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	if f < 100 {
		return fmt.Sprintf("%.1fms", f)
	}
	return fmt.Sprintf("%.0fms", f)
}

// printStep writes a step's table: one line per route, then all of them.
func printStep(w io.Writer, r *stepResult, order []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "route\tcount\tp50\tp95\tp99\tmax\terrors\tthrottled\tanswers/s\t")
	line := func(name string, s *sample) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d\t%d\t%.1f\t\n", name, s.count(), ms(s.percentile(50)), ms(s.percentile(95)),
			ms(s.percentile(99)), ms(s.max()), s.errors, s.throttled, achieved(s.count(), r.elapsed))
	}
	for _, name := range order {
		if s, ok := r.routes[name]; ok {
			line(name, s)
		}
	}
	line("all", r.overall())
	if r.flooded != nil {
		line("(flood sign-ins)", r.flooded)
	}
	tw.Flush()
}
