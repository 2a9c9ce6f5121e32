package practice

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"puente/internal/screening"
)

// TestEmbeddedVignettesReachTheirExpectedDeterminations guards the copy:
// if the engine or vignettes.json drifts, a trainee would be graded against
// a reading the engine no longer gives.
func TestEmbeddedVignettesReachTheirExpectedDeterminations(t *testing.T) {
	vs := Vignettes()
	if len(vs) != 20 {
		t.Fatalf("got %d embedded vignettes, want 20", len(vs))
	}
	p := screening.Load()
	for _, v := range vs {
		t.Run(v.ID, func(t *testing.T) {
			if err := v.Normalize(p); err != nil {
				t.Fatal(err)
			}
			fb := Grade(v, v.Answers, v.Expected, p)
			for _, vd := range fb.Verdicts {
				if !vd.EngineAgrees() || vd.Expected == "" {
					t.Errorf("%s: engine %s, expected %q\n  %s", vd.Jurisdiction, vd.Engine.Determination, vd.Expected, vd.Engine.ExplanationEN)
				}
			}
			if !fb.Agrees() {
				t.Errorf("answering exactly as the vignette with its expected readings does not agree: %+v", outcomeOf(fb))
			}
			if v.Heading("en") == "" || v.Heading("es") == "" || v.Reasoning == "" {
				t.Error("no heading or no reasoning")
			}
		})
	}
}

// TestEmbeddedVignettesMatchTheSharedOnes compares the copy with the shared
// reference file when it is there. Narratives may gain translations here;
// the cases themselves must not change.
func TestEmbeddedVignettesMatchTheSharedOnes(t *testing.T) {
	data, err := os.ReadFile("../../../shared/screening/vignettes.json")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("the shared vignettes are absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	var want []Vignette
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	ignore := cmpopts.IgnoreFields(Vignette{}, "NarrativeEN", "NarrativeES")
	if diff := cmp.Diff(want, Vignettes(), ignore); diff != "" {
		t.Errorf("embedded vignettes differ from the shared ones (-shared +embedded):\n%s", diff)
	}
}

func TestVignettesAreCopies(t *testing.T) {
	v, _ := Lookup("P02")
	v.Answers["SM01"] = "no"
	v.Expected["us"] = screening.SmugglingOnly
	*v.Age = 3
	again, _ := Lookup("P02")
	if again.Answers["SM01"] != "yes" || again.Expected["us"] != screening.TraffickingLabor || *again.Age != 27 {
		t.Error("changing a looked-up vignette changed the embedded one")
	}
	if _, ok := Lookup("P99"); ok {
		t.Error("found a vignette that does not exist")
	}
}
