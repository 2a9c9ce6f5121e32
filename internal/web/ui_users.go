package web

import (
	"net/http"
	"strconv"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/i18n"
	"puente/internal/password"
	"puente/internal/problem"
	"puente/internal/store"
)

type userListData struct {
	Users   []account.User
	OrgName map[int64]string
	Orgs    []account.Organization
	OrgID   int64
	Admin   bool
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
	users, err := s.store.Users(r.Context(), store.UserFilter{OrgID: d.OrgID})
	if err != nil {
		return err
	}
	d.Users = users
	orgs, err := s.store.Organizations(r.Context(), store.OrganizationFilter{WithDisabled: true})
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
	Errs      formErrors
	Orgs      []account.Organization
	Roles     []account.Role
	Languages []string
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, status int, d userFormData) error {
	orgs, err := s.store.Organizations(r.Context(), store.OrganizationFilter{})
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

// checkNewPassword validates a password an admin sets, adding to the
// errors the user record already has.
func checkNewPassword(pw string, u *account.User, errs formErrors) {
	if key := password.Check(pw, u.Email, u.Name); key != "" {
		errs["password"] = key
	}
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	var u account.User
	userFromForm(r, &u)
	pw := r.PostForm.Get("password")
	errs := formErrors{}
	if err := u.Normalize(); err != nil {
		if errs, _ = invalidFields(err); errs == nil {
			return err
		}
	}
	checkNewPassword(pw, &u, errs)
	if len(errs) > 0 {
		return s.renderUserForm(w, r, http.StatusUnprocessableEntity, userFormData{New: true, User: u, Errs: errs})
	}
	hash, err := password.Hash(pw, s.cfg.Password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	if err := s.store.CreateUser(r.Context(), &u); err != nil {
		if errs, ok := invalidFields(err); ok {
			return s.renderUserForm(w, r, http.StatusUnprocessableEntity, userFormData{New: true, User: u, Errs: errs})
		}
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
	u, err := s.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderUserForm(w, r, http.StatusOK, userFormData{User: *u})
}

// userUpdate saves an admin's changes. An admin cannot disable themselves or
// drop their own admin role, so the deployment is never left without one by
// a slip of the mouse.
func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	userFromForm(r, u)
	errs := formErrors{}
	if err := u.Normalize(); err != nil {
		if errs, _ = invalidFields(err); errs == nil {
			return err
		}
	}
	if u.ID == st.user.ID && (u.Disabled || !u.Has(account.Admin)) {
		errs["roles"] = "users.keep_own_admin"
	}
	pw := r.PostForm.Get("password")
	if pw != "" {
		checkNewPassword(pw, u, errs)
	}
	if len(errs) > 0 {
		return s.renderUserForm(w, r, http.StatusUnprocessableEntity, userFormData{User: *u, Errs: errs})
	}
	if err := s.store.UpdateUser(r.Context(), u); err != nil {
		if errs, ok := invalidFields(err); ok {
			return s.renderUserForm(w, r, http.StatusUnprocessableEntity, userFormData{User: *u, Errs: errs})
		}
		return err
	}
	if pw != "" {
		hash, err := password.Hash(pw, s.cfg.Password)
		if err != nil {
			return err
		}
		if err := s.store.SetPassword(r.Context(), u.ID, hash, ""); err != nil {
			return err
		}
	}
	s.log.Info("user updated", "ref", st.ref, "user_id", st.user.ID, "target_user_id", u.ID, "password_reset", pw != "")
	return redirect(w, r, "/users", "user_saved")
}
