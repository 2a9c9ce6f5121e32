package casework

import (
	"context"
	"slices"
	"strconv"
	"time"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/problem"
)

// ReferralStore is what the referral service needs from storage.
type ReferralStore interface {
	CaseAccess(ctx context.Context, id int64, now time.Time) (access.Resource, error)
	Case(ctx context.Context, id int64, classes []access.Class) (*Case, error)
	MoveCase(ctx context.Context, id int64, t Transition) error
	Consents(ctx context.Context, caseID int64) ([]Consent, error)
	RevokeConsent(ctx context.Context, caseID, consentID, by int64) error
	// CreateReferral stores r and, when not nil, the consent given with
	// it, in one transaction, and names the consent in r.
	CreateReferral(ctx context.Context, r *Referral, consent *Consent) error
	Referral(ctx context.Context, id int64) (*Referral, error)
	// SaveReferralMove stores the referral's status, reasons, outcome and
	// its newest event.
	SaveReferralMove(ctx context.Context, r *Referral) error
	Referrals(ctx context.Context, f ReferralFilter) ([]Referral, error)
	OverdueReferrals(ctx context.Context, now time.Time) ([]int64, error)
	AppendAudit(ctx context.Context, e *audit.Entry) error
}

// ReferralFilter selects referrals: those of one case, or an
// organization's incoming and outgoing ones, in some statuses (all when
// empty). Newest first.
type ReferralFilter struct {
	CaseID   int64
	OrgID    int64
	Incoming bool // sent to OrgID
	Outgoing bool // sent by OrgID
	Statuses []ReferralStatus
}

// Referrals is the one way into referrals: every call asks the access
// policy and leaves an entry in the audit log, as the case service does.
type Referrals struct {
	Store ReferralStore
	Now   func() time.Time
}

func referralRecord(id int64) string { return "referral:" + strconv.FormatInt(id, 10) }

func (s *Referrals) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// decide asks the policy about act on r, for the actor of rq, and records
// the decision. A party that may not act gets forbidden; anyone else not
// found, so that probing ids reveals nothing.
func (s *Referrals) decide(ctx context.Context, rq Request, act access.Action, r *Referral, note string) error {
	res, err := s.Store.CaseAccess(ctx, r.CaseID, s.now())
	if err != nil {
		return err
	}
	res.ToOrgID, res.Active = r.ToOrgID, r.Active(s.now())
	d := access.Decide(rq.Actor, act, res)
	rec := referralRecord(r.ID)
	if r.ID == 0 {
		rec = record(r.CaseID)
	}
	if err := s.Store.AppendAudit(ctx, rq.Entry(s.now(), act, rec, d, note)); err != nil {
		return err
	}
	switch {
	case d.Allowed:
		return nil
	case rq.Actor.OrgID == res.OrgID || (r.ID != 0 && rq.Actor.OrgID == r.ToOrgID):
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	return problem.New(problem.NotFound, "error.not_found")
}

// load reads a referral; a missing one is audited as a denied attempt.
func (s *Referrals) load(ctx context.Context, rq Request, act access.Action, id int64) (*Referral, error) {
	r, err := s.Store.Referral(ctx, id)
	if problem.Is(err, problem.NotFound) {
		if lerr := s.Store.AppendAudit(ctx, rq.Entry(s.now(), act, referralRecord(id), access.Decision{Reason: "no such referral"}, "")); lerr != nil {
			return nil, lerr
		}
	}
	return r, err
}

// Create records a referral of the case to a directory listing, from the
// actor's organization, and sends it unless draft is true. consent, when
// not nil, is what the survivor agrees to share with the receiving member
// organization: it is recorded with the referral and revoked with it.
// With no new consent, a consent the survivor already gave that
// organization for referrals or services is named instead; with none,
// the referral carries the needs and nothing of the case.
func (s *Referrals) Create(ctx context.Context, rq Request, r *Referral, consent *Consent, draft bool) error {
	r.ID, r.FromOrgID = 0, rq.Actor.OrgID
	note := "to org=" + strconv.FormatInt(r.ToOrgID, 10) + " listing=" + r.ServiceAtLocationID
	if err := s.decide(ctx, rq, access.ReferralSend, r, note); err != nil {
		return err
	}
	now := s.now()
	err := r.Normalize(now, Needs)
	if consent != nil {
		consent.CaseID, consent.OrgID, consent.Purpose, consent.From = r.CaseID, r.ToOrgID, "referral", now
		if r.ToOrgID == 0 {
			err = joinFields(err, "classes", "referral.consent_needs_member")
		} else if cerr := consent.Normalize(now); cerr != nil {
			err = joinErr(err, cerr)
		}
	}
	if err != nil {
		return err
	}
	if consent != nil {
		// Recording the consent is a decision of its own, by the same
		// policy as any consent on the case.
		note := "grant org=" + strconv.FormatInt(consent.OrgID, 10) + " " + classList(consent.Classes) + " with a referral"
		if err := s.decide(ctx, rq, access.ConsentEdit, r, note); err != nil {
			return err
		}
		consent.RecordedBy = rq.Actor.UserID
	} else if r.ToOrgID != 0 {
		if err := s.useConsent(ctx, r, now); err != nil {
			return err
		}
	}
	r.CreatedBy, r.CreatedAt, r.UpdatedAt = rq.Actor.UserID, now, now
	r.Events = []ReferralEvent{{To: RefDraft, By: rq.Actor.UserID, OrgID: rq.Actor.OrgID, At: now}}
	if err := s.Store.CreateReferral(ctx, r, consent); err != nil {
		return err
	}
	if draft {
		return nil
	}
	if err := s.Move(ctx, rq, r.ID, RefSent, "", ""); err != nil {
		return err
	}
	sent, err := s.Store.Referral(ctx, r.ID)
	if err != nil {
		return err
	}
	*r = *sent
	return nil
}

// useConsent names an active consent the survivor gave the receiving
// organization for a referral or for services.
func (s *Referrals) useConsent(ctx context.Context, r *Referral, now time.Time) error {
	cs, err := s.Store.Consents(ctx, r.CaseID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.OrgID == r.ToOrgID && c.Active(now) && (c.Purpose == "referral" || c.Purpose == "services") {
			r.ConsentID, r.Classes = c.ID, c.Classes
			return nil
		}
	}
	return nil
}

func joinFields(err error, field, key string) error {
	return joinErr(err, &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: field, Key: key}}})
}

