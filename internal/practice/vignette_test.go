package practice

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"regexp"
	"strings"
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
			if v.Heading("en") == "" || v.Heading("es") == "" || v.Reasoning == "" || v.ReasoningES == "" {
				t.Error("no heading or no reasoning")
			}
		})
	}
}

// TestEmbeddedVignettesMatchTheSharedOnes compares the copy with the shared
// reference file when it is there. The copy adds Spanish translations of
// the narratives and the reasoning; the cases themselves (ids, ages,
// answers, expected determinations) and the English texts must not change.
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
	got := Vignettes()
	ignore := cmpopts.IgnoreFields(Vignette{}, "NarrativeES", "ReasoningES")
	if diff := cmp.Diff(want, got, ignore); diff != "" {
		t.Errorf("embedded vignettes differ from the shared ones (-shared +embedded):\n%s", diff)
	}
	// A Spanish narrative the shared file already has is kept as it is.
	for i := range min(len(want), len(got)) {
		if w := want[i].NarrativeES; w != "" && got[i].NarrativeES != w {
			t.Errorf("%s: the shared Spanish narrative changed:\n  shared   %q\n  embedded %q", want[i].ID, w, got[i].NarrativeES)
		}
	}
}

// TestEmbeddedVignettesAreInSpanish checks that every shared vignette reads
// in Spanish, narrative and reasoning, and that the Spanish never calls
// trafficking "tráfico": trafficking is "trata de personas", and "tráfico"
// is only smuggling ("tráfico de personas", "tráfico ilícito de
// migrantes").
func TestEmbeddedVignettesAreInSpanish(t *testing.T) {
	for _, v := range Vignettes() {
		t.Run(v.ID, func(t *testing.T) {
			for field, s := range map[string]string{"narrative_es": v.NarrativeES, "reasoning_es": v.ReasoningES} {
				if strings.TrimSpace(s) == "" {
					t.Errorf("no %s", field)
				}
				for _, bad := range traficoForTrata(s) {
					t.Errorf("%s says %q: trafficking is \"trata de personas\"", field, bad)
				}
			}
			if text, in := v.Narrative("es"); text != v.NarrativeES || in != "es" {
				t.Errorf("the Spanish page shows the narrative in %s", in)
			}
			if text, in := v.ReasoningIn("es"); text != v.ReasoningES || in != "es" {
				t.Errorf("the Spanish page shows the reasoning in %s", in)
			}
			if text, in := v.ReasoningIn("en"); text != v.Reasoning || in != "en" {
				t.Errorf("the English page shows the reasoning in %s", in)
			}
			// The translation keeps every statute the reasoning cites.
			for _, c := range citationRE.FindAllString(v.Reasoning, -1) {
				if !strings.Contains(v.ReasoningES, c) {
					t.Errorf("reasoning_es drops the citation %q", c)
				}
			}
		})
	}
}

// citationRE finds the statute citations of a reasoning: a U.S.C. section,
// a section of 22 U.S.C. 7102 or 18 U.S.C. cited bare, an article, a
// fracción.
var citationRE = regexp.MustCompile(`\d+ U\.S\.C\. \d+[0-9a-z()\-]*|\b7102[0-9A-Za-z()]*|\b1589[0-9a-z()\-]*|Art\. \d+[0-9a-z()\-]*|fr\. [IVX]+(?:[/-][IVX]+)*`)

// traficoRE finds "tráfico" and "traficante" with the three words after.
var traficoRE = regexp.MustCompile(`(?i)\b(tr[aá]fico|traficantes?)\b((?:\s+[\p{L}]+){0,3})`)

// traficoForTrata returns each use of "tráfico" or "traficante" in s that
// is not smuggling: "tráfico" must be followed, within three words, by "de
// personas" or "ilícito de migrantes"; "traficante" is never used.
func traficoForTrata(s string) []string {
	var bad []string
	for _, m := range traficoRE.FindAllStringSubmatch(s, -1) {
		after := strings.ToLower(m[2])
		if strings.HasPrefix(strings.ToLower(m[1]), "trafic") || !strings.Contains(after, "de personas") && !strings.Contains(after, "ilícito de migrantes") {
			bad = append(bad, m[0])
		}
	}
	return bad
}

func TestTraficoForTrata(t *testing.T) {
	for s, want := range map[string]int{
		"El tráfico ilícito de migrantes se convirtió en trata de personas.": 0,
		"Protocolo contra el Tráfico Ilícito de Migrantes, Art. 3(a)":        0,
		"no es tráfico de personas sino trata":                               0,
		"es tráfico ilícito, no trata":                                       1,
		"una víctima de tráfico sexual":                                      1,
		"los traficantes la amenazaron":                                      1,
		"el traficante de personas":                                          1,
		"tráfico":                                                            1,
		"trata de personas con fines de trabajo forzoso; no hay tráfico aquí. Tráfico de personas.": 1,
	} {
		if got := traficoForTrata(s); len(got) != want {
			t.Errorf("%q: %q, want %d", s, got, want)
		}
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
