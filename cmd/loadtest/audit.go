package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"puente/internal/audit"
	"puente/internal/store"
)

// sensitive are the workload's routes whose every request must leave one
// audit entry, by the server's route pattern, with the entry's action.
var sensitive = []struct{ pattern, route, action string }{
	{"GET /cases", routeList, "case.list"},
	{"GET /cases/{id}", routeCase, "case.read"},
	{"POST /cases/search", routeSearch, "case.search"},
	{"POST /cases", routeCreate, "case.create"},
	{"POST /login", floodRoute, "auth.sign_in"},
}

// serverLog is what the server's JSON log says about the measured window:
// each request by its ref (the id its audit entries carry), and the
// errors and warnings it logged at any time.
type serverLog struct {
	requests map[string]loggedRequest
	errors   map[string]int // "msg: err" → how many times, level ERROR
	warnings map[string]int
}

type loggedRequest struct {
	route  string
	status int
}

// scanLog reads the server's log, keeping the requests logged at or after
// since. Lines that are not JSON (the key file notice) are skipped.
func scanLog(r io.Reader, since time.Time) (*serverLog, error) {
	l := &serverLog{requests: map[string]loggedRequest{}, errors: map[string]int{}, warnings: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var line struct {
			Time   time.Time `json:"time"`
			Level  string    `json:"level"`
			Msg    string    `json:"msg"`
			Ref    string    `json:"ref"`
			Route  string    `json:"route"`
			Status int       `json:"status"`
			Err    string    `json:"err"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		what := line.Msg
		if line.Err != "" {
			what += ": " + truncate(line.Err, 200)
		}
		switch {
		case line.Level == "ERROR":
			l.errors[what]++
		case line.Level == "WARN":
			l.warnings[what]++
		case line.Msg == "request" && !line.Time.Before(since):
			l.requests[line.Ref] = loggedRequest{route: line.Route, status: line.Status}
		}
	}
	return l, sc.Err()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// auditLog is the audit log's measured window: the actions recorded for
// each request id, and the entries per action and decision.
type auditLog struct {
	byRequest map[string][]string
	totals    map[string]map[audit.Decision]int
}

// readAudit reads the audit entries written at or after since, straight
// from the database (the server has stopped).
func readAudit(ctx context.Context, data, dsn string, since time.Time) (*auditLog, error) {
	if dsn == "" {
		dsn = filepath.Join(data, "puente.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	a := &auditLog{byRequest: map[string][]string{}, totals: map[string]map[audit.Decision]int{}}
	for e, err := range db.AuditEntries(ctx, audit.Filter{Since: since}) {
		if err != nil {
			return nil, err
		}
		a.byRequest[e.RequestID] = append(a.byRequest[e.RequestID], e.Action)
		if a.totals[e.Action] == nil {
			a.totals[e.Action] = map[audit.Decision]int{}
		}
		a.totals[e.Action][e.Decision]++
	}
	return a, nil
}

// perRequest is how the requests of one route pattern fared in the audit
// log: how many left no entry of the route's action, exactly one, and more
// than one; how many of those with none the server answered below 500 (a
// request cut short by a client that left, logged as 500, may rightly have
// read nothing and written nothing); and how many entries of any action
// they left (entries → requests).
type perRequest struct {
	requests, none, one, more int
	noneAnswered              map[int]int // status → requests
	any                       map[int]int
}

func entriesPerRequest(l *serverLog, a *auditLog, pattern, action string) perRequest {
	p := perRequest{any: map[int]int{}, noneAnswered: map[int]int{}}
	for ref, rq := range l.requests {
		if rq.route != pattern {
			continue
		}
		p.requests++
		n := 0
		for _, act := range a.byRequest[ref] {
			if act == action {
				n++
			}
		}
		switch {
		case n == 0:
			p.none++
			if rq.status < 500 {
				p.noneAnswered[rq.status]++
			}
		case n == 1:
			p.one++
		default:
			p.more++
		}
		p.any[len(a.byRequest[ref])]++
	}
	return p
}

// spread prints a count of requests by a number (entries, a status) as
// "number:requests", e.g. "1:40 2:3".
func spread(m map[int]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d:%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// printAudit reports the audit log against the requests: what the load
// test saw answered per route, the entries of the route's action, and,
// from the server's log, how many requests left exactly one entry.
func printAudit(w io.Writer, seen map[string]*sample, l *serverLog, a *auditLog) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "route\tanswered\taction\tentries (allow/deny)\tlogged requests\twith exactly 1\twith 0\t(<500 status:n)\twith >1\tentries of any action: requests\t")
	for _, s := range sensitive {
		got, ok := seen[s.route]
		if !ok {
			continue
		}
		t := a.totals[s.action]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d (%d/%d)\t", s.route, got.count()-got.errors, s.action, t[audit.Allow]+t[audit.Deny], t[audit.Allow], t[audit.Deny])
		if l != nil {
			p := entriesPerRequest(l, a, s.pattern, s.action)
			fmt.Fprintf(tw, "%d\t%d\t%d\t(%s)\t%d\t%s\t\n", p.requests, p.one, p.none, spread(p.noneAnswered), p.more, spread(p.any))
		} else {
			fmt.Fprintln(tw, "-\t-\t-\t-\t-\t-\t")
		}
	}
	tw.Flush()
	var other []string
	for _, act := range slices.Sorted(maps.Keys(a.totals)) {
		if !slices.ContainsFunc(sensitive, func(s struct{ pattern, route, action string }) bool { return s.action == act }) {
			t := a.totals[act]
			other = append(other, fmt.Sprintf("%s %d/%d", act, t[audit.Allow], t[audit.Deny]))
		}
	}
	if len(other) > 0 {
		fmt.Fprintf(w, "other entries in the window (allow/deny): %s\n", strings.Join(other, ", "))
	}
}

// printServerLog reports what the server logged as errors and warnings,
// and the statuses of 500 and above it answered in the window.
func printServerLog(w io.Writer, l *serverLog) {
	fiveHundreds := map[string]int{}
	for _, rq := range l.requests {
		if rq.status >= 500 {
			fiveHundreds[fmt.Sprintf("%s → %d", rq.route, rq.status)]++
		}
	}
	if len(l.errors) == 0 && len(l.warnings) == 0 && len(fiveHundreds) == 0 {
		fmt.Fprintln(w, "server log: no errors, no warnings, no 5xx answers")
		return
	}
	for _, group := range []struct {
		name string
		m    map[string]int
	}{{"5xx answers", fiveHundreds}, {"errors", l.errors}, {"warnings", l.warnings}} {
		for _, k := range slices.Sorted(maps.Keys(group.m)) {
			fmt.Fprintf(w, "server log, %s: %d × %s\n", group.name, group.m[k], k)
		}
	}
}
