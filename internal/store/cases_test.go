package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/casework"
	"puente/internal/problem"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// caseEnv is a database with a keyring, two organizations and their people.
type caseEnv struct {
	db                 *store.DB
	kr                 *secret.Keyring
	own, other         *account.Organization
	worker, supervisor *account.User
	outsider           *account.User
}

func newCaseEnv(t *testing.T, db *store.DB) *caseEnv {
	t.Helper()
	kr, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(kr)
	e := &caseEnv{db: db, kr: kr}
	e.own = mustOrg(t, db, "Frontera Legal", account.US)
	e.other = mustOrg(t, db, "Albergue Juárez", account.MX)
	e.worker = mustUser(t, db, e.own.ID, "worker@example.org", account.Caseworker)
	e.supervisor = mustUser(t, db, e.own.ID, "sup@example.org", account.Supervisor)
	e.outsider = mustUser(t, db, e.other.ID, "out@example.org", account.Caseworker)
	return e
}

func sampleCase(e *caseEnv) *casework.Case {
	return &casework.Case{
		OrgID: e.own.ID, CreatedBy: e.worker.ID, Assigned: []int64{e.worker.ID},
		Profile: casework.Profile{Gender: "man", AgeBand: "25-34", Citizenship: []string{"MX"}, Languages: []string{"es"},
			Exploitation: []string{"forced_labor"}, Industries: []string{"construction"}, Needs: []string{"emergency_shelter", "wage_recovery"}},
		Identity:    &casework.Identity{GivenNames: "José Ángel", FamilyNames: "Núñez Ortiz", Aliases: []string{"El Chepe"}, Phone: "+52 656 000 0000"},
		Location:    &casework.Location{Address: "Calle Ficticia 123", City: "El Paso", Shelter: "Casa Segura"},
		Immigration: &casework.Immigration{Status: "undocumented", Relief: []casework.Relief{{Kind: "t_visa", Status: "considering"}}, Cooperation: "undecided"},
		Narrative:   &casework.Narrative{Events: []casework.Event{{Stage: "exploitation", Place: "El Paso", Date: "2026-10", Description: "Unpaid for two weeks, beaten."}}, Notes: "Needs a shelter that takes men."},
	}
}

func TestCaseRoundTrip(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := db.Case(ctx, c.ID, access.Classes)
		if err != nil {
			t.Fatal(err)
		}
		want := *c
		if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("case round trip (-want +got):\n%s", diff)
		}
		part, err := db.Case(ctx, c.ID, []access.Class{access.NonIdentifying, access.Narrative})
		if err != nil {
			t.Fatal(err)
		}
		if part.Identity != nil || part.Location != nil || part.Immigration != nil || part.Narrative == nil || part.Profile.Gender != "man" {
			t.Errorf("loading two classes gave %+v", part)
		}
		none, _ := db.Case(ctx, c.ID, nil)
		if none.Profile.Gender != "" || none.Narrative != nil {
			t.Errorf("loading no class gave data: %+v", none)
		}
	})
}

func TestSealedColumnsHoldNoPlaintext(t *testing.T) {
	db := storetest.SQLite(t)
	e := newCaseEnv(t, db)
	c := sampleCase(e)
	if err := db.CreateCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	var ident []byte
	if err := db.SQL().QueryRowContext(ctx, "SELECT identity_ct FROM cases WHERE id = ?", c.ID).Scan(&ident); err != nil {
		t.Fatal(err)
	}
	if len(ident) < 30 || slices.Contains([]string{"José", "Núñez", "Chepe"}, string(ident)) {
		t.Fatalf("identity column: %q", ident)
	}
	// A sealed value copied into another case's row does not open there.
	c2 := sampleCase(e)
	if err := db.CreateCase(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, "UPDATE cases SET identity_ct = ? WHERE id = ?", ident, c2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Case(ctx, c2.ID, []access.Class{access.Identity}); err == nil {
		t.Fatal("a sealed identity moved to another case opened")
	}
	// Nor in another column of the same case.
	if _, err := db.SQL().ExecContext(ctx, "UPDATE cases SET location_ct = ? WHERE id = ?", ident, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Case(ctx, c.ID, []access.Class{access.Location}); err == nil {
		t.Fatal("a sealed identity moved to the location column opened")
	}
}

func TestUpdateKeepsUnnamedClasses(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		partial, _ := db.Case(ctx, c.ID, []access.Class{access.NonIdentifying, access.Narrative})
		partial.Narrative.Notes = "Placed in a shelter."
		if err := db.UpdateCase(ctx, partial, []access.Class{access.Narrative}); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Case(ctx, c.ID, access.Classes)
		if got.Narrative.Notes != "Placed in a shelter." || got.Identity == nil || got.Identity.GivenNames != "José Ángel" || got.Immigration == nil {
			t.Errorf("after a narrative-only update: %+v %+v", got.Narrative, got.Identity)
		}
	})
}

