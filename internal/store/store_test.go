package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"puente/internal/account"
	"puente/internal/auth"
	"puente/internal/problem"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

var ctx = context.Background()

func mustOrg(t testing.TB, db *store.DB, name string, c account.Country) *account.Organization {
	t.Helper()
	o := &account.Organization{Name: name, Country: c, Kind: account.Shelter, City: "El Paso", Region: "TX"}
	if err := db.CreateOrganization(ctx, o); err != nil {
		t.Fatalf("CreateOrganization(%q): %v", name, err)
	}
	return o
}

func mustUser(t testing.TB, db *store.DB, org int64, email string, roles ...account.Role) *account.User {
	t.Helper()
	u := &account.User{OrgID: org, Email: email, Name: "Ana Pérez", Roles: roles, PasswordHash: "$argon2id$test"}
	u.Agreed()
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate = %v, %v; want nothing applied", applied, err)
		}
		ms, _ := store.Migrations(db.Engine())
		if v, err := db.Version(ctx); err != nil || v != len(ms) {
			t.Fatalf("Version = %d, %v; want %d", v, err, len(ms))
		}
	})
}

func TestOrganizations(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		o := mustOrg(t, db, "Casa Puerto Seguro", account.MX)
		got, err := db.Organization(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(o, got); diff != "" {
			t.Errorf("Organization round trip (-want +got):\n%s", diff)
		}

		o.Name, o.Vetted, o.Kind = "Casa Puerto Seguro A.C.", true, account.NGO
		if err := db.UpdateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Organization(ctx, o.ID)
		if got.Name != "Casa Puerto Seguro A.C." || !got.Vetted || got.Kind != account.NGO {
			t.Errorf("after update got %+v", got)
		}

		dup := &account.Organization{Name: "casa puerto seguro a.c.", Country: account.US, Kind: account.Legal}
		err = db.CreateOrganization(ctx, dup)
		if problem.KindOf(err) != problem.Conflict {
			t.Fatalf("duplicate name (case-insensitive): err = %v, want conflict", err)
		}

		mustOrg(t, db, "Annunciation Shelter", account.US)
		off := mustOrg(t, db, "Closed Clinic", account.US)
		off.Disabled = true
		if err := db.UpdateOrganization(ctx, off); err != nil {
			t.Fatal(err)
		}
		list, err := db.Organizations(ctx, account.OrgFilter{})
		if err != nil {
			t.Fatal(err)
		}
		names := func(os []account.Organization) (out []string) {
			for _, o := range os {
				out = append(out, o.Name)
			}
			return out
		}
		if diff := cmp.Diff([]string{"Annunciation Shelter", "Casa Puerto Seguro A.C."}, names(list)); diff != "" {
			t.Errorf("enabled organizations (-want +got):\n%s", diff)
		}
		list, _ = db.Organizations(ctx, account.OrgFilter{Country: account.US, WithDisabled: true})
		if diff := cmp.Diff([]string{"Annunciation Shelter", "Closed Clinic"}, names(list)); diff != "" {
			t.Errorf("US organizations with disabled (-want +got):\n%s", diff)
		}
		if n, _ := db.CountOrganizations(ctx); n != 2 {
			t.Errorf("CountOrganizations = %d, want 2", n)
		}
		if _, err := db.Organization(ctx, 9999); problem.KindOf(err) != problem.NotFound {
			t.Errorf("missing organization: err = %v, want not found", err)
		}
	})
}

func TestHostileTextIsStoredVerbatim(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		name := `Robert'); DROP TABLE organizations;-- "x" \ %_`
		o := mustOrg(t, db, name, account.US)
		got, err := db.Organization(ctx, o.ID)
		if err != nil || got.Name != name {
			t.Fatalf("stored %q, read %q, err %v", name, got.Name, err)
		}
		if n, err := db.CountOrganizations(ctx); err != nil || n != 1 {
			t.Fatalf("organizations table after hostile name: n=%d err=%v", n, err)
		}
		bad := &account.Organization{Name: "<img src=x onerror=alert(1)>", Country: account.US, Kind: account.NGO}
		err = db.CreateOrganization(ctx, bad)
		if pe := problem.As(err); pe.Kind != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Key != "field.markup" {
			t.Fatalf("markup in name: err = %v, want invalid field.markup", err)
		}
	})
}

