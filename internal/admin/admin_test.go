package admin_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/admin"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/casework"
	"puente/internal/password"
	"puente/internal/problem"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

var ctx = context.Background()

// cheap keeps argon2id fast in tests; the parameters are not under test.
var cheap = password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}

const pw = "una frase larga de prueba"

type world struct {
	db            *store.DB
	svc           *admin.Service
	cases         *casework.Service
	now           time.Time
	home, shelter *account.Organization
	root          *account.User // the network's administrator, in home
	sup           *account.User // the shelter's supervisor
	caseID        int64         // a case of the shelter
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	kr, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(kr)
	w := &world{db: db, now: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return w.now }
	w.svc = &admin.Service{Store: db, Now: func() time.Time { return w.now }, Password: cheap}
	w.cases = &casework.Service{Store: db, Now: func() time.Time { return w.now }}
	w.home = w.org(t, "Red Fronteriza")
	w.shelter = w.org(t, "Albergue Puerta Abierta")
	w.root = w.operatorUser(t, w.home, "root@example.org", account.Admin)
	w.sup = w.operatorUser(t, w.shelter, "sup@example.org", account.Supervisor)
	c := &casework.Case{Profile: casework.Profile{Gender: "woman"}, Identity: &casework.Identity{GivenNames: "Rosa", FamilyNames: "Prueba"}}
	if err := w.cases.Create(ctx, w.rq(w.sup), c); err != nil {
		t.Fatal(err)
	}
	w.caseID = c.ID
	return w
}

func (w *world) org(t *testing.T, name string) *account.Organization {
	t.Helper()
	o := &account.Organization{Name: name, Country: account.MX, Kind: account.Shelter, Vetted: true}
	if err := w.svc.CreateOrganization(ctx, admin.Operator, o); err != nil {
		t.Fatal(err)
	}
	return o
}

// operatorUser creates an account at the command line: in force at once.
func (w *world) operatorUser(t *testing.T, o *account.Organization, email string, roles ...account.Role) *account.User {
	t.Helper()
	u := &account.User{OrgID: o.ID, Email: email, Name: "Persona " + email, Roles: roles}
	if err := w.svc.CreateUser(ctx, admin.Operator, u, pw); err != nil {
		t.Fatal(err)
	}
	return u
}

func (w *world) reload(t *testing.T, u *account.User) *account.User {
	t.Helper()
	got, err := w.db.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (w *world) rq(u *account.User) access.Request {
	o, _ := w.db.Organization(ctx, u.OrgID)
	return access.Request{Actor: access.ActorFor(u, o), RequestID: "TEST"}
}

func (w *world) reads(t *testing.T, u *account.User) bool {
	t.Helper()
	_, _, err := w.cases.Get(ctx, w.rq(w.reload(t, u)), w.caseID)
	return err == nil
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

// TestAdminCannotChangeTheirOwnAccess replays the attack: an admin gave
// themselves the supervisor role in another organization and read every
// class of its cases.
func TestAdminCannotChangeTheirOwnAccess(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for name, change := range map[string]func(u *account.User) string{
			"roles":        func(u *account.User) string { u.Roles = []account.Role{account.Admin, account.Supervisor}; return "" },
			"organization": func(u *account.User) string { u.OrgID = w.shelter.ID; return "" },
			"both": func(u *account.User) string {
				u.OrgID, u.Roles = w.shelter.ID, []account.Role{account.Admin, account.Supervisor}
				return ""
			},
			"disabled": func(u *account.User) string { u.Disabled = true; return "" },
			"password": func(u *account.User) string { return "otra frase larga de prueba" },
		} {
			u := w.reload(t, w.root)
			newPW := change(u)
			if err := w.svc.UpdateUser(ctx, w.rq(w.root), u, newPW); problem.KindOf(err) != problem.Forbidden {
				t.Errorf("%s: admin changed their own access: %v", name, err)
			}
		}
		if got := w.reload(t, w.root); got.OrgID != w.home.ID || !slices.Equal(got.Roles, []account.Role{account.Admin}) {
			t.Errorf("the admin's account changed: %+v", got)
		}
		if w.reads(t, w.root) {
			t.Error("the admin reads the shelter's case")
		}
		denied := 0
		for _, e := range w.entries(t) {
			if e.Action == string(access.ChangeAccess) && e.Decision == audit.Deny && e.ActorID == w.root.ID {
				denied++
			}
		}
		if denied != 5 {
			t.Errorf("%d refusals audited, want 5", denied)
		}
		// Their own name is theirs to fix.
		u := w.reload(t, w.root)
		u.Name = "Alma Coordinadora"
		if err := w.svc.UpdateUser(ctx, w.rq(w.root), u, ""); err != nil {
			t.Errorf("admin renaming themselves: %v", err)
		}
	})
}