func TestNameSearchUsesBlindIndex(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		other := sampleCase(e)
		other.Identity = &casework.Identity{GivenNames: "María", FamilyNames: "López"}
		if err := db.CreateCase(ctx, other); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]int64{
			"jose nunez":  {c.ID},
			"JOSÉ NÚÑEZ":  {c.ID},
			"chepe":       {c.ID},
			"maria lopez": {other.ID},
			"jose lopez":  nil,
			"ortiz":       {c.ID},
		} {
			ids, err := db.NameMatches(ctx, casework.SearchTokens(q), 10)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("search %q = %v, want %v", q, ids, want)
			}
		}
		if _, err := db.Cases(ctx, casework.Filter{OrgID: e.own.ID, NameTokens: []string{"jose"}}); err == nil {
			t.Error("Cases searched names: a search must go through the case service, which decides per case")
		}
		var tokens []string
		rows, _ := db.SQL().QueryContext(ctx, "SELECT token FROM case_name_index")
		for rows.Next() {
			var s string
			rows.Scan(&s)
			tokens = append(tokens, s)
		}
		rows.Close()
		for _, tok := range tokens {
			if slices.Contains([]string{"jose", "nunez", "maria", "lopez", "chepe"}, tok) {
				t.Fatalf("the name index holds a name in clear: %q", tok)
			}
		}
	})
}

func TestCaseLifecycleAndAssignment(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		if err := c.Move(casework.Referred, e.worker.ID, at, ""); err != nil {
			t.Fatal(err)
		}
		if err := db.MoveCase(ctx, c.ID, c.Transitions[len(c.Transitions)-1]); err != nil {
			t.Fatal(err)
		}
		// A second writer working from the old status loses.
		stale := casework.Transition{From: casework.Identified, To: casework.Assisted, By: e.worker.ID, At: at}
		if err := db.MoveCase(ctx, c.ID, stale); problem.KindOf(err) != problem.Conflict {
			t.Fatalf("stale move: %v, want conflict", err)
		}
		got, _ := db.Case(ctx, c.ID, nil)
		if got.Status != casework.Referred || len(got.Transitions) != 2 || got.Transitions[1].By != e.worker.ID {
			t.Errorf("after move: status %s, transitions %+v", got.Status, got.Transitions)
		}
		if err := db.AssignCase(ctx, c.ID, []int64{e.outsider.ID}); problem.KindOf(err) != problem.Invalid {
			t.Fatalf("assigning another organization's caseworker: %v, want invalid", err)
		}
		if err := db.AssignCase(ctx, c.ID, []int64{e.worker.ID, e.supervisor.ID}); err != nil {
			t.Fatal(err)
		}
		list, _ := db.Cases(ctx, casework.Filter{OrgID: e.own.ID, AssignedTo: e.supervisor.ID})
		if len(list) != 1 || !slices.Equal(list[0].Assigned, []int64{e.worker.ID, e.supervisor.ID}) {
			t.Errorf("caseload: %+v", list)
		}
	})
}

