package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"puente/internal/audit"
	"puente/internal/secret"
	"puente/internal/store"
)

// Checkpoint timing. The server signs the log's end every interval when it
// has moved; verify fails for an entry left uncovered longer than the
// interval and the grace, which allows for a slow signing.
const (
	defaultCheckpointInterval = 2 * time.Second
	checkpointGrace           = 3 * time.Second
)

// checkpointFile is where signed checkpoints are kept, beside the database.
func checkpointFile(data string) string { return filepath.Join(data, "audit-checkpoints") }

// auditSigner derives the checkpoint signing key from the keyring's root,
// so it survives key rotation.
func auditSigner(kr *secret.Keyring) *audit.Signer {
	return audit.NewSigner(kr.Derive("audit-checkpoint"))
}

// errTampered says the log changed behind Puente's back since the last
// checkpoint, so the checkpointer refuses to sign it.
var errTampered = errors.New("the audit log was changed behind Puente's back")

// checkpointer signs the audit log's end and records the checkpoint in the
// database and the checkpoint file, in one step, and then in each anchor.
// It signs only a log it has just checked from the previous checkpoint on
// (keyed, linked, agreeing with that checkpoint), so that it never vouches
// for tampering. It is not safe for concurrent use.
type checkpointer struct {
	db      *store.DB
	signer  *audit.Signer
	key     []byte // the chain key
	file    string
	anchors []string
	log     *slog.Logger
	last    audit.Checkpoint // the newest checkpoint recorded; zero before the first
	refused string           // the last failure logged, so that it is logged once, not every tick
}

func newCheckpointer(db *store.DB, kr *secret.Keyring, data string, anchors []string, log *slog.Logger) *checkpointer {
	return &checkpointer{db: db, signer: auditSigner(kr), key: kr.Derive(audit.ChainKeyPurpose),
		file: checkpointFile(data), anchors: anchors, log: log}
}

// appendAndSign appends e to the audit log for a command run outside the
// server and signs the log's end at once, so that the entry does not wait
// for a server to sign it: none may be running.
func appendAndSign(ctx context.Context, db *store.DB, kr *secret.Keyring, data string, e *audit.Entry, errOut io.Writer) error {
	if err := db.AppendAudit(ctx, e); err != nil {
		return err
	}
	return signNow(ctx, db, kr, data, e.Action, errOut)
}

// signNow signs the log's end after a command wrote to it (what is
// named by done), so that its entries are covered by a checkpoint without
// waiting for a server to run.
func signNow(ctx context.Context, db *store.DB, kr *secret.Keyring, data, done string, errOut io.Writer) error {
	cp := newCheckpointer(db, kr, data, nil, slog.New(slog.NewTextHandler(errOut, nil)))
	if _, err := cp.start(ctx, time.Now(), false); err != nil {
		return fmt.Errorf("%s is done, but the audit log could not be signed: %w", done, err)
	}
	return nil
}

// start readies the checkpointer when a process opens the data (the
// server starting, "puente migrate", "puente audit checkpoint"), and signs
// what the log holds beyond the newest checkpoint: entries a crash left
// uncovered, or, on the first start after the chain was keyed, the unkeyed
// entries written before. It first brings the database up to date with the
// checkpoint file. With force it signs even if nothing moved. It returns
// the line it signed last, if any.
func (c *checkpointer) start(ctx context.Context, now time.Time, force bool) (string, error) {
	c.adopt(ctx)
	if err := c.resume(ctx); err != nil {
		return "", err
	}
	cp, rep, signed, err := c.sign(ctx, now, true, force)
	if err != nil || rep.Unkeyed == 0 {
		return line(cp, signed), err
	}
	// The entries just signed include unkeyed ones, trusted this once.
	// A keyed entry after them, signed at once, makes sure no unkeyed entry
	// appended later is ever trusted.
	e := &audit.Entry{At: now, Roles: "system", Action: "audit.chain_keyed", Decision: audit.Allow,
		Reason: fmt.Sprintf("unkeyed=%d", rep.Unkeyed), RequestID: "audit"}
	if err := c.db.AppendAudit(ctx, e); err != nil {
		return line(cp, signed), err
	}
	cp, _, signed, err = c.sign(ctx, now, false, false)
	return line(cp, signed), err
}

