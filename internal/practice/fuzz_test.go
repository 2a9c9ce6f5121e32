package practice

import (
	"slices"
	"testing"

	"puente/internal/screening"
)

// FuzzGrade grades arbitrary attempts, valid or not, at every vignette: it
// must never panic, always give one verdict per law with a determination
// on both sets of answers, and report every answer it leaves out.
func FuzzGrade(f *testing.F) {
	f.Add(uint8(1), []byte{0, 0, 7, 1, 40, 0}, uint8(0), uint8(3), int64(27), true)
	f.Add(uint8(13), []byte{53, 4, 48, 5}, uint8(9), uint8(200), int64(-3), true)
	f.Add(uint8(255), []byte{}, uint8(8), uint8(8), int64(0), false)
	p := screening.Load()
	vs := Vignettes()
	var ids []string
	for _, ind := range p.Indicators() {
		ids = append(ids, ind.ID)
	}
	values := []screening.Answer{screening.Yes, screening.No, screening.Unknown, screening.Declined, "", "YES", "maybe"}
	f.Fuzz(func(t *testing.T, which uint8, data []byte, us, mx uint8, age int64, hasAge bool) {
		v := vs[int(which)%len(vs)]
		if hasAge { // an organization's vignette may carry any age
			a := int(age)
			v.Age = &a
		}
		answers := screening.Answers{}
		for i := 0; i+1 < len(data); i += 2 {
			id := "ZZ" + string(rune('A'+data[i]%26))
			if int(data[i]) < len(ids)*3 {
				id = ids[int(data[i])%len(ids)]
			}
			answers[id] = values[int(data[i+1])%len(values)]
		}
		label := func(n uint8) screening.Label {
			if int(n) < len(screening.Labels) {
				return screening.Labels[n]
			}
			return screening.Label(string(rune(n)))
		}
		fb := Grade(v, answers, map[screening.Jurisdiction]screening.Label{screening.US: label(us), screening.MX: label(mx)}, p)
		if len(fb.Verdicts) != len(Jurisdictions) {
			t.Fatalf("%d verdicts", len(fb.Verdicts))
		}
		for _, vd := range fb.Verdicts {
			if !slices.Contains(screening.Labels, vd.Recorded.Determination) || !slices.Contains(screening.Labels, vd.Engine.Determination) {
				t.Fatalf("%s: no determination: %q on the vignette's answers, %q on the trainee's", vd.Jurisdiction, vd.Engine.Determination, vd.Recorded.Determination)
			}
			if (vd.Reason == Agreed) != vd.ChosenAgrees() {
				t.Fatalf("%s: reason %q but chosen agrees %v", vd.Jurisdiction, vd.Reason, vd.ChosenAgrees())
			}
		}
		for id, a := range answers {
			valid := slices.Contains(ids, id) && slices.Contains(values[:4], a)
			reported := slices.ContainsFunc(fb.Problems, func(pr screening.Problem) bool { return pr.ID == id })
			if valid == reported {
				t.Fatalf("answer %s=%q: valid %v, reported %v", id, a, valid, reported)
			}
		}
		for _, d := range fb.Answers {
			if !slices.Contains(ids, d.ID) || d.Vignette == d.Trainee {
				t.Fatalf("answer difference %+v", d)
			}
		}
	})
}
