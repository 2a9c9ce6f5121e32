// Package interview holds a screening as an organization runs and keeps it:
// who interviewed, in which language, with or without an interpreter, the
// answers so far, and the determinations once it is complete. The protocol
// and the law live in package screening; this package adds the record, its
// lifecycle and the one service through which pages, the API and the
// command line reach stored screenings, under the access policy and the
// audit log.
package interview

import (
	"slices"
	"strconv"
	"time"

	"puente/internal/problem"
	"puente/internal/screening"
	"puente/internal/text"
)

// Status is where an interview stands.
type Status string

// An interview is in progress until the interviewer asks for the result.
const (
	InProgress Status = "in_progress"
	Completed  Status = "completed"
)

// Forms of the protocol.
const (
	FullForm  = "full"
	ShortForm = "short"
)

// Record is one screening interview.
type Record struct {
	ID                  int64  `json:"id"`
	OrgID               int64  `json:"organization_id"`
	CreatedBy           int64  `json:"created_by"`
	CaseID              *int64 `json:"case_id,omitempty"`
	Status              Status `json:"status"`
	Form                string `json:"form"`
	ProtocolVersion     string `json:"protocol_version"`
	Language            string `json:"language"` // the language the interview is held in
	Interpreter         bool   `json:"interpreter"`
	InterpreterLanguage string `json:"interpreter_language"`

	// Sealed: what the person said, and what it means in law.
	Age     *int                                        `json:"age,omitempty"`
	Answers screening.Answers                           `json:"answers"`
	Notes   string                                      `json:"notes"`
	Results map[screening.Jurisdiction]screening.Result `json:"results,omitempty"`

	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// Input returns the record as the engine's input.
func (r *Record) Input() screening.Input {
	return screening.Input{ID: "screening-" + strconv.FormatInt(r.ID, 10), Age: r.Age, Answers: r.Answers}
}

// maxAge bounds the age field: a typo should not make a person 400.
const maxAge = 120

// Normalize checks the interview's settings and notes.
func (r *Record) Normalize() error {
	var f problem.Fields
	if r.Form == "" {
		r.Form = FullForm
	}
	if r.Form != FullForm && r.Form != ShortForm {
		f.Add("form", "field.choose_one")
	}
	lang, key := text.Clean(r.Language, 20)
	if key != "" {
		f.Add("language", key)
	}
	r.Language = lang
	il, key := text.Clean(r.InterpreterLanguage, 60)
	if key != "" {
		f.Add("interpreter_language", key)
	}
	r.InterpreterLanguage = il
	if r.Interpreter && r.InterpreterLanguage == "" {
		f.Add("interpreter_language", "screening.interpreter_language_required")
	}
	notes, key := text.CleanMultiline(r.Notes, 20000)
	if key != "" {
		f.Add("notes", key)
	}
	r.Notes = notes
	if r.Age != nil && (*r.Age < 0 || *r.Age > maxAge) {
		f.Add("age", "screening.age_range")
	}
	if r.Answers == nil {
		r.Answers = screening.Answers{}
	}
	if !slices.Contains([]Status{InProgress, Completed}, r.Status) {
		r.Status = InProgress
	}
	return f.Err()
}
