package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"puente/internal/store/storetest"
)

// TestCrashConsistency is issue 9's proof that a case and its audit entry
// are written together: the harness kills a real "puente serve" with
// SIGKILL while it records cases, 30 times on SQLite and 5 on PostgreSQL
// (10 and 3 with -short), and no acknowledged write may be lost, no case
// may lack its case.create entry, no entry its case, and the audit log
// must verify. Each run takes a new seed, logged so that a failure can be
// repeated with "go run ./cmd/crashtest".
func TestCrashConsistency(t *testing.T) {
	bin, err := buildPuente(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	sqliteKills, pgKills := 30, 5
	if testing.Short() {
		sqliteKills, pgKills = 10, 3
	}
	// Short delays, so that 30 kills take a few seconds of writing; longer
	// ones on PostgreSQL, where a restarted server's first writes wait for
	// new connections.
	t.Run("sqlite", func(t *testing.T) {
		crash(t, Config{Bin: bin, Kills: sqliteKills, Seed: seed, MaxDelay: 200 * time.Millisecond}, "")
	})
	t.Run("postgres", func(t *testing.T) {
		crash(t, Config{Bin: bin, DSN: storetest.PostgresDSN(t), Kills: pgKills, Seed: seed, MaxDelay: time.Second}, " --db $"+storetest.PostgresEnv)
	})
}

func crash(t *testing.T, cfg Config, flags string) {
	cfg.Dir = t.TempDir()
	cfg.Writers, cfg.AuditInterval = 4, 200*time.Millisecond
	res, err := Run(t.Context(), cfg)
	var table strings.Builder
	res.Print(&table)
	t.Logf("\n%s", table.String())
	if err != nil || !res.OK() {
		log, _ := os.ReadFile(cfg.ServerLog())
		t.Errorf("the crash test failed; repeat its schedule with\n  go run ./cmd/crashtest --seed %d --kills %d --max-delay %v --audit-interval %v%s\nthe server's log ends:\n%s",
			cfg.Seed, cfg.Kills, cfg.MaxDelay, cfg.AuditInterval, flags, tail(string(log), 40))
	}
	if res.Kills != cfg.Kills || res.Cases == 0 || res.Verifies < 2 {
		t.Errorf("%d kills, %d cases acknowledged, %d runs of audit verify: the test proves nothing", res.Kills, res.Cases, res.Verifies)
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func TestFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--kills", "-1"}, "--kills must be 0 or more"},
		{[]string{"--writers", "0"}, "--writers 1 or more"},
		{[]string{"--db", "/tmp/puente.db"}, "must be a postgres:// URL"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		var out strings.Builder
		if _, err := parse(tt.args, &out); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
	var out strings.Builder
	o, err := parse(nil, &out)
	if err != nil || o.cfg.Kills != 30 || o.cfg.Seed != 1 || o.db != "" {
		t.Errorf("defaults: %+v, %v", o, err)
	}
	if _, err := parse([]string{"-h"}, &out); err == nil || !strings.Contains(out.String(), "Usage: go run ./cmd/crashtest") {
		t.Errorf("-h: %v\n%s", err, out.String())
	}
}
