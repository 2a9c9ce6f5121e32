package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// startTimeout bounds how long a server may take to start listening.
const startTimeout = 60 * time.Second

// buildPuente builds the puente command into dir, once, from the module the
// current directory is in.
func buildPuente(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "puente")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "puente/cmd/puente")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build puente: %w\n%s", err, out)
	}
	return bin, nil
}

// server is one run of "puente serve" as a child process.
type server struct {
	cmd    *exec.Cmd
	base   chan string   // the URL it serves on, once it listens
	exited chan struct{} // closed when the process has exited
	err    error         // how it exited, once exited is closed
}

var servingRE = regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+)`)

// spawn starts the server on the harness's data without waiting for it to
// listen. Its logs are appended to the harness's server log.
func (h *harness) spawn(ctx context.Context) (*server, error) {
	args := []string{"serve", "--demo", "--data", h.data(), "--addr", "127.0.0.1:0",
		"--audit-interval", h.cfg.AuditInterval.String(), "--audit-anchor", h.anchor()}
	if h.cfg.DSN != "" {
		args = append(args, "--db", h.cfg.DSN)
	}
	h.starts++
	fmt.Fprintf(h.serverLog, "--- crashtest: start %d of puente serve, %s\n", h.starts, time.Now().Format(time.RFC3339Nano))
	cmd := exec.CommandContext(ctx, h.cfg.Bin, args...)
	cmd.Stderr = h.serverLog
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start puente serve: %w", err)
	}
	s := &server{cmd: cmd, base: make(chan string, 1), exited: make(chan struct{})}
	go s.watch(stdout)
	return s, nil
}

// watch reads the server's output for the address it serves on, then
// drains it, and reports the server's exit.
func (s *server) watch(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
			s.base <- m[1]
			break
		}
	}
	io.Copy(io.Discard, stdout)
	s.err = s.cmd.Wait()
	close(s.exited)
}

// ready waits until the server listens and returns its base URL.
func (s *server) ready(ctx context.Context) (string, error) {
	select {
	case base := <-s.base:
		return base, nil
	case <-s.exited:
		return "", fmt.Errorf("puente serve exited before it listened: %v", s.err)
	case <-time.After(startTimeout):
		s.kill()
		return "", fmt.Errorf("puente serve did not listen within %s", startTimeout)
	case <-ctx.Done():
		s.kill()
		return "", ctx.Err()
	}
}

// kill sends SIGKILL, as a crash would, and waits until the process is
// gone.
func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}

// stop interrupts the server as Ctrl-C does, so that it finishes its
// requests and signs the audit log's end, and waits for it to exit.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	select {
	case <-s.exited:
		if s.err != nil {
			return fmt.Errorf("puente serve after an interrupt: %w", s.err)
		}
		return nil
	case <-time.After(30 * time.Second):
		s.kill()
		return errors.New("puente serve did not stop within 30s of an interrupt")
	}
}

// auditVerify runs "puente audit verify" on the harness's data with the
// server's checkpoint interval and the anchor's copy of the checkpoints.
// It returns the command's output when it fails.
func (h *harness) auditVerify(ctx context.Context) error {
	args := []string{"audit", "verify", "--data", h.data(), "--interval", h.cfg.AuditInterval.String(), "--checkpoints", h.anchor()}
	if h.cfg.DSN != "" {
		args = append(args, "--db", h.cfg.DSN)
	}
	out, err := exec.CommandContext(ctx, h.cfg.Bin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("puente audit verify: %w\n%s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
