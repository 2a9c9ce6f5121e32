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

// dashboard shows one panel per role the user holds: the caseload where the
// access policy lets the user list cases and, for the organization's
// administrators and supervisors, every emergency access another
// organization made to its cases.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	u := st.user
	ctx, rq := r.Context(), caseRequest(r)
	d := dashboardData{Roles: st.actor.Roles, Pending: u.Pending(), SecondFactor: st.secondFactor}
	has := func(r account.Role) bool { return slices.Contains(st.actor.Roles, r) }
	waiting, err := s.admin.Waiting(ctx, rq)
	if err != nil {
		return err
	}
	d.Waiting = len(waiting)
	if has(account.Admin) {
		if d.OrgCount, d.UserCount, err = s.admin.Counts(ctx, rq); err != nil {
			return err
		}
	}
	if has(account.Supervisor) {
		team, err := s.admin.Staff(ctx, rq, u.OrgID)
		if err != nil {
			return err
		}
		for _, m := range team {
			if !m.Disabled {
				d.TeamCount++
			}
		}
	}
	// Counts of the organization's own cases, by the database: statuses
	// and assignments only, nothing sealed is read.
	load, err := s.cases.Caseload(ctx, rq)
	if err != nil {
		return err
	}
	d.OrgOpen, d.Unassigned, d.MyOpen = load.Open, load.Unassigned, load.Mine
	if d.Glass, err = s.cases.GlassOpenings(ctx, rq); err != nil {
		return err
	}
	if d.Listings, err = s.ownListings(r); err != nil {
		return err
	}
	if access.Allow(st.actor, access.ReferralRead, access.Resource{}) {
		// Counts only: which survivors they are is read on the queue,
		// where reading is audited.
		if d.RefWaiting, d.RefWorking, err = s.referrals.Counts(ctx, rq); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "dashboard.html", "dashboard.title", d)
}
