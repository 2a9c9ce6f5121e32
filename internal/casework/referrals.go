package casework

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/directory"
	"puente/internal/htcds"
	"puente/internal/keyset"
	"puente/internal/problem"
)

// ReferralStore is what the referral service needs from storage.
type ReferralStore interface {
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
	Read(ctx context.Context, fn func(ctx context.Context) error) error
	CaseAccess(ctx context.Context, id int64, now time.Time) (access.Resource, error)
	Case(ctx context.Context, id int64, classes []access.Class) (*Case, error)
	MoveCase(ctx context.Context, id int64, t Transition) error
	Consents(ctx context.Context, caseID int64) ([]Consent, error)
	RevokeConsent(ctx context.Context, caseID, consentID, by int64) error
	// CreateReferral stores r and, when not nil, the consent given with
	// it, and names the consent in r.
	CreateReferral(ctx context.Context, r *Referral, consent *Consent) error
	Referral(ctx context.Context, id int64) (*Referral, error)
	// SaveReferralMove stores the referral's status, reasons, outcome and
	// its newest event.
	SaveReferralMove(ctx context.Context, r *Referral) error
	Referrals(ctx context.Context, f ReferralFilter) ([]Referral, error)
	OverdueReferrals(ctx context.Context, now time.Time) ([]int64, error)
	// PlaceCustodian is the member organization whose staff may read a
	// confidential place (0 for none), and whether the place is
	// confidential at all.
	PlaceCustodian(ctx context.Context, locationID string) (custodian int64, confidential bool, err error)
	// ConfidentialLocation opens a place in full; RecordReveal notes who
	// opened it through which referral, for the place's own staff to see.
	ConfidentialLocation(ctx context.Context, id string) (*directory.Location, error)
	RecordReveal(ctx context.Context, rv Reveal) error
	Reveals(ctx context.Context, referralID int64) ([]Reveal, error)
	// ReferralCounts counts the referrals sent to org: waiting for its
	// answer (sent, not overdue at now), and accepted or in service.
	ReferralCounts(ctx context.Context, org int64, now time.Time) (waiting, working int, err error)
	AppendAudit(ctx context.Context, e *audit.Entry) error
}

// Reveal is one opening of a confidential address through a referral.
type Reveal struct {
	LocationID string
	ReferralID int64
	UserID     int64
	OrgID      int64
	At         time.Time
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
	// After is where the previous page ended; Limit the page size
	// (PageSize when zero, never more than MaxPage). A case's own
	// referrals (CaseID) come in one list.
	After keyset.Cursor
	Limit int
}

// ReferralPage is one page of a referral queue, newest first, and where
// the next one starts (zero when this is the last).
type ReferralPage struct {
	Referrals []Referral
	Next      keyset.Cursor
}

// Referrals is the one way into referrals: every call runs in one
// transaction that asks the access policy and leaves its audit entry, as
// the case service's calls do.
type Referrals struct {
	Store ReferralStore
	Now   func() time.Time
	// Reveals throttles the opening of confidential addresses per person;
	// nil uses RevealBurst and RevealEvery.
	Reveals Limiter

	once sync.Once
}

// How often one person may open confidential addresses: a caseworker takes
// one or two people to a shelter in a day; someone collecting addresses
// would need many.
const (
	RevealBurst = 5
	RevealEvery = time.Hour
)

func referralRecord(id int64) string { return "referral:" + strconv.FormatInt(id, 10) }

func (s *Referrals) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// resource is what the policy needs to decide act on r.
func (s *Referrals) resource(ctx context.Context, r *Referral) (access.Resource, error) {
	res, err := s.Store.CaseAccess(ctx, r.CaseID, s.now())
	if err != nil {
		return res, err
	}
	res.ToOrgID, res.Active, res.Accepted = r.ToOrgID, r.Active(s.now()), r.Accepted()
	return res, nil
}

// decide asks the policy about act on r, for the actor of rq, and records
// the decision. A party that may not act gets forbidden; anyone else not
// found, so that probing ids reveals nothing.
func (s *Referrals) decide(ctx context.Context, rq Request, act access.Action, r *Referral, note string) error {
	res, err := s.resource(ctx, r)
	if err != nil {
		return err
	}
	return s.decideOn(ctx, rq, act, r, res, note)
}

func (s *Referrals) decideOn(ctx context.Context, rq Request, act access.Action, r *Referral, res access.Resource, note string) error {
	d := access.Decide(rq.Actor, act, res)
	rec := referralRecord(r.ID)
	if r.ID == 0 {
		rec = record(r.CaseID)
	}
	if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), act, rec, d, note)); err != nil {
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
		if lerr := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), act, referralRecord(id), access.Decision{Reason: "no such referral"}, "")); lerr != nil {
			return nil, lerr
		}
	}
	return r, err
}