func TestConsentsFeedThePolicy(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		outsider := access.Actor{UserID: e.outsider.ID, OrgID: e.other.ID, Roles: e.outsider.Roles}
		res, err := db.CaseAccess(ctx, c.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if v := access.Visible(outsider, res); len(v) != 0 {
			t.Fatalf("without consent the outsider sees %v", v)
		}
		bad := &casework.Consent{CaseID: c.ID, OrgID: e.own.ID, Classes: []access.Class{access.Identity}, Purpose: "referral", GivenHow: "written", Until: now.Add(time.Hour), RecordedBy: e.worker.ID}
		if err := db.CreateConsent(ctx, bad); problem.KindOf(err) != problem.Invalid {
			t.Fatalf("consent to the case's own organization: %v", err)
		}
		verbal := &casework.Consent{CaseID: c.ID, OrgID: e.other.ID, Classes: []access.Class{access.Identity}, Purpose: "referral", GivenHow: "verbal", Until: now.Add(time.Hour), RecordedBy: e.worker.ID}
		if err := db.CreateConsent(ctx, verbal); problem.KindOf(err) != problem.Invalid {
			t.Fatalf("verbal consent without a witness: %v", err)
		}
		k := &casework.Consent{CaseID: c.ID, OrgID: e.other.ID, Classes: []access.Class{access.NonIdentifying, access.Identity, access.Narrative},
			Purpose: "referral", GivenHow: "written", Until: now.Add(30 * 24 * time.Hour), RecordedBy: e.worker.ID}
		if err := db.CreateConsent(ctx, k); err != nil {
			t.Fatal(err)
		}
		res, _ = db.CaseAccess(ctx, c.ID, now)
		if got, want := access.Visible(outsider, res), []access.Class{access.NonIdentifying, access.Narrative, access.Identity}; !slices.Equal(got, want) {
			t.Fatalf("with consent the outsider sees %v, want %v", got, want)
		}
		if ids, _ := db.ConsentedCaseIDs(ctx, e.other.ID, now); !slices.Equal(ids, []int64{c.ID}) {
			t.Errorf("consented cases = %v", ids)
		}
		if err := db.RevokeConsent(ctx, c.ID, k.ID, e.worker.ID); err != nil {
			t.Fatal(err)
		}
		res, _ = db.CaseAccess(ctx, c.ID, now)
		if v := access.Visible(outsider, res); len(v) != 0 {
			t.Fatalf("after revocation the outsider sees %v", v)
		}
		if ids, _ := db.ConsentedCaseIDs(ctx, e.other.ID, now); len(ids) != 0 {
			t.Errorf("revoked consent still lists the case: %v", ids)
		}
	})
}

func TestDeleteCaseShredsKey(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteCase(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Case(ctx, c.ID, access.Classes); problem.KindOf(err) != problem.NotFound {
			t.Fatalf("deleted case: %v, want not found", err)
		}
		var n int
		db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM data_keys").Scan(&n)
		if n != 0 {
			t.Fatalf("%d data keys remain after deleting the only case", n)
		}
		if list, _ := db.Cases(ctx, casework.Filter{OrgID: e.own.ID}); len(list) != 0 {
			t.Errorf("deleted case listed: %+v", list)
		}
	})
}

func TestGlassOpeningsNotifyTheOwner(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		if err := db.OpenGlass(ctx, c.ID, e.outsider.ID, "reported missing tonight", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := db.GlassOpenings(ctx, e.own.ID, now.Add(-time.Hour))
		if err != nil || len(got) != 1 || got[0].CaseID != c.ID || got[0].OrgName != "Albergue Juárez" || got[0].Reason != "reported missing tonight" {
			t.Fatalf("openings for the owner: %+v %v", got, err)
		}
		if other, _ := db.GlassOpenings(ctx, e.other.ID, now.Add(-time.Hour)); len(other) != 0 {
			t.Errorf("another organization is told: %+v", other)
		}
	})
}

// TestCaseloadCounts checks the dashboard's counts against cases in every
// state that must or must not count: closed, deleted, another
// organization's, assigned to two people, to someone else, to no one.
func TestCaseloadCounts(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		add := func(org int64, status casework.Status, assigned ...int64) *casework.Case {
			t.Helper()
			c := &casework.Case{OrgID: org, CreatedBy: e.worker.ID, Status: status, Assigned: assigned, Profile: casework.Profile{Gender: "woman"}}
			if err := db.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		add(e.own.ID, casework.Identified, e.worker.ID)                // open, mine
		add(e.own.ID, casework.Referred, e.worker.ID, e.supervisor.ID) // open, mine, two people
		add(e.own.ID, casework.Assisted, e.supervisor.ID)              // open, someone else's
		add(e.own.ID, casework.Identified)                             // open, no one's
		add(e.own.ID, casework.Referred)                               // open, no one's
		add(e.own.ID, casework.Closed, e.worker.ID)                    // closed
		add(e.own.ID, casework.Closed)                                 // closed
		add(e.other.ID, casework.Identified, e.outsider.ID)            // another organization's
		gone := add(e.own.ID, casework.Identified, e.worker.ID)        // deleted
		if err := db.DeleteCase(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.Caseload(ctx, e.own.ID, e.worker.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := (casework.Caseload{Open: 5, Unassigned: 2, Mine: 2}); got != want {
			t.Fatalf("caseload %+v, want %+v", got, want)
		}
	})
}
