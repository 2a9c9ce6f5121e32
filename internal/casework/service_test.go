package casework_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/casework"
	"puente/internal/problem"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

var ctx = context.Background()

type world struct {
	db                         *store.DB
	kr                         *secret.Keyring
	svc                        *casework.Service
	now                        time.Time
	own, other                 *account.Organization
	worker, sup, outsider, oth *account.User
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	kr, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(kr)
	w := &world{db: db, kr: kr, now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return w.now }
	w.svc = &casework.Service{Store: db, Now: func() time.Time { return w.now }}
	org := func(name string, c account.Country) *account.Organization {
		o := &account.Organization{Name: name, Country: c, Kind: account.Shelter, Vetted: true}
		if err := db.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	user := func(o *account.Organization, email string, r account.Role) *account.User {
		u := &account.User{OrgID: o.ID, Email: email, Name: "X", Roles: []account.Role{r}, PasswordHash: "x"}
		u.Agreed()
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.own, w.other = org("Frontera Legal", account.US), org("Albergue Juárez", account.MX)
	w.worker, w.sup = user(w.own, "w@example.org", account.Caseworker), user(w.own, "s@example.org", account.Supervisor)
	w.outsider, w.oth = user(w.other, "o@example.org", account.Caseworker), user(w.other, "os@example.org", account.Supervisor)
	return w
}

func (w *world) rq(u *account.User) casework.Request {
	o := w.own
	if u.OrgID == w.other.ID {
		o = w.other
	}
	return casework.Request{Actor: access.ActorFor(u, o), RequestID: "TEST"}
}

func (w *world) newCase(t *testing.T) *casework.Case {
	t.Helper()
	c := &casework.Case{
		Profile:     casework.Profile{Gender: "man", Exploitation: []string{"forced_labor"}},
		Identity:    &casework.Identity{GivenNames: "Canario", FamilyNames: "Prueba"},
		Location:    &casework.Location{Shelter: "Casa Segura"},
		Immigration: &casework.Immigration{Status: "pending"},
		Narrative:   &casework.Narrative{Notes: "what happened"},
	}
	if err := w.svc.Create(ctx, w.rq(w.worker), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) entries(t *testing.T) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for e, err := range w.db.AuditEntries(ctx, audit.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestOutsiderGuessingIDsSeesNothingAndIsAudited(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.newCase(t)
		for _, id := range []int64{c.ID, c.ID + 1000} {
			_, _, err := w.svc.Get(ctx, w.rq(w.outsider), id)
			if problem.KindOf(err) != problem.NotFound {
				t.Fatalf("outsider reading case %d: %v, want not found", id, err)
			}
		}
		if err := w.svc.Move(ctx, w.rq(w.outsider), c.ID, casework.Referred, ""); problem.KindOf(err) != problem.NotFound {
			t.Fatalf("outsider moving the case: %v", err)
		}
		var denied int
		for _, e := range w.entries(t) {
			if e.Decision == audit.Deny && e.ActorID == w.outsider.ID {
				denied++
			}
		}
		if denied != 3 {
			t.Errorf("denied attempts audited: %d, want 3", denied)
		}
	})
}

func TestConsentOpensExactlyTheGrantedClasses(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.newCase(t)
		k := &casework.Consent{CaseID: c.ID, OrgID: w.other.ID, Classes: []access.Class{access.NonIdentifying, access.Location},
			Purpose: "referral", GivenHow: "verbal", Witness: "Ana (staff)", Until: w.now.Add(7 * 24 * time.Hour)}
		if err := w.svc.AddConsent(ctx, w.rq(w.outsider), k); problem.KindOf(err) != problem.NotFound {
			t.Fatalf("the receiving organization recorded its own consent: %v", err)
		}
		if err := w.svc.AddConsent(ctx, w.rq(w.worker), k); err != nil {
			t.Fatal(err)
		}
		got, visible, err := w.svc.Get(ctx, w.rq(w.outsider), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(visible, []access.Class{access.NonIdentifying, access.Location}) {
			t.Errorf("visible %v", visible)
		}
		if got.Identity != nil || got.Immigration != nil || got.Narrative != nil || got.Location == nil || got.Location.Shelter != "Casa Segura" {
			t.Errorf("outsider got %+v", got)
		}
		if err := w.svc.Update(ctx, w.rq(w.outsider), got, []access.Class{access.Location}); problem.KindOf(err) != problem.NotFound {
			t.Errorf("outsider changed the case: %v", err)
		}
		page, err := w.svc.List(ctx, w.rq(w.outsider), casework.Filter{})
		if err != nil || len(page.Cases) != 1 || page.Cases[0].ID != c.ID {
			t.Fatalf("outsider's list: %+v %v", page, err)
		}
		if err := w.svc.RevokeConsent(ctx, w.rq(w.worker), c.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.Get(ctx, w.rq(w.outsider), c.ID); problem.KindOf(err) != problem.NotFound {
			t.Fatalf("after revocation: %v", err)
		}
		if page, _ := w.svc.List(ctx, w.rq(w.outsider), casework.Filter{}); len(page.Cases) != 0 {
			t.Fatalf("after revocation the list shows %+v", page)
		}
	})
}

func TestEveryCallLeavesAnIntactAuditTrail(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.newCase(t)
		w.svc.Get(ctx, w.rq(w.worker), c.ID)
		w.svc.Move(ctx, w.rq(w.worker), c.ID, casework.Referred, "")
		w.svc.Assign(ctx, w.rq(w.sup), c.ID, []int64{w.worker.ID, w.sup.ID})
		w.svc.List(ctx, w.rq(w.sup), casework.Filter{})
		var actions []string
		for _, e := range w.entries(t) {
			actions = append(actions, e.Action)
			if e.Record != "" && e.Record != "case:"+strconv.FormatInt(c.ID, 10) {
				t.Errorf("entry about %q", e.Record)
			}
		}
		want := []string{"case.create", "case.read", "case.move", "case.assign", "case.list"}
		if !slices.Equal(actions, want) {
			t.Errorf("audited actions %v, want %v", actions, want)
		}
		r, err := audit.Verify(db.AuditEntries(ctx, audit.Filter{}))
		if err != nil || !r.OK() {
			t.Fatalf("audit chain: %s %v", r, err)
		}
	})
}

