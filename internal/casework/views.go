package casework

import (
	"context"
	"slices"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/problem"
)

// What pages show besides the records themselves: what a reader may do to
// a case, and counts for a dashboard. None of it reads a sealed field, so
// none of it is audited; the calls that act decide again.

// Abilities is what the actor may do to a case.
type Abilities struct {
	OrgID                                      int64 // the case's organization
	Edit, Move, Assign, Consent, Delete, Refer bool
}

// Abilities says what the actor may do to case id, for a page to offer.
func (s *Service) Abilities(ctx context.Context, rq Request, id int64) (Abilities, error) {
	res, err := s.Store.CaseAccess(ctx, id, s.now())
	if err != nil {
		return Abilities{}, err
	}
	a := rq.Actor
	return Abilities{
		OrgID: res.OrgID, Edit: len(Editable(a, res)) > 0, Move: access.Allow(a, access.CaseMove, res),
		Assign: access.Allow(a, access.CaseAssign, res), Consent: access.Allow(a, access.ConsentEdit, res),
		Delete: access.Allow(a, access.CaseDelete, res), Refer: access.Allow(a, access.ReferralSend, res),
	}, nil
}

// Caseload is a dashboard's count of the organization's open cases.
type Caseload struct {
	Open       int // not closed
	Unassigned int // of which no caseworker is assigned
	Mine       int // open and assigned to the actor
}

// Caseload counts the open cases of the actor's organization, when the
// actor may list them: statuses and assignments only, counted by the
// database.
func (s *Service) Caseload(ctx context.Context, rq Request) (Caseload, error) {
	if !access.Allow(rq.Actor, access.CaseList, access.Resource{OrgID: rq.Actor.OrgID}) {
		return Caseload{}, nil
	}
	return s.Store.Caseload(ctx, rq.Actor.OrgID, rq.Actor.UserID)
}

// GlassNoticeDays is how far back the owning organization is shown the
// emergency accesses to its cases.
const GlassNoticeDays = 30

// GlassOpenings lists the emergency accesses other organizations made to
// the actor's organization's cases lately, for its administrators and
// supervisors to review.
func (s *Service) GlassOpenings(ctx context.Context, rq Request) ([]GlassOpening, error) {
	if !slices.Contains(rq.Actor.Roles, account.Admin) && !slices.Contains(rq.Actor.Roles, account.Supervisor) {
		return nil, nil
	}
	return s.Store.GlassOpenings(ctx, rq.Actor.OrgID, s.now().AddDate(0, 0, -GlassNoticeDays))
}

// Parties says how the actor stands to a referral: as its sender, or as
// the side that answers it (the receiving member, or the sender for a
// service outside Puente).
type Parties struct {
	Sender, Receiver bool
}

// Parties says how the actor stands to r, for its page to offer the moves
// that are theirs.
func (s *Referrals) Parties(ctx context.Context, rq Request, r *Referral) (Parties, error) {
	res, err := s.resource(ctx, r)
	if err != nil {
		return Parties{}, err
	}
	a := rq.Actor
	return Parties{
		Sender:   a.OrgID == r.FromOrgID && access.Allow(a, access.ReferralSend, res),
		Receiver: access.Allow(a, access.ReferralRespond, res),
	}, nil
}

// Counts are a dashboard's count of the referrals sent to the actor's
// organization: waiting for its answer, and accepted or in service.
func (s *Referrals) Counts(ctx context.Context, rq Request) (waiting, working int, err error) {
	if !access.Allow(rq.Actor, access.ReferralRead, access.Resource{}) {
		return 0, 0, problem.New(problem.Forbidden, "error.forbidden")
	}
	return s.Store.ReferralCounts(ctx, rq.Actor.OrgID, s.now())
}
