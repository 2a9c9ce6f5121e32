package practice

import (
	"context"

	"puente/internal/access"
	"puente/internal/problem"
)

// LibraryStore keeps the vignettes organizations write.
type LibraryStore interface {
	CreatePracticeVignette(ctx context.Context, v *OrgVignette) error
	PracticeVignette(ctx context.Context, orgID, id int64) (*OrgVignette, error)
	PracticeVignettes(ctx context.Context, orgID int64) ([]OrgVignette, error)
}

// Library is an organization's own training vignettes, beside the shared
// ones: anyone who may run a screening reads their organization's, and its
// supervisors write them. Practice is not a screening of anyone: nothing of
// it is audited.
type Library struct {
	Store LibraryStore
}

// CanWrite reports whether the actor may add vignettes for their
// organization: writing training material for the whole organization is a
// supervisor's call, the same people who assign its cases.
func CanWrite(a access.Actor) bool {
	return access.Allow(a, access.CaseAssign, access.Resource{OrgID: a.OrgID})
}

// Own lists the actor's organization's vignettes.
func (l *Library) Own(ctx context.Context, rq access.Request) ([]OrgVignette, error) {
	if !access.Allow(rq.Actor, access.ScreeningRun, access.Resource{}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	return l.Store.PracticeVignettes(ctx, rq.Actor.OrgID)
}

// Get returns one of the actor's organization's vignettes; another's is
// not found.
func (l *Library) Get(ctx context.Context, rq access.Request, id int64) (*OrgVignette, error) {
	if !access.Allow(rq.Actor, access.ScreeningRun, access.Resource{}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	return l.Store.PracticeVignette(ctx, rq.Actor.OrgID, id)
}

// Add stores a vignette the actor wrote for their organization.
func (l *Library) Add(ctx context.Context, rq access.Request, v Vignette) (*OrgVignette, error) {
	if !CanWrite(rq.Actor) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	o := &OrgVignette{OrgID: rq.Actor.OrgID, CreatedBy: rq.Actor.UserID, Vignette: v}
	return o, l.Store.CreatePracticeVignette(ctx, o)
}