// Create records a referral of the case to a directory listing, from the
// actor's organization, and sends it unless draft is true. consent, when
// not nil, is what the survivor agrees to share with the receiving member
// organization: it is recorded with the referral and ends with it.
// With no new consent, a consent the survivor already gave that
// organization for referrals or services is named instead; with none,
// the referral carries the needs and nothing of the case.
func (s *Referrals) Create(ctx context.Context, rq Request, r *Referral, consent *Consent, draft bool) error {
	r.ID, r.FromOrgID, r.OwnConsent = 0, rq.Actor.OrgID, false
	now := s.now()
	err := r.Normalize(now, htcds.Needs)
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
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.decide(ctx, rq, access.ReferralSend, r, "to org="+strconv.FormatInt(r.ToOrgID, 10)); err != nil {
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
	})
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
func (s *Referrals) Get(ctx context.Context, rq Request, id int64) (r *Referral, err error) {
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		if r, err = s.load(ctx, rq, access.ReferralRead, id); err != nil {
			return err
		}
		return s.decide(ctx, rq, access.ReferralRead, r, "")
	})
	if err != nil {
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
// Sending moves the case to referred when its lifecycle allows. A referral
// that ends (declined, completed, revoked) ends the consent given with it,
// so the receiving organization loses sight of the case at once.
func (s *Referrals) Move(ctx context.Context, rq Request, id int64, to ReferralStatus, reason, note string) error {
	if !slices.Contains(ReferralStatuses, to) {
		return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "to", Key: "field.choose_one"}}}
	}
	act, side := access.ReferralRespond, Receiver
	if to == RefSent || to == RefRevoked {
		act, side = access.ReferralSend, Sender
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
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
		if to == RefSent {
			return s.markReferred(ctx, rq, r)
		}
		return s.endConsent(ctx, rq, r)
	})
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
	return s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.CaseMove, record(r.CaseID),
		access.Decision{Allowed: true, Reason: "referral sent"}, "to=referred "+referralRecord(r.ID)))
}

// endConsent revokes, once the referral has ended, the consent that was
// given with it. A consent the survivor gave apart from the referral,
// which it merely named, stays.
func (s *Referrals) endConsent(ctx context.Context, rq Request, r *Referral) error {
	if !r.Ended() || r.ConsentID == 0 || !r.OwnConsent {
		return nil
	}
	cs, err := s.Store.Consents(ctx, r.CaseID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID != r.ConsentID || c.RevokedAt != nil {
			continue
		}
		if err := s.Store.RevokeConsent(ctx, r.CaseID, c.ID, rq.Actor.UserID); err != nil {
			return err
		}
		return s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.ConsentEdit, record(r.CaseID),
			access.Decision{Allowed: true, Reason: "referral " + string(r.Status)}, "revoke consent="+strconv.FormatInt(c.ID, 10)))
	}
	return nil
}

// Queue lists the actor organization's referrals: incoming, outgoing or
// both, in the statuses of f.
func (s *Referrals) Queue(ctx context.Context, rq Request, f ReferralFilter) (page ReferralPage, err error) {
	for _, st := range f.Statuses {
		if !slices.Contains(ReferralStatuses, st) {
			return page, &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "status", Key: "field.choose_one"}}}
		}
	}
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		d := access.Decide(rq.Actor, access.ReferralRead, access.Resource{})
		if !d.Allowed {
			if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.ReferralRead, "", d, "queue")); err != nil {
				return err
			}
			return problem.New(problem.Forbidden, "error.forbidden")
		}
		f.CaseID, f.OrgID = 0, rq.Actor.OrgID
		if !f.Incoming && !f.Outgoing {
			f.Incoming, f.Outgoing = true, true
		}
		f.Limit = Filter{Limit: f.Limit}.PageLimit()
		out, err := s.Store.Referrals(ctx, f)
		if err != nil {
			return err
		}
		page = ReferralPage{Referrals: out}
		if len(out) > f.Limit {
			last := out[f.Limit-1]
			page = ReferralPage{Referrals: out[:f.Limit:f.Limit], Next: keyset.Of(last.UpdatedAt, last.ID)}
		}
		return s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.ReferralRead, "", d, "queue shown="+strconv.Itoa(len(page.Referrals))))
	})
	return page, err
}

// ForCase lists a case's referrals that the actor's organization is party
// to: all of them for the owner, only its own for a receiving one. A case
// with none to show leaves no entry: nothing was read, and nothing refused.
func (s *Referrals) ForCase(ctx context.Context, rq Request, caseID int64) (out []Referral, err error) {
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		rs, err := s.Store.Referrals(ctx, ReferralFilter{CaseID: caseID})
		if err != nil || len(rs) == 0 {
			return err
		}
		res, err := s.Store.CaseAccess(ctx, caseID, s.now())
		if err != nil {
			return err
		}
		if out = partyTo(rq.Actor, res, rs); len(out) == 0 {
			return nil
		}
		d := access.Decision{Allowed: true, Reason: "party to the referrals of the case"}
		return s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.ReferralRead, record(caseID), d, "shown="+strconv.Itoa(len(out))))
	})
	return out, err
}