// joinErr merges two validation errors into one, so a form shows every
// field at once.
func joinErr(a, b error) error {
	if a == nil {
		return b
	}
	pa, oka := a.(*problem.Error)
	pb, okb := b.(*problem.Error)
	if !oka || !okb {
		return a
	}
	pa.Fields = append(pa.Fields, pb.Fields...)
	return pa
}

// Get returns a referral to a party to it.
func (s *Referrals) Get(ctx context.Context, rq Request, id int64) (*Referral, error) {
	r, err := s.load(ctx, rq, access.ReferralRead, id)
	if err != nil {
		return nil, err
	}
	if err := s.decide(ctx, rq, access.ReferralRead, r, ""); err != nil {
		return nil, err
	}
	return r, nil
}

// Move moves a referral to status to, as the side the status belongs to:
// sending and revoking are the referring organization's, the rest the
// receiving one's (or, for a service outside Puente, the referrer's on its
// behalf). reason is a decline or revoke reason or an outcome; note the
// outcome in words.
//
// Sending moves the case to referred when its lifecycle allows. Revoking
// also revokes the consent recorded with the referral, so the receiving
// organization loses sight of the case at once.
func (s *Referrals) Move(ctx context.Context, rq Request, id int64, to ReferralStatus, reason, note string) error {
	act, side := access.ReferralRespond, Receiver
	if to == RefSent || to == RefRevoked {
		act, side = access.ReferralSend, Sender
	}
	r, err := s.load(ctx, rq, act, id)
	if err != nil {
		return err
	}
	if err := s.decide(ctx, rq, act, r, "to="+string(to)); err != nil {
		return err
	}
	if err := r.Move(to, side, rq.Actor.UserID, rq.Actor.OrgID, s.now(), reason, note); err != nil {
		return err
	}
	if err := s.Store.SaveReferralMove(ctx, r); err != nil {
		return err
	}
	switch to {
	case RefSent:
		return s.markReferred(ctx, rq, r)
	case RefRevoked:
		return s.revokeConsent(ctx, rq, r)
	}
	return nil
}

func (s *Referrals) markReferred(ctx context.Context, rq Request, r *Referral) error {
	c, err := s.Store.Case(ctx, r.CaseID, nil)
	if err != nil {
		return err
	}
	if !slices.Contains(Next(c.Status), Referred) {
		return nil
	}
	t := Transition{From: c.Status, To: Referred, By: rq.Actor.UserID, At: s.now()}
	if err := s.Store.MoveCase(ctx, r.CaseID, t); err != nil {
		return err
	}
	return s.Store.AppendAudit(ctx, rq.Entry(s.now(), access.CaseMove, record(r.CaseID),
		access.Decision{Allowed: true, Reason: "referral sent"}, "to=referred "+referralRecord(r.ID)))
}

