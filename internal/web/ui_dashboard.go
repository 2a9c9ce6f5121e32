package web

import (
	"net/http"
	"slices"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/casework"
)

type dashboardData struct {
	Roles        []account.Role // the roles in force
	Pending      []account.Role // roles waiting for the organization's agreement
	Waiting      int            // people waiting for the supervisor's agreement
	OrgCount     int
	UserCount    int
	TeamCount    int
	SecondFactor bool // whether the user signs in with a second factor
	MyOpen       int  // open cases assigned to the user
	OrgOpen      int  // open cases of the user's organization
	Unassigned   int  // of which no caseworker is assigned
	Glass        []casework.GlassOpening
	Listings     []shownListing // the services the user's organization runs
	// Referrals to the organization waiting for its answer, and those it
	// accepted and is working.
	RefWaiting, RefWorking int
}

// glassNoticeDays is how far back the dashboard lists emergency accesses
// to the organization's cases.
const glassNoticeDays = 30

// dashboard shows one panel per role the user holds: the caseload where the
// access policy lets the user list cases and, for the organization's
// administrators and supervisors, every emergency access another
// organization made to its cases.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	u := st.user
	d := dashboardData{Roles: st.actor.Roles, Pending: u.Pending(), SecondFactor: st.secondFactor}
	ctx := r.Context()
	has := func(r account.Role) bool { return slices.Contains(st.actor.Roles, r) }
	waiting, err := s.admin.Waiting(ctx, caseRequest(r))
	if err != nil {
		return err
	}
	d.Waiting = len(waiting)
	if has(account.Admin) {
		if d.OrgCount, err = s.store.CountOrganizations(ctx); err != nil {
			return err
		}
		if d.UserCount, err = s.store.CountUsers(ctx); err != nil {
			return err
		}
	}
	if has(account.Supervisor) {
		team, err := s.store.Users(ctx, account.UserFilter{OrgID: u.OrgID})
		if err != nil {
			return err
		}
		for _, m := range team {
			if !m.Disabled {
				d.TeamCount++
			}
		}
	}
	if access.Allow(st.actor, access.CaseList, access.Resource{OrgID: u.OrgID}) {
		// Counts of the organization's own cases: statuses and
		// assignments only, nothing sealed is read.
		cases, err := s.store.Cases(ctx, casework.Filter{OrgID: u.OrgID, Limit: 500})
		if err != nil {
			return err
		}
		for _, c := range cases {
			if c.Status == casework.Closed {
				continue
			}
			d.OrgOpen++
			if len(c.Assigned) == 0 {
				d.Unassigned++
			}
			for _, a := range c.Assigned {
				if a == u.ID {
					d.MyOpen++
				}
			}
		}
	}
	if has(account.Admin) || has(account.Supervisor) {
		since := s.now().AddDate(0, 0, -glassNoticeDays)
		if d.Glass, err = s.store.GlassOpenings(ctx, u.OrgID, since); err != nil {
			return err
		}
	}
	if d.Listings, err = s.ownListings(r); err != nil {
		return err
	}
	if access.Allow(st.actor, access.ReferralRead, access.Resource{}) {
		// Counts only: which survivors they are is read on the queue,
		// where reading is audited.
		incoming, err := s.store.Referrals(ctx, casework.ReferralFilter{OrgID: u.OrgID, Incoming: true,
			Statuses: []casework.ReferralStatus{casework.RefSent, casework.RefAccepted, casework.RefInService}})
		if err != nil {
			return err
		}
		for _, ref := range incoming {
			switch {
			case ref.Status == casework.RefSent && !ref.Overdue(s.now()):
				d.RefWaiting++
			case ref.Status != casework.RefSent:
				d.RefWorking++
			}
		}
	}
	return s.render(w, r, http.StatusOK, "dashboard.html", "dashboard.title", d)
}
