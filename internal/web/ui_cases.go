package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/casework"
	"puente/internal/htcds"
	"puente/internal/i18n"
	"puente/internal/keyset"
	"puente/internal/problem"
)

// registerCases declares the case pages and the case API. Every handler
// goes through the case service, which asks the access policy and writes
// the audit log; the route's action only lets the right roles reach it.
func (s *Server) registerCases() {
	s.handle("GET /cases", access.CaseList, s.caseList)
	s.handle("POST /cases/search", access.CaseSearch, s.caseSearch)
	s.handle("GET /cases/new", access.CaseCreate, s.caseNew)
	s.handle("POST /cases", access.CaseCreate, s.caseCreate)
	s.handle("GET /cases/{id}", access.CaseRead, s.caseView)
	s.handle("GET /cases/{id}/edit", access.CaseUpdate, s.caseEdit)
	s.handle("POST /cases/{id}/edit", access.CaseUpdate, s.caseUpdate)
	s.handle("POST /cases/{id}/move", access.CaseMove, s.caseMove)
	s.handle("POST /cases/{id}/assign", access.CaseAssign, s.caseAssign)
	s.handle("POST /cases/{id}/consents", access.ConsentEdit, s.consentAdd)
	s.handle("POST /cases/{id}/consents/{consent}/revoke", access.ConsentEdit, s.consentRevoke)
	s.handle("GET /cases/{id}/glass", access.BreakGlass, s.glassPage)
	s.handle("POST /cases/{id}/glass", access.BreakGlass, s.glassOpen)
	s.handle("POST /cases/{id}/delete", access.CaseDelete, s.caseDelete)
	s.registerCaseAPI()
}

// vocab is every vocabulary a case form offers, for the templates.
type vocab struct {
	Genders, VictimStatuses, Exploitation, Industries, Means, Needs []string
	Stages, PerpRoles, Relations, ReliefKinds, ReliefStatuses       []string
	Cooperation, CloseReasons, AgeBands, Purposes, ConsentForms     []string
	Classes                                                         []access.Class
}

var caseVocab = vocab{
	Genders: htcds.Genders, VictimStatuses: htcds.VictimStatuses, Exploitation: htcds.ExploitationTypes,
	Industries: htcds.LaborIndustries, Means: htcds.MeansOfControl, Needs: htcds.Needs,
	Stages: htcds.EventStages, PerpRoles: htcds.PerpetratorRoles, Relations: htcds.PerpetratorRelations,
	ReliefKinds: htcds.ReliefKinds, ReliefStatuses: htcds.ReliefStatuses, Cooperation: htcds.CooperationChoices,
	CloseReasons: htcds.CloseReasons, AgeBands: htcds.AgeBands, Purposes: casework.ConsentPurposes,
	ConsentForms: casework.ConsentForms, Classes: access.Classes,
}

type caseListData struct {
	Rows     []caseRow
	Status   string
	Mine     bool
	Query    string
	Exploit  string
	Vocab    vocab
	Statuses []casework.Status
	CanNew   bool
	// Older is the next page: a link for the list, a cursor the search
	// form posts back (a name never goes in a URL).
	Older, OlderCursor string
}

// caseRow is a line of the case list, its words already in the page's
// language: a list of fifty cases costs fifty rows of plain strings, not
// a thousand template calls.
type caseRow struct {
	ID                                         int64
	Status, Org, Profile, Exploitation, Update string
}

func (s *Server) caseList(w http.ResponseWriter, r *http.Request) error {
	return s.listCases(w, r, r.URL.Query())
}

// caseSearch is the case list with a name search. The name comes in a POST
// body, never in the URL, so it stays out of browser history, bookmarks,
// proxy logs and the Referer header.
func (s *Server) caseSearch(w http.ResponseWriter, r *http.Request) error {
	return s.listCases(w, r, r.PostForm)
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request, q url.Values) error {
	st := stateOf(r)
	d := caseListData{Status: q.Get("status"), Mine: q.Get("mine") != "", Query: strings.TrimSpace(q.Get("q")), Exploit: q.Get("exploitation"),
		Vocab: caseVocab, Statuses: casework.Statuses, CanNew: access.Allow(st.actor, access.CaseCreate, access.Resource{})}
	var f casework.Filter
	if slices.Contains(casework.Statuses, casework.Status(d.Status)) {
		f.Status = casework.Status(d.Status)
	}
	if slices.Contains(htcds.ExploitationTypes, d.Exploit) {
		f.Exploitation = d.Exploit
	}
	if d.Mine {
		f.AssignedTo = st.user.ID
	}
	if len(d.Query) > 200 {
		return problem.New(problem.Invalid, "field.too_long")
	}
	after, err := keyset.Parse(q.Get("after"))
	if err != nil {
		return problem.New(problem.Invalid, "error.page_cursor")
	}
	f.After = after
	f.NameTokens = casework.SearchTokens(d.Query)
	page, err := s.cases.List(r.Context(), caseRequest(r), f)
	if err != nil {
		return err
	}
	orgs, err := s.orgNames(r)
	if err != nil {
		return err
	}
	d.Rows = caseRows(st.lang, page.Cases, orgs)
	if !page.Next.IsZero() {
		d.OlderCursor = page.Next.String()
	}
	if d.OlderCursor != "" && len(f.NameTokens) == 0 {
		older := url.Values{"after": {d.OlderCursor}}
		for k, v := range map[string]string{"status": string(f.Status), "exploitation": f.Exploitation} {
			if v != "" {
				older.Set(k, v)
			}
		}
		if d.Mine {
			older.Set("mine", "1")
		}
		d.Older = "/cases?" + older.Encode()
	}
	return s.render(w, r, http.StatusOK, "case_list.html", "cases.title", d)
}

