package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/interview"
	"puente/internal/keyset"
	"puente/internal/screening"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

func TestScreeningRoundTrip(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		age := 16
		r := &interview.Record{OrgID: e.own.ID, CreatedBy: e.worker.ID, Status: interview.InProgress, Form: interview.FullForm, ProtocolVersion: "1.0",
			Language: "es", Interpreter: true, InterpreterLanguage: "mam", Age: &age,
			Answers: screening.Answers{"CTX01": "yes", "PU08": "yes"}, Notes: "CanaryScreeningNote"}
		if err := db.CreateScreening(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Screening(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		results, err := screening.Load().EvaluateAll(r.Input(), screening.Jurisdictions...)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		r.Results, r.Status, r.CompletedAt = results, interview.Completed, &now
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		r.CaseID = &c.ID
		if err := db.SaveScreening(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Screening(ctx, r.ID)
		if got.Status != interview.Completed || got.Results["us"].Determination != results["us"].Determination || got.CaseID == nil || *got.CaseID != c.ID {
			t.Errorf("after completion: %+v", got)
		}
		list, err := db.Screenings(ctx, e.own.ID, 0, keyset.Cursor{}, 50)
		if err != nil || len(list) != 1 || list[0].Labels["us"] != results["us"].Determination {
			t.Fatalf("list: %+v %v", list, err)
		}
		if mine, _ := db.Screenings(ctx, e.own.ID, e.supervisor.ID, keyset.Cursor{}, 50); len(mine) != 0 {
			t.Errorf("another interviewer's list shows %d", len(mine))
		}
		if text := tableText(t, db); strings.Contains(text, "CanaryScreeningNote") || strings.Contains(text, `"PU08"`) {
			t.Error("a screening's notes or answers are stored in clear")
		}
	})
}
