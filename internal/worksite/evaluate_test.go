package worksite

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"puente/internal/problem"
	"puente/internal/screening"
)

// seen builds the signs of an observation: the ids given are seen, every
// other sign of the checklist was checked and not seen.
func seen(ids ...string) map[string]Value {
	m := map[string]Value{}
	for _, s := range Load().Signs() {
		m[s.ID] = NotSeen
	}
	for _, id := range ids {
		m[id] = Seen
	}
	return m
}

func stepIDs(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.ID)
	}
	return out
}

func signIDs(signs []Sign) []string {
	var out []string
	for _, s := range signs {
		out = append(out, s.ID)
	}
	return out
}

func TestEvaluateLevels(t *testing.T) {
	for _, tc := range []struct {
		name    string
		obs     Observation
		level   Level
		because []string
	}{
		{"nothing checked", Observation{Site: Agriculture}, NoSigns, nil},
		{"everything checked, nothing seen", Observation{Site: Agriculture, Signs: seen()}, NoSigns, nil},
		{"not checked is not seen", Observation{Site: Packing, Signs: map[string]Value{"WS01": NotChecked, "WS04": NotChecked}}, NoSigns, nil},
		{"one weak sign", Observation{Site: Construction, Signs: seen("WS15")}, SomeSigns, []string{"WS15"}},
		{"two weak signs", Observation{Site: Construction, Signs: seen("WS15", "WS21")}, SomeSigns, []string{"WS15", "WS21"}},
		{"one medium sign", Observation{Site: Agriculture, Signs: seen("WS08")}, SomeSigns, []string{"WS08"}},
		{"one medium and one weak", Observation{Site: Agriculture, Signs: seen("WS08", "WS15")}, SomeSigns, []string{"WS08", "WS15"}},
		{"minors seen, nothing else", Observation{Site: Agriculture, MinorsSeen: true}, SomeSigns, nil},
		{"two medium signs", Observation{Site: Agriculture, Signs: seen("WS08", "WS12")}, InterviewPrivately, []string{"WS08", "WS12"}},
		{"one strong sign", Observation{Site: Agriculture, Signs: seen("WS04")}, InterviewPrivately, []string{"WS04"}},
		{"a crew boss who answers for everyone", Observation{Site: OtherSite, Signs: seen("WS18")}, InterviewPrivately, []string{"WS18"}},
		{"strong and medium: the strong decide", Observation{Site: Agriculture, Signs: seen("WS08", "WS10", "WS12")}, InterviewPrivately, []string{"WS10"}},
		{"a minor working is medium", Observation{Site: Agriculture, Signs: seen("WS17")}, SomeSigns, []string{"WS17"}},
		{"a minor working and no pay records", Observation{Site: Agriculture, Signs: seen("WS17", "WS08")}, InterviewPrivately, []string{"WS08", "WS17"}},
		{"locked housing", Observation{Site: Agriculture, Signs: seen("WS01")}, UrgentReferral, []string{"WS01"}},
		{"guards", Observation{Site: Packing, Signs: map[string]Value{"WS02": Seen}}, UrgentReferral, []string{"WS02"}},
		{"violence", Observation{Site: Construction, Signs: seen("WS07")}, UrgentReferral, []string{"WS07"}},
		{"a child in hazardous work", Observation{Site: Agriculture, Signs: seen("WS16")}, UrgentReferral, []string{"WS16"}},
		{"moved locked in", Observation{Site: OtherSite, Signs: seen("WS23")}, UrgentReferral, []string{"WS23"}},
		{"documents held and locked housing", Observation{Site: Agriculture, Signs: seen("WS04", "WS01")}, UrgentReferral, []string{"WS01"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Load().Evaluate(tc.obs)
			if a.Level != tc.level {
				t.Errorf("level: got %s, want %s", a.Level, tc.level)
			}
			if diff := cmp.Diff(tc.because, a.Because); diff != "" {
				t.Errorf("because (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryUrgentSignIsUrgentAlone walks the data, so a sign marked urgent
// later is covered too.
func TestEveryUrgentSignIsUrgentAlone(t *testing.T) {
	for _, s := range Load().Signs() {
		a := Load().Evaluate(Observation{Site: Agriculture, Signs: map[string]Value{s.ID: Seen}})
		want := map[bool]Level{true: UrgentReferral, false: SomeSigns}[s.Urgent]
		if !s.Urgent && s.Weight == Strong {
			want = InterviewPrivately
		}
		if a.Level != want {
			t.Errorf("%s (%s, urgent=%v) alone: %s, want %s", s.ID, s.Weight, s.Urgent, a.Level, want)
		}
	}
}

func TestEvaluateDocumentsAndLockedHousing(t *testing.T) {
	a := Load().Evaluate(Observation{Site: Agriculture, Signs: seen("WS04", "WS01")})
	want := Assessment{
		Level:    UrgentReferral,
		Because:  []string{"WS01"},
		AskFirst: []string{"ACT02", "CD01", "CD03"}, // protocol order
	}
	got := Assessment{Level: a.Level, Because: a.Because, AskFirst: a.AskFirst}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"WS01", "WS04"}, signIDs(a.Seen)); diff != "" {
		t.Errorf("seen, in checklist order (-want +got):\n%s", diff)
	}
	if len(a.NotChecked) != 0 {
		t.Errorf("not checked: %v, want none", a.NotChecked)
	}
}

func TestEvaluateSteps(t *testing.T) {
	for _, tc := range []struct {
		name string
		obs  Observation
		want []string
	}{
		{"no signs, all checked", Observation{Site: Agriculture, Signs: seen()},
			[]string{"leave_information"}},
		{"no signs, some not checked", Observation{Site: Agriculture, Signs: map[string]Value{"WS01": NotSeen}},
			[]string{"leave_information", "check_remaining"}},
		{"some signs", Observation{Site: Agriculture, Signs: seen("WS08")},
			[]string{"follow_up", "never_in_front", "no_raid", "refer", "leave_information"}},
		{"minors alone", Observation{Site: Agriculture, Signs: seen(), MinorsSeen: true},
			[]string{"child_protection", "follow_up", "never_in_front", "no_raid", "refer", "leave_information"}},
		{"interview privately", Observation{Site: Agriculture, Signs: seen("WS04")},
			[]string{"interview_privately", "interpreter", "never_in_front", "no_raid", "report", "refer"}},
		{"urgent", Observation{Site: Agriculture, Signs: seen("WS01")},
			[]string{"emergency", "report_today", "interview_privately", "interpreter", "never_in_front", "no_raid", "refer"}},
		{"urgent, a child, not all checked", Observation{Site: Agriculture, Signs: map[string]Value{"WS16": Seen}},
			[]string{"emergency", "report_today", "child_protection", "interview_privately", "interpreter", "never_in_front", "no_raid", "refer", "check_remaining"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Load().Evaluate(tc.obs)
			if diff := cmp.Diff(tc.want, stepIDs(a.Steps)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			for _, s := range a.Steps {
				if s.Text("en") == "" || s.Text("es") == "" {
					t.Errorf("step %s has no text", s.ID)
				}
			}
		})
	}
}

func TestAskFirst(t *testing.T) {
	c := Load()
	if got := c.Evaluate(Observation{Site: Agriculture, MinorsSeen: true}).AskFirst; !slices.Equal(got, []string{"CTX01"}) {
		t.Errorf("minors seen: ask first %v, want the age question", got)
	}
	if got := c.Evaluate(Observation{Site: Agriculture}).AskFirst; len(got) != 0 {
		t.Errorf("nothing seen: ask first %v", got)
	}
	// Everything seen: the union of every sign's indicators, in protocol order.
	all := map[string]Value{}
	union := map[string]bool{}
	for _, s := range c.Signs() {
		all[s.ID] = Seen
		for _, id := range s.Indicators {
			union[id] = true
		}
	}
	var want []string
	for _, ind := range screening.Load().Indicators() {
		if union[ind.ID] {
			want = append(want, ind.ID)
		}
	}
	a := c.Evaluate(Observation{Site: Agriculture, Signs: all})
	if diff := cmp.Diff(want, a.AskFirst); diff != "" {
		t.Errorf("ask first with every sign seen (-want +got):\n%s", diff)
	}
	if !a.Minors {
		t.Error("a sign about children seen, yet Minors is false")
	}
}

func TestEvaluateDoesNotShareTheChecklist(t *testing.T) {
	c := Load()
	a := c.Evaluate(Observation{Site: Agriculture, Signs: seen("WS04")})
	a.Seen[0].Indicators[0] = "XX00"
	if s, _ := c.Sign("WS04"); s.Indicators[0] != "CD01" {
		t.Fatal("changing an assessment changed the checklist")
	}
}

func TestValidate(t *testing.T) {
	n := func(i int) *int { return &i }
	for _, tc := range []struct {
		name string
		obs  Observation
		want []Problem
	}{
		{"valid", Observation{Site: Agriculture, Signs: seen("WS01"), Workers: n(12), MinorsSeen: true}, nil},
		{"valid, nothing recorded", Observation{Site: OtherSite}, nil},
		{"zero workers", Observation{Site: Packing, Workers: n(0)}, nil},
		{"no site", Observation{}, []Problem{{"site", "", ReasonInvalidSite}}},
		{"unknown site", Observation{Site: "mine"}, []Problem{{"site", "mine", ReasonInvalidSite}}},
		{"negative workers", Observation{Site: Packing, Workers: n(-1)}, []Problem{{"workers", "-1", ReasonInvalidWorkers}}},
		{"too many workers", Observation{Site: Packing, Workers: n(MaxWorkers + 1)}, []Problem{{"workers", "10001", ReasonInvalidWorkers}}},
		{"unknown sign", Observation{Site: Packing, Signs: map[string]Value{"WS99": Seen}}, []Problem{{"signs.WS99", "seen", ReasonUnknownSign}}},
		{"bad value", Observation{Site: Packing, Signs: map[string]Value{"WS01": "yes"}}, []Problem{{"signs.WS01", "yes", ReasonInvalidValue}}},
		{"empty value", Observation{Site: Packing, Signs: map[string]Value{"WS01": ""}}, []Problem{{"signs.WS01", "", ReasonInvalidValue}}},
		{"every problem, sorted", Observation{Site: "x", Signs: map[string]Value{"WS03": "SEEN", "ws01": Seen, "WS02": Seen}},
			[]Problem{{"signs.WS03", "SEEN", ReasonInvalidValue}, {"signs.ws01", "seen", ReasonUnknownSign}, {"site", "x", ReasonInvalidSite}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Load().Validate(tc.obs)
			var got []Problem
			if err != nil {
				got = err.(*ValidationError).Problems
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidationErrorIsInvalidWithFields(t *testing.T) {
	err := Load().Validate(Observation{Site: Agriculture, Signs: map[string]Value{"WS77": Seen}})
	pe := problem.As(err)
	want := &problem.Error{Kind: problem.Invalid, Key: "worksite.invalid", Fields: []problem.FieldError{{Field: "signs.WS77", Key: "worksite.unknown_sign"}}}
	if diff := cmp.Diff(want, pe); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
