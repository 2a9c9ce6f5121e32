package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make and drop the run's database
)

// loopback reports whether host (a name or an address, without a port) is
// this machine: the load test sends nothing anywhere else.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkTargetURL accepts only http:// URLs on a loopback address.
func checkTargetURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return "", fmt.Errorf("--url %q: want http://127.0.0.1:PORT", raw)
	}
	if !loopback(u.Hostname()) {
		return "", fmt.Errorf("--url %q: the load test runs against this machine only (127.0.0.1, ::1 or localhost)", raw)
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

// checkPostgresURL accepts only a PostgreSQL server on a loopback address
// (or the local socket), and no parameter that would send the connection
// elsewhere.
func checkPostgresURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("--db %q: want postgres://user:password@127.0.0.1:5432/db", raw)
	}
	q := u.Query()
	if (u.Hostname() != "" && !loopback(u.Hostname())) || q.Has("host") || q.Has("hostaddr") || q.Has("service") {
		return nil, fmt.Errorf("--db: the load test uses a PostgreSQL server on this machine only (127.0.0.1, ::1 or localhost)")
	}
	return u, nil
}

// freshDatabase makes an empty database for the run on the PostgreSQL
// server at u, owned by u's user (who needs CREATEDB), and returns its URL
// and the function that drops it. A fresh database matters: the server's
// keyring lives in the run's new data folder, and a database sealed or
// chained under another keyring would neither open nor verify.
func freshDatabase(ctx context.Context, u *url.URL) (dsn string, drop func() error, err error) {
	admin, err := sql.Open("pgx", u.String())
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := "puente_load_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database %s (the --db user needs CREATEDB): %w", name, err)
	}
	v := *u
	v.Path = "/" + name
	return v.String(), func() error {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}, nil
}

// buildPuente builds the puente command from the module the working
// directory is in, into dir.
func buildPuente(ctx context.Context, dir string) (string, error) {
	mod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(mod)) == "" || strings.TrimSpace(string(mod)) == os.DevNull {
		return "", errors.New("build puente: run from the Puente repository, or give --puente BINARY")
	}
	bin := filepath.Join(dir, "puente")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/puente")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(mod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build puente: %w\n%s", err, out)
	}
	return bin, nil
}

// server is a "puente serve --demo" the load test started and stops.
type server struct {
	cmd  *exec.Cmd
	url  string
	bin  string
	data string
	dsn  string        // empty for SQLite in data
	log  string        // the server's standard error: its JSON log
	done chan struct{} // closed when the process has exited
	err  error         // how it exited, once done is closed
}

var servingRE = regexp.MustCompile(`serving on (http://\S+) `)

// startServer starts the server on a free loopback port with a fresh data
// folder and waits until it listens. Its log goes to logPath.
func startServer(ctx context.Context, bin, data, dsn, logPath string, behindProxy bool) (*server, error) {
	args := []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", data}
	if dsn != "" {
		args = append(args, "--db", dsn)
	}
	if behindProxy {
		args = append(args, "--behind-proxy")
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = logFile
	cmd.SysProcAttr = childAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start puente serve: %w", err)
	}
	s := &server{cmd: cmd, bin: bin, data: data, dsn: dsn, log: logPath, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
		s.err = cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	select {
	case s.url = <-found:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("puente serve stopped before serving (%v); its log is %s", s.err, logPath)
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, errors.New("puente serve did not start serving within 2 minutes")
	}
}

// stop asks the server to finish (SIGINT, as Ctrl-C would), which lets it
// sign the audit log's end, and kills it if it has not stopped in 20 s.
func (s *server) stop() error {
	select {
	case <-s.done:
		return s.err
	default:
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		return s.err
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return errors.New("puente serve did not stop within 20 s of SIGINT and was killed")
	}
}

// verifyAudit runs "puente audit verify" on the server's data, as an
// operator would, and returns its report and whether it passed.
func verifyAudit(ctx context.Context, bin, data, dsn string) (string, bool) {
	args := []string{"audit", "verify", "--data", data}
	if dsn != "" {
		args = append(args, "--db", dsn)
	}
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err == nil
}