// TestMoveIntoAnOrganizationWaitsForItsSupervisor: an admin (with a second
// account, or a colleague) moves someone into the shelter as a supervisor.
// Nothing of the shelter's cases opens until the shelter's supervisor
// agrees; refusing disables the account.
func TestMoveIntoAnOrganizationWaitsForItsSupervisor(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		puppet := w.operatorUser(t, w.home, "puppet@example.org", account.Caseworker)
		u := w.reload(t, puppet)
		u.OrgID, u.Roles = w.shelter.ID, []account.Role{account.Supervisor}
		if err := w.svc.UpdateUser(ctx, w.rq(w.root), u, ""); err != nil {
			t.Fatal(err)
		}
		got := w.reload(t, puppet)
		if len(got.InForce()) != 0 || !slices.Equal(got.Pending(), []account.Role{account.Supervisor}) {
			t.Fatalf("after the move: in force %v, pending %v", got.InForce(), got.Pending())
		}
		if w.reads(t, puppet) {
			t.Fatal("a move into the shelter opened its case without its supervisor")
		}
		// A brand-new account placed in the shelter waits too.
		fresh := &account.User{OrgID: w.shelter.ID, Email: "fresh@example.org", Name: "Nueva", Roles: []account.Role{account.Caseworker}}
		if err := w.svc.CreateUser(ctx, w.rq(w.root), fresh, pw); err != nil {
			t.Fatal(err)
		}
		if got := w.reload(t, fresh); len(got.InForce()) != 0 {
			t.Errorf("a new account in the shelter is in force at once: %v", got.InForce())
		}
		waiting, err := w.svc.Waiting(ctx, w.rq(w.sup))
		if err != nil || len(waiting) != 2 {
			t.Fatalf("the supervisor sees %d waiting (%v)", len(waiting), err)
		}
		if err := w.svc.ConfirmMembership(ctx, w.rq(puppet), puppet.ID); err == nil {
			t.Error("the account agreed to its own membership")
		}
		if err := w.svc.ConfirmMembership(ctx, w.rq(w.root), puppet.ID); err == nil {
			t.Error("an admin of another organization agreed for the shelter")
		}
		if err := w.svc.ConfirmMembership(ctx, w.rq(w.sup), puppet.ID); err != nil {
			t.Fatal(err)
		}
		if !w.reads(t, puppet) {
			t.Error("after the supervisor agreed, the new supervisor cannot read the shelter's case")
		}
		if err := w.svc.RefuseMembership(ctx, w.rq(w.sup), fresh.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.reload(t, fresh); !got.Disabled {
			t.Error("a refused account is still enabled")
		}
	})
}

// TestNewOrganizationStartsWithoutAsking: an organization with no
// supervisor and no cases has nobody to ask and nothing to protect.
func TestNewOrganizationStartsWithoutAsking(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		o := &account.Organization{Name: "Casa Nueva", Country: account.US, Kind: account.NGO}
		if err := w.svc.CreateOrganization(ctx, w.rq(w.root), o); err != nil {
			t.Fatal(err)
		}
		first := &account.User{OrgID: o.ID, Email: "first@example.org", Name: "Primera", Roles: []account.Role{account.Supervisor}}
		if err := w.svc.CreateUser(ctx, w.rq(w.root), first, pw); err != nil {
			t.Fatal(err)
		}
		if got := w.reload(t, first); !slices.Equal(got.InForce(), []account.Role{account.Supervisor}) {
			t.Errorf("the first supervisor of a new organization waits: %v", got.Pending())
		}
		second := &account.User{OrgID: o.ID, Email: "second@example.org", Name: "Segunda", Roles: []account.Role{account.Supervisor}}
		if err := w.svc.CreateUser(ctx, w.rq(w.root), second, pw); err != nil {
			t.Fatal(err)
		}
		if got := w.reload(t, second); len(got.InForce()) != 0 {
			t.Errorf("once it has a supervisor, a new member is in force without asking: %v", got.InForce())
		}
	})
}

// TestRoleChangesAreAgreedOrNarrowed: a new role waits; a role taken away
// goes at once; a supervisor of the organization who is also an admin
// agrees by making the change.
func TestRoleChangesAreAgreedOrNarrowed(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		cw := w.operatorUser(t, w.shelter, "cw@example.org", account.Caseworker, account.Screener)
		u := w.reload(t, cw)
		u.Roles = []account.Role{account.Caseworker, account.Supervisor}
		if err := w.svc.UpdateUser(ctx, w.rq(w.root), u, ""); err != nil {
			t.Fatal(err)
		}
		got := w.reload(t, cw)
		if !slices.Equal(got.InForce(), []account.Role{account.Caseworker}) || !slices.Equal(got.Pending(), []account.Role{account.Supervisor}) {
			t.Errorf("in force %v, pending %v; want caseworker in force, supervisor waiting, screener gone", got.InForce(), got.Pending())
		}
		boss := w.operatorUser(t, w.shelter, "boss@example.org", account.Admin, account.Supervisor)
		if err := w.svc.UpdateUser(ctx, w.rq(boss), got, ""); err != nil {
			t.Fatal(err)
		}
		if got := w.reload(t, cw); len(got.Pending()) != 0 {
			t.Errorf("a change by the organization's own supervisor still waits: %v", got.Pending())
		}
	})
}

