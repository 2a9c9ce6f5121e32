package casework

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/problem"
	"puente/internal/text"
)

// Store is what the case service needs from storage.
type Store interface {
	CreateCase(ctx context.Context, c *Case) error
	Case(ctx context.Context, id int64, classes []access.Class) (*Case, error)
	UpdateCase(ctx context.Context, c *Case, classes []access.Class) error
	MoveCase(ctx context.Context, id int64, t Transition) error
	AssignCase(ctx context.Context, id int64, users []int64) error
	DeleteCase(ctx context.Context, id int64) error
	Cases(ctx context.Context, f Filter) ([]Summary, error)
	CaseAccess(ctx context.Context, id int64, now time.Time) (access.Resource, error)
	ConsentedCaseIDs(ctx context.Context, org int64, now time.Time) ([]int64, error)
	CreateConsent(ctx context.Context, c *Consent) error
	RevokeConsent(ctx context.Context, caseID, consentID, by int64) error
	Consents(ctx context.Context, caseID int64) ([]Consent, error)
	OpenGlass(ctx context.Context, caseID, userID int64, reason string, until time.Time) error
	AppendAudit(ctx context.Context, e *audit.Entry) error
}

// GlassDuration is how long an emergency access lasts: long enough to act
// on an emergency, short enough that it cannot become a way of working.
const GlassDuration = time.Hour

// Service is the one way into survivors' cases, for pages, the API and the
// command line alike: every call asks the access policy, and every call on
// a case, allowed or denied, leaves an entry in the audit log.
type Service struct {
	Store Store
	Now   func() time.Time
}

// Request carries who is asking and the request id that ties the audit
// entry to the server's log line.
type Request struct {
	Actor     access.Actor
	RequestID string
}

func record(id int64) string { return "case:" + strconv.FormatInt(id, 10) }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// check decides act on the case and records the decision. A denial of
// anything on another organization's case reads as not found, so guessing
// ids reveals nothing about which cases exist.
func (s *Service) check(ctx context.Context, rq Request, act access.Action, id int64, res access.Resource, note string) error {
	d := access.Decide(rq.Actor, act, res)
	if err := s.log(ctx, rq, act, id, d, note); err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	if res.OrgID != rq.Actor.OrgID {
		return problem.New(problem.NotFound, "error.not_found")
	}
	return problem.New(problem.Forbidden, "error.forbidden")
}

func (s *Service) log(ctx context.Context, rq Request, act access.Action, id int64, d access.Decision, note string) error {
	rec := ""
	if id != 0 {
		rec = record(id)
	}
	return s.Store.AppendAudit(ctx, rq.Entry(s.now(), act, rec, d, note))
}

// Entry builds the audit entry for a decision about a record made for the
// request: who, with which roles, for which organization, what, and why.
// note adds codes to the reason (classes read, a filter); never values.
func (rq Request) Entry(at time.Time, act access.Action, record string, d access.Decision, note string) *audit.Entry {
	decision := audit.Deny
	if d.Allowed {
		decision = audit.Allow
		if d.Reason == "break-the-glass" {
			decision = audit.BreakGlass
		}
	}
	reason := d.Reason
	if note != "" {
		reason += "; " + note
	}
	roles := make([]string, len(rq.Actor.Roles))
	for i, r := range rq.Actor.Roles {
		roles[i] = string(r)
	}
	return &audit.Entry{
		At: at, ActorID: rq.Actor.UserID, Roles: strings.Join(roles, ","), OrgID: rq.Actor.OrgID,
		Action: string(act), Record: record, Decision: decision, Reason: reason, RequestID: rq.RequestID,
	}
}

// resource loads what the policy needs; a missing case is audited as a
// denied attempt, so probing for ids shows up in the log.
func (s *Service) resource(ctx context.Context, rq Request, act access.Action, id int64) (access.Resource, error) {
	res, err := s.Store.CaseAccess(ctx, id, s.now())
	if problem.Is(err, problem.NotFound) {
		if lerr := s.log(ctx, rq, act, id, access.Decision{Reason: "no such case"}, ""); lerr != nil {
			return res, lerr
		}
	}
	return res, err
}

func classList(cs []access.Class) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return "classes=" + strings.Join(out, ",")
}

