package screening

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ids(inds []Indicator) []string {
	out := []string{}
	for _, ind := range inds {
		out = append(out, ind.ID)
	}
	return out
}

func TestNextStartsWithAge(t *testing.T) {
	p := Load()
	for _, a := range []Answers{nil, {}, {"PU01": Yes, "CD04": Yes}} {
		if diff := cmp.Diff([]string{"CTX01"}, ids(p.Next(a))); diff != "" {
			t.Errorf("Next(%v) (-want +got):\n%s", a, diff)
		}
		if diff := cmp.Diff([]string{"CTX01"}, ids(p.NextShort(a))); diff != "" {
			t.Errorf("NextShort(%v) (-want +got):\n%s", a, diff)
		}
	}
}

func TestNextAsksGatesThenOpenedModules(t *testing.T) {
	p := Load()
	gates := []string{"CTX02", "SM01", "ACT01", "PU08", "PU01", "PU02", "PU03", "PU05", "PU07"}
	tests := []struct {
		name    string
		answers string
		want    []string
	}{
		{"after age, every gate", "CTX01=no", gates},
		{"gates already answered are not repeated", "CTX01=declined CTX02=no SM01=no", gates[2:]},
		{"every gate no: done", "CTX01=no CTX02=no SM01=no ACT01=no PU08=no PU01=no PU02=no PU03=no PU05=no PU07=no", []string{}},
		{"declined opens nothing", "CTX01=no CTX02=declined SM01=declined ACT01=declined PU08=declined PU01=declined PU02=declined PU03=declined PU05=declined PU07=declined", []string{}},
		{"unknown opens nothing", "CTX01=no CTX02=unknown SM01=no ACT01=no PU08=unknown PU01=no PU02=no PU03=no PU05=no PU07=no", []string{}},
		{"a crossing opens migration", "CTX01=no CTX02=yes SM01=no ACT01=no PU08=no PU01=no PU02=no PU03=no PU05=no PU07=no",
			[]string{"SM02", "SM03", "SM04", "SM05"}},
		{"a child is asked about adoption", "CTX01=yes CTX02=no SM01=no ACT01=no PU08=no PU01=no PU02=no PU03=no PU05=no PU07=no",
			[]string{"PU06"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(p.Next(answers(t, tt.answers)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNextOpensLaborOnlyAfterItsGate(t *testing.T) {
	p := Load()
	base := "CTX01=no CTX02=no SM01=no ACT01=no PU01=no PU02=no PU03=no PU05=no PU07=no "
	closed := interview(p, answers(t, base+"PU08=no"), Yes)
	opened := interview(p, answers(t, base+"PU08=yes"), No)
	for _, id := range []string{"PU04", "EX01", "EX02", "EX06"} {
		if slices.Contains(closed, id) {
			t.Errorf("%s was asked although PU08 was no", id)
		}
		if !slices.Contains(opened, id) {
			t.Errorf("%s was not asked although PU08 was yes", id)
		}
	}
}

// interview answers every question Next asks with a, and returns the ids
// asked, in order.
func interview(p *Protocol, start Answers, a Answer) []string {
	got := Answers{}
	for id, v := range start {
		got[id] = v
	}
	var asked []string
	for step := 0; step < 100; step++ {
		next := p.Next(got)
		if len(next) == 0 {
			return asked
		}
		for _, ind := range next {
			asked = append(asked, ind.ID)
			got[ind.ID] = a
		}
	}
	panic("the interview did not end")
}

func TestInterviewAsksEachQuestionOnce(t *testing.T) {
	p := Load()
	all := interview(p, nil, Yes)
	if len(all) != 60 {
		t.Errorf("answering yes to everything asked %d questions, want all 60", len(all))
	}
	seen := map[string]bool{}
	for _, id := range all {
		if seen[id] {
			t.Errorf("%s asked twice", id)
		}
		seen[id] = true
	}
	if all[0] != "CTX01" {
		t.Errorf("first question %s, want CTX01", all[0])
	}
	declined := interview(p, nil, Declined)
	if diff := cmp.Diff(append([]string{"CTX01"}, "CTX02", "SM01", "ACT01", "PU08", "PU01", "PU02", "PU03", "PU05", "PU07"), declined); diff != "" {
		t.Errorf("declining everything (-want +got):\n%s", diff)
	}
}

func TestNextShort(t *testing.T) {
	p := Load()
	a := Answers{"CTX01": No}
	want := ids(p.ShortForm())[1:]
	if diff := cmp.Diff(want, ids(p.NextShort(a))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, id := range want {
		a[id] = Declined
	}
	if got := p.NextShort(a); len(got) != 0 {
		t.Errorf("a finished short form still asks %v", ids(got))
	}
}
