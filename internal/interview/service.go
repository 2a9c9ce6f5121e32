package interview

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"time"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/casework"
	"puente/internal/keyset"
	"puente/internal/problem"
	"puente/internal/screening"
)

// Summary is a line of the screenings list: no answers, no notes.
type Summary struct {
	ID        int64
	CreatedBy int64
	CaseID    *int64
	Status    Status
	Form      string
	Labels    map[screening.Jurisdiction]screening.Label
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Label is the determination under jurisdiction j ("us", "mx", "un"), or
// "" when there is none yet. Templates call it with a plain string, which
// indexing Labels cannot take.
func (s Summary) Label(j string) screening.Label {
	return s.Labels[screening.Jurisdiction(j)]
}

// Store is what the interview service needs from storage.
type Store interface {
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
	Read(ctx context.Context, fn func(ctx context.Context) error) error
	CreateScreening(ctx context.Context, r *Record) error
	Screening(ctx context.Context, id int64) (*Record, error)
	SaveScreening(ctx context.Context, r *Record) error
	Screenings(ctx context.Context, org, createdBy int64, after keyset.Cursor, limit int) ([]Summary, error)
	CaseAccess(ctx context.Context, id int64, now time.Time) (access.Resource, error)
	Case(ctx context.Context, id int64, classes []access.Class) (*casework.Case, error)
	AppendAudit(ctx context.Context, e *audit.Entry) error
}

// Service is the one way to stored screenings. Each call is one
// transaction with its audit entry, as the case service's are.
type Service struct {
	Store    Store
	Protocol *screening.Protocol
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func record(id int64) string { return "screening:" + strconv.FormatInt(id, 10) }

func (s *Service) log(ctx context.Context, rq casework.Request, act access.Action, id int64, d access.Decision, note string) error {
	rec := ""
	if id != 0 {
		rec = record(id)
	}
	return s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), act, rec, d, note))
}

