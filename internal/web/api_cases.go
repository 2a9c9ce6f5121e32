package web

import (
	"net/http"
	"strconv"
	"time"

	"puente/internal/access"
	"puente/internal/casework"
	"puente/internal/keyset"
	"puente/internal/problem"
)

// registerCaseAPI declares the JSON API for cases. It shares the case
// service with the pages, so the policy and the audit log are the same.
func (s *Server) registerCaseAPI() {
	s.handle("GET /api/v1/cases", access.CaseList, s.apiCaseList)
	s.handle("POST /api/v1/cases/search", access.CaseSearch, s.apiCaseSearch)
	s.handle("POST /api/v1/cases", access.CaseCreate, s.apiCaseCreate)
	s.handle("GET /api/v1/cases/{id}", access.CaseRead, s.apiCaseGet)
	s.handle("PATCH /api/v1/cases/{id}", access.CaseUpdate, s.apiCaseUpdate)
	s.handle("POST /api/v1/cases/{id}/transitions", access.CaseMove, s.apiCaseMove)
	s.handle("PUT /api/v1/cases/{id}/assignees", access.CaseAssign, s.apiCaseAssign)
	s.handle("DELETE /api/v1/cases/{id}", access.CaseDelete, s.apiCaseDelete)
	s.handle("POST /api/v1/cases/{id}/break-glass", access.BreakGlass, s.apiCaseGlass)
	s.handle("GET /api/v1/cases/{id}/consents", access.ConsentEdit, s.apiConsentList)
	s.handle("POST /api/v1/cases/{id}/consents", access.ConsentEdit, s.apiConsentAdd)
	s.handle("POST /api/v1/cases/{id}/consents/{consent}/revoke", access.ConsentEdit, s.apiConsentRevoke)
}

func (s *Server) apiCaseList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := casework.Filter{Status: casework.Status(q.Get("status")), Exploitation: q.Get("exploitation")}
	if q.Get("assigned_to_me") == "true" {
		f.AssignedTo = stateOf(r).user.ID
	}
	if err := pageParams(&f, q.Get("after"), q.Get("limit")); err != nil {
		return err
	}
	return s.apiCases(w, r, f)
}

