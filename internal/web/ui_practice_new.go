package web

import (
	"net/http"
	"strconv"
	"strings"

	"puente/internal/practice"
	"puente/internal/problem"
)

// practiceNewData is the form on which a supervisor writes a vignette for
// the organization's trainees.
type practiceNewData struct {
	Vignette practice.Vignette
	AgeText  string
	Form     practiceForm
}

func (s *Server) practiceNew(w http.ResponseWriter, r *http.Request) error {
	if !practice.CanWrite(stateOf(r).actor) {
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	return s.renderPracticeNew(w, r, http.StatusOK, practiceNewData{}, nil)
}

func (s *Server) renderPracticeNew(w http.ResponseWriter, r *http.Request, status int, d practiceNewData, errs formErrors) error {
	d.Form = s.practiceForm(stateOf(r).lang, "expected", d.Vignette.Answers, d.Vignette.Expected, errs)
	return s.render(w, r, status, "practice_new.html", "practice.new_title", d)
}

// practiceCreate keeps a supervisor's vignette. Its expected
// determinations are the author's reading: the engine's may differ, and the
// feedback page says so when it does.
func (s *Server) practiceCreate(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if !practice.CanWrite(st.actor) {
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	f := r.PostForm
	errs := formErrors{}
	d := practiceNewData{AgeText: strings.TrimSpace(f.Get("age")), Vignette: practice.Vignette{
		Title: f.Get("title"), NarrativeEN: f.Get("narrative_en"), NarrativeES: f.Get("narrative_es"), Reasoning: f.Get("reasoning"),
		Answers: practiceAnswers(f), Expected: practiceLabels(f, "expected", errs),
	}}
	if d.AgeText != "" {
		n, err := strconv.Atoi(d.AgeText)
		if err != nil {
			errs["age"] = "screening.age_range"
		} else {
			d.Vignette.Age = &n
		}
	}
	if err := d.Vignette.Normalize(s.protocol); err != nil {
		fe, ok := invalidFields(err)
		if !ok {
			return err
		}
		for field, key := range fe {
			if _, seen := errs[field]; !seen {
				errs[field] = key
			}
		}
	}
	if len(errs) > 0 {
		return s.renderPracticeNew(w, r, http.StatusUnprocessableEntity, d, errs)
	}
	o, err := s.practice.Add(r.Context(), caseRequest(r), d.Vignette)
	if err != nil {
		return err
	}
	return redirect(w, r, "/practice/"+o.Vignette.ID, "")
}