func line(cp audit.Checkpoint, signed bool) string {
	if !signed {
		return ""
	}
	return cp.Marshal()
}

// tick signs the log's end if it moved since the last checkpoint.
func (c *checkpointer) tick(ctx context.Context, now time.Time) error {
	_, _, _, err := c.sign(ctx, now, false, false)
	return err
}

// run calls tick every interval until ctx is done, logging a failure once
// until it changes. The returned function waits until it has stopped.
func (c *checkpointer) run(ctx context.Context, every time.Duration) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if err := c.tick(ctx, now); ctx.Err() == nil {
					c.report(err)
				}
			}
		}
	}()
	return func() { <-done }
}

// report logs err unless it was the last one logged.
func (c *checkpointer) report(err error) {
	switch {
	case err == nil:
		c.refused = ""
	case err.Error() != c.refused:
		c.refused = err.Error()
		c.log.Error("audit checkpoint", "err", err)
	}
}

// sign checks the entries from the last checkpoint on and signs the log's
// end: with trustUnkeyed, unkeyed entries not preceded by a keyed one pass
// the check; without force, it signs nothing when the end has not moved.
func (c *checkpointer) sign(ctx context.Context, now time.Time, trustUnkeyed, force bool) (audit.Checkpoint, audit.Report, bool, error) {
	from := max(c.last.Seq-1, 0)
	opts := audit.Options{Key: c.key, Resume: c.last, TrustUnkeyed: trustUnkeyed}
	rep, err := opts.Verify(c.db.AuditEntries(ctx, audit.Filter{AfterSeq: from}))
	if err != nil {
		return audit.Checkpoint{}, rep, false, fmt.Errorf("audit checkpoint: %w", err)
	}
	if !rep.OK() {
		return audit.Checkpoint{}, rep, false, fmt.Errorf("%w since the checkpoint of entry %d; not signing it: %s", errTampered, c.last.Seq, rep)
	}
	if rep.Entries == 0 || rep.Last.Seq == c.last.Seq && !force {
		return audit.Checkpoint{}, rep, false, nil
	}
	cp := c.signer.Sign(rep.Last, now)
	text := cp.Marshal()
	recorded, err := c.db.RecordAuditCheckpoint(ctx, cp, func() error { return appendLine(c.file, text, false) })
	if err != nil {
		return cp, rep, false, fmt.Errorf("audit checkpoint: %w", err)
	}
	if !recorded {
		// Another process signed a later entry meanwhile: go on from there.
		return cp, rep, false, c.resume(ctx)
	}
	c.last = cp
	for _, a := range c.anchors {
		if err := appendLine(a, text, true); err != nil {
			c.log.Error("audit anchor", "path", a, "err", err)
		}
	}
	return cp, rep, true, nil
}

// resume goes on from the newest checkpoint the database holds, if it is
// genuine.
func (c *checkpointer) resume(ctx context.Context) error {
	last, ok, err := c.db.LastAuditCheckpoint(ctx)
	if err != nil || !ok {
		return err
	}
	if err := last.VerifySignature(c.signer.Public()); err != nil {
		return fmt.Errorf("%w: the newest checkpoint in the database, for entry %d, is forged: %v", errTampered, last.Seq, err)
	}
	c.last = last
	return nil
}

