package glossary

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTermsAreCompleteInBothLanguages(t *testing.T) {
	ts := Terms()
	if len(ts) < 20 {
		t.Errorf("len(Terms()) = %d, want at least 20", len(ts))
	}
	if !slices.IsSortedFunc(ts, func(a, b Term) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Terms() is not sorted by ID")
	}
	for _, term := range ts {
		if term.EN == "" || term.ES == "" || term.MeaningEN == "" || term.MeaningES == "" {
			t.Errorf("%s lacks a name or a meaning in one language", term.ID)
		}
		if len(term.Statutes) == 0 {
			t.Errorf("%s has no statute", term.ID)
		}
		if len(term.NotConfuse) == 0 {
			t.Errorf("%s says nothing about what not to confuse it with", term.ID)
		}
		// The mistake the glossary exists to prevent, in its own Spanish.
		if es := strings.ToLower(term.MeaningES); strings.Contains(es, "tráfico") && !strings.Contains(es, "trata") {
			t.Errorf("%s: Spanish meaning uses tráfico without distinguishing it from trata", term.ID)
		}
	}
}

func TestTheBriefsTermsArePresent(t *testing.T) {
	for id, es := range map[string]string{
		"trafficking": "trata de personas", "smuggling": "tráfico ilícito de migrantes", "coyote": "coyote",
		"pollero": "pollero", "pasador": "pasador", "smuggler": "traficante", "trafficker": "tratante",
		"recruiter": "enganchador", "labor_exploitation": "explotación laboral", "forced_labor": "trabajo forzoso",
		"debt_bondage": "servidumbre por deudas", "sexual_exploitation": "explotación sexual",
		"stash_house": "casa de seguridad", "kidnapping": "secuestro", "t_visa": "visa T", "u_visa": "visa U",
		"continued_presence": "Presencia Continuada", "humanitarian_visitor": "visitante por razones humanitarias",
		"consent": "consentimiento", "consent_to_share": "consentimiento para compartir información",
	} {
		term, ok := Lookup(id)
		if !ok {
			t.Errorf("Lookup(%q) found nothing", id)
			continue
		}
		if term.ES != es {
			t.Errorf("Lookup(%q).ES = %q, want %q", id, term.ES, es)
		}
	}
	if _, ok := Lookup("no-such-term"); ok {
		t.Error("Lookup of an unknown ID succeeded")
	}
}

func TestTermsCannotBeChangedByCallers(t *testing.T) {
	ts := Terms()
	ts[0].Statutes[0].Cite = "changed"
	ts[0].MeaningEN = "changed"
	if got := Terms()[0]; got.Statutes[0].Cite == "changed" || got.MeaningEN == "changed" {
		t.Error("changing the result of Terms changed the glossary")
	}
}

func TestTermLanguage(t *testing.T) {
	term, _ := Lookup("trafficker")
	got := []string{term.Name("es"), term.Name("en"), term.Name("fr"), term.Meaning("es")[:8]}
	want := []string{"tratante", "trafficker", "trafficker", "Persona "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Name/Meaning mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRefusesBadData(t *testing.T) {
	ok := `{"id":"a","en":"a","es":"a","meaning_en":"m","meaning_es":"m","crime":"other","statutes":[{"cite":"c","status":"verified"}],"not_confuse_with":[]}`
	for name, data := range map[string]string{
		"duplicate id":      "[" + ok + "," + ok + "]",
		"no statute":        `[{"id":"a","en":"a","es":"a","meaning_en":"m","meaning_es":"m","crime":"other","statutes":[]}]`,
		"no spanish":        `[{"id":"a","en":"a","es":"","meaning_en":"m","meaning_es":"m","crime":"other","statutes":[{"cite":"c","status":"verified"}]}]`,
		"unknown crime":     strings.Replace("["+ok+"]", `"other"`, `"theft"`, 1),
		"unknown status":    strings.Replace("["+ok+"]", `"verified"`, `"probably"`, 1),
		"unknown reference": strings.Replace("["+ok+"]", `[]`, `["b"]`, 1),
		"self reference":    strings.Replace("["+ok+"]", `[]`, `["a"]`, 1),
		"unknown field":     strings.Replace("["+ok+"]", `"id"`, `"colour":1,"id"`, 1),
	} {
		if _, err := parse([]byte(data)); err == nil {
			t.Errorf("%s: parse accepted %s", name, data)
		}
	}
	if _, err := parse([]byte("[" + ok + "]")); err != nil {
		t.Errorf("parse refused good data: %v", err)
	}
}

// TestCatalogsHaveEveryKey reads the catalog files the i18n package embeds:
// every message the guard returns and every crime and citation status a
// glossary page shows must be there in both languages.
func TestCatalogsHaveEveryKey(t *testing.T) {
	need := MessageKeys()
	for _, c := range Crimes {
		need = append(need, "glossary.crime."+string(c))
	}
	for _, s := range []string{Verified, Secondary, Unverified} {
		need = append(need, "glossary.status."+s)
	}
	need = append(need, "glossary.title", "glossary.intro", "glossary.col.term", "glossary.col.meaning",
		"glossary.col.crime", "glossary.col.statute", "glossary.col.not_confuse", "guard.severity."+SeverityNote,
		"guard.severity."+SeverityWarning)
	var keys [2][]string
	for i, lang := range []string{"en", "es"} {
		b, err := os.ReadFile("../i18n/catalog/glossary." + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("glossary.%s.json: %v", lang, err)
		}
		for _, k := range need {
			if m[k] == "" {
				t.Errorf("glossary.%s.json lacks %q", lang, k)
			}
		}
		for k, v := range m {
			if v := strings.ToLower(v); lang == "es" && strings.Contains(v, "tráfico") && !strings.Contains(v, "trata") {
				t.Errorf("glossary.es.json: %s uses tráfico without distinguishing it from trata", k)
			}
			if !strings.HasPrefix(k, "glossary.") && !strings.HasPrefix(k, "guard.") {
				t.Errorf("glossary.%s.json: key %q is outside the glossary's prefixes", lang, k)
			}
			keys[i] = append(keys[i], k)
		}
		slices.Sort(keys[i])
	}
	if diff := cmp.Diff(keys[0], keys[1]); diff != "" {
		t.Errorf("English and Spanish glossary keys differ (-en +es):\n%s", diff)
	}
}
