package demo_test

import (
	"context"
	"testing"
	"time"

	"puente/internal/demo"
	"puente/internal/password"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

func TestSeed(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fast := func(pw string) (string, error) {
			return password.Hash(pw, password.Params{Memory: 64, Time: 1, Threads: 1})
		}
		db.UseKeyring(mustKeyring(t))
		logins, err := demo.Seed(ctx, db, fast, time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(logins) != 13 {
			t.Fatalf("got %d logins, want 13", len(logins))
		}
		if n, _ := db.CountOrganizations(ctx); n != len(demo.Organizations) {
			t.Errorf("organizations = %d, want %d", n, len(demo.Organizations))
		}
		for _, l := range logins {
			u, err := db.UserByEmail(ctx, l.Email)
			if err != nil || len(u.Roles) != 1 || u.Roles[0] != l.Role {
				t.Errorf("login %s: user %+v, err %v", l.Email, u, err)
			}
		}
		members := map[string]int64{}
		ls, err := db.Listings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			members[l.Organization.Name] = l.Organization.MemberID
		}
		if members["Casa Hombres de Paso (demo)"] == 0 || members["Centro de Derechos Laborales del Norte (demo)"] == 0 {
			t.Errorf("member organizations running demo services are not linked: %v", members)
		}
		if members["Casa Prisma (demo)"] != 0 {
			t.Error("a directory organization that is no member is linked to one")
		}
		if v, _ := db.Setting(ctx, demo.SettingKey); v != "1" {
			t.Error("demo marker not set")
		}
		if _, err := demo.Seed(ctx, db, fast, time.Now()); err == nil {
			t.Error("seeding a non-empty database succeeded")
		}
		if got := demo.Logins(); len(got) != len(logins) || got[0] != logins[0] {
			t.Errorf("Logins() = %v, want %v", got, logins)
		}
	})
	if key := password.Check(demo.Password, "caseworker@"+demo.Domain); key != "" {
		t.Errorf("the demo password breaks the password policy: %s", key)
	}
}

func mustKeyring(t *testing.T) *secret.Keyring {
	t.Helper()
	kr, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return kr
}
