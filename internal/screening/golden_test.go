package screening

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden pins the whole result (elements, citations, explanations,
// divergence, evidence) for the extra vignettes, so that a change of wording
// or of reasoning shows up in review. Rewrite with go test -update.
func TestGolden(t *testing.T) {
	p := Load()
	type entry struct {
		ID      string                  `json:"id"`
		Results map[Jurisdiction]Result `json:"results"`
	}
	var all []entry
	for _, v := range readVignettes(t, "testdata/extra_vignettes.json") {
		got, err := p.EvaluateAll(Input{ID: v.ID, Age: v.Age, Answers: v.Answers})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, entry{v.ID, got})
	}
	got, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "testdata/extra_vignettes.golden.json"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("results differ from %s; run go test -update and review the diff", path)
	}
}
