package casework_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/casework"
	"puente/internal/directory"
	"puente/internal/htcds"
	"puente/internal/problem"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

func (w *world) referrals() *casework.Referrals {
	return &casework.Referrals{Store: w.db, Now: func() time.Time { return w.now }}
}

// referral is a referral of c to the men's shelter run by w.other.
func (w *world) referral(c *casework.Case) *casework.Referral {
	return &casework.Referral{
		CaseID: c.ID, ToOrgID: w.other.ID, ServiceAtLocationID: "sal-men", ServiceID: "svc-men", LocationID: "loc-men",
		ServiceName: "Albergue para hombres", ProviderName: "Casa Hombres de Paso", ProviderCountry: account.MX, FromCountry: account.US,
		Needs: []string{"emergency_shelter"}, Note: "Arrives Tuesday with his cousin Canario.",
	}
}

func (w *world) consent(classes ...access.Class) *casework.Consent {
	return &casework.Consent{Classes: classes, GivenHow: "written", Until: w.now.Add(30 * 24 * time.Hour)}
}

// refer has the assigned caseworker refer c to the men's shelter, with
// consent (nil for none), sent or kept as a draft.
func (w *world) refer(t *testing.T, refs *casework.Referrals, c *casework.Case, consent *casework.Consent, draft bool) *casework.Referral {
	t.Helper()
	r := w.referral(c)
	if err := refs.Create(ctx, w.rq(w.worker), r, consent, draft); err != nil {
		t.Fatal(err)
	}
	return r
}

func mustMove(t *testing.T, refs *casework.Referrals, rq casework.Request, id int64, to casework.ReferralStatus, reason, note string) {
	t.Helper()
	if err := refs.Move(ctx, rq, id, to, reason, note); err != nil {
		t.Fatalf("move to %s: %v", to, err)
	}
}

func TestReferralLifecycle(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		c := w.newCase(t)
		r := w.refer(t, refs, c, w.consent(access.NonIdentifying, access.Identity), false)
		if r.Status != casework.RefSent || !r.CrossBorder() || !slices.Equal(r.Classes, []access.Class{access.NonIdentifying, access.Identity}) {
			t.Fatalf("after create: status %s, cross-border %v, classes %v", r.Status, r.CrossBorder(), r.Classes)
		}
		got, _, err := w.svc.Get(ctx, w.rq(w.sup), c.ID)
		if err != nil || got.Status != casework.Referred {
			t.Fatalf("case after sending: %v %v, want referred", got.Status, err)
		}
		// The receiver sees exactly what the survivor agreed to share.
		shared, visible, err := w.svc.Get(ctx, w.rq(w.outsider), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(visible, []access.Class{access.NonIdentifying, access.Identity}) || shared.Narrative != nil || shared.Location != nil {
			t.Errorf("receiver sees %v", visible)
		}
		rq := w.rq(w.outsider)
		mustMove(t, refs, rq, r.ID, casework.RefAccepted, "", "")
		mustMove(t, refs, rq, r.ID, casework.RefInService, "", "")
		mustMove(t, refs, rq, r.ID, casework.RefCompleted, "services_provided", "Stayed three weeks; now works in a cooperative.")
		back, err := refs.Get(ctx, w.rq(w.worker), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var path []casework.ReferralStatus
		for _, e := range back.Events {
			path = append(path, e.To)
		}
		want := []casework.ReferralStatus{casework.RefDraft, casework.RefSent, casework.RefAccepted, casework.RefInService, casework.RefCompleted}
		if diff := cmp.Diff(want, path); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		if back.Outcome != "services_provided" || back.OutcomeNote != "Stayed three weeks; now works in a cooperative." || back.Note != r.Note {
			t.Errorf("outcome %q %q, note %q", back.Outcome, back.OutcomeNote, back.Note)
		}
		if back.Events[2].OrgID != w.other.ID || back.Events[1].By != w.worker.ID {
			t.Errorf("events do not say who moved: %+v", back.Events)
		}
		// Every step is in the audit log, and the sealed note is not.
		acts := map[string]int{}
		for _, e := range w.entries(t) {
			if strings.HasPrefix(e.Action, "referral.") && e.Decision == audit.Allow {
				acts[e.Action]++
			}
			if strings.Contains(e.Reason, "Canario") {
				t.Errorf("the audit log holds the note: %q", e.Reason)
			}
		}
		if acts["referral.send"] < 2 || acts["referral.respond"] != 3 || acts["referral.read"] != 1 {
			t.Errorf("audited referral actions: %v", acts)
		}
		var ct []byte
		if err := db.SQL().QueryRow(db.Rebind("SELECT notes_ct FROM referrals WHERE id = ?"), r.ID).Scan(&ct); err != nil || strings.Contains(string(ct), "Canario") {
			t.Errorf("notes stored in the clear (%v)", err)
		}
	})
}

