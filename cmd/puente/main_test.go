package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"puente/internal/store"
)

func runCmd(t *testing.T, stdinText string, args ...string) (string, error) {
	t.Helper()
	stdin = strings.NewReader(stdinText)
	var out, errOut strings.Builder
	err := run(context.Background(), args, &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestHelpEverywhere(t *testing.T) {
	out, err := runCmd(t, "", "help")
	if err != nil || !strings.Contains(out, "serve") || !strings.Contains(out, "Examples:") {
		t.Fatalf("help: %v\n%s", err, out)
	}
	for _, cmd := range []string{"serve", "migrate", "version", "user"} {
		out, _ := runCmd(t, "", cmd, "-h")
		if !strings.Contains(out, "Usage: puente "+cmd) {
			t.Errorf("%s -h:\n%s", cmd, out)
		}
		if cmd != "version" && !strings.Contains(out, "Example") {
			t.Errorf("%s -h has no examples", cmd)
		}
	}
	if _, err := runCmd(t, "", "frobnicate"); err == nil {
		t.Error("an unknown command succeeded")
	}
	if out, _ := runCmd(t, "", "version"); !strings.HasPrefix(out, "puente ") {
		t.Errorf("version: %q", out)
	}
}

func TestMigrateAndUserAdd(t *testing.T) {
	dir := t.TempDir()
	out, err := runCmd(t, "", "migrate", "--data", dir)
	ms, _ := store.Migrations(store.SQLite)
	if err != nil || !strings.Contains(out, "applied 0001_foundation") || !strings.Contains(out, fmt.Sprintf("sqlite database at schema version %d", len(ms))) {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	out, err = runCmd(t, "", "user", "add", "--data", dir, "--email", "Ana@Example.org", "--name", "Ana Pérez", "--role", "admin", "--new-org", "Casa Ejemplo", "--country", "MX", "--kind", "shelter")
	if err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Created organization 1: Casa Ejemplo") || !strings.Contains(out, "Created user 1: ana@example.org (admin)") {
		t.Errorf("user add output:\n%s", out)
	}
	if !regexp.MustCompile(`Password \(shown once.*\): [a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}`).MatchString(out) {
		t.Errorf("no generated password printed:\n%s", out)
	}
	st, err := os.Stat(filepath.Join(dir, "puente.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}

	for _, tt := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"weak password", "password1234\n", []string{"--email", "b@example.org", "--name", "B", "--role", "caseworker", "--org", "1", "--password-stdin"}, "password refused"},
		{"duplicate email", "una frase bastante larga\n", []string{"--email", "ANA@example.org", "--name", "B", "--role", "caseworker", "--org", "1", "--password-stdin"}, "email: users.email_taken"},
		{"unknown role", "una frase bastante larga\n", []string{"--email", "c@example.org", "--name", "C", "--role", "boss", "--org", "1", "--password-stdin"}, "roles: field.choose_one"},
		{"missing org", "", []string{"--email", "d@example.org", "--name", "D", "--role", "analyst"}, "exactly one of --org"},
		{"no such org", "una frase bastante larga\n", []string{"--email", "e@example.org", "--name", "E", "--role", "analyst", "--org", "99", "--password-stdin"}, "organization_id: users.org_unusable"},
		{"empty stdin", "", []string{"--email", "f@example.org", "--name", "F", "--role", "analyst", "--org", "1", "--password-stdin"}, "no password on standard input"},
	} {
		args := append([]string{"user", "add", "--data", dir}, tt.args...)
		_, err := runCmd(t, tt.stdin, args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	out, err = runCmd(t, "una frase bastante larga\n", "user", "add", "--data", dir, "--email", "g@example.org", "--name", "G", "--role", "caseworker,screener", "--org", "1", "--password-stdin")
	if err != nil || strings.Contains(out, "Password (shown once") {
		t.Fatalf("user add with stdin password: %v\n%s", err, out)
	}
	// What the operator did is in the audit log, signed at once.
	if n := auditCount(t, dir, "user.create"); n != 2 {
		t.Errorf("%d user.create entries, want 2", n)
	}
	if n := auditCount(t, dir, "organization.create"); n != 1 {
		t.Errorf("%d organization.create entries, want 1", n)
	}
	if out, err := runCmd(t, "", "audit", "verify", "--data", dir); err != nil {
		t.Errorf("audit verify after user add: %v\n%s", err, out)
	}
}

// startServe runs "puente serve --demo" on a free port and returns its base
// URL, its output so far and a function that stops it the way SIGINT does:
// by cancelling its context.
func startServe(t *testing.T, dir string) (string, func() error) {
	t.Helper()
	return startServeWith(t, dir)
}

// startServeWith is startServe with more flags.
func startServeWith(t *testing.T, dir string, flags ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	args := append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--demo"}, flags...)
	go func() {
		done <- run(ctx, args, pw, io.Discard)
		pw.Close()
	}()
	var out strings.Builder
	addrRE := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+)`)
	sc := bufio.NewScanner(pr)
	var base string
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		cancel()
		t.Fatalf("server did not start:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "admin@demo.puente.test") || !strings.Contains(out.String(), "demo-puente-frontera") {
		t.Errorf("demo logins not printed:\n%s", out.String())
	}
	return base, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			return errors.New("serve did not stop after interrupt")
		}
	}
}

// TestServeStopsOnSignal starts the real server with demo data, checks it
// answers, and stops it.
func TestServeStopsOnSignal(t *testing.T) {
	base, stop := startServe(t, t.TempDir())
	res, err := http.Get(base + "/readyz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after interrupt", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still answering after stop")
	}
}