// caseRows words the cases of a list in lang.
func caseRows(lang string, list []casework.Summary, orgs map[int64]string) []caseRow {
	tr := i18n.Translator(lang)
	rows := make([]caseRow, len(list))
	var b strings.Builder
	for i, c := range list {
		b.Reset()
		p := c.Profile
		if p.Gender != "" {
			b.WriteString(tr.T("gender." + p.Gender))
		}
		if p.AgeBand != "" {
			b.WriteString(", ")
			b.WriteString(tr.T("age_band." + p.AgeBand))
		}
		for _, ctz := range p.Citizenship {
			b.WriteString(" · ")
			b.WriteString(ctz)
		}
		profile := b.String()
		b.Reset()
		for j, e := range p.Exploitation {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tr.T("exploitation." + e))
		}
		rows[i] = caseRow{ID: c.ID, Status: tr.T("case_status." + string(c.Status)), Org: orgs[c.OrgID],
			Profile: profile, Exploitation: b.String(), Update: formatDate(lang, c.UpdatedAt)}
	}
	return rows
}

func (s *Server) orgNames(r *http.Request) (map[int64]string, error) {
	return s.admin.OrgNames(r.Context(), caseRequest(r))
}

type caseFormData struct {
	Case     casework.Case
	New      bool
	Classes  []access.Class // the classes the form edits
	Errs     formErrors
	Vocab    vocab
	Citizens string
	Langs    string
	Aliases  string
}

func (s *Server) renderCaseForm(w http.ResponseWriter, r *http.Request, status int, d caseFormData) error {
	d.Vocab = caseVocab
	if d.Citizens == "" {
		d.Citizens = strings.Join(d.Case.Profile.Citizenship, ", ")
		d.Langs = strings.Join(d.Case.Profile.Languages, ", ")
		if d.Case.Identity != nil {
			d.Aliases = strings.Join(d.Case.Identity.Aliases, ", ")
		}
	}
	padRows(&d.Case)
	title := "cases.edit_title"
	if d.New {
		title = "cases.new_title"
	}
	return s.render(w, r, status, "case_form.html", title, d)
}

// padRows leaves empty rows in the form for one more event, perpetrator
// and relief application: without JavaScript, that is how a row is added.
func padRows(c *casework.Case) {
	if c.Narrative != nil {
		c.Narrative.Events = append(c.Narrative.Events, casework.Event{})
		c.Narrative.Perpetrators = append(c.Narrative.Perpetrators, casework.Perpetrator{})
	}
	if c.Immigration != nil {
		c.Immigration.Relief = append(c.Immigration.Relief, casework.Relief{})
	}
}

func (s *Server) caseNew(w http.ResponseWriter, r *http.Request) error {
	c := casework.Case{Identity: &casework.Identity{}, Location: &casework.Location{}, Immigration: &casework.Immigration{}, Narrative: &casework.Narrative{}}
	return s.renderCaseForm(w, r, http.StatusOK, caseFormData{Case: c, New: true, Classes: access.Classes})
}

func (s *Server) caseCreate(w http.ResponseWriter, r *http.Request) error {
	c := caseFromForm(r, access.Classes)
	if err := s.cases.Create(r.Context(), caseRequest(r), c); err != nil {
		if errs, ok := invalidFields(err); ok {
			return s.renderCaseForm(w, r, http.StatusUnprocessableEntity, caseFormData{Case: *c, New: true, Classes: access.Classes, Errs: errs,
				Citizens: r.PostForm.Get("citizenship"), Langs: r.PostForm.Get("languages"), Aliases: r.PostForm.Get("aliases")})
		}
		return err
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), "case_saved")
}

