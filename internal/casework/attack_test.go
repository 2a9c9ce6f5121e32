package casework_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/casework"
	"puente/internal/problem"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// The attacks of an outside security test against the case and referral
// services (issue 9), each of which once worked. They run on both engines.

// TestNameSearchMatchesOnlyReadableIdentities: a dictionary of common
// names, run through the blind index by anyone who could merely list a
// case, once recovered every name of an organization's cases. A search now
// matches only cases whose identity the searcher may read.
func TestNameSearchMatchesOnlyReadableIdentities(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.newCase(t) // Canario Prueba, assigned to w.worker
		user := func(o *account.Organization, email string, r account.Role) *account.User {
			u := &account.User{OrgID: o.ID, Email: email, Name: "X", Roles: []account.Role{r}, PasswordHash: "x"}
			u.Agreed()
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		screener := user(w.own, "screener@example.org", account.Screener)
		analyst := user(w.own, "analyst@example.org", account.Analyst)
		otherWorker := user(w.own, "other.worker@example.org", account.Caseworker)
		theirAnalyst := user(w.other, "their.analyst@example.org", account.Analyst)
		for _, k := range []*casework.Consent{
			{CaseID: c.ID, OrgID: w.other.ID, Classes: []access.Class{access.NonIdentifying}, Purpose: "statistics", GivenHow: "written", Until: w.now.AddDate(0, 6, 0)},
			{CaseID: c.ID, OrgID: w.other.ID, Classes: []access.Class{access.NonIdentifying, access.Narrative}, Purpose: "services", GivenHow: "written", Until: w.now.AddDate(0, 6, 0)},
		} {
			if err := w.svc.AddConsent(ctx, w.rq(w.worker), k); err != nil {
				t.Fatal(err)
			}
		}
		search := func(u *account.User, q string) ([]int64, error) {
			page, err := w.svc.List(ctx, w.rq(u), casework.Filter{NameTokens: casework.SearchTokens(q)})
			var ids []int64
			for _, s := range page.Cases {
				ids = append(ids, s.ID)
			}
			return ids, err
		}
		// Each of these may list the case, or read its profile, but not
		// the person's name: the dictionary finds nothing.
		for _, u := range []*account.User{screener, analyst, otherWorker, w.outsider, w.oth, theirAnalyst} {
			for _, guess := range []string{"maria", "jose", "canario", "prueba", "canario prueba"} {
				if ids, err := search(u, guess); err != nil || len(ids) != 0 {
					t.Errorf("user %d searching %q: %v, %v; want nothing", u.ID, guess, ids, err)
				}
			}
		}
		for _, u := range []*account.User{w.worker, w.sup} {
			if ids, err := search(u, "canario"); err != nil || !slices.Equal(ids, []int64{c.ID}) {
				t.Errorf("user %d, who may read the name: %v, %v", u.ID, ids, err)
			}
		}
		// A consent that shares the identity lets the other organization
		// find the person it was shared for.
		k := &casework.Consent{CaseID: c.ID, OrgID: w.other.ID, Classes: []access.Class{access.NonIdentifying, access.Identity},
			Purpose: "referral", GivenHow: "written", Until: w.now.AddDate(0, 1, 0)}
		if err := w.svc.AddConsent(ctx, w.rq(w.worker), k); err != nil {
			t.Fatal(err)
		}
		if ids, err := search(w.outsider, "canario"); err != nil || !slices.Equal(ids, []int64{c.ID}) {
			t.Errorf("caseworker of an organization the identity was shared with: %v, %v", ids, err)
		}

		// Every search is audited, by the number of words and of cases
		// shown, never the words.
		var searches int
		for _, e := range w.entries(t) {
			if e.Action == "case.search" {
				searches++
				if strings.Contains(strings.ToLower(e.Reason), "canario") || strings.Contains(e.Reason, "maria") {
					t.Errorf("the audit log holds the searched name: %q", e.Reason)
				}
			}
		}
		if want := 6*5 + 2 + 1; searches != want {
			t.Errorf("%d searches audited, want %d", searches, want)
		}
	})
}

// TestNameSearchIsThrottled: bulk guessing is slowed per person.
func TestNameSearchIsThrottled(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.newCase(t)
		var err error
		for i := 0; i <= casework.SearchBurst && err == nil; i++ {
			_, err = w.svc.List(ctx, w.rq(w.sup), casework.Filter{NameTokens: []string{"guess"}})
		}
		if problem.KindOf(err) != problem.TooMany {
			t.Fatalf("search %d: %v, want too many", casework.SearchBurst+1, err)
		}
		if _, err := w.svc.List(ctx, w.rq(w.worker), casework.Filter{NameTokens: []string{"guess"}}); err != nil {
			t.Errorf("another person is not slowed by it: %v", err)
		}
		w.now = w.now.Add(casework.SearchEvery)
		if _, err := w.svc.List(ctx, w.rq(w.sup), casework.Filter{NameTokens: []string{"guess"}}); err != nil {
			t.Errorf("after a pause: %v", err)
		}
		var throttled int
		for _, e := range w.entries(t) {
			if e.Action == "case.search" && e.Decision == audit.Deny {
				throttled++
			}
		}
		if throttled != 1 {
			t.Errorf("%d throttled searches audited, want 1", throttled)
		}
	})
}