func TestReferralPartiesOnly(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		c := w.newCase(t)
		r := w.referral(c)
		if err := refs.Create(ctx, w.rq(w.outsider), r, nil, false); problem.KindOf(err) != problem.NotFound {
			t.Fatalf("another organization referred the case: %v", err)
		}
		if err := refs.Create(ctx, w.rq(w.worker), r, nil, false); err != nil {
			t.Fatal(err)
		}
		if len(r.Classes) != 0 || r.ConsentID != 0 {
			t.Errorf("a referral without consent shares %v", r.Classes)
		}
		third := &account.Organization{Name: "Tercera", Country: account.MX, Kind: account.NGO, Vetted: true}
		if err := db.CreateOrganization(ctx, third); err != nil {
			t.Fatal(err)
		}
		stranger := &account.User{OrgID: third.ID, Email: "x@tercera.example", Name: "X", Roles: []account.Role{account.Supervisor}, PasswordHash: "x"}
		stranger.Agreed()
		if err := db.CreateUser(ctx, stranger); err != nil {
			t.Fatal(err)
		}
		srq := casework.Request{Actor: access.ActorFor(stranger, third)}
		if _, err := refs.Get(ctx, srq, r.ID); problem.KindOf(err) != problem.NotFound {
			t.Errorf("a third organization read the referral: %v", err)
		}
		if err := refs.Move(ctx, srq, r.ID, casework.RefAccepted, "", ""); problem.KindOf(err) != problem.NotFound {
			t.Errorf("a third organization accepted the referral: %v", err)
		}
		if err := refs.Move(ctx, w.rq(w.worker), r.ID, casework.RefAccepted, "", ""); problem.KindOf(err) != problem.Forbidden {
			t.Errorf("the sender accepted its own referral: %v", err)
		}
		if err := refs.Move(ctx, w.rq(w.outsider), r.ID, casework.RefRevoked, "other", ""); problem.KindOf(err) != problem.Forbidden {
			t.Errorf("the receiver revoked the referral: %v", err)
		}
		if err := refs.Move(ctx, w.rq(w.outsider), r.ID, casework.RefCompleted, "services_provided", ""); problem.KindOf(err) != problem.Conflict {
			t.Errorf("completed before accepting: %v", err)
		}
		if err := refs.Move(ctx, w.rq(w.outsider), r.ID, casework.RefDeclined, "because", ""); !problem.Is(err, problem.Invalid) {
			t.Errorf("declined with no known reason: %v", err)
		}
		qp, err := refs.Queue(ctx, w.rq(w.outsider), casework.ReferralFilter{Incoming: true})
		q := qp.Referrals
		if err != nil || len(q) != 1 || q[0].ID != r.ID {
			t.Errorf("receiver's queue: %v %v", q, err)
		}
		if q, _ := refs.Queue(ctx, srq, casework.ReferralFilter{}); len(q.Referrals) != 0 {
			t.Errorf("a third organization's queue shows %d referrals", len(q.Referrals))
		}
	})
}

func TestRevokingAReferralRevokesItsConsent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		c := w.newCase(t)
		r := w.refer(t, refs, c, w.consent(access.NonIdentifying, access.Identity), false)
		mustMove(t, refs, w.rq(w.outsider), r.ID, casework.RefAccepted, "", "")
		if err := refs.Move(ctx, w.rq(w.worker), r.ID, casework.RefRevoked, "", ""); !problem.Is(err, problem.Invalid) {
			t.Errorf("revoked with no reason: %v", err)
		}
		mustMove(t, refs, w.rq(w.worker), r.ID, casework.RefRevoked, "survivor_withdrew", "")
		if _, visible, err := w.svc.Get(ctx, w.rq(w.outsider), c.ID); problem.KindOf(err) != problem.NotFound || len(visible) != 0 {
			t.Errorf("after revoking, the receiver still reads %v (%v)", visible, err)
		}
		if err := refs.Move(ctx, w.rq(w.outsider), r.ID, casework.RefInService, "", ""); problem.KindOf(err) != problem.Conflict {
			t.Errorf("started service on a revoked referral: %v", err)
		}
	})
}

