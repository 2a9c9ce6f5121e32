package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"puente/internal/access"
	"puente/internal/practice"
	"puente/internal/problem"
	"puente/internal/screening"
)

// registerPractice declares the practice mode. A trainee's attempt is
// graded and shown, never kept, and writes nothing to the audit log:
// practice is not a screening of anyone. Anyone who may run a screening
// may practise; supervisors may add their organization's own vignettes.
func (s *Server) registerPractice() {
	s.handle("GET /practice", access.ScreeningRun, s.practiceList)
	s.handle("GET /practice/vignettes/new", access.ScreeningRun, s.practiceNew)
	s.handle("POST /practice/vignettes", access.ScreeningRun, s.practiceCreate)
	s.handle("GET /practice/{vid}", access.ScreeningRun, s.practiceVignette)
	s.handle("POST /practice/{vid}", access.ScreeningRun, s.practiceGrade)
}

// practiceItem is one vignette in the list, with the language its heading
// is in.
type practiceItem struct {
	ID, Heading, Lang string
}

func practiceItemOf(v practice.Vignette, lang string) practiceItem {
	it := practiceItem{ID: v.ID, Heading: v.Heading(lang), Lang: lang}
	if v.Title == "" {
		_, it.Lang = v.Narrative(lang)
	}
	return it
}

type practiceListData struct {
	Shared, Own []practiceItem
	CanAdd      bool
}

func (s *Server) practiceList(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	d := practiceListData{CanAdd: practice.CanWrite(st.actor)}
	for _, v := range practice.Vignettes() {
		d.Shared = append(d.Shared, practiceItemOf(v, st.lang))
	}
	own, err := s.practice.Own(r.Context(), caseRequest(r))
	if err != nil {
		return err
	}
	for _, o := range own {
		d.Own = append(d.Own, practiceItemOf(o.Vignette, st.lang))
	}
	return s.render(w, r, http.StatusOK, "practice_list.html", "practice.list_title", d)
}

// practiceModule is one interview module with all its questions: in
// practice every question is on one page, so a trainee decides which apply.
type practiceModule struct {
	Title     string
	Questions []question
}

// practiceForm is what the question and determination fields show; the
// trainee's page and the author's form share it.
type practiceForm struct {
	Modules       []practiceModule
	Values        []screening.Answer
	Labels        []screening.Label
	Jurisdictions []screening.Jurisdiction
	LabelField    string // "label" for a trainee's reading, "expected" for an author's
	Chosen        map[screening.Jurisdiction]screening.Label
	Errs          formErrors
}

func (s *Server) practiceForm(lang, labelField string, answers screening.Answers, chosen map[screening.Jurisdiction]screening.Label, errs formErrors) practiceForm {
	f := practiceForm{Values: answerValues, Labels: screening.Labels, Jurisdictions: practice.Jurisdictions,
		LabelField: labelField, Chosen: chosen, Errs: errs}
	for _, m := range s.protocol.Modules() {
		pm := practiceModule{Title: m.TitleEN}
		if lang == "es" {
			pm.Title = m.TitleES
		}
		for _, id := range m.Indicators {
			if ind, ok := s.protocol.Indicator(id); ok {
				pm.Questions = append(pm.Questions, question{ID: id, Text: ind.Question(lang), Answer: answers[id]})
			}
		}
		f.Modules = append(f.Modules, pm)
	}
	return f
}

type practiceVignetteData struct {
	Vignette      practice.Vignette
	Heading       string
	Narrative     string
	NarrativeLang string // the language the narrative is written in
	Form          practiceForm
}

func (s *Server) practiceVignette(w http.ResponseWriter, r *http.Request) error {
	v, err := s.practiceLookup(r)
	if err != nil {
		return err
	}
	return s.renderPracticeVignette(w, r, http.StatusOK, v, nil, nil, nil)
}

func (s *Server) renderPracticeVignette(w http.ResponseWriter, r *http.Request, status int, v practice.Vignette,
	answers screening.Answers, chosen map[screening.Jurisdiction]screening.Label, errs formErrors) error {
	lang := stateOf(r).lang
	d := practiceVignetteData{Vignette: v, Heading: v.Heading(lang), Form: s.practiceForm(lang, "label", answers, chosen, errs)}
	d.Narrative, d.NarrativeLang = v.Narrative(lang)
	return s.render(w, r, status, "practice_vignette.html", "practice.vignette_title", d)
}

