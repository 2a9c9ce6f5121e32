package store_test

import (
	"strings"
	"testing"
	"time"

	"puente/internal/access"
	"puente/internal/casework"
	"puente/internal/interview"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// Values an outside tester found stored in the clear: a verbal consent's
// witness, the reason for a break-the-glass access, and the language an
// interpreter spoke (an Indigenous language spoken by few people at a
// shelter can name the person).
const (
	witnessCanary = "CanaryWitnessR8"
	glassCanary   = "CanaryGlassReasonR8"
	interpCanary  = "CanaryMamR8"
)

// sealedWorld records one of each and returns the case, consent and
// screening ids.
func sealedWorld(t *testing.T, db *store.DB, e *caseEnv) (caseID, consentID, screeningID int64) {
	t.Helper()
	c := sampleCase(e)
	if err := db.CreateCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	k := &casework.Consent{CaseID: c.ID, OrgID: e.other.ID, Classes: []access.Class{access.NonIdentifying}, Purpose: "services",
		GivenHow: "verbal", Witness: witnessCanary + " (intérprete)", Until: time.Now().Add(24 * time.Hour), RecordedBy: e.worker.ID}
	if err := db.CreateConsent(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := db.OpenGlass(ctx, c.ID, e.outsider.ID, glassCanary+": survivor missing tonight", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	r := &interview.Record{OrgID: e.own.ID, CreatedBy: e.worker.ID, Status: interview.InProgress, Form: interview.FullForm, ProtocolVersion: "1.0",
		Language: "es", Interpreter: true, InterpreterLanguage: interpCanary}
	if err := db.CreateScreening(ctx, r); err != nil {
		t.Fatal(err)
	}
	return c.ID, k.ID, r.ID
}

// checkSealed scans every table for the canaries and reads each value back.
func checkSealed(t *testing.T, db *store.DB, e *caseEnv, caseID, screeningID int64) {
	t.Helper()
	text := tableText(t, db)
	if !strings.Contains(text, "verbal") {
		t.Fatal("the scan does not see the consents table: it proves nothing")
	}
	for _, canary := range []string{witnessCanary, glassCanary, interpCanary} {
		if strings.Contains(text, canary) {
			t.Errorf("%s is stored in the clear", canary)
		}
	}
	ks, err := db.Consents(ctx, caseID)
	if err != nil || len(ks) != 1 || !strings.HasPrefix(ks[0].Witness, witnessCanary) {
		t.Errorf("the witness does not read back: %+v %v", ks, err)
	}
	gs, err := db.GlassOpenings(ctx, e.own.ID, time.Now().Add(-time.Hour))
	if err != nil || len(gs) != 1 || !strings.HasPrefix(gs[0].Reason, glassCanary) {
		t.Errorf("the break-the-glass reason does not read back: %+v %v", gs, err)
	}
	r, err := db.Screening(ctx, screeningID)
	if err != nil || r.InterpreterLanguage != interpCanary {
		t.Errorf("the interpreter's language does not read back: %v %v", r, err)
	}
}

func TestSensitiveDetailsAreSealed(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		caseID, _, screeningID := sealedWorld(t, db, e)
		checkSealed(t, db, e, caseID, screeningID)
	})
}

// TestSealLegacy: a database written by an earlier version holds the
// three in the clear; SealLegacy seals them, once, and they read back.
func TestSealLegacy(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		caseID, consentID, screeningID := sealedWorld(t, db, e)
		for _, q := range []string{
			"UPDATE consents SET witness = ?, witness_ct = NULL WHERE id = ?",
			"UPDATE break_glass SET reason = ?, reason_ct = NULL WHERE case_id = ?",
		} {
			id := consentID
			if strings.Contains(q, "break_glass") {
				id = caseID
			}
			if _, err := db.SQL().Exec(db.Rebind(q), witnessCanary+" legacy", id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.SQL().Exec(db.Rebind("UPDATE screenings SET interpreter_language = ? WHERE id = ?"), interpCanary, screeningID); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(tableText(t, db), witnessCanary) {
			t.Fatal("the legacy rows hold nothing in the clear: the test proves nothing")
		}
		n, err := db.SealLegacy(ctx)
		if err != nil || n != 3 {
			t.Fatalf("SealLegacy = %d, %v; want 3 rows sealed", n, err)
		}
		if n, err := db.SealLegacy(ctx); err != nil || n != 0 {
			t.Errorf("a second SealLegacy sealed %d rows (%v)", n, err)
		}
		text := tableText(t, db)
		for _, canary := range []string{witnessCanary, interpCanary} {
			if strings.Contains(text, canary) {
				t.Errorf("%s is still in the clear after SealLegacy", canary)
			}
		}
		ks, _ := db.Consents(ctx, caseID)
		gs, _ := db.GlassOpenings(ctx, e.own.ID, time.Now().Add(-time.Hour))
		r, _ := db.Screening(ctx, screeningID)
		if len(ks) != 1 || ks[0].Witness != witnessCanary+" legacy" || len(gs) != 1 || gs[0].Reason != witnessCanary+" legacy" || r.InterpreterLanguage != interpCanary {
			t.Errorf("after SealLegacy: witness %q, reason %q, interpreter %q", ks[0].Witness, gs[0].Reason, r.InterpreterLanguage)
		}
	})
}