// apiCaseSearch finds cases by name. The name travels in the body, never
// in a URL that proxies and logs would keep.
func (s *Server) apiCaseSearch(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name         string          `json:"name"`
		Status       casework.Status `json:"status"`
		Exploitation string          `json:"exploitation"`
		AssignedToMe bool            `json:"assigned_to_me"`
		After        string          `json:"after"`
		Limit        int             `json:"limit"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	f := casework.Filter{Status: in.Status, Exploitation: in.Exploitation, NameTokens: casework.SearchTokens(in.Name)}
	limit := ""
	if in.Limit != 0 {
		limit = strconv.Itoa(in.Limit)
	}
	if err := pageParams(&f, in.After, limit); err != nil {
		return err
	}
	if in.AssignedToMe {
		f.AssignedTo = stateOf(r).user.ID
	}
	return s.apiCases(w, r, f)
}

func (s *Server) apiCases(w http.ResponseWriter, r *http.Request, f casework.Filter) error {
	page, err := s.cases.List(r.Context(), caseRequest(r), f)
	if err != nil {
		return err
	}
	out := map[string]any{"cases": page.Cases}
	if page.Cases == nil {
		out["cases"] = []casework.Summary{}
	}
	if !page.Next.IsZero() {
		out["next"] = page.Next.String()
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

// pageParams reads where a page starts and how long it is, as the API
// takes them: after is the "next" of the previous page; limit is 1 to
// casework.MaxPage.
func pageParams(f *casework.Filter, after, limit string) error {
	var errs []problem.FieldError
	c, err := keyset.Parse(after)
	if err != nil {
		errs = append(errs, problem.FieldError{Field: "after", Key: "error.page_cursor"})
	}
	f.After = c
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > casework.MaxPage {
			errs = append(errs, problem.FieldError{Field: "limit", Key: "field.page_limit"})
		}
		f.Limit = n
	}
	if errs != nil {
		return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: errs}
	}
	return nil
}

// caseInput is a case as the API takes it: the parts present are the
// classes written.
type caseInput struct {
	Profile     *casework.Profile     `json:"profile"`
	Identity    *casework.Identity    `json:"identity"`
	Location    *casework.Location    `json:"location"`
	Immigration *casework.Immigration `json:"immigration"`
	Narrative   *casework.Narrative   `json:"narrative"`
}

func (in caseInput) apply(c *casework.Case) []access.Class {
	var classes []access.Class
	if in.Profile != nil {
		c.Profile = *in.Profile
		classes = append(classes, access.NonIdentifying)
	}
	if in.Identity != nil {
		c.Identity = in.Identity
		classes = append(classes, access.Identity)
	}
	if in.Location != nil {
		c.Location = in.Location
		classes = append(classes, access.Location)
	}
	if in.Immigration != nil {
		c.Immigration = in.Immigration
		classes = append(classes, access.Immigration)
	}
	if in.Narrative != nil {
		c.Narrative = in.Narrative
		classes = append(classes, access.Narrative)
	}
	return classes
}

func (s *Server) apiCaseCreate(w http.ResponseWriter, r *http.Request) error {
	var in caseInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c := &casework.Case{}
	in.apply(c)
	if err := s.cases.Create(r.Context(), caseRequest(r), c); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"case": c})
	return nil
}

func (s *Server) apiCaseGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, visible, err := s.cases.Get(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"case": c, "visible_classes": visible})
	return nil
}

func (s *Server) apiCaseUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in caseInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	c, _, err := s.cases.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	classes := in.apply(c)
	if len(classes) == 0 {
		return problem.New(problem.Invalid, "error.bad_json")
	}
	if err := s.cases.Update(ctx, rq, c, classes); err != nil {
		return err
	}
	c, visible, err := s.cases.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"case": c, "visible_classes": visible})
	return nil
}

func (s *Server) apiCaseMove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		To     casework.Status `json:"to"`
		Reason string          `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.cases.Move(r.Context(), caseRequest(r), id, in.To, in.Reason); err != nil {
		return err
	}
	return s.apiCaseGet(w, r)
}

func (s *Server) apiConsentList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.cases.Consents(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []casework.Consent{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"consents": list})
	return nil
}

func (s *Server) apiConsentAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		OrgID    int64          `json:"organization_id"`
		Classes  []access.Class `json:"classes"`
		Purpose  string         `json:"purpose"`
		From     time.Time      `json:"valid_from"`
		Until    time.Time      `json:"valid_until"`
		GivenHow string         `json:"given_how"`
		Witness  string         `json:"witness"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	k := &casework.Consent{CaseID: id, OrgID: in.OrgID, Classes: in.Classes, Purpose: in.Purpose, From: in.From, Until: in.Until, GivenHow: in.GivenHow, Witness: in.Witness}
	if err := s.cases.AddConsent(r.Context(), caseRequest(r), k); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"consent": k})
	return nil
}

func (s *Server) apiConsentRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	kid, err := strconv.ParseInt(r.PathValue("consent"), 10, 64)
	if err != nil {
		return problem.New(problem.NotFound, "error.not_found")
	}
	if err := s.cases.RevokeConsent(r.Context(), caseRequest(r), id, kid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiCaseAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		UserIDs []int64 `json:"user_ids"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.cases.Assign(r.Context(), caseRequest(r), id, in.UserIDs); err != nil {
		return err
	}
	return s.apiCaseGet(w, r)
}

// apiCaseDelete destroys the survivor's data for good (crypto-shredding).
func (s *Server) apiCaseDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.cases.Delete(r.Context(), caseRequest(r), id); err != nil {
		return err
	}
	s.deletions.Add(1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiCaseGlass(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	until, err := s.cases.BreakGlass(r.Context(), caseRequest(r), id, in.Reason)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"until": until})
	return nil
}
