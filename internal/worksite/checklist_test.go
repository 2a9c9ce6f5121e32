package worksite

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"puente/internal/screening"
)

func TestLoad(t *testing.T) {
	c := Load() // panics if the embedded file is broken
	if got, want := c.Version(), "1.0"; got != want {
		t.Errorf("version: got %q, want %q", got, want)
	}
	var ids []string
	for _, s := range c.Signs() {
		ids = append(ids, s.ID)
	}
	var want []string
	for i := 1; i <= 23; i++ {
		want = append(want, fmt.Sprintf("WS%02d", i))
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("sign ids in checklist order (-want +got):\n%s", diff)
	}
	if Load() != c {
		t.Error("Load parsed the checklist twice")
	}
}

func TestGroups(t *testing.T) {
	var got []string
	for _, g := range Load().Groups() {
		got = append(got, g.ID)
		if g.Title("en") == "" || g.Title("es") == "" || g.Title("en") == g.Title("es") {
			t.Errorf("group %s: titles %q / %q", g.ID, g.Title("en"), g.Title("es"))
		}
	}
	want := []string{"housing", "documents", "pay", "conditions", GroupMinors, "crew_boss", "transport"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

// TestSignData checks what parse checks, from the outside, against the
// screening protocol as the rest of Puente loads it: a broken reference
// would send an inspector to a question that does not exist.
func TestSignData(t *testing.T) {
	p := screening.Load()
	seen := map[string]bool{}
	weights := map[Weight]int{}
	for _, s := range Load().Signs() {
		if seen[s.ID] {
			t.Errorf("%s: duplicate id", s.ID)
		}
		seen[s.ID] = true
		weights[s.Weight]++
		for lang, text := range map[string]string{"seen_en": s.SeenEN, "seen_es": s.SeenES, "why_en": s.WhyEN, "why_es": s.WhyES} {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s is empty", s.ID, lang)
			}
		}
		if s.SeenEN == s.SeenES || s.WhyEN == s.WhyES {
			t.Errorf("%s: the Spanish wording is the English one", s.ID)
		}
		if len(s.Indicators) == 0 {
			t.Errorf("%s: points to no screening question", s.ID)
		}
		for _, id := range s.Indicators {
			ind, ok := p.Indicator(id)
			if !ok {
				t.Errorf("%s: screening indicator %s does not exist", s.ID, id)
			}
			if ind.Counter {
				t.Errorf("%s: %s is a counter-indicator; a sign of control points to the fact, not its absence", s.ID, id)
			}
		}
		if s.Urgent && s.Weight != Strong {
			t.Errorf("%s: urgent but %s", s.ID, s.Weight)
		}
	}
	for _, w := range Weights {
		if weights[w] == 0 {
			t.Errorf("no %s sign: the level rules cannot be exercised", w)
		}
	}
}

// TestTheSignsTheIssueNames pins the signs an inspector was promised, to
// the screening questions they lead to.
func TestTheSignsTheIssueNames(t *testing.T) {
	c := Load()
	for _, tc := range []struct {
		name, id string
		weight   Weight
		urgent   bool
		points   string // one of the indicators
	}{
		{"locked housing", "WS01", Strong, true, "CD03"},
		{"guards", "WS02", Strong, true, "CD03"},
		{"documents held by the employer", "WS04", Strong, false, "CD01"},
		{"no pay records", "WS08", Medium, false, "EX02"},
		{"debt records", "WS10", Strong, false, "CD02"},
		{"very long hours", "WS13", Strong, false, "EX01"},
		{"a child in hazardous work", "WS16", Strong, true, "CTX01"},
		{"minors working", "WS17", Medium, false, "CTX01"},
		{"a crew boss who answers for everyone", "WS18", Strong, false, "CD10"},
		{"people moved locked in", "WS23", Strong, true, "CD03"},
	} {
		s, ok := c.Sign(tc.id)
		if !ok || s.Weight != tc.weight || s.Urgent != tc.urgent || !slices.Contains(s.Indicators, tc.points) {
			t.Errorf("%s: got %+v, want %s %s urgent=%v pointing to %s", tc.name, s, tc.id, tc.weight, tc.urgent, tc.points)
		}
	}
}

// TestSignsAreObservations: the checklist is what an inspector sees or is
// told, never a question put to a worker in front of the employer.
func TestSignsAreObservations(t *testing.T) {
	for _, s := range Load().Signs() {
		for _, text := range []string{s.SeenEN, s.SeenES} {
			if strings.ContainsAny(text, "?¿") {
				t.Errorf("%s reads as a question: %q", s.ID, text)
			}
		}
	}
}

// fold lowers s and strips its accents.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, strings.ToLower(s))
	return out
}

