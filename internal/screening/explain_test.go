package screening

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestEveryLabelAndRouteIsExplained(t *testing.T) {
	for _, l := range Labels {
		n := labelNames[l]
		if n[0] == "" || n[1] == "" {
			t.Errorf("%s: no name in English or Spanish", l)
		}
	}
	for _, j := range Jurisdictions {
		for r := route(0); r < numRoutes; r++ {
			rsn := r.reason(j)
			if r > rSmuggling && j != routeJurisdiction(r) {
				continue
			}
			if rsn.en == "" || rsn.es == "" || len(rsn.cite) == 0 {
				t.Errorf("%s route %d: missing reasoning or citation", j, r)
			}
		}
	}
}

// routeJurisdiction says which law a jurisdiction-specific route belongs to.
func routeJurisdiction(r route) Jurisdiction {
	switch {
	case r >= rUNSex:
		return UN
	case r >= rMXSexMinor:
		return MX
	}
	return US
}

// TestSpanishVocabulary checks the Spanish explanations of every vignette:
// trafficking is "trata de personas", and "tráfico" appears only for
// smuggling (or in the legal name "tráfico de órganos").
func TestSpanishVocabulary(t *testing.T) {
	p := Load()
	vs := readVignettes(t, "testdata/extra_vignettes.json")
	if _, err := os.Stat(sharedDir + "vignettes.json"); err == nil {
		vs = append(vs, readVignettes(t, sharedDir+"vignettes.json")...)
	}
	for _, v := range vs {
		got, err := p.EvaluateAll(Input{Age: v.Age, Answers: v.Answers})
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range got {
			es := strings.ReplaceAll(r.ExplanationES, "tráfico de órganos", "")
			if r.Divergence != nil {
				es += " " + strings.ReplaceAll(r.Divergence.ES, "tráfico de órganos", "")
			}
			if r.Determination.Trafficking() && !strings.Contains(es, "trata de personas") {
				t.Errorf("%s %s: a trafficking determination without \"trata de personas\": %s", v.ID, j, es)
			}
			if strings.Contains(es, "tráfico") && r.Determination != SmugglingOnly && !strings.Contains(es, "tráfico ilícito de migrantes") {
				t.Errorf("%s %s: \"tráfico\" used outside smuggling: %s", v.ID, j, es)
			}
		}
	}
}

func TestExplanationNamesElementsAndStatute(t *testing.T) {
	in := Input{Answers: answers(t, "CTX01=yes ACT01=yes PU01=yes")}
	r := evaluate(t, in, US)
	for _, want := range []string{"United States: sex trafficking.", "Age: under 18 (CTX01).", "22 U.S.C. 7102(11)(A)", "18 U.S.C. 1591(a)"} {
		if !strings.Contains(r.ExplanationEN, want) {
			t.Errorf("English explanation lacks %q: %s", want, r.ExplanationEN)
		}
	}
	for _, want := range []string{"Estados Unidos: trata de personas con fines de explotación sexual.", "Edad: menor de 18 años (CTX01).", "Medios: no se requieren"} {
		if !strings.Contains(r.ExplanationES, want) {
			t.Errorf("Spanish explanation lacks %q: %s", want, r.ExplanationES)
		}
	}
	open := evaluate(t, Input{Answers: answers(t, "PU01=yes "+noMeans)}, US)
	if !strings.Contains(open.ExplanationEN, "Questions that would decide: CTX01.") ||
		!strings.Contains(open.ExplanationES, "Preguntas que lo decidirían: CTX01.") {
		t.Errorf("insufficient information does not name the deciding question:\n%s\n%s", open.ExplanationEN, open.ExplanationES)
	}
}

func TestDivergence(t *testing.T) {
	tests := []struct {
		name, answers string
		age           *int
		code          string // "" for none
	}{
		{"same determination", "CTX01=no PU08=yes CD05=yes", nil, ""},
		{"art. 21 without means, adult", "CTX01=no ACT01=yes PU08=yes EX04=yes " + noMeans, nil, "means_adults"},
		{"art. 21 without means, minor", "CTX01=yes ACT01=yes PU08=yes EX02=yes " + noMeans, nil, "minor_labor"},
		{"vulnerability only", "CTX01=no ACT01=yes PU01=yes VR01=yes CD04=no CD05=no DR01=no", nil, "vulnerability"},
		{"minor in criminal activity", "CTX01=yes ACT01=yes PU02=yes " + noMeans, nil, "minor_criminality"},
		{"child begging", "CTX01=yes PU03=yes " + noMeans, nil, "minor_begging"},
		{"begging by deception", "CTX01=no PU03=yes DR01=yes CD05=no FL01=yes", nil, "deception"},
		{"organs", "CTX01=no ACT01=yes PU07=yes " + noMeans, nil, "forms"},
		{"marriage with forced work", "CTX01=yes PU05=yes PU08=yes CD04=yes", nil, "forms"},
		{"fraud for debt bondage", "CTX01=no ACT01=no ACT02=no PU08=yes DR01=yes CR04=yes FL01=yes", nil, "fraud_servitude"},
		{"open in Mexico only", "CTX01=no PU08=yes EX02=yes CD05=no", nil, "open_elements"},
	}
	p := Load()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.EvaluateAll(Input{Age: tt.age, Answers: answers(t, tt.answers)})
			if err != nil {
				t.Fatal(err)
			}
			us, mx := got[US], got[MX]
			if got[UN].Divergence != nil {
				t.Error("the UN result carries a US-Mexico divergence")
			}
			if tt.code == "" {
				if us.Divergence != nil || mx.Divergence != nil {
					t.Errorf("got a divergence for %s / %s", us.Determination, mx.Determination)
				}
				return
			}
			if us.Divergence == nil || mx.Divergence == nil {
				t.Fatalf("no divergence for US %s, MX %s", us.Determination, mx.Determination)
			}
			if us.Divergence.Code != tt.code || mx.Divergence.Code != tt.code {
				t.Errorf("got code %s, want %s (US %s, MX %s)", us.Divergence.Code, tt.code, us.Determination, mx.Determination)
			}
			if us.Divergence.EN == "" || us.Divergence.ES == "" {
				t.Error("the divergence is not explained in both languages")
			}
		})
	}
	alone, err := p.EvaluateAll(Input{Answers: answers(t, "CTX01=no ACT01=yes PU08=yes EX04=yes "+noMeans)}, US)
	if err != nil {
		t.Fatal(err)
	}
	if alone[US].Divergence != nil {
		t.Error("a divergence without a Mexican result to compare")
	}
}

// TestJSONHasNoNulls: the API and the CLI print results as JSON, where an
// empty list must read [] and not null.
func TestJSONHasNoNulls(t *testing.T) {
	p := Load()
	for _, in := range []Input{{}, {Answers: answers(t, "CTX01=yes PU01=yes")}, {Age: age(40), Answers: answers(t, "PU08=no PU01=no")}} {
		got, err := p.EvaluateAll(in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("null")) {
			t.Errorf("JSON of %v holds null: %s", in, b)
		}
	}
}