func TestUnansweredReferralExpires(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		c := w.newCase(t)
		r := w.refer(t, refs, c, nil, false)
		if !r.AnswerBy.Equal(w.now.Add(casework.DefaultAnswerWithin)) {
			t.Errorf("answer by %v", r.AnswerBy)
		}
		w.now = r.AnswerBy
		if err := refs.Move(ctx, w.rq(w.outsider), r.ID, casework.RefAccepted, "", ""); problem.KindOf(err) != problem.Conflict {
			t.Errorf("accepted an expired referral: %v", err)
		}
		n, err := refs.Expire(ctx)
		if err != nil || n != 1 {
			t.Fatalf("Expire = %d, %v", n, err)
		}
		if n, _ := refs.Expire(ctx); n != 0 {
			t.Errorf("expired again: %d", n)
		}
		back, err := refs.Get(ctx, w.rq(w.worker), r.ID)
		if err != nil || back.Status != casework.RefExpired || back.Events[len(back.Events)-1].By != 0 {
			t.Errorf("after expiry: %+v %v", back, err)
		}
		var system bool
		for _, e := range w.entries(t) {
			system = system || (e.Action == "referral.expire" && e.ActorID == 0)
		}
		if !system {
			t.Error("the expiry is not in the audit log")
		}
	})
}

func TestReferralOutsidePuente(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		c := w.newCase(t)
		r := w.referral(c)
		r.ToOrgID = 0
		err := refs.Create(ctx, w.rq(w.worker), r, w.consent(access.Identity), false)
		if fe := fieldKeys(err); fe["classes"] != "referral.consent_needs_member" {
			t.Fatalf("consent to a service outside Puente: %v", err)
		}
		r = w.referral(c)
		r.ToOrgID = 0
		if err := refs.Create(ctx, w.rq(w.worker), r, nil, false); err != nil {
			t.Fatal(err)
		}
		// The referrer records the answer it got by phone.
		mustMove(t, refs, w.rq(w.worker), r.ID, casework.RefDeclined, "no_capacity", "")
		if _, err := refs.Get(ctx, w.rq(w.outsider), r.ID); problem.KindOf(err) != problem.NotFound {
			t.Errorf("another organization read it: %v", err)
		}
	})
}

// shelterListing saves the men's shelter the world's referrals go to, at a
// confidential place kept by w.other, and returns its street.
func (w *world) shelterListing(t *testing.T) string {
	t.Helper()
	lat, lon := 31.7389, -106.4870
	l := directory.Listing{
		Organization: directory.Organization{ID: "org-men", Name: "Casa Hombres de Paso", Description: "Albergue.", MemberID: w.other.ID},
		Service: directory.Service{ID: "svc-men", OrganizationID: "org-men", Name: "Albergue para hombres", Status: directory.StatusActive,
			Needs: []string{"emergency_shelter"}, Eligibility: directory.Eligibility{Country: account.MX, Genders: []string{"man"}}},
		Location: directory.Location{ID: "loc-men", OrganizationID: "org-men", LocationType: directory.Physical, Confidential: true,
			Custodian: w.other.ID, Latitude: &lat, Longitude: &lon,
			Addresses: []directory.Address{{Address1: "Calle Reservada 17", City: "Ciudad Juárez", StateProvince: "CHH", Country: "MX", AddressType: directory.Physical}}},
	}
	if err := w.db.SaveListing(ctx, &l); err != nil {
		t.Fatal(err)
	}
	return l.Location.Addresses[0].Address1
}

