package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"puente/internal/access"
	"puente/internal/casework"
	"puente/internal/glossary"
	"puente/internal/htcds"
	"puente/internal/interview"
	"puente/internal/keyset"
	"puente/internal/problem"
	"puente/internal/screening"
)

// registerScreenings declares the interview pages. Every handler goes
// through the interview service (access policy and audit log).
func (s *Server) registerScreenings() {
	s.handle("GET /screenings", access.ScreeningRead, s.screeningList)
	s.handle("GET /screenings/new", access.ScreeningRun, s.screeningNew)
	s.handle("POST /screenings", access.ScreeningRun, s.screeningStart)
	s.handle("GET /screenings/{id}", access.ScreeningRead, s.screeningStep)
	s.handle("POST /screenings/{id}", access.ScreeningRun, s.screeningSave)
	s.handle("POST /screenings/{id}/complete", access.ScreeningRun, s.screeningComplete)
	s.handle("GET /screenings/{id}/result", access.ScreeningRead, s.screeningResult)
	s.handle("POST /screenings/{id}/attach", access.ScreeningRun, s.screeningAttach)
	s.handle("POST /screenings/{id}/open-case", access.ScreeningRun, s.screeningOpenCase)
}

var answerValues = []screening.Answer{screening.Yes, screening.No, screening.Unknown, screening.Declined}

type screeningListData struct {
	Screenings []interview.Summary
	UserName   map[int64]string
	Older      string // the next page's address, or ""
}

func (s *Server) screeningList(w http.ResponseWriter, r *http.Request) error {
	after, err := keyset.Parse(r.URL.Query().Get("after"))
	if err != nil {
		return problem.New(problem.Invalid, "error.page_cursor")
	}
	page, err := s.interviews.List(r.Context(), caseRequest(r), after)
	if err != nil {
		return err
	}
	d := screeningListData{Screenings: page.Screenings, UserName: map[int64]string{}}
	if !page.Next.IsZero() {
		d.Older = "/screenings?" + url.Values{"after": {page.Next.String()}}.Encode()
	}
	if d.UserName, err = s.admin.StaffNames(r.Context(), caseRequest(r), stateOf(r).user.OrgID); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "screening_list.html", "screening.list_title", d)
}

type screeningNewData struct {
	Record interview.Record
	Errs   formErrors
	Rules  []string
}

func (s *Server) screeningNew(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "screening_new.html", "screening.new_title",
		screeningNewData{Record: interview.Record{Form: interview.FullForm, Language: stateOf(r).lang}})
}

func (s *Server) screeningStart(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	rec := &interview.Record{Form: f.Get("form"), Language: f.Get("language"), Interpreter: checked(r, "interpreter"), InterpreterLanguage: f.Get("interpreter_language")}
	if err := s.interviews.Start(r.Context(), caseRequest(r), rec); err != nil {
		if errs, ok := invalidFields(err); ok {
			return s.render(w, r, http.StatusUnprocessableEntity, "screening_new.html", "screening.new_title", screeningNewData{Record: *rec, Errs: errs})
		}
		return err
	}
	return redirect(w, r, "/screenings/"+strconv.FormatInt(rec.ID, 10), "")
}

// question is one question on a step page, in the page's language.
type question struct {
	ID     string
	Text   string
	Answer screening.Answer
}

type stepData struct {
	Record   *interview.Record
	Module   string
	Step     []question
	Answered int
	Total    int
	Values   []screening.Answer
	AgeText  string
	Errs     formErrors
	Done     bool
}

// screeningStep shows the next questions of an interview in progress, one
// module at a time. The answers live on the server, so switching language
// mid-interview, or leaving and coming back, keeps them.
func (s *Server) screeningStep(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := s.interviews.Get(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	if rec.Status == interview.Completed {
		return redirect(w, r, "/screenings/"+strconv.FormatInt(id, 10)+"/result", "")
	}
	return s.renderStep(w, r, http.StatusOK, rec, nil)
}

func (s *Server) renderStep(w http.ResponseWriter, r *http.Request, status int, rec *interview.Record, errs formErrors) error {
	lang := stateOf(r).lang
	next := s.protocol.Next(rec.Answers)
	if rec.Form == interview.ShortForm {
		next = s.protocol.NextShort(rec.Answers)
	}
	d := stepData{Record: rec, Values: answerValues, Errs: errs, Done: len(next) == 0, Answered: len(rec.Answers), Total: len(s.protocol.Indicators())}
	if rec.Age != nil {
		d.AgeText = strconv.Itoa(*rec.Age)
	}
	for _, ind := range next {
		d.Step = append(d.Step, question{ID: ind.ID, Text: ind.Question(lang), Answer: rec.Answers[ind.ID]})
	}
	if len(next) > 0 {
		for _, m := range s.protocol.Modules() {
			if m.ID == next[0].Module {
				d.Module = m.TitleEN
				if lang == "es" {
					d.Module = m.TitleES
				}
			}
		}
		if len(next) > 1 && next[0].Module != next[len(next)-1].Module {
			d.Module = "" // the opening questions of every module, asked together
		}
	}
	return s.render(w, r, status, "screening_step.html", "screening.step_title", d)
}

// screeningSave stores the answers of one step. An unanswered question on
// the page is simply not recorded: nothing is pressed, and "declined" is
// always one of the choices.
func (s *Server) screeningSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	answers := screening.Answers{}
	for key, vals := range r.PostForm {
		if qid, ok := strings.CutPrefix(key, "q_"); ok && len(vals) > 0 && vals[0] != "" {
			answers[qid] = screening.Answer(vals[0])
		}
	}
	var age *int
	errs := formErrors{}
	if v := strings.TrimSpace(r.PostForm.Get("age")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs["age"] = "screening.age_range"
		}
		age = &n
	}
	var notes *string
	if _, ok := r.PostForm["notes"]; ok {
		n := r.PostForm.Get("notes")
		notes = &n
	}
	ctx, rq := r.Context(), caseRequest(r)
	if len(errs) == 0 {
		rec, err := s.interviews.Answer(ctx, rq, id, answers, notes, age)
		if err == nil {
			if r.PostForm.Get("then") == "later" {
				return redirect(w, r, "/screenings", "screening_saved")
			}
			return redirect(w, r, "/screenings/"+strconv.FormatInt(rec.ID, 10), "")
		}
		fe, ok := invalidFields(err)
		if !ok {
			return err
		}
		errs = fe
	}
	rec, err := s.interviews.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	return s.renderStep(w, r, http.StatusUnprocessableEntity, rec, errs)
}