func (s *Referrals) revokeConsent(ctx context.Context, rq Request, r *Referral) error {
	if r.ConsentID == 0 {
		return nil
	}
	cs, err := s.Store.Consents(ctx, r.CaseID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID != r.ConsentID || c.Purpose != "referral" || c.RevokedAt != nil {
			continue
		}
		if err := s.Store.RevokeConsent(ctx, r.CaseID, c.ID, rq.Actor.UserID); err != nil {
			return err
		}
		return s.Store.AppendAudit(ctx, rq.Entry(s.now(), access.ConsentEdit, record(r.CaseID),
			access.Decision{Allowed: true, Reason: "referral revoked"}, "revoke consent="+strconv.FormatInt(c.ID, 10)))
	}
	return nil
}

// Queue lists the actor organization's referrals: incoming, outgoing or
// both, in the statuses of f.
func (s *Referrals) Queue(ctx context.Context, rq Request, f ReferralFilter) ([]Referral, error) {
	d := access.Decide(rq.Actor, access.ReferralRead, access.Resource{})
	if !d.Allowed {
		if err := s.Store.AppendAudit(ctx, rq.Entry(s.now(), access.ReferralRead, "", d, "queue")); err != nil {
			return nil, err
		}
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	f.CaseID, f.OrgID = 0, rq.Actor.OrgID
	if !f.Incoming && !f.Outgoing {
		f.Incoming, f.Outgoing = true, true
	}
	out, err := s.Store.Referrals(ctx, f)
	if err != nil {
		return nil, err
	}
	return out, s.Store.AppendAudit(ctx, rq.Entry(s.now(), access.ReferralRead, "", d, "queue shown="+strconv.Itoa(len(out))))
}

// ForCase lists a case's referrals that the actor's organization is party
// to: all of them for the owner, only its own for a receiving one.
func (s *Referrals) ForCase(ctx context.Context, rq Request, caseID int64) ([]Referral, error) {
	rs, err := s.Store.Referrals(ctx, ReferralFilter{CaseID: caseID})
	if err != nil {
		return nil, err
	}
	res, err := s.Store.CaseAccess(ctx, caseID, s.now())
	if err != nil {
		return nil, err
	}
	var out []Referral
	for _, r := range rs {
		res.ToOrgID = r.ToOrgID
		if access.Allow(rq.Actor, access.ReferralRead, res) {
			out = append(out, r)
		}
	}
	d := access.Decision{Allowed: len(out) > 0, Reason: "referrals of the case"}
	return out, s.Store.AppendAudit(ctx, rq.Entry(s.now(), access.ReferralRead, record(caseID), d, "shown="+strconv.Itoa(len(out))))
}

// RevealLocation decides whether the actor may see the exact place of the
// referral's (confidential) location and records the decision: a vetted
// referrer or the receiving organization, while the referral is in force.
// The caller reads the location only after a nil error.
func (s *Referrals) RevealLocation(ctx context.Context, rq Request, id int64) (*Referral, error) {
	r, err := s.load(ctx, rq, access.LocationReveal, id)
	if err != nil {
		return nil, err
	}
	if r.LocationID == "" {
		return nil, problem.New(problem.NotFound, "error.not_found")
	}
	if err := s.decide(ctx, rq, access.LocationReveal, r, "dir_location:"+r.LocationID); err != nil {
		return nil, err
	}
	return r, nil
}

// expireAction names Puente's own move of an unanswered referral in the
// audit log.
const expireAction access.Action = "referral.expire"

// Expire moves every sent referral left unanswered past its time to
// expired, as Puente itself, and returns how many it moved.
func (s *Referrals) Expire(ctx context.Context) (int, error) {
	now := s.now()
	ids, err := s.Store.OverdueReferrals(ctx, now)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		r, err := s.Store.Referral(ctx, id)
		if err != nil {
			return i, err
		}
		if err := r.Move(RefExpired, System, 0, 0, now, "", ""); err != nil {
			return i, err
		}
		if err := s.Store.SaveReferralMove(ctx, r); err != nil {
			return i, err
		}
		e := Request{}.Entry(now, expireAction, referralRecord(id), access.Decision{Allowed: true, Reason: "no answer in time"}, "")
		if err := s.Store.AppendAudit(ctx, e); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
