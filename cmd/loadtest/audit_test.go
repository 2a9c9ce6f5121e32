package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestScanLog(t *testing.T) {
	log := `Created a new key file at /tmp/x/puente.key. Back it up apart from the database.
{"time":"2026-05-01T10:00:00Z","level":"INFO","msg":"request","ref":"OLD","method":"GET","route":"GET /cases/{id}","status":200,"ms":3}
{"time":"2026-05-01T10:00:02Z","level":"INFO","msg":"request","ref":"A","method":"GET","route":"GET /cases/{id}","status":200,"ms":3}
{"time":"2026-05-01T10:00:02Z","level":"ERROR","msg":"request failed","ref":"B","err":"database is locked (5) (SQLITE_BUSY)"}
{"time":"2026-05-01T10:00:02Z","level":"INFO","msg":"request","ref":"B","method":"POST","route":"POST /cases","status":500,"ms":10001}
{"time":"2026-05-01T10:00:03Z","level":"WARN","msg":"slow checkpoint"}
`
	l, err := scanLog(strings.NewReader(log), time.Date(2026, 5, 1, 10, 0, 1, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]loggedRequest{"A": {"GET /cases/{id}", 200}, "B": {"POST /cases", 500}}
	if diff := cmp.Diff(want, l.requests, cmp.AllowUnexported(loggedRequest{})); diff != "" {
		t.Errorf("requests in the window (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"request failed: database is locked (5) (SQLITE_BUSY)": 1}, l.errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"slow checkpoint": 1}, l.warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	var out strings.Builder
	printServerLog(&out, l)
	if !strings.Contains(out.String(), "1 × POST /cases → 500") {
		t.Errorf("the 500 is not reported:\n%s", out.String())
	}
}

func TestEntriesPerRequest(t *testing.T) {
	l := &serverLog{requests: map[string]loggedRequest{
		"A": {"GET /cases/{id}", 200}, "B": {"GET /cases/{id}", 200}, "C": {"GET /cases/{id}", 404},
		"D": {"GET /cases/{id}", 200}, "E": {"POST /cases", 303},
	}}
	a := &auditLog{byRequest: map[string][]string{
		"A": {"case.read"},
		"B": {"case.read", "consent.edit"},
		// C: none
		"D": {"case.read", "case.read"},
		"E": {"case.create"},
	}}
	got := entriesPerRequest(l, a, "GET /cases/{id}", "case.read")
	want := perRequest{requests: 4, none: 1, noneAnswered: map[int]int{404: 1}, one: 2, more: 1, any: map[int]int{0: 1, 1: 1, 2: 2}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(perRequest{})); diff != "" {
		t.Errorf("case pages (-want +got):\n%s", diff)
	}
	if got := spread(want.any); got != "0:1 1:1 2:2" {
		t.Errorf("spread = %q", got)
	}
}
