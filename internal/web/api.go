package web

import (
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"puente/internal/account"
	"puente/internal/problem"
)

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDoc)
	return err
}

// decodeJSON reads exactly one JSON object into v, refusing unknown
// fields, trailing data and bodies over the limit, so a misspelt field is
// an error rather than a silently ignored change.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, maxJSONBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if isTooLarge(err) {
			return problem.Wrap(problem.TooLarge, "error.too_large", err)
		}
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return &problem.Error{Kind: problem.Invalid, Key: "error.bad_json", Fields: []problem.FieldError{{Field: ute.Field, Key: "field.wrong_type"}}, Err: err}
		}
		return problem.Wrap(problem.Invalid, "error.bad_json", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return problem.New(problem.Invalid, "error.bad_json")
	}
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	s.writeJSON(w, http.StatusOK, map[string]any{"user": st.user, "scopes": st.token.Scopes})
	return nil
}

func (s *Server) apiOrgList(w http.ResponseWriter, r *http.Request) error {
	f := account.OrgFilter{Country: account.Country(r.URL.Query().Get("country")), Kind: account.OrgKind(r.URL.Query().Get("kind"))}
	orgs, err := s.admin.Organizations(r.Context(), caseRequest(r), f)
	if err != nil {
		return err
	}
	if orgs == nil {
		orgs = []account.Organization{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"organizations": orgs})
	return nil
}

type orgInput struct {
	Name     *string          `json:"name"`
	Country  *account.Country `json:"country"`
	Kind     *account.OrgKind `json:"kind"`
	City     *string          `json:"city"`
	Region   *string          `json:"region"`
	Vetted   *bool            `json:"vetted"`
	Disabled *bool            `json:"disabled"`
}

func (in orgInput) apply(o *account.Organization) {
	set(&o.Name, in.Name)
	set(&o.Country, in.Country)
	set(&o.Kind, in.Kind)
	set(&o.City, in.City)
	set(&o.Region, in.Region)
	set(&o.Vetted, in.Vetted)
	set(&o.Disabled, in.Disabled)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (s *Server) apiOrgCreate(w http.ResponseWriter, r *http.Request) error {
	var in orgInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var o account.Organization
	in.apply(&o)
	if err := s.admin.CreateOrganization(r.Context(), caseRequest(r), &o); err != nil {
		return err
	}
	s.log.Info("organization created", "ref", stateOf(r).ref, "user_id", stateOf(r).user.ID, "org_id", o.ID)
	s.writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) apiOrgGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.admin.Organization(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) apiOrgUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in orgInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := s.admin.Organization(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	in.apply(o)
	if err := s.admin.UpdateOrganization(r.Context(), caseRequest(r), o); err != nil {
		return err
	}
	s.log.Info("organization updated", "ref", stateOf(r).ref, "user_id", stateOf(r).user.ID, "org_id", o.ID)
	s.writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) apiUserList(w http.ResponseWriter, r *http.Request) error {
	var f account.UserFilter
	if v := r.URL.Query().Get("organization_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "organization_id", Key: "field.wrong_type"}}}
		}
		f.OrgID = id
	}
	users, err := s.admin.Users(r.Context(), caseRequest(r), f)
	if err != nil {
		return err
	}
	if users == nil {
		users = []account.User{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

func (s *Server) apiUserGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.admin.User(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, u)
	return nil
}

type userInput struct {
	OrgID    *int64          `json:"organization_id"`
	Email    *string         `json:"email"`
	Name     *string         `json:"name"`
	Roles    *[]account.Role `json:"roles"`
	Lang     *string         `json:"lang"`
	Disabled *bool           `json:"disabled"`
	Password *string         `json:"password"`
}

func (in userInput) apply(u *account.User) {
	set(&u.OrgID, in.OrgID)
	set(&u.Email, in.Email)
	set(&u.Name, in.Name)
	set(&u.Roles, in.Roles)
	set(&u.Lang, in.Lang)
	set(&u.Disabled, in.Disabled)
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var u account.User
	in.apply(&u)
	pw := ""
	if in.Password != nil {
		pw = *in.Password
	}
	if err := s.admin.CreateUser(r.Context(), caseRequest(r), &u, pw); err != nil {
		return err
	}
	s.log.Info("user created", "ref", stateOf(r).ref, "user_id", stateOf(r).user.ID, "new_user_id", u.ID)
	s.writeJSON(w, http.StatusCreated, u)
	return nil
}

// apiUserUpdate changes an account. Nobody changes their own roles,
// organization, password or disabled flag (403); roles given and moves
// into an organization wait for its supervisors (see admin.Service).
func (s *Server) apiUserUpdate(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in userInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.admin.User(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	in.apply(u)
	pw := ""
	if in.Password != nil {
		if pw = *in.Password; pw == "" {
			return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "password", Key: "field.required"}}}
		}
	}
	if err := s.admin.UpdateUser(r.Context(), caseRequest(r), u, pw); err != nil {
		return err
	}
	s.log.Info("user updated", "ref", st.ref, "user_id", st.user.ID, "target_user_id", u.ID, "password_reset", pw != "")
	s.writeJSON(w, http.StatusOK, u)
	return nil
}
