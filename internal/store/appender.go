package store

import (
	"context"
	"sync"
	"time"

	"puente/internal/audit"
)

// appender writes audit entries in batches: the entries of every read (see
// Read) that finished while the last batch was being written go in one
// transaction, so a hundred case pages cost one commit, not a hundred. A
// read returns only once its entries are written. On PostgreSQL it also
// chains the entries of writes, which wait in audit_pending meanwhile (see
// audit_pending.go), and sweeps up those a crash left there.
type appender struct {
	db   *DB
	reqs chan appendReq
	done chan struct{}
	once sync.Once
}

type appendReq struct {
	entries []*audit.Entry
	pending []int64 // the audit_pending rows of entries, for a write's
	result  chan error
}

// maxBatch bounds the entries one transaction writes.
const maxBatch = 512

func newAppender(db *DB) *appender {
	a := &appender{db: db, reqs: make(chan appendReq, maxBatch), done: make(chan struct{})}
	go a.run()
	return a
}

// append writes entries and returns once they are durable, or the error.
func (a *appender) append(ctx context.Context, entries []*audit.Entry) error {
	return a.send(entries, nil)
}

// appendPending chains a committed write's entries, whose audit_pending
// rows are pending, and returns once they are in the chain (or another
// server's sweep put them there).
func (a *appender) appendPending(entries []*audit.Entry, pending []int64) error {
	return a.send(entries, pending)
}

func (a *appender) send(entries []*audit.Entry, pending []int64) error {
	if len(entries) == 0 {
		return nil
	}
	req := appendReq{entries: entries, pending: pending, result: make(chan error, 1)}
	select {
	case a.reqs <- req:
	case <-a.done:
		return errClosed
	}
	// The entries are written even if the request is abandoned meanwhile:
	// the read happened.
	return <-req.result
}

func (a *appender) run() {
	var sweep <-chan time.Time
	if a.db.engine == Postgres {
		t := time.NewTicker(pendingGrace)
		defer t.Stop()
		sweep = t.C
	}
	for {
		var first appendReq
		select {
		case first = <-a.reqs:
		case now := <-sweep:
			if a.db.auditKey == nil {
				continue // nothing can be chained before UseKeyring
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			a.db.SweepPending(ctx, now.Add(-pendingGrace)) // what fails is tried again at the next tick
			cancel()
			continue
		case <-a.done:
			a.drain()
			return
		}
		batch := []appendReq{first}
		n := len(first.entries)
	more:
		for n < maxBatch {
			select {
			case r := <-a.reqs:
				batch = append(batch, r)
				n += len(r.entries)
			default:
				break more
			}
		}
		a.write(batch)
	}
}

// write appends a batch in one transaction; each request learns its fate.
func (a *appender) write(batch []appendReq) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := a.db.tx(ctx, func(q queryer) error {
		var ids []int64
		for _, r := range batch {
			ids = append(ids, r.pending...)
		}
		var claimed map[int64]bool
		if len(ids) > 0 {
			var err error
			if claimed, err = claimPending(ctx, q, ids); err != nil {
				return err
			}
		}
		var all []*audit.Entry
		for _, r := range batch {
			for i, e := range r.entries {
				// A write's entry that a sweep chained already is not
				// chained twice.
				if r.pending == nil || claimed[r.pending[i]] {
					all = append(all, e)
				}
			}
		}
		return a.db.appendAudit(ctx, q, all)
	})
	for _, r := range batch {
		r.result <- err
	}
}

// drain answers the requests still queued at Close.
func (a *appender) drain() {
	for {
		select {
		case r := <-a.reqs:
			a.write([]appendReq{r})
		default:
			return
		}
	}
}

func (a *appender) stop() {
	a.once.Do(func() { close(a.done) })
}
