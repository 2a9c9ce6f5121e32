package admin

import (
	"context"
	"slices"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/auth"
	"puente/internal/problem"
)

// Reading the network's organizations and people. Names, countries and
// kinds of organizations, and the names and roles of their staff, are the
// network's own, not survivors': reads are decided by the policy but not
// audited, so that every page naming who did what does not fill the log.

// Organizations lists organizations, for anyone signed in; disabled ones
// only for administrators.
func (s *Service) Organizations(ctx context.Context, rq access.Request, f account.OrgFilter) ([]account.Organization, error) {
	if !access.Allow(rq.Actor, access.ViewOrganizations, access.Resource{}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	if !access.Allow(rq.Actor, access.ManageOrganizations, access.Resource{}) {
		f.WithDisabled = false
	}
	return s.Store.Organizations(ctx, f)
}

// OrgNames names every organization, disabled ones too, for pages that show
// where a record or a person belongs.
func (s *Service) OrgNames(ctx context.Context, rq access.Request) (map[int64]string, error) {
	if !access.Allow(rq.Actor, access.ViewOrganizations, access.Resource{}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	orgs, err := s.Store.Organizations(ctx, account.OrgFilter{WithDisabled: true})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(orgs))
	for _, o := range orgs {
		out[o.ID] = o.Name
	}
	return out, nil
}

// Organization returns one organization, for anyone signed in.
func (s *Service) Organization(ctx context.Context, rq access.Request, id int64) (*account.Organization, error) {
	if !access.Allow(rq.Actor, access.ViewOrganizations, access.Resource{}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	return s.Store.Organization(ctx, id)
}

// Users lists accounts: every organization's to an administrator, a
// supervisor's own organization's to them (the filter is forced to it,
// not merely defaulted).
func (s *Service) Users(ctx context.Context, rq access.Request, f account.UserFilter) ([]account.User, error) {
	if !access.Allow(rq.Actor, access.ManageUsers, access.Resource{}) {
		f.OrgID = rq.Actor.OrgID
	}
	if !access.Allow(rq.Actor, access.ViewUsers, access.Resource{OrgID: f.OrgID}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	return s.Store.Users(ctx, f)
}

// User returns one account to whoever may list its organization's; to
// anyone else it does not exist, so outsiders learn nothing of who works
// where.
func (s *Service) User(ctx context.Context, rq access.Request, id int64) (*account.User, error) {
	u, err := s.Store.User(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.Allow(rq.Actor, access.ViewUsers, access.Resource{OrgID: u.OrgID}) {
		return nil, problem.New(problem.NotFound, "error.not_found")
	}
	return u, nil
}

// Staff returns the accounts of the given organizations, for a page that
// names who did what on a record the actor may see (a referral between two
// organizations, a case's caseworkers): names and roles, nothing else of
// them is shown.
func (s *Service) Staff(ctx context.Context, rq access.Request, orgs ...int64) ([]account.User, error) {
	if !access.Allow(rq.Actor, access.SignedIn, access.Resource{}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	var out []account.User
	for _, org := range slices.Compact(slices.Sorted(slices.Values(orgs))) {
		if org == 0 {
			continue
		}
		us, err := s.Store.Users(ctx, account.UserFilter{OrgID: org})
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	return out, nil
}

// StaffNames is Staff as names by account id.
func (s *Service) StaffNames(ctx context.Context, rq access.Request, orgs ...int64) (map[int64]string, error) {
	us, err := s.Staff(ctx, rq, orgs...)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(us))
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}

// Counts says how many organizations and enabled accounts there are, for an
// administrator's dashboard.
func (s *Service) Counts(ctx context.Context, rq access.Request) (orgs, users int, err error) {
	if !access.Allow(rq.Actor, access.ManageOrganizations, access.Resource{}) {
		return 0, 0, problem.New(problem.Forbidden, "error.forbidden")
	}
	if orgs, err = s.Store.CountOrganizations(ctx); err != nil {
		return 0, 0, err
	}
	users, err = s.Store.CountUsers(ctx)
	return orgs, users, err
}

// Tokens lists the signed-in person's own API tokens.
func (s *Service) Tokens(ctx context.Context, rq access.Request) ([]auth.Token, error) {
	if !access.Allow(rq.Actor, access.ManageOwnAccount, access.Resource{}) {
		return nil, problem.New(problem.Forbidden, "error.forbidden")
	}
	return s.Store.Tokens(ctx, rq.Actor.UserID)
}