// adopt brings the database up to date with the checkpoint file. A
// deployment from before checkpoints were kept in the database has them in
// the file only; and a crash between writing the file and committing can
// leave the file's newest checkpoint out of the database. Either way the
// checkpoints are genuine (signed by the deployment's key), so recording
// them hides nothing. A checkpoint missing from the database for any other
// reason is left for verify to report.
func (c *checkpointer) adopt(ctx context.Context) {
	newest, have, err := c.db.LastAuditCheckpoint(ctx)
	if err != nil {
		c.log.Error("audit checkpoints: read the newest", "err", err)
		return
	}
	src := &checkpointLines{path: c.file, optional: true}
	cps := src.all()
	if have {
		last, ok := lastCheckpointLine(c.file)
		if !ok || last.Seq < newest.Seq || !last.At.After(newest.At) {
			return
		}
		cps = func(yield func(audit.Checkpoint, error) bool) { yield(last, nil) }
	}
	n, err := c.db.ImportAuditCheckpoints(ctx, c.genuine(cps))
	switch {
	case err != nil:
		c.log.Error("audit checkpoints: record those of the checkpoint file", "path", c.file, "err", err)
	case n > 0 && have:
		c.log.Warn("audit checkpoints: recorded the checkpoint file's newest, which the database lacked after a crash", "seq", newest.Seq)
	case n > 0:
		c.log.Info("audit checkpoints: recorded those of the checkpoint file in the database", "count", n)
	}
}

// genuine leaves out the checkpoints the deployment's key did not sign.
func (c *checkpointer) genuine(cps iter.Seq2[audit.Checkpoint, error]) iter.Seq2[audit.Checkpoint, error] {
	return func(yield func(audit.Checkpoint, error) bool) {
		for cp, err := range cps {
			if err == nil && cp.VerifySignature(c.signer.Public()) != nil {
				continue
			}
			if !yield(cp, err) {
				return
			}
		}
	}
}

// appendLine appends text and a newline to the file at path, creating it
// private, and syncs it. For an anchor, which may be a named pipe to a
// partner, it does not wait for a reader: with none, it fails at once.
func appendLine(path, text string, anchor bool) error {
	flags := os.O_APPEND | os.O_CREATE | os.O_WRONLY
	if anchor {
		flags |= syscall.O_NONBLOCK
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteString(text + "\n"); err != nil {
		return err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return err
	}
	return f.Sync()
}

// checkpointLines is a file of checkpoints, one a line, read up to the size
// it had when marked, so that lines appended while it is read, which may
// vouch for entries the reading of the log did not see, are left out.
type checkpointLines struct {
	path     string
	optional bool  // a missing file holds no checkpoints, rather than being an error
	marked   bool  // read only size bytes, not all
	size     int64 // the size when marked
}

// mark notes the file's size now.
func (f *checkpointLines) mark() error {
	st, err := os.Stat(f.path)
	switch {
	case errors.Is(err, os.ErrNotExist) && f.optional:
		f.marked, f.size = true, 0
		return nil
	case err != nil:
		return err
	}
	f.marked, f.size = true, st.Size()
	return nil
}

// all yields the checkpoints in the file, in its order. A line that is not
// a checkpoint is an error that gives its number.
func (f *checkpointLines) all() iter.Seq2[audit.Checkpoint, error] {
	return func(yield func(audit.Checkpoint, error) bool) {
		file, err := os.Open(f.path)
		if errors.Is(err, os.ErrNotExist) && f.optional {
			return
		}
		if err != nil {
			yield(audit.Checkpoint{}, err)
			return
		}
		defer file.Close()
		var r io.Reader = file
		if f.marked {
			r = io.LimitReader(file, f.size)
		}
		sc := bufio.NewScanner(r)
		for n := 1; sc.Scan(); n++ {
			text := strings.TrimSpace(sc.Text())
			if text == "" {
				continue
			}
			c, err := audit.ParseCheckpoint(text)
			if err != nil {
				err = fmt.Errorf("line %d: %w", n, err)
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(audit.Checkpoint{}, err)
		}
	}
}

// lastCheckpointLine reads the newest checkpoint in the file at path from
// its last few kilobytes, without reading it all.
func lastCheckpointLine(path string) (audit.Checkpoint, bool) {
	f, err := os.Open(path)
	if err != nil {
		return audit.Checkpoint{}, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return audit.Checkpoint{}, false
	}
	buf := make([]byte, min(st.Size(), 4096))
	if _, err := f.ReadAt(buf, st.Size()-int64(len(buf))); err != nil {
		return audit.Checkpoint{}, false
	}
	buf = bytes.TrimRight(buf, " \r\n")
	c, err := audit.ParseCheckpoint(string(buf[bytes.LastIndexByte(buf, '\n')+1:]))
	return c, err == nil
}
