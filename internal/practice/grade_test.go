package practice

import (
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"puente/internal/screening"
)

// outcome is what a trainee reads on the feedback page, without the long
// texts: one line per law and one per answer.
type outcome struct {
	Agrees   bool
	Verdicts []verdictLine
	Answers  []AnswerDiff
	Problems []screening.Problem
}

type verdictLine struct {
	J                         screening.Jurisdiction
	Engine, Recorded, Chosen  screening.Label
	Reason                    Reason
	Decisive                  []string // name=status
	Elements                  []string // name: vignette status -> trainee status
	ChosenAgrees, EngineAgree bool
}

func outcomeOf(fb Feedback) outcome {
	o := outcome{Agrees: fb.Agrees(), Answers: fb.Answers, Problems: fb.Problems}
	for _, v := range fb.Verdicts {
		l := verdictLine{J: v.Jurisdiction, Engine: v.Engine.Determination, Recorded: v.Recorded.Determination, Chosen: v.Chosen,
			Reason: v.Reason, ChosenAgrees: v.ChosenAgrees(), EngineAgree: v.EngineAgrees()}
		for _, e := range v.Decisive {
			l.Decisive = append(l.Decisive, e.Name+"="+e.Status)
		}
		for _, e := range v.Elements {
			l.Elements = append(l.Elements, e.Name+": "+e.Vignette.Status+" -> "+e.Trainee.Status)
		}
		o.Verdicts = append(o.Verdicts, l)
	}
	return o
}

func vignette(t *testing.T, id string) Vignette {
	t.Helper()
	v, ok := Lookup(id)
	if !ok {
		t.Fatalf("no vignette %s", id)
	}
	return v
}

// changed returns v's answers with the given changes; an empty answer
// removes the indicator.
func changed(v Vignette, kv ...string) screening.Answers {
	a := maps.Clone(v.Answers)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(a, kv[i])
		} else {
			a[kv[i]] = screening.Answer(kv[i+1])
		}
	}
	return a
}

type labels = map[screening.Jurisdiction]screening.Label

