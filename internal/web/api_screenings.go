package web

import (
	"net/http"

	"puente/internal/access"
	"puente/internal/interview"
	"puente/internal/keyset"
	"puente/internal/problem"
	"puente/internal/screening"
)

// registerScreeningAPI declares the screening API: a stateless evaluation
// for partners' tools, and the organization's stored screenings.
func (s *Server) registerScreeningAPI() {
	s.handle("POST /api/v1/screenings/evaluate", access.SignedIn, s.apiScreeningEvaluate)
	s.handle("GET /api/v1/screenings", access.ScreeningRead, s.apiScreeningList)
	s.handle("POST /api/v1/screenings", access.ScreeningRun, s.apiScreeningStart)
	s.handle("GET /api/v1/screenings/{id}", access.ScreeningRead, s.apiScreeningGet)
	s.handle("POST /api/v1/screenings/{id}/answers", access.ScreeningRun, s.apiScreeningAnswer)
	s.handle("POST /api/v1/screenings/{id}/complete", access.ScreeningRun, s.apiScreeningComplete)
}

// apiScreeningEvaluate runs the engine on answers sent in the body and
// stores nothing: the same contract as "puente screen".
func (s *Server) apiScreeningEvaluate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		screening.Input
		Jurisdictions []screening.Jurisdiction `json:"jurisdictions"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	js := in.Jurisdictions
	if len(js) == 0 {
		js = screening.Jurisdictions
	}
	for _, j := range js {
		if !containsJurisdiction(j) {
			return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "jurisdictions", Key: "field.choose_one"}}}
		}
	}
	results, err := s.protocol.EvaluateAll(in.Input, js...)
	if err != nil {
		return interview.AnswersProblem(err)
	}
	out := map[string]any{"id": in.ID}
	for j, res := range results {
		out[string(j)] = res
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

func containsJurisdiction(j screening.Jurisdiction) bool {
	for _, k := range screening.Jurisdictions {
		if k == j {
			return true
		}
	}
	return false
}

func (s *Server) apiScreeningList(w http.ResponseWriter, r *http.Request) error {
	after, err := keyset.Parse(r.URL.Query().Get("after"))
	if err != nil {
		return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "after", Key: "error.page_cursor"}}}
	}
	page, err := s.interviews.List(r.Context(), caseRequest(r), after)
	if err != nil {
		return err
	}
	list := page.Screenings
	if list == nil {
		list = []interview.Summary{}
	}
	out := map[string]any{"screenings": list}
	if !page.Next.IsZero() {
		out["next"] = page.Next.String()
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiScreeningStart(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Form                string `json:"form"`
		Language            string `json:"language"`
		Interpreter         bool   `json:"interpreter"`
		InterpreterLanguage string `json:"interpreter_language"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rec := &interview.Record{Form: in.Form, Language: in.Language, Interpreter: in.Interpreter, InterpreterLanguage: in.InterpreterLanguage}
	if err := s.interviews.Start(r.Context(), caseRequest(r), rec); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"screening": rec})
	return nil
}

func (s *Server) apiScreeningGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := s.interviews.Get(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"screening": rec})
	return nil
}

func (s *Server) apiScreeningAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Age     *int              `json:"age"`
		Answers screening.Answers `json:"answers"`
		Notes   *string           `json:"notes"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rec, err := s.interviews.Answer(r.Context(), caseRequest(r), id, in.Answers, in.Notes, in.Age)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"screening": rec})
	return nil
}

func (s *Server) apiScreeningComplete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := s.interviews.Complete(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"screening": rec})
	return nil
}