// Create records a new case owned by the actor's organization.
func (s *Service) Create(ctx context.Context, rq Request, c *Case) error {
	d := access.Decide(rq.Actor, access.CaseCreate, access.Resource{OrgID: rq.Actor.OrgID})
	if !d.Allowed {
		if err := s.log(ctx, rq, access.CaseCreate, 0, d, ""); err != nil {
			return err
		}
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	c.OrgID, c.CreatedBy, c.Status = rq.Actor.OrgID, rq.Actor.UserID, Identified
	if len(c.Assigned) == 0 && slices.Contains(rq.Actor.Roles, "caseworker") {
		c.Assigned = []int64{rq.Actor.UserID}
	}
	if err := s.Store.CreateCase(ctx, c); err != nil {
		return err
	}
	return s.log(ctx, rq, access.CaseCreate, c.ID, d, "")
}

// Get returns the case with only the classes the actor may read, and
// which classes those are.
func (s *Service) Get(ctx context.Context, rq Request, id int64) (*Case, []access.Class, error) {
	res, err := s.resource(ctx, rq, access.CaseRead, id)
	if err != nil {
		return nil, nil, err
	}
	visible := access.Visible(rq.Actor, res)
	if len(visible) == 0 {
		return nil, nil, s.check(ctx, rq, access.CaseRead, id, res, "")
	}
	res.Class = visible[len(visible)-1]
	d := access.Decide(rq.Actor, access.CaseRead, res)
	if err := s.log(ctx, rq, access.CaseRead, id, d, classList(visible)); err != nil {
		return nil, nil, err
	}
	c, err := s.Store.Case(ctx, id, visible)
	if err != nil {
		return nil, nil, err
	}
	return c, visible, nil
}

// Editable lists the classes of a case the actor may change.
func Editable(a access.Actor, res access.Resource) []access.Class {
	var out []access.Class
	for _, c := range access.Classes {
		res.Class = c
		if access.Allow(a, access.CaseUpdate, res) {
			out = append(out, c)
		}
	}
	return out
}

// EditableClasses returns the classes of a case the actor may change, or
// not found (audited) when there are none.
func (s *Service) EditableClasses(ctx context.Context, rq Request, id int64) ([]access.Class, error) {
	res, err := s.resource(ctx, rq, access.CaseUpdate, id)
	if err != nil {
		return nil, err
	}
	classes := Editable(rq.Actor, res)
	if len(classes) == 0 {
		return nil, s.check(ctx, rq, access.CaseUpdate, id, res, "")
	}
	return classes, nil
}

// Update saves the given classes of c; each must be one the actor may change.
func (s *Service) Update(ctx context.Context, rq Request, c *Case, classes []access.Class) error {
	res, err := s.resource(ctx, rq, access.CaseUpdate, c.ID)
	if err != nil {
		return err
	}
	for _, cl := range classes {
		res.Class = cl
		if err := s.check(ctx, rq, access.CaseUpdate, c.ID, res, classList([]access.Class{cl})); err != nil {
			return err
		}
	}
	return s.Store.UpdateCase(ctx, c, classes)
}

// Move changes the case's status.
func (s *Service) Move(ctx context.Context, rq Request, id int64, to Status, reason string) error {
	res, err := s.resource(ctx, rq, access.CaseMove, id)
	if err != nil {
		return err
	}
	if err := s.check(ctx, rq, access.CaseMove, id, res, "to="+string(to)); err != nil {
		return err
	}
	c, err := s.Store.Case(ctx, id, nil)
	if err != nil {
		return err
	}
	if err := c.Move(to, rq.Actor.UserID, s.now(), reason); err != nil {
		return err
	}
	return s.Store.MoveCase(ctx, id, c.Transitions[len(c.Transitions)-1])
}

// Assign replaces the case's caseworkers.
func (s *Service) Assign(ctx context.Context, rq Request, id int64, users []int64) error {
	res, err := s.resource(ctx, rq, access.CaseAssign, id)
	if err != nil {
		return err
	}
	if err := s.check(ctx, rq, access.CaseAssign, id, res, ""); err != nil {
		return err
	}
	return s.Store.AssignCase(ctx, id, users)
}

// Delete destroys the survivor's data for good (see Store.DeleteCase).
func (s *Service) Delete(ctx context.Context, rq Request, id int64) error {
	res, err := s.resource(ctx, rq, access.CaseDelete, id)
	if err != nil {
		return err
	}
	if err := s.check(ctx, rq, access.CaseDelete, id, res, ""); err != nil {
		return err
	}
	return s.Store.DeleteCase(ctx, id)
}

// List returns the cases the actor may see: their organization's, when
// their role lists cases, and other organizations' cases the survivor
// consented to share with them.
func (s *Service) List(ctx context.Context, rq Request, f Filter) ([]Summary, error) {
	var out []Summary
	own := access.Decide(rq.Actor, access.CaseList, access.Resource{OrgID: rq.Actor.OrgID})
	if own.Allowed {
		f.OrgID, f.IDs = rq.Actor.OrgID, nil
		list, err := s.Store.Cases(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	ids, err := s.Store.ConsentedCaseIDs(ctx, rq.Actor.OrgID, s.now())
	if err != nil {
		return nil, err
	}
	var shared []int64
	for _, id := range ids {
		res, err := s.Store.CaseAccess(ctx, id, s.now())
		if err != nil {
			return nil, err
		}
		if access.Allow(rq.Actor, access.CaseList, res) {
			shared = append(shared, id)
		}
	}
	if len(shared) > 0 {
		f.OrgID, f.IDs = 0, shared
		list, err := s.Store.Cases(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, sm := range list {
			res, _ := s.Store.CaseAccess(ctx, sm.ID, s.now())
			if !slices.Contains(access.Visible(rq.Actor, res), access.NonIdentifying) {
				sm.Profile = Profile{}
			}
			out = append(out, sm)
		}
	}
	if err := s.log(ctx, rq, access.CaseList, 0, access.Decision{Allowed: own.Allowed || len(shared) > 0, Reason: "list"}, "shown="+strconv.Itoa(len(out))); err != nil {
		return nil, err
	}
	return out, nil
}

// AddConsent records the survivor's consent to share with another organization.
func (s *Service) AddConsent(ctx context.Context, rq Request, k *Consent) error {
	res, err := s.resource(ctx, rq, access.ConsentEdit, k.CaseID)
	if err != nil {
		return err
	}
	if err := s.check(ctx, rq, access.ConsentEdit, k.CaseID, res, "grant org="+strconv.FormatInt(k.OrgID, 10)+" "+classList(k.Classes)); err != nil {
		return err
	}
	k.RecordedBy = rq.Actor.UserID
	return s.Store.CreateConsent(ctx, k)
}

// RevokeConsent ends a consent with immediate effect.
func (s *Service) RevokeConsent(ctx context.Context, rq Request, caseID, consentID int64) error {
	res, err := s.resource(ctx, rq, access.ConsentEdit, caseID)
	if err != nil {
		return err
	}
	if err := s.check(ctx, rq, access.ConsentEdit, caseID, res, "revoke consent="+strconv.FormatInt(consentID, 10)); err != nil {
		return err
	}
	return s.Store.RevokeConsent(ctx, caseID, consentID, rq.Actor.UserID)
}

// Consents lists a case's consents for those who may edit them.
func (s *Service) Consents(ctx context.Context, rq Request, caseID int64) ([]Consent, error) {
	res, err := s.resource(ctx, rq, access.ConsentEdit, caseID)
	if err != nil {
		return nil, err
	}
	if err := s.check(ctx, rq, access.ConsentEdit, caseID, res, "read consents"); err != nil {
		return nil, err
	}
	return s.Store.Consents(ctx, caseID)
}

// BreakGlass opens another organization's case to a supervisor in an
// emergency, for GlassDuration, with a reason the owning organization will
// read. It returns when the access ends.
func (s *Service) BreakGlass(ctx context.Context, rq Request, id int64, reason string) (time.Time, error) {
	reason, key := text.CleanMultiline(reason, 1000)
	if key == "" && len([]rune(reason)) < 10 {
		key = "case.glass_reason_required"
	}
	if key != "" {
		return time.Time{}, &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "reason", Key: key}}}
	}
	res, err := s.resource(ctx, rq, access.BreakGlass, id)
	if err != nil {
		return time.Time{}, err
	}
	d := access.Decide(rq.Actor, access.BreakGlass, res)
	if !d.Allowed {
		if err := s.log(ctx, rq, access.BreakGlass, id, d, ""); err != nil {
			return time.Time{}, err
		}
		return time.Time{}, problem.New(problem.Forbidden, "error.forbidden")
	}
	until := s.now().Add(GlassDuration)
	if err := s.Store.OpenGlass(ctx, id, rq.Actor.UserID, reason, until); err != nil {
		return time.Time{}, err
	}
	return until, s.log(ctx, rq, access.BreakGlass, id, access.Decision{Allowed: true, Reason: "break-the-glass"}, "opened")
}