// TestAuditEntryCommitsWithItsWrite: a case is never stored without the
// entry that records it, nor the entry without the case.
func TestAuditEntryCommitsWithItsWrite(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.newCase(t)
		var creates []string
		for _, e := range w.entries(t) {
			if e.Action == "case.create" {
				creates = append(creates, e.Record)
			}
		}
		if !slices.Equal(creates, []string{"case:" + itoa(c.ID)}) {
			t.Errorf("case.create entries %v, want the one for case %d", creates, c.ID)
		}

		// An entry that cannot be written takes the write down with it.
		before := countCases(t, db)
		err := db.Atomic(ctx, func(ctx context.Context) error {
			k := &casework.Case{OrgID: w.own.ID, CreatedBy: w.worker.ID, Status: casework.Identified,
				Profile: casework.Profile{Gender: "man"}}
			if err := db.CreateCase(ctx, k); err != nil {
				return err
			}
			return db.AppendAudit(ctx, &audit.Entry{Action: "case.create", Decision: audit.Allow, Reason: "bad\x00entry"})
		})
		if err == nil {
			t.Fatal("a write whose audit entry failed was committed")
		}
		if after := countCases(t, db); after != before {
			t.Errorf("cases %d → %d: the case was stored without its entry", before, after)
		}
	})
}

// TestOnlyRealDecisionsAreLogged: a case page asked for the case's
// referrals, and a case with none left a false "referral.read" denial.
func TestOnlyRealDecisionsAreLogged(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.newCase(t)
		list, err := w.referrals().ForCase(ctx, w.rq(w.worker), c.ID)
		if err != nil || len(list) != 0 {
			t.Fatalf("ForCase = %v, %v", list, err)
		}
		for _, e := range w.entries(t) {
			if e.Action == string(access.ReferralRead) {
				t.Errorf("a case without referrals left %s %s (%s)", e.Action, e.Decision, e.Reason)
			}
		}
	})
}

// TestTypedValuesNeverReachTheAuditLog: a transition's "to" and a consent's
// classes were copied into the entry before validation, so a planted name
// stayed in the append-only log forever, and an over-long or control
// value made the audit write fail with a 500 that told whether the case
// existed. Input is checked first; entries hold codes.
func TestTypedValuesNeverReachTheAuditLog(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.newCase(t)
		refs := w.referrals()
		r := w.refer(t, refs, c, nil, false)
		const plant = "ZQXAUDITPLANT Maria Lopez, Calle 5 de Mayo 123"
		hostile := []string{plant, strings.Repeat("A", 5000), "referred\x00\x1b[31m", "\u202eassisted"}
		for _, id := range []int64{c.ID, c.ID + 999} {
			for _, v := range hostile {
				err := w.svc.Move(ctx, w.rq(w.worker), id, casework.Status(v), "")
				if problem.KindOf(err) != problem.Invalid {
					t.Errorf("move case %d to %.20q: %v, want invalid whether or not the case exists", id, v, err)
				}
				k := &casework.Consent{CaseID: id, OrgID: w.other.ID, Classes: []access.Class{access.Class(v)}, Purpose: "referral",
					GivenHow: "written", Until: w.now.AddDate(0, 1, 0)}
				if err := w.svc.AddConsent(ctx, w.rq(w.worker), k); problem.KindOf(err) != problem.Invalid {
					t.Errorf("consent with class %.20q on case %d: %v, want invalid", v, id, err)
				}
				if err := refs.Move(ctx, w.rq(w.outsider), r.ID, casework.ReferralStatus(v), v, v); problem.KindOf(err) != problem.Invalid {
					t.Errorf("referral moved to %.20q: %v, want invalid", v, err)
				}
			}
		}
		for _, e := range w.entries(t) {
			if strings.Contains(e.Reason, "ZQX") || strings.Contains(e.Reason, "AAAA") || strings.ContainsAny(e.Reason, "\x00\x1b\u202e") {
				t.Errorf("typed value in the audit log: %s %q", e.Action, e.Reason)
			}
		}
	})
}

// TestEndedReferralEndsItsConsent: a declined, expired or completed
// referral kept the consent given with it in force for up to a year.
func TestEndedReferralEndsItsConsent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		end := map[string]func(r *casework.Referral){
			"declined": func(r *casework.Referral) {
				mustMove(t, refs, w.rq(w.outsider), r.ID, casework.RefDeclined, "no_capacity", "")
			},
			"completed": func(r *casework.Referral) {
				mustMove(t, refs, w.rq(w.outsider), r.ID, casework.RefAccepted, "", "")
				mustMove(t, refs, w.rq(w.outsider), r.ID, casework.RefInService, "", "")
				mustMove(t, refs, w.rq(w.outsider), r.ID, casework.RefCompleted, "services_provided", "")
			},
			"expired": func(r *casework.Referral) {
				saved := w.now
				w.now = r.AnswerBy
				if n, err := refs.Expire(ctx); err != nil || n != 1 {
					t.Fatalf("Expire = %d, %v", n, err)
				}
				w.now = saved.Add(time.Minute)
			},
		}
		for _, how := range []string{"declined", "completed", "expired"} {
			c := w.newCase(t)
			r := w.refer(t, refs, c, w.consent(access.NonIdentifying, access.Identity), false)
			if _, visible, err := w.svc.Get(ctx, w.rq(w.outsider), c.ID); err != nil || !slices.Contains(visible, access.Identity) {
				t.Fatalf("%s: the receiver does not read the shared name while the referral is in force: %v %v", how, visible, err)
			}
			end[how](r)
			if _, visible, err := w.svc.Get(ctx, w.rq(w.outsider), c.ID); problem.KindOf(err) != problem.NotFound {
				t.Errorf("%s referral: the receiver still reads %v (%v)", how, visible, err)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func countCases(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow("SELECT COUNT(*) FROM cases").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