// TestRevealingAConfidentialPlace is the attack of an outside tester: a
// caseworker of any vetted organization sent a throwaway referral to a
// confidential shelter and pressed "show the address", without the shelter
// ever answering. The address now opens only to the case's assigned
// caseworker once the shelter has accepted, a few times an hour, and the
// shelter sees each opening.
func TestRevealingAConfidentialPlace(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		street := w.shelterListing(t)
		refs := w.referrals()
		c := w.newCase(t)
		r := w.refer(t, refs, c, nil, true)
		reveal := func(u *account.User) (*directory.Location, error) {
			return refs.RevealLocation(ctx, w.rq(u), r.ID)
		}
		refused := func(what string, u *account.User) {
			t.Helper()
			if loc, err := reveal(u); err == nil || loc != nil {
				t.Errorf("%s: the address opened", what)
			}
		}
		refused("a draft", w.worker)
		mustMove(t, refs, w.rq(w.worker), r.ID, casework.RefSent, "", "")
		refused("a referral the shelter has not answered", w.worker)

		mustMove(t, refs, w.rq(w.outsider), r.ID, casework.RefAccepted, "", "")
		loc, err := reveal(w.worker)
		if err != nil || loc == nil || loc.Addresses[0].Address1 != street {
			t.Fatalf("assigned caseworker once accepted: %+v, %v", loc, err)
		}
		refused("the referrer's supervisor, not assigned", w.sup)
		unvetted := w.rq(w.worker).Actor
		unvetted.OrgVetted = false
		if _, err := refs.RevealLocation(ctx, casework.Request{Actor: unvetted}, r.ID); err == nil {
			t.Error("an unvetted referrer opened the address")
		}
		if loc, err := reveal(w.outsider); err != nil || loc.Addresses[0].Address1 != street {
			t.Errorf("the shelter's own caseworker: %v", err)
		}

		got, err := refs.RevealsOf(ctx, w.rq(w.oth), r)
		if err != nil {
			t.Fatal(err)
		}
		var by []int64
		for _, rv := range got {
			by = append(by, rv.UserID)
		}
		if want := []int64{w.worker.ID, w.outsider.ID}; !slices.Equal(by, want) {
			t.Errorf("openings shown to the shelter: %v, want %v", by, want)
		}

		for range casework.RevealBurst - 1 {
			if _, err := reveal(w.worker); err != nil {
				t.Fatalf("within the limit: %v", err)
			}
		}
		if _, err := reveal(w.worker); problem.KindOf(err) != problem.TooMany {
			t.Errorf("past %d openings in an hour: %v, want too many", casework.RevealBurst, err)
		}

		mustMove(t, refs, w.rq(w.outsider), r.ID, casework.RefInService, "", "")
		mustMove(t, refs, w.rq(w.outsider), r.ID, casework.RefCompleted, "services_provided", "")
		w.now = w.now.Add(2 * casework.RevealEvery)
		refused("a completed referral", w.worker)

		var allowed, denied int
		for _, e := range w.entries(t) {
			if e.Action != string(access.LocationReveal) {
				continue
			}
			if e.Decision == audit.Allow {
				allowed++
			} else {
				denied++
			}
		}
		if allowed != casework.RevealBurst+1 || denied != 6 {
			t.Errorf("reveal entries: %d allowed, %d denied; want %d allowed and 6 refusals", allowed, denied, casework.RevealBurst+1)
		}
	})
}

func TestDeletingTheCaseDeletesItsReferrals(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		c := w.newCase(t)
		r := w.refer(t, refs, c, nil, false)
		if err := w.svc.Delete(ctx, w.rq(w.sup), c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Referral(ctx, r.ID); problem.KindOf(err) != problem.NotFound {
			t.Errorf("the referral outlived the case: %v", err)
		}
	})
}

func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	if pe, ok := err.(*problem.Error); ok {
		for _, f := range pe.Fields {
			out[f.Field] = f.Key
		}
	}
	return out
}

func TestReferralMoves(t *testing.T) {
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		from   casework.ReferralStatus
		to     casework.ReferralStatus
		side   casework.Side
		reason string
		ok     bool
	}{
		{casework.RefDraft, casework.RefSent, casework.Sender, "", true},
		{casework.RefDraft, casework.RefSent, casework.Receiver, "", false},
		{casework.RefDraft, casework.RefAccepted, casework.Receiver, "", false},
		{casework.RefSent, casework.RefAccepted, casework.Receiver, "", true},
		{casework.RefSent, casework.RefDeclined, casework.Receiver, "no_capacity", true},
		{casework.RefSent, casework.RefDeclined, casework.Receiver, "", false},
		{casework.RefSent, casework.RefExpired, casework.System, "", true},
		{casework.RefSent, casework.RefExpired, casework.Sender, "", false},
		{casework.RefAccepted, casework.RefInService, casework.Receiver, "", true},
		{casework.RefAccepted, casework.RefCompleted, casework.Receiver, "services_provided", false},
		{casework.RefInService, casework.RefCompleted, casework.Receiver, "services_provided", true},
		{casework.RefInService, casework.RefCompleted, casework.Receiver, "", false},
		{casework.RefInService, casework.RefRevoked, casework.Sender, "need_met_elsewhere", true},
		{casework.RefCompleted, casework.RefRevoked, casework.Sender, "other", false},
		{casework.RefDeclined, casework.RefSent, casework.Sender, "", false},
		{casework.RefExpired, casework.RefAccepted, casework.Receiver, "", false},
	} {
		r := &casework.Referral{Status: tt.from, AnswerBy: at.Add(time.Hour)}
		err := r.Move(tt.to, tt.side, 1, 1, at, tt.reason, "")
		if (err == nil) != tt.ok {
			t.Errorf("%s → %s by %s (%q): %v, want ok=%v", tt.from, tt.to, tt.side, tt.reason, err, tt.ok)
		}
		if err != nil && r.Status != tt.from {
			t.Errorf("%s → %s failed but changed the status", tt.from, tt.to)
		}
	}
}

