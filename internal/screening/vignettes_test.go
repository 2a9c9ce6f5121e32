package screening

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"testing"
)

// sharedDir holds the reference material every team works from. The tests
// read it directly and skip, saying so, when it is absent.
const sharedDir = "../../../shared/screening/"

// vignette is one case of vignettes.json or testdata/extra_vignettes.json.
type vignette struct {
	ID        string                 `json:"id"`
	Age       *int                   `json:"age"`
	Answers   Answers                `json:"answers"`
	Expected  map[Jurisdiction]Label `json:"expected"`
	Reasoning string                 `json:"reasoning"`
}

func readVignettes(t *testing.T, path string) []vignette {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent: the shared vignettes are not checked", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var vs []vignette
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(vs) == 0 {
		t.Fatalf("%s holds no vignettes", path)
	}
	return vs
}

func checkVignettes(t *testing.T, vs []vignette) {
	p := Load()
	for _, v := range vs {
		t.Run(v.ID, func(t *testing.T) {
			if len(v.Expected) == 0 {
				t.Fatal("no expected determination")
			}
			in := Input{ID: v.ID, Age: v.Age, Answers: v.Answers}
			got, err := p.EvaluateAll(in)
			if err != nil {
				t.Fatal(err)
			}
			for j, want := range v.Expected {
				if got[j].Determination != want {
					t.Errorf("%s: got %s, want %s\n  explanation: %s\n  reasoning: %s",
						j, got[j].Determination, want, got[j].ExplanationEN, v.Reasoning)
				}
			}
		})
	}
}

func TestSharedVignettes(t *testing.T) {
	vs := readVignettes(t, sharedDir+"vignettes.json")
	if len(vs) != 20 {
		t.Errorf("got %d shared vignettes, want 20", len(vs))
	}
	checkVignettes(t, vs)
}

func TestExtraVignettes(t *testing.T) {
	vs := readVignettes(t, "testdata/extra_vignettes.json")
	for _, v := range vs {
		for _, j := range Jurisdictions {
			if _, ok := v.Expected[j]; !ok {
				t.Errorf("%s: no expected determination for %s", v.ID, j)
			}
		}
	}
	checkVignettes(t, vs)
}
