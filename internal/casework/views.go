package casework

import (
	"context"
	"slices"
	"strconv"

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
	return abilities(rq.Actor, res), nil
}

func abilities(a access.Actor, res access.Resource) Abilities {
	return Abilities{
		OrgID: res.OrgID, Edit: len(Editable(a, res)) > 0, Move: access.Allow(a, access.CaseMove, res),
		Assign: access.Allow(a, access.CaseAssign, res), Consent: access.Allow(a, access.ConsentEdit, res),
		Delete: access.Allow(a, access.CaseDelete, res), Refer: access.Allow(a, access.ReferralSend, res),
	}
}

// View is what a case's page shows: the case with the classes the actor
// may read, what the actor may do with it, the referrals of it they are
// party to and, for those who manage consent, its consents.
type View struct {
	Case      *Case
	Visible   []access.Class
	Can       Abilities
	Referrals []Referral
	Consents  []Consent // nil unless Can.Consent
}

// View reads a case's page in one read and leaves one audit entry for it
// all: the classes shown, how many referrals and whether the consents.
// A reader allowed no class of the case is refused, and that is recorded.
func (s *Service) View(ctx context.Context, rq Request, id int64) (v *View, err error) {
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		res, err := s.resource(ctx, rq, access.CaseRead, id)
		if err != nil {
			return err
		}
		visible := access.Visible(rq.Actor, res)
		if len(visible) == 0 {
			return s.check(ctx, rq, access.CaseRead, id, res, "")
		}
		v = &View{Visible: visible, Can: abilities(rq.Actor, res)}
		if v.Case, err = s.Store.Case(ctx, id, visible); err != nil {
			return err
		}
		rs, err := s.Store.Referrals(ctx, ReferralFilter{CaseID: id})
		if err != nil {
			return err
		}
		v.Referrals = partyTo(rq.Actor, res, rs)
		note := classList(visible) + " referrals=" + strconv.Itoa(len(v.Referrals))
		if v.Can.Consent {
			if v.Consents, err = s.Store.Consents(ctx, id); err != nil {
				return err
			}
			note += " consents=" + strconv.Itoa(len(v.Consents))
		}
		res.Class = visible[len(visible)-1]
		return s.log(ctx, rq, access.CaseRead, id, access.Decide(rq.Actor, access.CaseRead, res), note)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
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