func TestGrade(t *testing.T) {
	p02, p06, p10, p11, p14 := vignette(t, "P02"), vignette(t, "P06"), vignette(t, "P10"), vignette(t, "P11"), vignette(t, "P14")
	const (
		labor   = screening.TraffickingLabor
		sex     = screening.TraffickingSex
		other   = screening.TraffickingOther
		exploit = screening.LaborExploitationNotTrafficking
		insuff  = screening.InsufficientInformation
		notTr   = screening.NotTraffickingOtherCrime
	)
	for _, tc := range []struct {
		name    string
		v       Vignette
		answers screening.Answers
		labels  labels
		want    outcome
	}{{
		name: "the vignette's answers and the expected readings agree everywhere",
		v:    p02, answers: p02.Answers, labels: labels{"us": labor, "mx": labor},
		want: outcome{Agrees: true, Verdicts: []verdictLine{
			{J: "us", Engine: labor, Recorded: labor, Chosen: labor, ChosenAgrees: true, EngineAgree: true},
			{J: "mx", Engine: labor, Recorded: labor, Chosen: labor, ChosenAgrees: true, EngineAgree: true},
		}},
	}, {
		name: "a key indicator answered no loses the purpose and the determination",
		v:    p06, answers: changed(p06, "PU01", "no"), labels: labels{"us": sex, "mx": sex},
		want: outcome{
			Verdicts: []verdictLine{
				{J: "us", Engine: sex, Recorded: notTr, Chosen: sex, ChosenAgrees: true, EngineAgree: true,
					Elements: []string{"act: present -> present", "purpose: present -> absent"}},
				{J: "mx", Engine: sex, Recorded: notTr, Chosen: sex, ChosenAgrees: true, EngineAgree: true,
					Elements: []string{"purpose: present -> absent"}},
			},
			Answers: []AnswerDiff{{ID: "PU01", Kind: Different, Vignette: "yes", Trainee: "no", Elements: []string{"act", "purpose"}}},
		},
	}, {
		name: "answers missed, added and changed without changing the outcome",
		v:    p02, answers: changed(p02, "CTX02", "", "DR08", "no", "PU01", "unknown"), labels: labels{"us": labor, "mx": labor},
		want: outcome{
			Verdicts: []verdictLine{
				{J: "us", Engine: labor, Recorded: labor, Chosen: labor, ChosenAgrees: true, EngineAgree: true,
					Elements: []string{"means: present -> present"}},
				{J: "mx", Engine: labor, Recorded: labor, Chosen: labor, ChosenAgrees: true, EngineAgree: true,
					Elements: []string{"means: present -> present"}},
			},
			Answers: []AnswerDiff{
				{ID: "CTX02", Kind: Missed, Vignette: "yes"},
				{ID: "DR08", Kind: Different, Vignette: "yes", Trainee: "no", Elements: []string{"means"}},
				{ID: "PU01", Kind: Added, Trainee: "unknown"},
			},
		},
	}, {
		name: "trafficking chosen where the means (US) and the act (MX) are not found",
		v:    p10, answers: p10.Answers, labels: labels{"us": labor, "mx": labor},
		want: outcome{Verdicts: []verdictLine{
			{J: "us", Engine: exploit, Recorded: exploit, Chosen: labor, Reason: NotEstablished, Decisive: []string{"means=absent"}, EngineAgree: true},
			{J: "mx", Engine: exploit, Recorded: exploit, Chosen: labor, Reason: NotEstablished, Decisive: []string{"act=absent"}, EngineAgree: true},
		}},
	}, {
		name: "no trafficking chosen where every element is found, and not enough information where the answers decide",
		v:    p02, answers: p02.Answers, labels: labels{"us": screening.SmugglingOnly, "mx": insuff},
		want: outcome{Verdicts: []verdictLine{
			{J: "us", Engine: labor, Recorded: labor, Chosen: screening.SmugglingOnly, Reason: ElementsPresent,
				Decisive: []string{"act=present", "means=present", "purpose=present"}, EngineAgree: true},
			{J: "mx", Engine: labor, Recorded: labor, Chosen: insuff, Reason: Decidable,
				Decisive: []string{"act=present", "means=present", "purpose=present", "age=absent"}, EngineAgree: true},
		}},
	}, {
		name: "US and Mexico diverge: labor in Mexico is another form",
		v:    p14, answers: p14.Answers, labels: labels{"us": labor, "mx": labor},
		want: outcome{Verdicts: []verdictLine{
			{J: "us", Engine: labor, Recorded: labor, Chosen: labor, ChosenAgrees: true, EngineAgree: true},
			{J: "mx", Engine: other, Recorded: other, Chosen: labor, Reason: OtherForm, Decisive: []string{"purpose=present"}, EngineAgree: true},
		}},
	}, {
		name: "a determination chosen where elements are open, and none chosen",
		v:    p11, answers: p11.Answers, labels: labels{"us": sex, "mx": "not_a_label"},
		want: outcome{Verdicts: []verdictLine{
			{J: "us", Engine: insuff, Recorded: insuff, Chosen: sex, Reason: Undecidable,
				Decisive: []string{"act=unknown", "means=unknown", "purpose=unknown"}, EngineAgree: true},
			{J: "mx", Engine: insuff, Recorded: insuff, Reason: NoneChosen, EngineAgree: true},
		}},
	}, {
		name: "answers the engine refuses are reported and left out",
		v:    p02, answers: changed(p02, "SM01", "maybe", "ZZ99", "yes"), labels: labels{"us": labor, "mx": labor},
		want: outcome{
			Verdicts: []verdictLine{
				{J: "us", Engine: labor, Recorded: labor, Chosen: labor, ChosenAgrees: true, EngineAgree: true},
				{J: "mx", Engine: labor, Recorded: labor, Chosen: labor, ChosenAgrees: true, EngineAgree: true},
			},
			Answers: []AnswerDiff{{ID: "SM01", Kind: Missed, Vignette: "yes"}},
			Problems: []screening.Problem{
				{ID: "SM01", Value: "maybe", Reason: screening.ReasonInvalidAnswer},
				{ID: "ZZ99", Value: "yes", Reason: screening.ReasonUnknownIndicator},
			},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := outcomeOf(Grade(tc.v, tc.answers, tc.labels, nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Grade (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGradeExplainsInThePageLanguage(t *testing.T) {
	v := vignette(t, "P14")
	fb := Grade(v, v.Answers, labels{"us": screening.TraffickingLabor, "mx": screening.TraffickingLabor}, nil)
	mx := fb.Verdicts[1]
	if !strings.Contains(mx.Divergence("es"), "trata de personas") || !strings.Contains(mx.Divergence("en"), "Both laws find trafficking") {
		t.Errorf("divergence: en %q, es %q", mx.Divergence("en"), mx.Divergence("es"))
	}
	if mx.Explanation("es") != mx.Engine.ExplanationES || mx.Explanation("en") != mx.Engine.ExplanationEN || mx.Explanation("es") == "" {
		t.Error("the explanation is not the engine's in the page language")
	}
	if fb.Vignette.Reasoning == "" {
		t.Error("the feedback lacks the vignette's reasoning")
	}
	if d := Grade(vignette(t, "P02"), nil, nil, nil).Verdicts[0].Divergence("en"); d != "" {
		t.Errorf("divergence where the laws agree: %q", d)
	}
}

func TestGradeOrganizationVignette(t *testing.T) {
	age := 30
	v := Vignette{ID: OrgVignetteID(7), NarrativeES: "Una mujer fue obligada a trabajar. Le quitaron los documentos.", Age: &age,
		Answers:  screening.Answers{"PU08": "yes", "CD02": "yes", "ACT01": "yes"},
		Expected: labels{"us": screening.TraffickingLabor, "mx": screening.SmugglingOnly}}
	if err := v.Normalize(screening.Load()); err != nil {
		t.Fatal(err)
	}
	fb := Grade(v, v.Answers, v.Expected, nil)
	us, mx := fb.Verdicts[0], fb.Verdicts[1]
	if us.Engine.Determination != screening.TraffickingLabor || !us.EngineAgrees() {
		t.Errorf("US: engine %s", us.Engine.Determination)
	}
	if mx.EngineAgrees() || mx.ChosenAgrees() {
		t.Errorf("MX: the author's %s is not the engine's %s, and should show", mx.Expected, mx.Engine.Determination)
	}
	if got := v.Heading("en"); got != "Una mujer fue obligada a trabajar." {
		t.Errorf("heading of a Spanish-only vignette in English: %q", got)
	}
	v.Reasoning = "Retención de documentos como medio."
	for _, lang := range []string{"es", "en"} {
		if text, in := v.ReasoningIn(lang); text != v.Reasoning || in != "" {
			t.Errorf("%s: an organization's reasoning, of unknown language, is shown as %q in %q", lang, text, in)
		}
	}
}

func TestNormalize(t *testing.T) {
	age := 200
	v := Vignette{Title: "<b>Caso</b>", NarrativeES: "  Una historia.\r\nOtra línea.  ", Reasoning: strings.Repeat("x", MaxText+1),
		Age: &age, Answers: screening.Answers{"ZZ01": "yes", "PU01": "maybe"}, Expected: labels{"us": "bogus"}}
	err := v.Normalize(screening.Load())
	want := "invalid: error.invalid [{title field.markup} {reasoning field.too_long} {PU01 screening.invalid_answer} " +
		"{ZZ01 screening.unknown_indicator} {age screening.invalid_age} {expected_us practice.expected_required} {expected_mx practice.expected_required}]"
	if err == nil || err.Error() != want {
		t.Errorf("Normalize = %v\nwant %s", err, want)
	}
	if v.NarrativeES != "Una historia.\nOtra línea." {
		t.Errorf("narrative not cleaned: %q", v.NarrativeES)
	}
	if err := (&Vignette{Answers: screening.Answers{"PU01": "yes"}, Expected: labels{"us": "smuggling_only", "mx": "smuggling_only"}}).Normalize(screening.Load()); err == nil ||
		err.Error() != "invalid: error.invalid [{narrative practice.narrative_required}]" {
		t.Errorf("no narrative: %v", err)
	}
}

func TestHeading(t *testing.T) {
	for _, tc := range []struct{ name, narrative, want string }{
		{"first sentence", "Marco paid 8,000 dollars. Then he left.", "Marco paid 8,000 dollars."},
		{"one sentence", "Ramón works construction in El Paso", "Ramón works construction in El Paso"},
		{"long sentence cut at a word", strings.Repeat("palabra ", 20) + "fin.", strings.TrimSpace(strings.Repeat("palabra ", 11)) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Vignette{NarrativeEN: tc.narrative}).Heading("es"); got != tc.want {
				t.Errorf("Heading = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOrgVignetteID(t *testing.T) {
	if id, ok := ParseOrgVignetteID(OrgVignetteID(42)); !ok || id != 42 {
		t.Errorf("round trip: %d %v", id, ok)
	}
	for _, bad := range []string{"P02", "org-", "org-0", "org--1", "org-01", "org-1x", "org-99999999999999999999"} {
		if _, ok := ParseOrgVignetteID(bad); ok {
			t.Errorf("%q parsed as an organization's vignette", bad)
		}
	}
}