// trataProblem reports a Spanish wording that would confuse trafficking
// with smuggling: any word of the "tráfico" family (smuggling, in border
// Spanish), "tratante", or "trata" not followed by "de personas".
func trataProblem(es string) string {
	words := strings.FieldsFunc(fold(es), func(r rune) bool { return !unicode.IsLetter(r) })
	for i, w := range words {
		switch {
		case strings.HasPrefix(w, "trafic"), strings.HasPrefix(w, "tratante"):
			return w
		case w == "trata" || w == "tratas":
			if i+2 >= len(words) || words[i+1] != "de" || words[i+2] != "personas" {
				return w + " (without «de personas»)"
			}
		}
	}
	return ""
}

func TestTrataProblem(t *testing.T) {
	for text, want := range map[string]string{
		"víctima de trata de personas":        "",
		"es trata, sin más":                   "trata (without «de personas»)",
		"hubo TRÁFICO de migrantes":           "trafico",
		"un traficante":                       "traficante",
		"los tratantes":                       "tratantes",
		"lo trataban mal":                     "",
		"termina en trata":                    "trata (without «de personas»)",
		"Línea Nacional contra la Trata de …": "trata (without «de personas»)",
	} {
		if got := trataProblem(text); got != want {
			t.Errorf("trataProblem(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestSpanishSaysTrataDePersonas(t *testing.T) {
	c := Load()
	texts := map[string]string{}
	for _, s := range c.Signs() {
		texts[s.ID+".seen_es"], texts[s.ID+".why_es"] = s.SeenES, s.WhyES
	}
	for _, g := range c.Groups() {
		texts[g.ID+".title_es"] = g.TitleES
	}
	for _, id := range allSteps {
		s, _ := c.Step(id)
		texts["step "+id] = s.ES
	}
	for where, text := range texts {
		if p := trataProblem(text); p != "" {
			t.Errorf("%s says %q: %s", where, p, text)
		}
	}
}

func TestParseRefusesBrokenChecklists(t *testing.T) {
	p := screening.Load()
	good := string(checklistYAML)
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown indicator", "indicators: [CD01]", "indicators: [CD99]", "sign WS04: screening indicator CD99"},
		{"duplicate id", "id: WS02", "id: WS01", "sign WS01: duplicate id"},
		{"bad id", "id: WS03", "id: W3", `sign W3: id must be`},
		{"urgent but medium", "weight: strong\n    urgent: true\n    indicators: [CD03]\n", "weight: medium\n    urgent: true\n    indicators: [CD03]\n", "sign WS02: an urgent sign must be strong"},
		{"unknown group", "group: transport\n    weight: medium", "group: vehicles\n    weight: medium", `sign WS22: unknown group "vehicles"`},
		{"misspelt field", "seen_es: \"Los trabajadores no tienen", "seen_sp: \"Los trabajadores no tienen", "seen_sp"},
		{"missing step", "  - id: check_remaining\n", "  - id: check_later\n", "step check_remaining: used by the rules"},
		{"unknown weight", "weight: weak\n    indicators: [EX04, EX05]", "weight: light\n    indicators: [EX04, EX05]", `sign WS15: weight "light"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("the checklist has no %q to break", tc.old)
			}
			_, err := parse([]byte(strings.Replace(good, tc.old, tc.new, 1)), p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