// caseFromForm reads the parts of a case for the given classes.
func caseFromForm(r *http.Request, classes []access.Class) *casework.Case {
	f := r.PostForm
	c := &casework.Case{}
	if slices.Contains(classes, access.NonIdentifying) {
		c.Profile = casework.Profile{
			Gender: f.Get("gender"), AgeBand: f.Get("age_band"), AgeBandWhenTrafficked: f.Get("age_band_when_trafficked"),
			Citizenship: splitList(f.Get("citizenship")), Languages: splitList(f.Get("languages")),
			VictimStatus: f.Get("victim_status"), VictimStatusBy: f.Get("victim_status_by"),
			Exploitation: f["exploitation"], Industries: f["industries"], MeansOfControl: f["means"], Needs: f["needs"],
		}
	}
	if slices.Contains(classes, access.Identity) {
		c.Identity = &casework.Identity{GivenNames: f.Get("given_names"), FamilyNames: f.Get("family_names"), Aliases: splitList(f.Get("aliases")),
			BirthDate: f.Get("birth_date"), Phone: f.Get("phone"), Email: f.Get("email"), OtherContact: f.Get("other_contact")}
	}
	if slices.Contains(classes, access.Location) {
		c.Location = &casework.Location{Address: f.Get("address"), City: f.Get("city"), Shelter: f.Get("shelter")}
	}
	if slices.Contains(classes, access.Immigration) {
		im := &casework.Immigration{Status: f.Get("immigration_status"), Cooperation: f.Get("cooperation")}
		for i, kind := range f["relief_kind"] {
			if kind == "" {
				continue
			}
			im.Relief = append(im.Relief, casework.Relief{Kind: kind, Status: at(f["relief_status"], i), Date: at(f["relief_date"], i)})
		}
		c.Immigration = im
	}
	if slices.Contains(classes, access.Narrative) {
		n := &casework.Narrative{Notes: f.Get("notes")}
		for i, stage := range f["event_stage"] {
			e := casework.Event{Stage: stage, Place: at(f["event_place"], i), Date: at(f["event_date"], i), Description: at(f["event_description"], i)}
			if e != (casework.Event{}) {
				n.Events = append(n.Events, e)
			}
		}
		for i, role := range f["perp_role"] {
			p := casework.Perpetrator{Role: role, Relation: at(f["perp_relation"], i), Description: at(f["perp_description"], i)}
			if p.Role != "" || p.Description != "" {
				n.Perpetrators = append(n.Perpetrators, p)
			}
		}
		c.Narrative = n
	}
	c.Status = casework.Identified
	return c
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
}

type caseViewData struct {
	Case        *casework.Case
	Visible     []access.Class
	Hidden      []access.Class
	OrgName     map[int64]string
	UserName    map[int64]string
	CanEdit     bool
	CanMove     bool
	Next        []casework.Status
	CanAssign   bool
	Workers     []account.User
	CanConsent  bool
	Consents    []casework.Consent
	Partners    []account.Organization
	CanDelete   bool
	CanRefer    bool
	Referrals   []casework.Referral
	Now         time.Time
	Vocab       vocab
	Errs        formErrors
	DefaultTill string
}

func (s *Server) caseView(w http.ResponseWriter, r *http.Request) error {
	return s.renderCase(w, r, http.StatusOK, nil)
}

// renderCase shows a case with exactly the classes the reader may see, and
// the actions the policy allows them.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, errs formErrors) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	// One read, one audit entry: the case, the referrals and the consents.
	v, err := s.cases.View(ctx, rq, id)
	if err != nil {
		return err
	}
	c, visible, can := v.Case, v.Visible, v.Can
	d := caseViewData{Case: c, Visible: visible, Now: s.now(), Vocab: caseVocab, Errs: errs,
		DefaultTill: s.now().AddDate(0, 3, 0).Format("2006-01-02"), Referrals: v.Referrals, Consents: v.Consents}
	for _, cl := range access.Classes {
		if !slices.Contains(visible, cl) {
			d.Hidden = append(d.Hidden, cl)
		}
	}
	a := rq.Actor
	d.CanEdit, d.CanMove, d.CanAssign, d.CanConsent, d.CanDelete, d.CanRefer = can.Edit, can.Move, can.Assign, can.Consent, can.Delete, can.Refer
	d.Next = casework.Next(c.Status)
	if d.OrgName, err = s.orgNames(r); err != nil {
		return err
	}
	d.UserName = map[int64]string{}
	if can.OrgID == a.OrgID {
		team, err := s.admin.Staff(ctx, rq, can.OrgID)
		if err != nil {
			return err
		}
		for _, u := range team {
			d.UserName[u.ID] = u.Name
			if u.Has(account.Caseworker) || u.Has(account.Supervisor) {
				if !u.Disabled {
					d.Workers = append(d.Workers, u)
				}
			}
		}
	}
	if d.CanConsent {
		orgs, err := s.admin.Organizations(ctx, rq, account.OrgFilter{})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.ID != can.OrgID {
				d.Partners = append(d.Partners, o)
			}
		}
	}
	return s.render(w, r, status, "case_view.html", "cases.view_title", d)
}

