package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestOneStepAgainstARealServer runs the command as a person would, at a
// low rate for one short step: it builds puente, starts "serve --demo",
// signs staff in, sends the mixed workload, stops the server and checks
// the audit log. On PostgreSQL too when PUENTE_TEST_POSTGRES names a
// database (its user needs CREATEDB: the run makes a database of its own).
// The p99 limit is loose: this proves the command works, not that a shared
// machine is fast.
func TestOneStepAgainstARealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts puente serve")
	}
	engines := map[string][]string{"SQLite": nil}
	if dsn := os.Getenv("PUENTE_TEST_POSTGRES"); dsn != "" {
		engines["PostgreSQL"] = []string{"--db", dsn}
	}
	for engine, flags := range engines {
		t.Run(engine, func(t *testing.T) {
			var out strings.Builder
			args := append([]string{"--rates", "25", "--step", "2s", "--sessions", "5", "--p99", "5s", "--max", "3m"}, flags...)
			if err := run(t.Context(), args, &out); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			checkRun(t, engine, out.String())
		})
	}
}

func checkRun(t *testing.T, engine, text string) {
	t.Helper()
	for _, want := range []string{
		engine + ", 25 requests/s for", "— passed",
		"chain intact", "server log: no errors, no warnings, no 5xx answers",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The whole mix was sent, and every request of a sensitive route
	// left exactly one entry of its action.
	for _, route := range routeOrder() {
		if !regexp.MustCompile(`(?m)^` + route + `\s+[1-9]`).MatchString(text) {
			t.Errorf("no %s request in the step table", route)
		}
	}
	row := regexp.MustCompile(`(?m)^(case list|case page|name search|create case)\s+(\d+)\s+\S+\s+\d+ \(\d+/\d+\)\s+(\d+)\s+(\d+)\s+(\d+)\s+\([0-9: ]*\)\s+(\d+)\s`)
	rows := row.FindAllStringSubmatch(text, -1)
	if len(rows) != 4 {
		t.Fatalf("audit table has %d rows of the 4 sensitive routes:\n%s", len(rows), text)
	}
	for _, r := range rows {
		answered, logged, one, none, more := atoi(r[2]), atoi(r[3]), atoi(r[4]), atoi(r[5]), atoi(r[6])
		if answered == 0 || logged != answered || one != logged || none != 0 || more != 0 {
			t.Errorf("%s: answered %d, logged %d, with one entry %d, none %d, more %d", r[1], answered, logged, one, none, more)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
