package screening

import (
	"errors"
	"slices"
	"testing"
)

// FuzzEvaluate feeds arbitrary answer sets to the engine: random subsets of
// the indicator ids, with valid and invalid values and ids, and any age. It
// checks that the engine never panics, that a valid input gets one of the
// nine labels in every jurisdiction (with the questions that would decide
// when the answer is insufficient_information), and that an invalid input
// gets an error naming every bad id.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{0, 0, 7, 1, 40, 0}, int64(16), true)
	f.Add([]byte{53, 0, 48, 4}, int64(-3), true)
	f.Add([]byte{}, int64(1)<<40, false)
	f.Add([]byte{61, 2, 62, 5, 9, 3}, int64(30), true)
	p := Load()
	var ids []string
	for _, ind := range p.Indicators() {
		ids = append(ids, ind.ID)
	}
	values := []Answer{Yes, No, Unknown, Declined, "", "YES", "maybe"}
	f.Fuzz(func(t *testing.T, data []byte, rawAge int64, hasAge bool) {
		in := Input{ID: "fuzz", Answers: Answers{}}
		var badIDs []string
		for i := 0; i+1 < len(data); i += 2 {
			id := "ZZ" + string(rune('A'+data[i]%26)) // an unknown id
			if int(data[i]) < len(ids)*3 {
				id = ids[int(data[i])%len(ids)]
			}
			in.Answers[id] = values[int(data[i+1])%len(values)]
		}
		for id, a := range in.Answers {
			if !slices.Contains(ids, id) || !slices.Contains(answerValues, a) {
				badIDs = append(badIDs, id)
			}
		}
		if hasAge {
			a := int(rawAge)
			in.Age = &a
			if a < 0 || a > MaxAge || int64(a) != rawAge {
				badIDs = append(badIDs, "age")
			}
		}
		got, err := p.EvaluateAll(in)
		if len(badIDs) > 0 {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("invalid input %v accepted (err %v)", in, err)
			}
			var named []string
			for _, pr := range ve.Problems {
				named = append(named, pr.ID)
			}
			slices.Sort(named)
			slices.Sort(badIDs)
			if !slices.Equal(slices.Compact(named), slices.Compact(badIDs)) {
				t.Fatalf("error names %v, want %v", named, badIDs)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid input %v rejected: %v", in, err)
		}
		for _, j := range Jurisdictions {
			r, ok := got[j]
			if !ok || !slices.Contains(Labels, r.Determination) {
				t.Fatalf("%s: got %q, not one of the labels", j, r.Determination)
			}
			if r.Determination == InsufficientInformation && len(r.Missing) == 0 {
				t.Fatalf("%s: insufficient information without the questions that would decide: %v", j, in)
			}
			if len(r.Elements) != 4 || len(r.Evidence) != 6 || len(r.Citations) == 0 || r.ExplanationEN == "" || r.ExplanationES == "" {
				t.Fatalf("%s: incomplete result %+v", j, r)
			}
			one, err := p.Evaluate(in, j)
			if err != nil || one.Determination != r.Determination || !slices.Equal(one.Missing, r.Missing) {
				t.Fatalf("%s: Evaluate %s %v, EvaluateAll %s %v", j, one.Determination, one.Missing, r.Determination, r.Missing)
			}
		}
	})
}
