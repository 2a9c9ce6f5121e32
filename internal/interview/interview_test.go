package interview

import (
	"testing"

	"puente/internal/problem"
	"puente/internal/screening"
)

func TestNormalize(t *testing.T) {
	old := 130
	for _, tt := range []struct {
		name  string
		rec   Record
		field string
	}{
		{"defaults", Record{}, ""},
		{"bad form", Record{Form: "long"}, "form"},
		{"interpreter without language", Record{Interpreter: true}, "interpreter_language"},
		{"markup in notes", Record{Notes: "<b>x</b>"}, "notes"},
		{"impossible age", Record{Age: &old}, "age"},
	} {
		err := tt.rec.Normalize()
		pe := problem.As(err)
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field != "" && (pe.Kind != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Field != tt.field):
			t.Errorf("%s: %v, want the field %s refused", tt.name, err, tt.field)
		}
	}
	r := Record{}
	r.Normalize()
	if r.Form != FullForm || r.Status != InProgress || r.Answers == nil {
		t.Errorf("defaults: %+v", r)
	}
}

func TestAnswersProblemNamesEachID(t *testing.T) {
	err := screening.Load().Validate(screening.Input{Answers: screening.Answers{"SM01": "maybe", "ZZ01": "yes"}})
	pe := problem.As(AnswersProblem(err))
	var fields []string
	for _, f := range pe.Fields {
		fields = append(fields, f.Field+"="+f.Key)
	}
	want := []string{"answers.SM01=screening.invalid_answer", "answers.ZZ01=screening.unknown_indicator"}
	if len(fields) != 2 || fields[0] != want[0] || fields[1] != want[1] {
		t.Errorf("fields %v, want %v", fields, want)
	}
}
