package store

import (
	"context"
	"sync"
	"time"

	"puente/internal/audit"
)

// appender writes the audit entries of reads (see Read) in batches: the
// entries of every read that finished while the last batch was being
// written go in one transaction, so a hundred case pages cost one commit,
// not a hundred. A read returns only once its entries are written.
type appender struct {
	db   *DB
	reqs chan appendReq
	done chan struct{}
	once sync.Once
}

type appendReq struct {
	entries []*audit.Entry
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
	if len(entries) == 0 {
		return nil
	}
	req := appendReq{entries: entries, result: make(chan error, 1)}
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
	for {
		var first appendReq
		select {
		case first = <-a.reqs:
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
	var all []*audit.Entry
	for _, r := range batch {
		all = append(all, r.entries...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := a.db.tx(ctx, func(q queryer) error { return a.db.appendAudit(ctx, q, all) })
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