func TestReferralNormalize(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	r := &casework.Referral{Needs: []string{"emergency_shelter", "nonsense"}, AnswerBy: now.Add(-time.Hour)}
	want := map[string]string{"service": "field.required", "needs": "field.choose_one", "answer_by": "referral.answer_by_future"}
	if diff := cmp.Diff(want, fieldKeys(r.Normalize(now, htcds.Needs))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	r = &casework.Referral{ServiceAtLocationID: "s", ServiceID: "s", Needs: []string{"legal_immigration"}, AnswerBy: now.Add(31 * 24 * time.Hour)}
	if got := fieldKeys(r.Normalize(now, htcds.Needs)); got["answer_by"] != "referral.answer_by_too_late" {
		t.Errorf("a month and a day to answer: %v", got)
	}
}

// TestReferralQueuePages walks the receiving organization's queue a page
// at a time: every referral once, newest first, however the writes fell.
func TestReferralQueuePages(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		want := map[int64]bool{}
		for i := range 8 {
			if i%2 == 0 { // two referrals at each instant
				w.now = w.now.Add(time.Minute)
			}
			want[w.refer(t, refs, w.newCase(t), nil, false).ID] = true
		}
		seen := map[int64]bool{}
		f := casework.ReferralFilter{Incoming: true, Limit: 3}
		for pages := 1; ; pages++ {
			page, err := refs.Queue(ctx, w.rq(w.outsider), f)
			if err != nil || len(page.Referrals) > 3 || pages > 5 {
				t.Fatalf("page %d: %d referrals, %v", pages, len(page.Referrals), err)
			}
			for _, r := range page.Referrals {
				if seen[r.ID] || (!f.After.IsZero() && !f.After.Before(r.UpdatedAt, r.ID)) {
					t.Fatalf("referral %d repeated or out of order", r.ID)
				}
				seen[r.ID] = true
			}
			if page.Next.IsZero() {
				break
			}
			f.After = page.Next
		}
		if len(seen) != len(want) {
			t.Fatalf("paged through %d referrals, want %d", len(seen), len(want))
		}
	})
}

// TestViewIsOneReadAndOneEntry: a case's page is read in one call that
// leaves exactly one audit entry, whatever it shows — the case, its
// referrals, its consents — and shows each reader only their part.
func TestViewIsOneReadAndOneEntry(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		refs := w.referrals()
		c := w.newCase(t)
		w.refer(t, refs, c, w.consent(access.NonIdentifying), false)
		before := len(w.entries(t))
		entriesSince := func() []audit.Entry {
			all := w.entries(t)
			got := all[before:]
			before = len(all)
			return got
		}
		v, err := w.svc.View(ctx, w.rq(w.sup), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Referrals) != 1 || len(v.Consents) != 1 || !v.Can.Consent || v.Case.Identity == nil {
			t.Fatalf("supervisor's view: %d referrals, %d consents, can %+v", len(v.Referrals), len(v.Consents), v.Can)
		}
		es := entriesSince()
		if len(es) != 1 || es[0].Action != string(access.CaseRead) || es[0].Decision != audit.Allow ||
			!strings.Contains(es[0].Reason, "referrals=1") || !strings.Contains(es[0].Reason, "consents=1") {
			t.Fatalf("entries of one view: %+v", es)
		}
		// The receiving shelter sees what was shared and its referral, not
		// the consents, and not the classes it was not given.
		v, err = w.svc.View(ctx, w.rq(w.outsider), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Referrals) != 1 || v.Consents != nil || v.Can.Consent || v.Case.Identity != nil {
			t.Fatalf("receiver's view: %d referrals, consents %v, can %+v, identity %v", len(v.Referrals), v.Consents, v.Can, v.Case.Identity)
		}
		if es := entriesSince(); len(es) != 1 {
			t.Fatalf("receiver's view left %d entries", len(es))
		}
		// Someone with no part in the case: refused as if it did not
		// exist, and recorded.
		stranger := w.rq(w.oth)
		stranger.Actor.OrgID = 999
		if _, err := w.svc.View(ctx, stranger, c.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("stranger: %v", err)
		}
		if es := entriesSince(); len(es) != 1 || es[0].Decision != audit.Deny {
			t.Fatalf("stranger's attempt: %+v", es)
		}
		if _, err := w.svc.View(ctx, w.rq(w.sup), c.ID+1000); !problem.Is(err, problem.NotFound) {
			t.Fatalf("no such case: %v", err)
		}
		if es := entriesSince(); len(es) != 1 || es[0].Decision != audit.Deny {
			t.Fatalf("guessed id: %+v", es)
		}
	})
}