// load fetches a screening and checks act on it; a refusal is audited and
// reads as not found outside the organization.
func (s *Service) load(ctx context.Context, rq casework.Request, act access.Action, id int64) (*Record, error) {
	r, err := s.Store.Screening(ctx, id)
	if problem.Is(err, problem.NotFound) {
		if lerr := s.log(ctx, rq, act, id, access.Decision{Reason: "no such screening"}, ""); lerr != nil {
			return nil, lerr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	d := access.Decide(rq.Actor, act, access.Resource{OrgID: r.OrgID, Creator: r.CreatedBy, Now: s.now()})
	if err := s.log(ctx, rq, act, id, d, ""); err != nil {
		return nil, err
	}
	if !d.Allowed {
		if r.OrgID != rq.Actor.OrgID {
			return nil, problem.New(problem.NotFound, "error.not_found")
		}
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	return r, nil
}

// Start opens a new interview for the actor's organization.
func (s *Service) Start(ctx context.Context, rq casework.Request, r *Record) error {
	r.OrgID, r.CreatedBy, r.Status = rq.Actor.OrgID, rq.Actor.UserID, InProgress
	r.ProtocolVersion = s.Protocol.Version()
	if err := r.Normalize(); err != nil {
		return err
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		d := access.Decide(rq.Actor, access.ScreeningRun, access.Resource{OrgID: rq.Actor.OrgID, Now: s.now()})
		if !d.Allowed {
			if err := s.log(ctx, rq, access.ScreeningRun, 0, d, "start"); err != nil {
				return err
			}
			return problem.New(problem.Forbidden, "error.forbidden")
		}
		if err := s.Store.CreateScreening(ctx, r); err != nil {
			return err
		}
		return s.log(ctx, rq, access.ScreeningRun, r.ID, d, "start")
	})
}

// in runs fn on the screening id, loaded and decided for act, in one
// transaction, and returns the record fn left.
func (s *Service) in(ctx context.Context, rq casework.Request, act access.Action, id int64, fn func(ctx context.Context, r *Record) error) (*Record, error) {
	var out *Record
	err := s.Store.Atomic(ctx, func(ctx context.Context) error {
		r, err := s.load(ctx, rq, act, id)
		if err != nil {
			return err
		}
		out = r
		return fn(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Get returns a stored screening.
func (s *Service) Get(ctx context.Context, rq casework.Request, id int64) (rec *Record, err error) {
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		rec, err = s.load(ctx, rq, access.ScreeningRead, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// Answer records answers (merged over the earlier ones) and, when notes is
// not nil, the interviewer's notes. Every indicator id and value is checked
// against the protocol: nothing unknown is stored.
func (s *Service) Answer(ctx context.Context, rq casework.Request, id int64, answers screening.Answers, notes *string, age *int) (*Record, error) {
	return s.in(ctx, rq, access.ScreeningRun, id, func(ctx context.Context, r *Record) error {
		return s.answer(ctx, r, answers, notes, age)
	})
}

func (s *Service) answer(ctx context.Context, r *Record, answers screening.Answers, notes *string, age *int) error {
	merged := maps.Clone(r.Answers)
	if merged == nil {
		merged = screening.Answers{}
	}
	maps.Copy(merged, answers)
	if err := s.Protocol.Validate(screening.Input{Age: age, Answers: merged}); err != nil {
		return AnswersProblem(err)
	}
	r.Answers = merged
	if notes != nil {
		r.Notes = *notes
	}
	if age != nil {
		r.Age = age
	}
	if r.Status == Completed {
		// A change after the result reopens it: the old determination no
		// longer matches the answers.
		r.Status, r.Results, r.CompletedAt = InProgress, nil, nil
	}
	if err := r.Normalize(); err != nil {
		return err
	}
	return s.Store.SaveScreening(ctx, r)
}

// Complete evaluates the answers under every jurisdiction and stores the
// result with the protocol version it was reached under.
func (s *Service) Complete(ctx context.Context, rq casework.Request, id int64) (*Record, error) {
	return s.in(ctx, rq, access.ScreeningRun, id, func(ctx context.Context, r *Record) error {
		results, err := s.Protocol.EvaluateAll(r.Input(), screening.Jurisdictions...)
		if err != nil {
			return AnswersProblem(err)
		}
		now := s.now()
		r.Results, r.Status, r.CompletedAt, r.ProtocolVersion = results, Completed, &now, s.Protocol.Version()
		return s.Store.SaveScreening(ctx, r)
	})
}

// Attach links the screening to a case of the same organization that the
// actor may write to.
func (s *Service) Attach(ctx context.Context, rq casework.Request, id, caseID int64) (*Record, error) {
	unknown := &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "case_id", Key: "screening.case_unknown"}}}
	return s.in(ctx, rq, access.ScreeningRun, id, func(ctx context.Context, r *Record) error {
		res, err := s.Store.CaseAccess(ctx, caseID, s.now())
		if problem.Is(err, problem.NotFound) {
			return unknown
		} else if err != nil {
			return err
		}
		res.Class = access.Narrative
		if res.OrgID != r.OrgID || !access.Allow(rq.Actor, access.CaseUpdate, res) {
			return unknown
		}
		r.CaseID = &caseID
		if err := s.Store.SaveScreening(ctx, r); err != nil {
			return err
		}
		return s.log(ctx, rq, access.ScreeningRun, id, access.Decision{Allowed: true, Reason: "attach"}, "case="+strconv.FormatInt(caseID, 10))
	})
}

// LinkNewCase attaches the screening to a case the actor has just opened
// from it. A screener may open a case but not write to one afterwards, so
// this checks authorship of the new case instead of write access.
func (s *Service) LinkNewCase(ctx context.Context, rq casework.Request, id, caseID int64) (*Record, error) {
	return s.in(ctx, rq, access.ScreeningRun, id, func(ctx context.Context, r *Record) error {
		c, err := s.Store.Case(ctx, caseID, nil)
		if err != nil {
			return err
		}
		if c.OrgID != r.OrgID || c.CreatedBy != rq.Actor.UserID {
			return problem.New(problem.Forbidden, "error.forbidden")
		}
		r.CaseID = &caseID
		if err := s.Store.SaveScreening(ctx, r); err != nil {
			return err
		}
		return s.log(ctx, rq, access.ScreeningRun, id, access.Decision{Allowed: true, Reason: "opened case"}, "case="+strconv.FormatInt(caseID, 10))
	})
}

// PageSize is how many screenings a list shows at once.
const PageSize = 50

// Page is one page of a list of screenings, newest first; Next is where
// the following page starts, zero on the last.
type Page struct {
	Screenings []Summary
	Next       keyset.Cursor
}

// List returns a page of the organization's screenings for a supervisor
// and of the actor's own otherwise, starting after the cursor after (from
// the newest when it is zero).
func (s *Service) List(ctx context.Context, rq casework.Request, after keyset.Cursor) (Page, error) {
	d := access.Decide(rq.Actor, access.ScreeningRead, access.Resource{})
	if !d.Allowed {
		return Page{}, problem.New(problem.Forbidden, "error.forbidden")
	}
	by := rq.Actor.UserID
	if access.Allow(rq.Actor, access.ScreeningRead, access.Resource{OrgID: rq.Actor.OrgID, Creator: -1}) {
		by = 0 // may read everyone's: a supervisor
	}
	list, err := s.Store.Screenings(ctx, rq.Actor.OrgID, by, after, PageSize+1)
	if err != nil {
		return Page{}, err
	}
	p := Page{Screenings: list}
	if len(list) > PageSize {
		p.Screenings = list[:PageSize]
		last := p.Screenings[PageSize-1]
		p.Next = keyset.Of(last.UpdatedAt, last.ID)
	}
	return p, nil
}

// AnswersProblem turns the engine's validation error into Puente's error
// vocabulary, one field per bad answer, named "answers.<id>" (or "age"),
// so pages and the API say exactly which id is wrong.
func AnswersProblem(err error) error {
	var ve *screening.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	pe := &problem.Error{Kind: problem.Invalid, Key: "screening.bad_answers", Err: err}
	for _, p := range ve.Problems {
		field := "answers." + p.ID
		if p.ID == "age" || p.ID == "jurisdiction" {
			field = p.ID
		}
		pe.Fields = append(pe.Fields, problem.FieldError{Field: field, Key: "screening." + p.Reason})
	}
	return pe
}
