package screening

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"puente/internal/problem"
)

func TestValidate(t *testing.T) {
	p := Load()
	tests := []struct {
		name string
		in   Input
		want []Problem
	}{
		{"empty", Input{}, nil},
		{"all four values", Input{Answers: Answers{"PU01": Yes, "PU02": No, "PU03": Unknown, "PU05": Declined}}, nil},
		{"age bounds", Input{Age: age(0), Answers: Answers{"CTX01": Yes}}, nil},
		{"every problem, sorted", Input{Age: age(-1), Answers: Answers{"ZZ99": Yes, "PU01": "Yes", "CTX01": "", "XX01": "maybe"}}, []Problem{
			{ID: "CTX01", Value: "", Reason: ReasonInvalidAnswer},
			{ID: "PU01", Value: "Yes", Reason: ReasonInvalidAnswer},
			{ID: "XX01", Value: "maybe", Reason: ReasonUnknownIndicator},
			{ID: "ZZ99", Value: "yes", Reason: ReasonUnknownIndicator},
			{ID: "age", Value: "-1", Reason: ReasonInvalidAge},
		}},
		{"huge age", Input{Age: age(1 << 40)}, []Problem{{ID: "age", Value: "1099511627776", Reason: ReasonInvalidAge}}},
		{"lower-case id only", Input{Answers: Answers{"pu01": Yes}}, []Problem{{ID: "pu01", Value: "yes", Reason: ReasonUnknownIndicator}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Validate(tt.in)
			var got []Problem
			if err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("got %T, want *ValidationError", err)
				}
				got = ve.Problems
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateValidatesFirst(t *testing.T) {
	p := Load()
	in := Input{Answers: Answers{"PU01": "si", "NOPE": Yes}}
	if _, err := p.Evaluate(in, US); err == nil {
		t.Error("Evaluate accepted invalid answers")
	}
	_, err := p.EvaluateAll(in, US, "fr")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want *ValidationError", err)
	}
	want := []Problem{
		{ID: "NOPE", Value: "yes", Reason: ReasonUnknownIndicator},
		{ID: "PU01", Value: "si", Reason: ReasonInvalidAnswer},
		{ID: "jurisdiction", Value: "fr", Reason: ReasonUnknownJurisdiction},
	}
	if diff := cmp.Diff(want, ve.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if _, err := p.Evaluate(Input{}, "fr"); err == nil {
		t.Error("Evaluate accepted an unknown jurisdiction")
	}
}

func TestValidationErrorIsInvalidProblem(t *testing.T) {
	err := Load().Validate(Input{Answers: Answers{"PU01": "maybe"}})
	if !problem.Is(err, problem.Invalid) {
		t.Fatalf("got kind %v, want invalid", problem.KindOf(err))
	}
	want := []problem.FieldError{{Field: "PU01", Key: "screening.invalid_answer"}}
	if diff := cmp.Diff(want, problem.As(err).Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}
