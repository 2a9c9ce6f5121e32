package screening

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func TestLoad(t *testing.T) {
	p := Load() // panics if the embedded file is broken
	if got, want := p.Version(), "1.0"; got != want {
		t.Errorf("version: got %q, want %q", got, want)
	}
	if got := len(p.Indicators()); got != 60 {
		t.Errorf("got %d indicators, want 60", got)
	}
	if Load() != p {
		t.Error("Load parsed the protocol twice")
	}
}

func TestIDsMatchSharedProtocol(t *testing.T) {
	data, err := os.ReadFile(sharedDir + "protocol.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%sprotocol.yaml is absent: ids not compared", sharedDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var shared struct {
		Meta struct {
			AnswerValues []Answer `yaml:"answer_values"`
		} `yaml:"meta"`
		Indicators []struct {
			ID string `yaml:"id"`
		} `yaml:"indicators"`
	}
	if err := yaml.Unmarshal(data, &shared); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ind := range shared.Indicators {
		want = append(want, ind.ID)
	}
	var got []string
	for _, ind := range Load().Indicators() {
		got = append(got, ind.ID)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("indicator ids (-shared +ours):\n%s", diff)
	}
	if diff := cmp.Diff(shared.Meta.AnswerValues, answerValues); diff != "" {
		t.Errorf("answer values (-shared +ours):\n%s", diff)
	}
}

func TestIndicatorsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, ind := range Load().Indicators() {
		if seen[ind.ID] {
			t.Errorf("%s: duplicate id", ind.ID)
		}
		seen[ind.ID] = true
		if strings.TrimSpace(ind.QuestionEN) == "" || strings.TrimSpace(ind.QuestionES) == "" {
			t.Errorf("%s: question missing in English or Spanish", ind.ID)
		}
		if ind.Module == "" || ind.Source == "" {
			t.Errorf("%s: no module or no source", ind.ID)
		}
		if !strings.HasSuffix(ind.QuestionEN, "?") || !strings.HasSuffix(ind.QuestionES, "?") || !strings.Contains(ind.QuestionES, "¿") {
			t.Errorf("%s: not worded as a question in both languages", ind.ID)
		}
		if strings.Contains(strings.ToLower(ind.QuestionEN+ind.QuestionES), "record") || strings.Contains(ind.QuestionES, "Marcar") {
			t.Errorf("%s: the question carries an instruction to the interviewer", ind.ID)
		}
	}
	var counters []string
	for _, ind := range Load().Indicators() {
		if ind.Counter {
			counters = append(counters, ind.ID)
		}
	}
	if diff := cmp.Diff([]string{"SM02", "SM03", "FL01", "FL02"}, counters); diff != "" {
		t.Errorf("counter-indicators (-want +got):\n%s", diff)
	}
}

// fold lowers s and strips its accents.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, strings.ToLower(s))
	return out
}

// legalLabel reports a word that names a crime: questions ask about facts.
// "tráfico" means smuggling in border Spanish, and "trata" frightens and
// confuses; words of the same family ("traficante", "trafficking") count.
func legalLabel(question string) string {
	for _, w := range strings.FieldsFunc(fold(question), func(r rune) bool { return !unicode.IsLetter(r) }) {
		switch {
		case w == "trata", w == "tratas", strings.HasPrefix(w, "tratante"),
			strings.HasPrefix(w, "trafic"), strings.HasPrefix(w, "traffic"), strings.HasPrefix(w, "smuggl"):
			return w
		}
	}
	return ""
}

func TestLegalLabelCheck(t *testing.T) {
	for q, want := range map[string]string{
		"¿Fue víctima de TRÁFICO?":           "trafico",
		"¿Conoce a algún traficante?":        "traficante",
		"¿Es esto trata de personas?":        "trata",
		"¿Le trataban mal?":                  "",
		"¿Quién le contrató?":                "",
		"Were you trafficked?":               "trafficked",
		"Did a smuggler bring you?":          "smuggler",
		"Tratantes y Traficantes, ¿los vio?": "tratantes",
	} {
		if got := legalLabel(q); got != want {
			t.Errorf("legalLabel(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestQuestionsNameNoCrime(t *testing.T) {
	for _, ind := range Load().Indicators() {
		for lang, q := range map[string]string{"en": ind.QuestionEN, "es": ind.QuestionES} {
			if w := legalLabel(q); w != "" {
				t.Errorf("%s (%s) says %q: %s", ind.ID, lang, w, q)
			}
		}
	}
}

func TestShortForm(t *testing.T) {
	sf := Load().ShortForm()
	if len(sf) < 10 || len(sf) > 16 {
		t.Errorf("short form has %d questions, want 10 to 16", len(sf))
	}
	if len(sf) == 0 || sf[0].ID != "CTX01" {
		t.Fatal("the short form does not start with the age question")
	}
	// The short form must reach every element: age, act, each main purpose,
	// the main means and the freedom counter-indicator.
	for _, id := range []string{"CTX01", "ACT01", "PU08", "PU01", "PU02", "PU03", "DR01", "CD04", "CD05", "CD07", "FL01", "SM01", "SM05"} {
		if !slices.ContainsFunc(sf, func(ind Indicator) bool { return ind.ID == id }) {
			t.Errorf("the short form lacks %s", id)
		}
	}
}

func TestParseRejectsBrokenProtocols(t *testing.T) {
	good := string(protocolYAML)
	for name, mutate := range map[string]func(string) string{
		"not yaml":       func(string) string { return "{[" },
		"no version":     func(s string) string { return strings.Replace(s, `version: "1.0"`, `version: ""`, 1) },
		"duplicate id":   func(s string) string { return strings.Replace(s, "id: CTX02", "id: CTX01", 1) },
		"unknown module": func(s string) string { return strings.Replace(s, "module: labor", "module: nowhere", 1) },
		"missing spanish": func(s string) string {
			return strings.Replace(s, `question_es: "¿Entró`, `question_xx: "¿Entró`, 1)
		},
		"bad strength":      func(s string) string { return strings.Replace(s, "strength: strong", "strength: huge", 1) },
		"renamed indicator": func(s string) string { return strings.Replace(s, "id: CD07", "id: CD77", 1) },
		"answer values":     func(s string) string { return strings.Replace(s, "[yes, no, unknown, declined]", "[yes, no]", 1) },
		"age not first":     func(s string) string { return strings.Replace(s, "gates: [CTX01]", "gates: [CTX02]", 1) },
	} {
		t.Run(name, func(t *testing.T) {
			bad := mutate(good)
			if bad == good {
				t.Fatal("the mutation changed nothing")
			}
			if _, err := parse([]byte(bad)); err == nil {
				t.Error("a broken protocol was accepted")
			}
		})
	}
}
