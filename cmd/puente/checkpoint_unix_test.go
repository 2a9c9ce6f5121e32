//go:build unix

package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAnchorPipeNeverBlocksSigning gives the server a named pipe as an
// anchor, as to a partner's collector: with nobody reading it, signing goes
// on and says why the line was not sent; with a reader, the reader gets
// each checkpoint line.
func TestAnchorPipeNeverBlocksSigning(t *testing.T) {
	e := newAuditEnv(t, "")
	pipe := filepath.Join(t.TempDir(), "partner")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	var logged bytes.Buffer
	e.cp.anchors = []string{pipe}
	e.cp.log = slog.New(slog.NewTextHandler(&logged, nil))

	e.add(t, 3, t0)
	e.serverSigns(t, t0.Add(time.Second)) // returns: nobody reads the pipe
	if !strings.Contains(logged.String(), "audit anchor") {
		t.Errorf("a pipe without a reader was not reported:\n%s", logged.String())
	}

	r, err := os.OpenFile(pipe, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	e.add(t, 1, t0.Add(2*time.Second))
	e.serverSigns(t, t0.Add(3*time.Second))
	buf := make([]byte, 4096)
	n, err := r.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "puente-audit-checkpoint v1 4 ") {
		t.Errorf("the partner read %q, %v; want the checkpoint of entry 4", buf[:n], err)
	}
}