func TestBreakGlass(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.newCase(t)
		if _, err := w.svc.BreakGlass(ctx, w.rq(w.oth), c.ID, "short"); problem.KindOf(err) != problem.Invalid {
			t.Fatalf("glass without a real reason: %v", err)
		}
		if _, err := w.svc.BreakGlass(ctx, w.rq(w.outsider), c.ID, "survivor reported missing tonight"); problem.KindOf(err) != problem.Forbidden {
			t.Fatalf("a caseworker broke the glass: %v", err)
		}
		until, err := w.svc.BreakGlass(ctx, w.rq(w.oth), c.ID, "survivor reported missing tonight")
		if err != nil || !until.Equal(w.now.Add(casework.GlassDuration)) {
			t.Fatalf("break glass: %v %v", until, err)
		}
		got, visible, err := w.svc.Get(ctx, w.rq(w.oth), c.ID)
		if err != nil || got.Location == nil || got.Immigration != nil || slices.Contains(visible, access.Immigration) {
			t.Fatalf("after break-glass: %+v %v %v", got, visible, err)
		}
		var flagged int
		for _, e := range w.entries(t) {
			if e.Decision == audit.BreakGlass {
				flagged++
			}
		}
		if flagged < 2 {
			t.Errorf("break-glass entries flagged: %d, want the opening and the read", flagged)
		}
		w.now = w.now.Add(casework.GlassDuration + time.Second)
		if _, _, err := w.svc.Get(ctx, w.rq(w.oth), c.ID); problem.KindOf(err) != problem.NotFound {
			t.Fatalf("glass still open after its hour: %v", err)
		}
	})
}

// TestListPagesThroughEveryCaseOnce walks the case list a page at a time,
// the organization's own cases and another's shared by consent mixed by
// date, some written at the same instant: each case comes exactly once, in
// order, and a case written between two pages does not shift the next.
func TestListPagesThroughEveryCaseOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		other := &casework.Service{Store: db, Now: w.svc.Now}
		want := map[int64]bool{}
		for i := range 11 {
			if i%3 != 0 { // two cases in each instant
				w.now = w.now.Add(time.Minute)
			}
			if i%4 == 3 { // a case of the other organization, shared with this one
				c := &casework.Case{Profile: casework.Profile{Gender: "woman"}}
				if err := other.Create(ctx, w.rq(w.outsider), c); err != nil {
					t.Fatal(err)
				}
				k := &casework.Consent{CaseID: c.ID, OrgID: w.own.ID, Classes: []access.Class{access.NonIdentifying}, Purpose: "services", GivenHow: "written", Until: w.now.AddDate(1, 0, 0)}
				if err := other.AddConsent(ctx, w.rq(w.outsider), k); err != nil {
					t.Fatal(err)
				}
				want[c.ID] = true
				continue
			}
			want[w.newCase(t).ID] = true
		}
		seen := map[int64]bool{}
		var last casework.Summary
		f := casework.Filter{Limit: 3}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("the list does not end")
			}
			page, err := w.svc.List(ctx, w.rq(w.sup), f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Cases) > 3 {
				t.Fatalf("page of %d", len(page.Cases))
			}
			for _, c := range page.Cases {
				if seen[c.ID] {
					t.Fatalf("case %d shown twice", c.ID)
				}
				if last.ID != 0 && !last.Cursor().Before(c.UpdatedAt, c.ID) {
					t.Fatalf("case %d out of order after %d", c.ID, last.ID)
				}
				seen[c.ID], last = true, c
			}
			if page.Next.IsZero() {
				break
			}
			if pages == 1 { // a new case lands at the top, not in the next page
				w.now = w.now.Add(time.Hour)
				w.newCase(t)
			}
			f.After = page.Next
		}
		if len(seen) != len(want) {
			t.Fatalf("paged through %d cases, want %d", len(seen), len(want))
		}
		for id := range want {
			if !seen[id] {
				t.Errorf("case %d never shown", id)
			}
		}
	})
}
