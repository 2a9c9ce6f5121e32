package worksite

import (
	"slices"
	"strings"
	"testing"
)

// FuzzEvaluate feeds arbitrary observations to Validate and Evaluate:
// random sign ids (known and unknown) with valid and invalid values, any
// site, any number of workers. It checks that nothing panics, that
// Validate names every bad field, and that a valid observation gets the
// level the rule gives.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{0, 0, 3, 0}, "agriculture", int64(12), true, false)
	f.Add([]byte{7, 1, 200, 2}, "packing", int64(-1), false, true)
	f.Add([]byte{}, "", int64(1)<<40, false, true)
	f.Add([]byte{15, 0, 16, 5, 22, 0}, "construction", int64(0), true, true)
	c := Load()
	signs := c.Signs()
	values := []Value{Seen, NotSeen, NotChecked, "", "SEEN", "yes"}
	f.Fuzz(func(t *testing.T, data []byte, site string, workers int64, hasWorkers, minors bool) {
		obs := Observation{Site: Site(site), Signs: map[string]Value{}, MinorsSeen: minors}
		if hasWorkers {
			w := int(workers)
			obs.Workers = &w
		}
		for i := 0; i+1 < len(data); i += 2 {
			id := "WS" + string(rune('A'+data[i]%26)) // an unknown id
			if int(data[i]) < len(signs)*3 {
				id = signs[int(data[i])%len(signs)].ID
			}
			obs.Signs[id] = values[int(data[i+1])%len(values)]
		}
		a := c.Evaluate(obs) // must not panic, valid or not
		if !slices.Contains(Levels, a.Level) {
			t.Fatalf("level %q", a.Level)
		}
		if len(a.Steps) == 0 {
			t.Fatal("no next step")
		}
		err := c.Validate(obs)
		for id, v := range obs.Signs {
			_, known := c.Sign(id)
			if bad := !known || !slices.Contains(Values, v); bad && (err == nil || !strings.Contains(err.Error(), "signs."+id+"=")) {
				t.Fatalf("Validate does not name %s=%q: %v", id, v, err)
			}
		}
		if err != nil {
			return
		}
		var urgent, strong, medium, anything bool
		mediums := 0
		for _, s := range a.Seen {
			anything = true
			urgent = urgent || s.Urgent
			strong = strong || s.Weight == Strong
			if s.Weight == Medium {
				mediums++
			}
		}
		medium = mediums >= 2
		want := NoSigns
		switch {
		case urgent:
			want = UrgentReferral
		case strong || medium:
			want = InterviewPrivately
		case anything || a.Minors:
			want = SomeSigns
		}
		if a.Level != want {
			t.Fatalf("level %s, want %s for %v", a.Level, want, obs)
		}
	})
}
