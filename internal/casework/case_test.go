package casework

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/access"
	"puente/internal/htcds"
	"puente/internal/problem"
)

func TestLifecycle(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	c := &Case{Status: Identified}
	steps := []struct {
		to      Status
		reason  string
		wantErr problem.Kind
	}{
		{Referred, "", -1},
		{Identified, "", problem.Conflict}, // no way back to identified
		{Assisted, "", -1},
		{Closed, "", problem.Invalid}, // closing needs a reason
		{Closed, "because", problem.Invalid},
		{Closed, "goals_met", -1},
		{Assisted, "", problem.Conflict}, // a closed case must be reopened first
		{Reopened, "", -1},
		{Referred, "", -1},
	}
	for i, s := range steps {
		err := c.Move(s.to, 7, t0.Add(time.Duration(i)*time.Hour), s.reason)
		if s.wantErr == -1 && err != nil {
			t.Fatalf("step %d to %s: %v", i, s.to, err)
		}
		if s.wantErr != -1 && problem.KindOf(err) != s.wantErr {
			t.Fatalf("step %d to %s: err %v, want kind %v", i, s.to, err, s.wantErr)
		}
	}
	var got []Status
	for _, tr := range c.Transitions {
		got = append(got, tr.To)
		if tr.By != 7 || tr.At.IsZero() {
			t.Errorf("transition %+v lacks who or when", tr)
		}
	}
	if want := []Status{Referred, Assisted, Closed, Reopened, Referred}; !slices.Equal(got, want) {
		t.Errorf("transitions %v, want %v", got, want)
	}
	if c.Transitions[2].Reason != "goals_met" {
		t.Errorf("close reason not kept: %+v", c.Transitions[2])
	}
}

func TestNormalize(t *testing.T) {
	c := &Case{
		Status: Identified,
		Profile: Profile{
			Citizenship: []string{"mx", "GT", "mx"}, Languages: []string{"ES", "mam"},
			Exploitation: []string{"forced_labor"}, Industries: []string{"construction", "agriculture"},
			Needs: []string{"emergency_shelter"},
		},
		Identity:    &Identity{GivenNames: " José  Ángel ", FamilyNames: "Núñez", Aliases: []string{"Chepe", "Chepe", ""}, BirthDate: "2009-02-30"},
		Immigration: &Immigration{Relief: []Relief{{Kind: "t_visa"}}},
		Narrative:   &Narrative{Events: []Event{{Stage: "recruitment", Date: "2025-07", Place: "Tapachula"}}, Notes: "línea 1\nlínea 2"},
	}
	err := c.Normalize()
	pe := problem.As(err)
	if pe.Kind != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0] != (problem.FieldError{Field: "identity.birth_date", Key: "field.date"}) {
		t.Fatalf("Normalize: %v, want only the impossible birth date refused", err)
	}
	c.Identity.BirthDate = "2009-02-28"
	if err := c.Normalize(); err != nil {
		t.Fatal(err)
	}
	want := Profile{Gender: "not_stated", AgeBand: "unknown", AgeBandWhenTrafficked: "unknown", VictimStatus: "possible",
		Citizenship: []string{"MX", "GT"}, Languages: []string{"es", "mam"}, Exploitation: []string{"forced_labor"},
		Industries: []string{"agriculture", "construction"}, MeansOfControl: []string{}, Needs: []string{"emergency_shelter"}}
	if diff := cmp.Diff(want, c.Profile); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
	if c.Immigration.Cooperation != "not_asked" || c.Immigration.Relief[0].Status != "considering" {
		t.Errorf("immigration defaults: %+v", c.Immigration)
	}
	if !slices.Equal(c.Identity.Aliases, []string{"Chepe"}) {
		t.Errorf("aliases %v", c.Identity.Aliases)
	}

	bad := &Case{Status: "lost", Profile: Profile{Gender: "x", Exploitation: []string{"smuggling"}}, Identity: &Identity{GivenNames: "<b>x</b>"}, Narrative: &Narrative{Events: []Event{{}}}}
	pe = problem.As(bad.Normalize())
	var fields []string
	for _, f := range pe.Fields {
		fields = append(fields, f.Field)
	}
	wantFields := []string{"profile.gender", "profile.exploitation", "identity.given_names", "narrative.events[0].stage", "status"}
	if !slices.Equal(fields, wantFields) {
		t.Errorf("invalid fields %v, want %v", fields, wantFields)
	}
}

func TestRedact(t *testing.T) {
	c := &Case{Profile: Profile{Gender: "man"}, Identity: &Identity{GivenNames: "A"}, Location: &Location{City: "B"}, Immigration: &Immigration{}, Narrative: &Narrative{}}
	c.Redact([]access.Class{access.NonIdentifying, access.Location})
	if c.Identity != nil || c.Immigration != nil || c.Narrative != nil || c.Location == nil || c.Profile.Gender != "man" {
		t.Errorf("Redact kept the wrong parts: %+v", c)
	}
	c.Redact(nil)
	if c.Location != nil || c.Profile.Gender != "" {
		t.Error("Redact(nil) left data")
	}
}

func TestNameTokens(t *testing.T) {
	got := NameTokens(&Identity{GivenNames: "José Ángel", FamilyNames: "Núñez-Ortiz", Aliases: []string{"EL CHEPE", "J."}})
	want := []string{"jose", "angel", "nunez", "ortiz", "el", "chepe"}
	if !slices.Equal(got, want) {
		t.Errorf("NameTokens = %v, want %v", got, want)
	}
	if got := SearchTokens("NUÑEZ jose"); !slices.Equal(got, []string{"nunez", "jose"}) {
		t.Errorf("SearchTokens = %v", got)
	}
}

func TestAgeBand(t *testing.T) {
	for age, want := range map[int]string{-1: "unknown", 0: "0-11", 11: "0-11", 12: "12-14", 17: "15-17", 18: "18-24", 49: "35-49", 50: "50+"} {
		if got := htcds.AgeBand(age); got != want {
			t.Errorf("AgeBand(%d) = %s, want %s", age, got, want)
		}
	}
}