func TestUsers(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		org := mustOrg(t, db, "Frontera Legal", account.US)
		u := mustUser(t, db, org.ID, " Ana.Perez@Example.org ", account.Screener, account.Caseworker)
		if u.Email != "ana.perez@example.org" {
			t.Errorf("email not normalized: %q", u.Email)
		}
		got, err := db.UserByEmail(ctx, "ana.perez@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("user round trip (-want +got):\n%s", diff)
		}
		if want := []account.Role{account.Caseworker, account.Screener}; !cmp.Equal(got.Roles, want) {
			t.Errorf("roles = %v, want %v", got.Roles, want)
		}

		err = db.CreateUser(ctx, &account.User{OrgID: org.ID, Email: "ANA.PEREZ@example.org", Name: "Other", Roles: []account.Role{account.Analyst}, PasswordHash: "x"})
		if pe := problem.As(err); pe.Kind != problem.Conflict || pe.Fields[0].Key != "users.email_taken" {
			t.Fatalf("duplicate email: err = %v, want conflict on email", err)
		}
		err = db.CreateUser(ctx, &account.User{OrgID: 424242, Email: "x@example.org", Name: "X", Roles: []account.Role{account.Analyst}, PasswordHash: "x"})
		if problem.KindOf(err) != problem.Invalid {
			t.Fatalf("user in missing organization: err = %v, want invalid", err)
		}
		err = db.CreateUser(ctx, &account.User{OrgID: org.ID, Email: "y@example.org", Name: "Y", Roles: []account.Role{"root"}, PasswordHash: "x"})
		if problem.KindOf(err) != problem.Invalid {
			t.Fatalf("unknown role: err = %v, want invalid", err)
		}

		u.Roles = []account.Role{account.Supervisor}
		u.Lang = "es"
		if err := db.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, _ = db.User(ctx, u.ID)
		if !cmp.Equal(got.Roles, []account.Role{account.Supervisor}) || got.Lang != "es" {
			t.Errorf("after update: roles %v lang %q", got.Roles, got.Lang)
		}
		other := mustOrg(t, db, "Otra", account.MX)
		mustUser(t, db, other.ID, "b@example.org", account.Analyst)
		list, _ := db.Users(ctx, account.UserFilter{OrgID: other.ID})
		if len(list) != 1 || list[0].Email != "b@example.org" {
			t.Errorf("users of one organization: %+v", list)
		}
		if all, _ := db.Users(ctx, account.UserFilter{}); len(all) != 2 {
			t.Errorf("all users: got %d, want 2", len(all))
		}
	})
}

func TestPasswordChanges(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return t0 }
		org := mustOrg(t, db, "Hotline", account.US)
		u := mustUser(t, db, org.ID, "op@example.org", account.HotlineOperator)
		_, s0 := auth.NewSession(u.ID, t0, auth.DefaultTimeouts)
		if err := db.CreateSession(ctx, s0); err != nil {
			t.Fatal(err)
		}
		if err := db.RehashPassword(ctx, u.ID, "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.User(ctx, u.ID); got.PasswordHash != "$argon2id$new" {
			t.Fatalf("after a rehash: %q", got.PasswordHash)
		}
		if _, err := db.Session(ctx, s0.Hash); err != nil {
			t.Error("a rehash of the same password ended a session")
		}

		_, s1 := auth.NewSession(u.ID, t0, auth.DefaultTimeouts)
		_, s2 := auth.NewSession(u.ID, t0, auth.DefaultTimeouts)
		for _, s := range []auth.Session{s1, s2} {
			if err := db.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetPassword(ctx, u.ID, "$argon2id$changed", s1.Hash); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, s2.Hash); problem.KindOf(err) != problem.NotFound {
			t.Error("password change left another session alive")
		}
		if _, err := db.Session(ctx, s1.Hash); err != nil {
			t.Error("password change ended the session that made it")
		}
		u.Disabled = true
		if err := db.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountSessions(ctx, u.ID); n != 0 {
			t.Errorf("disabled user still has %d sessions", n)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		org := mustOrg(t, db, "Shelter", account.MX)
		u := mustUser(t, db, org.ID, "s@example.org", account.Caseworker)
		_, s := auth.NewSession(u.ID, t0, auth.DefaultTimeouts)
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := db.Session(ctx, s.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&s, got); diff != "" {
			t.Errorf("session round trip (-want +got):\n%s", diff)
		}
		if err := db.TouchSession(ctx, s.Hash, t0.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.DeleteExpiredSessions(ctx, t0.Add(20*time.Minute), 30*time.Minute); n != 0 {
			t.Errorf("deleted %d live sessions", n)
		}
		if n, _ := db.DeleteExpiredSessions(ctx, t0.Add(41*time.Minute), 30*time.Minute); n != 1 {
			t.Errorf("idle session: deleted %d, want 1", n)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		org := mustOrg(t, db, "Analysts", account.US)
		u := mustUser(t, db, org.ID, "a@example.org", account.Analyst)
		v := mustUser(t, db, org.ID, "v@example.org", account.Analyst)
		_, tok := auth.NewToken(u.ID, "report script", []string{"organizations:read", "users:read"}, t0, 24*time.Hour)
		if err := db.CreateToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
		got, err := db.TokenByPublicID(ctx, tok.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&tok, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("token round trip (-want +got):\n%s", diff)
		}
		if err := db.TouchToken(ctx, tok.ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeToken(ctx, v.ID, tok.ID); problem.KindOf(err) != problem.NotFound {
			t.Fatalf("another user revoked the token: err = %v", err)
		}
		if err := db.RevokeToken(ctx, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		list, _ := db.Tokens(ctx, u.ID)
		if len(list) != 1 || list[0].RevokedAt == nil || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("tokens after use and revoke: %+v", list)
		}
		if list[0].Usable(t0) {
			t.Error("revoked token still usable")
		}
	})
}

func TestSettings(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		if v, err := db.Setting(ctx, "demo"); err != nil || v != "" {
			t.Fatalf("unset setting = %q, %v", v, err)
		}
		for _, v := range []string{"1", "2"} {
			if err := db.SetSetting(ctx, "demo", v); err != nil {
				t.Fatal(err)
			}
		}
		if v, _ := db.Setting(ctx, "demo"); v != "2" {
			t.Fatalf("setting = %q, want 2", v)
		}
	})
}

func TestSQLiteDurabilitySettings(t *testing.T) {
	db := storetest.SQLite(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := db.SQL().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestSQLiteFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "puente.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"puente.db", "puente.db-wal", "puente.db-shm"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != 0o600 {
			t.Errorf("%s has mode %v, want 0600: survivors' data must not be readable by other users", name, got)
		}
	}
}
