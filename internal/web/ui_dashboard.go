package web

import (
	"net/http"

	"puente/internal/account"
	"puente/internal/store"
)

type dashboardData struct {
	Roles        []account.Role
	OrgCount     int
	UserCount    int
	TeamCount    int
	SecondFactor bool // whether the user signs in with a second factor
}

// dashboard shows one panel per role the user holds. Until casework,
// screening, tips and statistics arrive, most panels are empty states that
// say what will appear there.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	u := stateOf(r).user
	d := dashboardData{Roles: u.Roles, SecondFactor: stateOf(r).secondFactor}
	ctx := r.Context()
	var err error
	if u.Has(account.Admin) {
		if d.OrgCount, err = s.store.CountOrganizations(ctx); err != nil {
			return err
		}
		if d.UserCount, err = s.store.CountUsers(ctx); err != nil {
			return err
		}
	}
	if u.Has(account.Supervisor) {
		team, err := s.store.Users(ctx, store.UserFilter{OrgID: u.OrgID})
		if err != nil {
			return err
		}
		for _, m := range team {
			if !m.Disabled {
				d.TeamCount++
			}
		}
	}
	return s.render(w, r, http.StatusOK, "dashboard.html", "dashboard.title", d)
}
