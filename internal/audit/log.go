package audit

import (
	"context"
	"iter"
	"time"

	"puente/internal/access"
	"puente/internal/problem"
)

// LogStore is what reading the audit log needs from storage.
type LogStore interface {
	AppendAudit(ctx context.Context, e *Entry) error
	AuditEntries(ctx context.Context, f Filter) iter.Seq2[Entry, error]
	AuditPage(ctx context.Context, f Filter, beforeSeq int64, limit int) ([]Entry, error)
}

// Log is the audit log as administrators read it, and where refusals made
// before any service is reached (at a route) are recorded.
type Log struct {
	Store LogStore
	Key   []byte // the chain key (ChainKeyPurpose), to check the keyed chain
	Now   func() time.Time
}

func (l *Log) now() time.Time {
	if l.Now == nil {
		return time.Now().UTC()
	}
	return l.Now().UTC()
}

// Opened records that the actor opens the log, with note saying how (the
// filter, in codes: never text someone typed), before anything of it is
// shown: reading the log is itself audited, and the page fails if that
// record cannot be written. Only administrators may.
func (l *Log) Opened(ctx context.Context, rq access.Request, note string) error {
	d := access.Decide(rq.Actor, access.AuditRead, access.Resource{})
	if err := l.Store.AppendAudit(ctx, Of(rq, l.now(), access.AuditRead, "", d, note)); err != nil {
		return err
	}
	if !d.Allowed {
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	return nil
}

// Page returns up to limit entries matching f before seq before (0 for the
// newest), newest first, for an administrator who Opened the log.
func (l *Log) Page(ctx context.Context, rq access.Request, f Filter, before int64, limit int) ([]Entry, error) {
	if !access.Allow(rq.Actor, access.AuditRead, access.Resource{}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	return l.Store.AuditPage(ctx, f, before, limit)
}

// Check verifies the whole keyed chain, for an administrator. Checkpoints
// live outside the database, with the command line (puente audit verify):
// this checks the chain alone.
func (l *Log) Check(ctx context.Context, rq access.Request) (Report, error) {
	if !access.Allow(rq.Actor, access.AuditRead, access.Resource{}) {
		return Report{}, problem.New(problem.Forbidden, "error.forbidden")
	}
	return Options{Key: l.Key}.Verify(l.Store.AuditEntries(ctx, Filter{}))
}

// Refused records a refusal made at a route, before any service was
// reached: someone reaching for survivors' data or the log.
func (l *Log) Refused(ctx context.Context, rq access.Request, act access.Action, record string, d access.Decision) error {
	d.Reason = "route: " + d.Reason
	return l.Store.AppendAudit(ctx, Of(rq, l.now(), act, record, d, ""))
}
