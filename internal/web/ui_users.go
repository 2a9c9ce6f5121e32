package web

import (
	"net/http"
	"strconv"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/i18n"
	"puente/internal/problem"
)

type userListData struct {
	Users   []account.User
	OrgName map[int64]string
	Orgs    []account.Organization
	OrgID   int64
	Admin   bool
	// Waiting are the people whose membership or roles wait for the
	// organization's agreement, for one of its supervisors to settle.
	Waiting []account.User
}

// userList shows everyone to an admin and a supervisor's own team to a
// supervisor; the filter is forced to their organization, not merely defaulted.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	d := userListData{Admin: st.user.Has(account.Admin), OrgName: map[int64]string{}}
	if id, err := strconv.ParseInt(r.URL.Query().Get("org"), 10, 64); err == nil {
		d.OrgID = id
	}
	if !d.Admin {
		d.OrgID = st.user.OrgID
	}
	if !access.Allow(st.actor, access.ViewUsers, access.Resource{OrgID: d.OrgID}) {
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	users, err := s.admin.Users(r.Context(), caseRequest(r), account.UserFilter{OrgID: d.OrgID})
	if err != nil {
		return err
	}
	d.Users = users
	if d.Waiting, err = s.admin.Waiting(r.Context(), caseRequest(r)); err != nil {
		return err
	}
	orgs, err := s.admin.Organizations(r.Context(), caseRequest(r), account.OrgFilter{WithDisabled: true})
	if err != nil {
		return err
	}
	d.Orgs = orgs
	for _, o := range orgs {
		d.OrgName[o.ID] = o.Name
	}
	return s.render(w, r, http.StatusOK, "users.html", "users.title", d)
}

type userFormData struct {
	User      account.User
	New       bool
	Own       bool // the admin's own account: access is another admin's to change
	Errs      formErrors
	Orgs      []account.Organization
	Roles     []account.Role
	Languages []string
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, status int, d userFormData) error {
	orgs, err := s.admin.Organizations(r.Context(), caseRequest(r), account.OrgFilter{})
	if err != nil {
		return err
	}
	d.Orgs, d.Roles, d.Languages = orgs, account.Roles, i18n.Languages
	title := "users.edit_title"
	if d.New {
		title = "users.new_title"
	}
	return s.render(w, r, status, "user_form.html", title, d)
}

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderUserForm(w, r, http.StatusOK, userFormData{New: true})
}

func userFromForm(r *http.Request, u *account.User) {
	u.Name = r.PostForm.Get("name")
	u.Email = r.PostForm.Get("email")
	u.OrgID, _ = strconv.ParseInt(r.PostForm.Get("organization_id"), 10, 64)
	u.Lang = r.PostForm.Get("lang")
	u.Roles = nil
	for _, role := range r.PostForm["role"] {
		u.Roles = append(u.Roles, account.Role(role))
	}
	u.Disabled = checked(r, "disabled")
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	var u account.User
	userFromForm(r, &u)
	err := s.admin.CreateUser(r.Context(), caseRequest(r), &u, r.PostForm.Get("password"))
	if errs, ok := invalidFields(err); ok {
		return s.renderUserForm(w, r, http.StatusUnprocessableEntity, userFormData{New: true, User: u, Errs: errs})
	} else if err != nil {
		return err
	}
	s.log.Info("user created", "ref", stateOf(r).ref, "user_id", stateOf(r).user.ID, "new_user_id", u.ID)
	return redirect(w, r, "/users", "user_saved")
}

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.admin.User(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	return s.renderUserForm(w, r, http.StatusOK, userFormData{User: *u, Own: u.ID == stateOf(r).user.ID})
}

// userUpdate saves an admin's changes. Nobody changes their own roles,
// organization, password or disabled flag here: that is another
// administrator's to do, and the form says so rather than failing.
func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.admin.User(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	own := u.ID == st.user.ID
	stored := *u
	userFromForm(r, u)
	if own {
		// The form does not offer one's own access; what it does not
		// send stays as it is. A request that sends it anyway is refused
		// by the service.
		f := r.PostForm
		if !f.Has("organization_id") {
			u.OrgID = stored.OrgID
		}
		if !f.Has("role") {
			u.Roles = stored.Roles
		}
		if !f.Has("disabled") {
			u.Disabled = stored.Disabled
		}
	}
	pw := r.PostForm.Get("password")
	err = s.admin.UpdateUser(r.Context(), caseRequest(r), u, pw)
	switch errs, ok := invalidFields(err); {
	case ok:
		return s.renderUserForm(w, r, http.StatusUnprocessableEntity, userFormData{User: *u, Errs: errs, Own: own})
	case own && problem.Is(err, problem.Forbidden):
		errs := formErrors{"roles": "users.not_own_access"}
		return s.renderUserForm(w, r, http.StatusForbidden, userFormData{User: *u, Errs: errs, Own: own})
	case err != nil:
		return err
	}
	s.log.Info("user updated", "ref", st.ref, "user_id", st.user.ID, "target_user_id", u.ID, "password_reset", pw != "")
	return redirect(w, r, "/users", "user_saved")
}

// userConfirm is a supervisor agreeing that a person belongs to their
// organization with the roles an administrator gave.
func (s *Server) userConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.admin.ConfirmMembership(r.Context(), caseRequest(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/users", "membership_confirmed")
}

// userRefuse is a supervisor saying a person waiting to join is not one of
// theirs: the account is disabled.
func (s *Server) userRefuse(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.admin.RefuseMembership(r.Context(), caseRequest(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/users", "membership_refused")
}