// practiceLookup finds the vignette the path names: a shared one, or one
// of the reader's organization. Any other is not found.
func (s *Server) practiceLookup(r *http.Request) (practice.Vignette, error) {
	vid := r.PathValue("vid")
	if id, ok := practice.ParseOrgVignetteID(vid); ok {
		o, err := s.practice.Get(r.Context(), caseRequest(r), id)
		if err != nil {
			if problem.Is(err, problem.NotFound) {
				return practice.Vignette{}, problem.Wrap(problem.NotFound, "practice.not_found", err)
			}
			return practice.Vignette{}, err
		}
		return o.Vignette, nil
	}
	if v, ok := practice.Lookup(vid); ok {
		return v, nil
	}
	return practice.Vignette{}, problem.New(problem.NotFound, "practice.not_found")
}

// practiceAnswers reads the q_<id> radios. An unanswered question is not
// recorded, as in a real interview.
func practiceAnswers(form url.Values) screening.Answers {
	answers := screening.Answers{}
	for key, vals := range form {
		if id, ok := strings.CutPrefix(key, "q_"); ok && len(vals) > 0 && vals[0] != "" {
			answers[id] = screening.Answer(vals[0])
		}
	}
	return answers
}

// practiceLabels reads one determination per law from the field prefix_<j>;
// empty is "no reading given".
func practiceLabels(form url.Values, prefix string, errs formErrors) map[screening.Jurisdiction]screening.Label {
	out := map[screening.Jurisdiction]screening.Label{}
	for _, j := range practice.Jurisdictions {
		field := prefix + "_" + string(j)
		l := screening.Label(form.Get(field))
		if l != "" && !slices.Contains(screening.Labels, l) {
			errs[field] = "practice.label_invalid"
			continue
		}
		out[j] = l
	}
	return out
}

// answerErrors names every answer the engine would refuse, by indicator id.
func (s *Server) answerErrors(answers screening.Answers, errs formErrors) {
	var ve *screening.ValidationError
	if errors.As(s.protocol.Validate(screening.Input{Answers: answers}), &ve) {
		for _, pr := range ve.Problems {
			errs[pr.ID] = "screening." + pr.Reason
		}
	}
}

type practiceVerdict struct {
	practice.Verdict
	Explanation, Divergence string
}

type practiceAnswer struct {
	practice.AnswerDiff
	Text string
}

type practiceFeedbackData struct {
	Vignette      practice.Vignette
	Heading       string
	Reasoning     string // the author's, in the page's language when written in it
	ReasoningLang string // the language it is written in; empty when not known
	Agrees        bool
	Verdicts      []practiceVerdict
	Answers       []practiceAnswer
}

// practiceGrade grades an attempt and shows the feedback. It keeps
// nothing: not the answers, not the result, not an audit entry.
func (s *Server) practiceGrade(w http.ResponseWriter, r *http.Request) error {
	v, err := s.practiceLookup(r)
	if err != nil {
		return err
	}
	errs := formErrors{}
	answers := practiceAnswers(r.PostForm)
	s.answerErrors(answers, errs)
	chosen := practiceLabels(r.PostForm, "label", errs)
	if len(errs) > 0 {
		return s.renderPracticeVignette(w, r, http.StatusUnprocessableEntity, v, answers, chosen, errs)
	}
	lang := stateOf(r).lang
	fb := practice.Grade(v, answers, chosen, s.protocol)
	d := practiceFeedbackData{Vignette: v, Heading: v.Heading(lang), Agrees: fb.Agrees()}
	d.Reasoning, d.ReasoningLang = v.ReasoningIn(lang)
	for _, vd := range fb.Verdicts {
		d.Verdicts = append(d.Verdicts, practiceVerdict{Verdict: vd, Explanation: vd.Explanation(lang), Divergence: vd.Divergence(lang)})
	}
	for _, a := range fb.Answers {
		pa := practiceAnswer{AnswerDiff: a}
		if ind, ok := s.protocol.Indicator(a.ID); ok {
			pa.Text = ind.Question(lang)
		}
		d.Answers = append(d.Answers, pa)
	}
	return s.render(w, r, http.StatusOK, "practice_feedback.html", "practice.feedback_title", d)
}
