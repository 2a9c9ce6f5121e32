package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"puente/internal/practice"
	"puente/internal/problem"
	"puente/internal/screening"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

func TestPracticeVignetteRoundTrip(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		age := 19
		v := &practice.OrgVignette{OrgID: e.own.ID, CreatedBy: e.supervisor.ID, Vignette: practice.Vignette{
			Title: "Cosecha en Chihuahua", NarrativeEN: "A farmworker's papers were kept.", NarrativeES: "A un jornalero le quitaron los papeles.",
			Age: &age, Answers: screening.Answers{"PU08": "yes", "CD02": "yes", "SM01": "declined"},
			Expected:  map[screening.Jurisdiction]screening.Label{"us": screening.TraffickingLabor, "mx": screening.TraffickingLabor},
			Reasoning: "Retención de documentos como medio.",
		}}
		if err := db.CreatePracticeVignette(ctx, v); err != nil {
			t.Fatal(err)
		}
		if v.ID == 0 || v.Vignette.ID != practice.OrgVignetteID(v.ID) || v.CreatedAt.IsZero() {
			t.Fatalf("after create: id %d, vignette id %q, created %v", v.ID, v.Vignette.ID, v.CreatedAt)
		}
		got, err := db.PracticeVignette(ctx, e.own.ID, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(v, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		noAge := &practice.OrgVignette{OrgID: e.own.ID, CreatedBy: e.supervisor.ID, Vignette: practice.Vignette{NarrativeES: "Sin edad.",
			Answers: screening.Answers{"CTX02": "yes"}, Expected: map[screening.Jurisdiction]screening.Label{"us": "smuggling_only", "mx": "smuggling_only"}}}
		if err := db.CreatePracticeVignette(ctx, noAge); err != nil {
			t.Fatal(err)
		}
		list, err := db.PracticeVignettes(ctx, e.own.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]practice.OrgVignette{*v, *noAge}, list); diff != "" {
			t.Errorf("list (-want +got):\n%s", diff)
		}
		if other, err := db.PracticeVignettes(ctx, e.other.ID); err != nil || len(other) != 0 {
			t.Errorf("another organization's list: %v %v", other, err)
		}
		if _, err := db.PracticeVignette(ctx, e.other.ID, v.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("another organization reading the vignette: %v", err)
		}
		bad := &practice.OrgVignette{OrgID: 99999, CreatedBy: e.supervisor.ID, Vignette: noAge.Vignette}
		if err := db.CreatePracticeVignette(ctx, bad); !problem.Is(err, problem.Invalid) {
			t.Errorf("a vignette of no organization: %v", err)
		}
	})
}