func (s *Server) screeningComplete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.interviews.Complete(r.Context(), caseRequest(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/screenings/"+strconv.FormatInt(id, 10)+"/result", "")
}

// jurisdictionResult is one jurisdiction's result as the page shows it.
type jurisdictionResult struct {
	Jurisdiction screening.Jurisdiction
	Result       screening.Result
	Explanation  string
	Divergence   string
	Missing      []question
}

type resultData struct {
	Record    *interview.Record
	Results   []jurisdictionResult
	Findings  []glossary.Finding
	Cases     []casework.Summary
	Warranted bool // a trafficking determination somewhere: offer to open a case
	Errs      formErrors
}

// screeningResult is the determination page: printable, in the reader's
// language, with the law behind each result.
func (s *Server) screeningResult(w http.ResponseWriter, r *http.Request) error {
	return s.renderResult(w, r, http.StatusOK, nil)
}

func (s *Server) renderResult(w http.ResponseWriter, r *http.Request, status int, errs formErrors) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	rec, err := s.interviews.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	if rec.Status != interview.Completed {
		return redirect(w, r, "/screenings/"+strconv.FormatInt(id, 10), "")
	}
	lang := stateOf(r).lang
	d := resultData{Record: rec, Findings: glossary.Scan(rec.Notes), Errs: errs}
	for _, j := range screening.Jurisdictions {
		res, ok := rec.Results[j]
		if !ok {
			continue
		}
		jr := jurisdictionResult{Jurisdiction: j, Result: res, Explanation: res.ExplanationEN}
		if lang == "es" {
			jr.Explanation = res.ExplanationES
		}
		if res.Divergence != nil {
			jr.Divergence = res.Divergence.EN
			if lang == "es" {
				jr.Divergence = res.Divergence.ES
			}
		}
		for _, mid := range res.Missing {
			if ind, ok := s.protocol.Indicator(mid); ok {
				jr.Missing = append(jr.Missing, question{ID: mid, Text: ind.Question(lang)})
			}
		}
		if res.Determination.Trafficking() {
			d.Warranted = true
		}
		d.Results = append(d.Results, jr)
	}
	if rec.CaseID == nil && access.Allow(rq.Actor, access.CaseList, access.Resource{OrgID: rq.Actor.OrgID}) {
		page, err := s.cases.List(ctx, rq, casework.Filter{Limit: 200})
		if err != nil {
			return err
		}
		for _, c := range page.Cases {
			if c.OrgID == rq.Actor.OrgID {
				d.Cases = append(d.Cases, c)
			}
		}
	}
	return s.render(w, r, status, "screening_result.html", "screening.result_title", d)
}

func (s *Server) screeningAttach(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	caseID, err := strconv.ParseInt(r.PostForm.Get("case_id"), 10, 64)
	if err != nil {
		return s.renderResult(w, r, http.StatusUnprocessableEntity, formErrors{"case_id": "screening.case_unknown"})
	}
	if _, err := s.interviews.Attach(r.Context(), caseRequest(r), id, caseID); err != nil {
		if errs, ok := invalidFields(err); ok {
			return s.renderResult(w, r, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/screenings/"+strconv.FormatInt(id, 10)+"/result", "screening_attached")
}

// exploitationOf maps a determination to the case's form of exploitation.
var exploitationOf = map[screening.Label]string{
	screening.TraffickingSex:               "sexual_exploitation",
	screening.TraffickingLabor:             "forced_labor",
	screening.TraffickingForcedCriminality: "forced_criminal_activity",
	screening.TraffickingForcedBegging:     "forced_begging",
	screening.TraffickingOther:             "other",
}

// screeningOpenCase opens a case from a screening whose result warrants it,
// carrying over only the non-identifying profile: the forms of exploitation
// found and the victim status. Names and the story are the caseworker's to
// record, with the survivor.
func (s *Server) screeningOpenCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	rec, err := s.interviews.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	var forms []string
	for _, res := range rec.Results {
		if f, ok := exploitationOf[res.Determination]; ok && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	if len(forms) == 0 {
		return problem.New(problem.Conflict, "screening.no_case_warranted")
	}
	c := &casework.Case{Profile: casework.Profile{Exploitation: forms, VictimStatus: "possible", VictimStatusBy: "screening"}}
	if rec.Age != nil {
		c.Profile.AgeBand = htcds.AgeBand(*rec.Age)
	}
	if err := s.cases.Create(ctx, rq, c); err != nil {
		return err
	}
	if _, err := s.interviews.LinkNewCase(ctx, rq, id, c.ID); err != nil {
		return err
	}
	to := "/cases/" + strconv.FormatInt(c.ID, 10)
	if access.Allow(rq.Actor, access.CaseUpdate, access.Resource{}) {
		to += "/edit"
	}
	return redirect(w, r, to, "case_opened_from_screening")
}