func (s *Server) caseEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	editable, err := s.cases.EditableClasses(ctx, rq, id)
	if err != nil {
		return err
	}
	c, _, err := s.cases.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	return s.renderCaseForm(w, r, http.StatusOK, caseFormData{Case: *c, Classes: editable})
}

func (s *Server) caseUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	editable, err := s.cases.EditableClasses(ctx, rq, id)
	if err != nil {
		return err
	}
	c := caseFromForm(r, editable)
	c.ID = id
	old, _, err := s.cases.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	c.Status = old.Status
	if err := s.cases.Update(ctx, rq, c, editable); err != nil {
		if errs, ok := invalidFields(err); ok {
			c.Assigned, c.OrgID = old.Assigned, old.OrgID
			return s.renderCaseForm(w, r, http.StatusUnprocessableEntity, caseFormData{Case: *c, Classes: editable, Errs: errs,
				Citizens: r.PostForm.Get("citizenship"), Langs: r.PostForm.Get("languages"), Aliases: r.PostForm.Get("aliases")})
		}
		return err
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), "case_saved")
}

// backToCase ends a form posted from the case page: its field errors show
// on the page again, other errors fail, and success returns to the case.
func (s *Server) backToCase(w http.ResponseWriter, r *http.Request, id int64, err error, flash string) error {
	if errs, ok := invalidFields(err); ok {
		return s.renderCase(w, r, http.StatusUnprocessableEntity, errs)
	} else if err != nil {
		return err
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), flash)
}

func (s *Server) caseMove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.cases.Move(r.Context(), caseRequest(r), id, casework.Status(r.PostForm.Get("to")), r.PostForm.Get("reason"))
	return s.backToCase(w, r, id, err, "case_moved")
}

func (s *Server) caseAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var users []int64
	for _, v := range r.PostForm["user"] {
		u, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return problem.New(problem.Invalid, "error.invalid")
		}
		users = append(users, u)
	}
	err = s.cases.Assign(r.Context(), caseRequest(r), id, users)
	return s.backToCase(w, r, id, err, "case_assigned")
}

func (s *Server) consentAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	k := &casework.Consent{CaseID: id, Purpose: f.Get("purpose"), GivenHow: f.Get("given_how"), Witness: f.Get("witness")}
	k.OrgID, _ = strconv.ParseInt(f.Get("organization_id"), 10, 64)
	for _, c := range f["class"] {
		k.Classes = append(k.Classes, access.Class(c))
	}
	errs := formErrors{}
	if v := f.Get("valid_until"); v != "" {
		until, err := time.Parse("2006-01-02", v)
		if err != nil {
			errs["valid_until"] = "field.date"
		}
		k.Until = until.Add(24*time.Hour - time.Second) // through the end of that day, UTC
	}
	if len(errs) == 0 {
		err = s.cases.AddConsent(r.Context(), caseRequest(r), k)
		if fe, ok := invalidFields(err); ok {
			errs = fe
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderCase(w, r, http.StatusUnprocessableEntity, errs)
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), "consent_saved")
}

func (s *Server) consentRevoke(w http.ResponseWriter, r *http.Request) error {
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
	return redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), "consent_revoked")
}

type glassData struct {
	ID     int64
	Reason string
	Errs   formErrors
}

func (s *Server) glassPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "case_glass.html", "glass.title", glassData{ID: id})
}

func (s *Server) glassOpen(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason := r.PostForm.Get("reason")
	_, err = s.cases.BreakGlass(r.Context(), caseRequest(r), id, reason)
	if errs, ok := invalidFields(err); ok {
		return s.render(w, r, http.StatusUnprocessableEntity, "case_glass.html", "glass.title", glassData{ID: id, Reason: reason, Errs: errs})
	} else if err != nil {
		return err
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), "glass_opened")
}

func (s *Server) caseDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "destroy" {
		return s.renderCase(w, r, http.StatusUnprocessableEntity, formErrors{"confirm": "cases.delete_confirm_required"})
	}
	if err := s.cases.Delete(r.Context(), caseRequest(r), id); err != nil {
		return err
	}
	s.deletions.Add(1)
	return redirect(w, r, "/cases", "case_deleted")
}