// partyTo returns the referrals among rs, all of the case res describes,
// that a may read: all of them for the owner, its own for a receiver.
func partyTo(a access.Actor, res access.Resource, rs []Referral) []Referral {
	var out []Referral
	for _, r := range rs {
		res.ToOrgID = r.ToOrgID
		if access.Allow(a, access.ReferralRead, res) {
			out = append(out, r)
		}
	}
	return out
}

// PlaceAccess is what a party to a referral may do about its place: whether
// it is confidential, and whether the actor may open it.
type PlaceAccess struct {
	Confidential bool
	CanReveal    bool
}

// Place says whether the referral's place is confidential and whether the
// actor could open it, without opening it; Get has already recorded the
// reading of the referral.
func (s *Referrals) Place(ctx context.Context, rq Request, r *Referral) (pa PlaceAccess, err error) {
	if r.LocationID == "" {
		return pa, nil
	}
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		custodian, confidential, err := s.Store.PlaceCustodian(ctx, r.LocationID)
		if problem.Is(err, problem.NotFound) {
			return nil // the place left the directory since
		} else if err != nil || !confidential {
			return err
		}
		res, err := s.resource(ctx, r)
		if err != nil {
			return err
		}
		res.Custodian = access.PlaceOf(custodian).Custodian
		pa = PlaceAccess{Confidential: true, CanReveal: access.Allow(rq.Actor, access.LocationReveal, res)}
		return nil
	})
	return pa, err
}

// RevealLocation opens the exact place of the referral's confidential
// location for the actor, if the policy lets them (see access.PlaceOf and
// decideReveal): the place's own staff, or the case's assigned caseworker
// once the receiving organization has accepted. Each opening is audited,
// throttled per person, and recorded for the place's staff to see.
func (s *Referrals) RevealLocation(ctx context.Context, rq Request, id int64) (loc *directory.Location, err error) {
	s.once.Do(func() {
		if s.Reveals == nil {
			s.Reveals = auth.NewThrottle(RevealBurst, RevealEvery)
		}
	})
	err = s.Store.Atomic(ctx, func(ctx context.Context) error {
		r, err := s.load(ctx, rq, access.LocationReveal, id)
		if err != nil {
			return err
		}
		if r.LocationID == "" {
			return problem.New(problem.NotFound, "error.not_found")
		}
		custodian, confidential, err := s.Store.PlaceCustodian(ctx, r.LocationID)
		if err != nil {
			return err
		}
		if !confidential {
			return problem.New(problem.NotFound, "error.not_found")
		}
		res, err := s.resource(ctx, r)
		if err != nil {
			return err
		}
		res.Custodian = access.PlaceOf(custodian).Custodian
		note := "dir_location:" + r.LocationID
		if access.Allow(rq.Actor, access.LocationReveal, res) && !s.Reveals.Allow("user:"+strconv.FormatInt(rq.Actor.UserID, 10), s.now()) {
			e := audit.Of(rq, s.now(), access.LocationReveal, referralRecord(r.ID), access.Decision{Reason: "too many openings"}, note)
			if err := s.Store.AppendAudit(ctx, e); err != nil {
				return err
			}
			return problem.New(problem.TooMany, "referral.reveal_throttled")
		}
		if err := s.decideOn(ctx, rq, access.LocationReveal, r, res, note); err != nil {
			return err
		}
		if err := s.Store.RecordReveal(ctx, Reveal{LocationID: r.LocationID, ReferralID: r.ID, UserID: rq.Actor.UserID, OrgID: rq.Actor.OrgID, At: s.now()}); err != nil {
			return err
		}
		loc, err = s.Store.ConfidentialLocation(ctx, r.LocationID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return loc, nil
}

// RevealsOf lists who opened the referral's confidential address, for its
// parties to see; Get has already recorded the reading of the referral.
func (s *Referrals) RevealsOf(ctx context.Context, rq Request, r *Referral) ([]Reveal, error) {
	return s.Store.Reveals(ctx, r.ID)
}

// expireAction names Puente's own move of an unanswered referral in the
// audit log.
const expireAction access.Action = "referral.expire"

// Expire moves every sent referral left unanswered past its time to
// expired, as Puente itself, and ends the consent given with it. Each
// referral is its own transaction.
func (s *Referrals) Expire(ctx context.Context) (int, error) {
	now := s.now()
	ids, err := s.Store.OverdueReferrals(ctx, now)
	if err != nil {
		return 0, err
	}
	system := Request{}
	for i, id := range ids {
		err := s.Store.Atomic(ctx, func(ctx context.Context) error {
			r, err := s.Store.Referral(ctx, id)
			if err != nil {
				return err
			}
			if err := r.Move(RefExpired, System, 0, 0, now, "", ""); err != nil {
				return err
			}
			if err := s.Store.SaveReferralMove(ctx, r); err != nil {
				return err
			}
			e := audit.Of(system, now, expireAction, referralRecord(id), access.Decision{Allowed: true, Reason: "no answer in time"}, "")
			if err := s.Store.AppendAudit(ctx, e); err != nil {
				return err
			}
			return s.endConsent(ctx, system, r)
		})
		if err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