// TestPasswordResetByAnAdminWaitsForTheOrganization: whoever sets a
// password can sign in with it, so an admin's reset puts the roles back to
// waiting, and it ends every session and token.
func TestPasswordResetByAnAdminWaitsForTheOrganization(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		cw := w.operatorUser(t, w.shelter, "cw@example.org", account.Caseworker)
		if err := w.cases.Assign(ctx, w.rq(w.sup), w.caseID, []int64{cw.ID}); err != nil {
			t.Fatal(err)
		}
		if !w.reads(t, cw) {
			t.Fatal("the assigned caseworker cannot read the case: the test proves nothing")
		}
		_, tok := auth.NewToken(cw.ID, "script", []string{"cases:read"}, w.now, time.Hour)
		tok.Roles, tok.OrgID = []string{"caseworker"}, w.shelter.ID
		if err := db.CreateToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.UpdateUser(ctx, w.rq(w.root), w.reload(t, cw), "la frase nueva del admin"); err != nil {
			t.Fatal(err)
		}
		if w.reads(t, cw) {
			t.Error("after an admin set the password, the account still reads the case")
		}
		toks, _ := db.Tokens(ctx, cw.ID)
		if len(toks) != 1 || toks[0].RevokedAt == nil {
			t.Errorf("the token outlived the reset: %+v", toks)
		}
		if err := w.svc.ConfirmMembership(ctx, w.rq(w.sup), cw.ID); err != nil {
			t.Fatal(err)
		}
		if !w.reads(t, cw) {
			t.Error("after the supervisor agreed, the caseworker still cannot read")
		}
	})
}

// TestEveryChangeOfAccessIsAudited: roles, organization, vetting, password,
// tokens and disabling each leave an entry of codes, never a value typed.
func TestEveryChangeOfAccessIsAudited(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		cw := w.operatorUser(t, w.shelter, "cw@example.org", account.Caseworker)
		u := w.reload(t, cw)
		u.Roles = []account.Role{account.Caseworker, account.Analyst}
		u.Disabled = true
		if err := w.svc.UpdateUser(ctx, w.rq(w.root), u, "otra contraseña bastante larga"); err != nil {
			t.Fatal(err)
		}
		o, _ := db.Organization(ctx, w.shelter.ID)
		o.Vetted = false
		if err := w.svc.UpdateOrganization(ctx, w.rq(w.root), o); err != nil {
			t.Fatal(err)
		}
		_, tok, err := w.svc.CreateToken(ctx, w.rq(w.sup), "script", []string{"cases:read"}, 30)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.RevokeToken(ctx, w.rq(w.sup), tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.ChangeOwnPassword(ctx, w.rq(w.sup), pw, "mi frase nueva y larga", "mi frase nueva y larga", ""); err != nil {
			t.Fatal(err)
		}
		var log strings.Builder
		for _, e := range w.entries(t) {
			log.WriteString(e.Action + " " + e.Record + " " + string(e.Decision) + " " + e.Reason + "\n")
		}
		for _, want := range []string{
			"users.change_access user:", "roles=caseworker>caseworker,analyst", "disabled=true", "password=set",
			"organizations.manage organization:", "was vetted=true", "now vetted=false",
			"token.create token:", "scopes=cases:read roles=supervisor", "token revoked", "password changed",
			"user.create user:", "command line",
		} {
			if !strings.Contains(log.String(), want) {
				t.Errorf("the audit log lacks %q:\n%s", want, log.String())
			}
		}
		for _, secret := range []string{"otra contraseña", "mi frase", pw, "cw@example.org"} {
			if strings.Contains(log.String(), secret) {
				t.Errorf("the audit log holds %q", secret)
			}
		}
	})
}

// TestTokenCarriesWhatTheAccountHadWhenMade: the roles and organization a
// token records are those in force when it was made.
func TestTokenCarriesWhatTheAccountHadWhenMade(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		cw := w.operatorUser(t, w.shelter, "cw@example.org", account.Caseworker)
		u := w.reload(t, cw)
		u.Roles = []account.Role{account.Caseworker, account.Supervisor}
		if err := w.svc.UpdateUser(ctx, w.rq(w.root), u, ""); err != nil {
			t.Fatal(err)
		}
		_, tok, err := w.svc.CreateToken(ctx, w.rq(w.reload(t, cw)), "script", []string{"cases:read"}, 30)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tok.Roles, []string{"caseworker"}) || tok.OrgID != w.shelter.ID {
			t.Errorf("token roles %v org %d; want only the caseworker role in force, in the shelter", tok.Roles, tok.OrgID)
		}
		for _, bad := range []struct {
			name   string
			scopes []string
			days   int
		}{{"no scope", nil, 30}, {"unknown scope", []string{"root"}, 30}, {"too long", []string{"cases:read"}, admin.MaxTokenDays + 1}} {
			if _, _, err := w.svc.CreateToken(ctx, w.rq(w.sup), "x", bad.scopes, bad.days); problem.KindOf(err) != problem.Invalid {
				t.Errorf("%s: %v", bad.name, err)
			}
		}
	})
}
