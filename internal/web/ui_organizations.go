package web

import (
	"net/http"

	"puente/internal/account"
)

type orgListData struct {
	Orgs    []account.Organization
	Country string
}

func (s *Server) orgList(w http.ResponseWriter, r *http.Request) error {
	u := stateOf(r).user
	f := account.OrgFilter{WithDisabled: u.Has(account.Admin)}
	switch c := account.Country(r.URL.Query().Get("country")); c {
	case account.US, account.MX:
		f.Country = c
	}
	orgs, err := s.admin.Organizations(r.Context(), caseRequest(r), f)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "organizations.html", "orgs.title", orgListData{Orgs: orgs, Country: string(f.Country)})
}

type orgFormData struct {
	Org       account.Organization
	New       bool
	Errs      formErrors
	Countries []account.Country
	Kinds     []account.OrgKind
}

func (s *Server) renderOrgForm(w http.ResponseWriter, r *http.Request, status int, d orgFormData) error {
	d.Countries, d.Kinds = account.Countries, account.OrgKinds
	title := "orgs.edit_title"
	if d.New {
		title = "orgs.new_title"
	}
	return s.render(w, r, status, "organization_form.html", title, d)
}

func (s *Server) orgNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderOrgForm(w, r, http.StatusOK, orgFormData{New: true, Org: account.Organization{Country: account.US, Kind: account.NGO}})
}

func orgFromForm(r *http.Request, o *account.Organization) {
	o.Name = r.PostForm.Get("name")
	o.Country = account.Country(r.PostForm.Get("country"))
	o.Kind = account.OrgKind(r.PostForm.Get("kind"))
	o.City = r.PostForm.Get("city")
	o.Region = r.PostForm.Get("region")
	o.Vetted = checked(r, "vetted")
	o.Disabled = checked(r, "disabled")
}

func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request) error {
	var o account.Organization
	orgFromForm(r, &o)
	if err := s.admin.CreateOrganization(r.Context(), caseRequest(r), &o); err != nil {
		if errs, ok := invalidFields(err); ok {
			return s.renderOrgForm(w, r, http.StatusUnprocessableEntity, orgFormData{New: true, Org: o, Errs: errs})
		}
		return err
	}
	s.log.Info("organization created", "ref", stateOf(r).ref, "user_id", stateOf(r).user.ID, "org_id", o.ID)
	return redirect(w, r, "/organizations", "org_saved")
}

func (s *Server) orgEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.admin.Organization(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	return s.renderOrgForm(w, r, http.StatusOK, orgFormData{Org: *o})
}

func (s *Server) orgUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.admin.Organization(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	orgFromForm(r, o)
	if err := s.admin.UpdateOrganization(r.Context(), caseRequest(r), o); err != nil {
		if errs, ok := invalidFields(err); ok {
			return s.renderOrgForm(w, r, http.StatusUnprocessableEntity, orgFormData{Org: *o, Errs: errs})
		}
		return err
	}
	s.log.Info("organization updated", "ref", stateOf(r).ref, "user_id", stateOf(r).user.ID, "org_id", o.ID)
	return redirect(w, r, "/organizations", "org_saved")
}
