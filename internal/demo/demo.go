// Package demo fills an empty Puente with a clearly fictional network: a
// few organizations in twin cities along the border and one user for each
// role, so a person can try every page without entering real data.
package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"puente/internal/account"
)

// Password is every demo user's password. It is printed at start and in the
// README: the demo is for trying Puente, never for real information.
const Password = "demo-puente-frontera"

// SettingKey marks a database as holding demo data, so every page shows the banner.
const SettingKey = "demo_data"

// Store is what seeding needs.
type Store interface {
	CountOrganizations(ctx context.Context) (int, error)
	CreateOrganization(ctx context.Context, o *account.Organization) error
	CreateUser(ctx context.Context, u *account.User) error
	SetSetting(ctx context.Context, key, value string) error
	CaseStore
	DirectoryStore
	LinkDirectoryOrganization(ctx context.Context, id string, memberOrgID *int64) error
}

// linkMembers links each member organization that runs services in the
// demo directory to its directory entry, so that referrals to those
// services reach its queue.
func linkMembers(ctx context.Context, s Store, orgs []account.Organization) error {
	for _, o := range orgs {
		if !slices.ContainsFunc(services, func(sv service) bool { return sv.org == o.Name }) {
			continue
		}
		if err := s.LinkDirectoryOrganization(ctx, id("organization", o.Name), &o.ID); err != nil {
			return fmt.Errorf("seed demo: link %s: %w", o.Name, err)
		}
	}
	return nil
}

// Login is one demo account.
type Login struct {
	Email string
	Role  account.Role
	Org   string
}

// Organizations are the demo network, in twin cities: El Paso and Ciudad
// Juárez, McAllen and Reynosa, San Diego and Tijuana, Laredo and Nuevo Laredo.
var Organizations = []account.Organization{
	{Name: "Puente Network Coordination (demo)", Country: account.US, Kind: account.NGO, City: "El Paso", Region: "TX", Vetted: true},
	{Name: "Frontera Esperanza Legal Aid (demo)", Country: account.US, Kind: account.Legal, City: "El Paso", Region: "TX", Vetted: true},
	{Name: "Casa Paso Seguro (demo)", Country: account.US, Kind: account.Shelter, City: "El Paso", Region: "TX", Vetted: true},
	{Name: "Albergue Puerta Abierta (demo)", Country: account.MX, Kind: account.Shelter, City: "Ciudad Juárez", Region: "Chihuahua", Vetted: true},
	{Name: "Centro de Derechos Laborales del Norte (demo)", Country: account.MX, Kind: account.LaborRights, City: "Ciudad Juárez", Region: "Chihuahua", Vetted: true},
	{Name: "Valle Hotline Network (demo)", Country: account.US, Kind: account.Hotline, City: "McAllen", Region: "TX", Vetted: true},
	{Name: "Rio Grande Valley Clinic (demo)", Country: account.US, Kind: account.Medical, City: "McAllen", Region: "TX", Vetted: false},
	{Name: "Casa Refugio Reynosa (demo)", Country: account.MX, Kind: account.Shelter, City: "Reynosa", Region: "Tamaulipas", Vetted: true},
	{Name: "Salud Mental Sin Fronteras (demo)", Country: account.MX, Kind: account.MentalHealth, City: "Reynosa", Region: "Tamaulipas", Vetted: false},
	{Name: "Bayside Survivors Collective (demo)", Country: account.US, Kind: account.NGO, City: "San Diego", Region: "CA", Vetted: true},
	{Name: "Defensoría Migrante Tijuana (demo)", Country: account.MX, Kind: account.Legal, City: "Tijuana", Region: "Baja California", Vetted: true},
	{Name: "Gateway Workers Project (demo)", Country: account.US, Kind: account.LaborRights, City: "Laredo", Region: "TX", Vetted: true},
	{Name: "Albergue Nuevo Amanecer (demo)", Country: account.MX, Kind: account.Shelter, City: "Nuevo Laredo", Region: "Tamaulipas", Vetted: true},
	{Name: "Fiscalía Especializada Ficticia (demo)", Country: account.MX, Kind: account.LawEnforcement, City: "Tijuana", Region: "Baja California", Vetted: false},
	{Name: "Casa Hombres de Paso (demo)", Country: account.MX, Kind: account.Shelter, City: "Ciudad Juárez", Region: "Chihuahua", Vetted: true},
}

// users lists one demo user per role: email local part, name, role,
// organization index and preferred language.
var users = []struct {
	local, name string
	role        account.Role
	org         int
	lang        string
}{
	{"admin", "Alma Coordinadora (demo)", account.Admin, 0, "en"},
	{"supervisor", "Sam Supervisor (demo)", account.Supervisor, 1, "en"},
	{"caseworker", "Carmen Gestora (demo)", account.Caseworker, 1, "en"},
	{"screener", "Sofía Entrevistadora (demo)", account.Screener, 3, "es"},
	{"hotline", "Hugo Operador (demo)", account.HotlineOperator, 5, "en"},
	{"analyst", "Andrea Analista (demo)", account.Analyst, 9, "en"},
	{"caseworker.juarez", "Julia Gestora (demo)", account.Caseworker, 3, "es"},
	{"caseworker.reynosa", "Raúl Gestor (demo)", account.Caseworker, 7, "es"},
	{"caseworker.sandiego", "Dana Caseworker (demo)", account.Caseworker, 9, "en"},
	{"caseworker.tijuana", "Tania Gestora (demo)", account.Caseworker, 10, "es"},
	{"caseworker.laredo", "Leo Caseworker (demo)", account.Caseworker, 11, "en"},
	{"supervisor.juarez", "Silvia Supervisora (demo)", account.Supervisor, 3, "es"},
	{"albergue.hombres", "Arturo Albergue (demo)", account.Caseworker, 14, "es"},
}

// Domain is the demo accounts' email domain; .test is reserved and never
// delivers mail.
const Domain = "demo.puente.test"

// Seed fills an empty database with the demo network, its cases and its
// services directory, and returns the demo logins. hash turns the demo
// password into a stored hash; now dates the cases, their consents and the
// shelters' bed counts. It refuses a database that already has
// organizations, so it never mixes demo data with real data. The store must
// have its keyring, since cases and confidential locations are sealed.
func Seed(ctx context.Context, s Store, hash func(string) (string, error), now time.Time) ([]Login, error) {
	n, err := s.CountOrganizations(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if n > 0 {
		return nil, fmt.Errorf("seed demo: the database already has %d organizations; demo data goes only into an empty one", n)
	}
	orgs := make([]account.Organization, len(Organizations))
	copy(orgs, Organizations)
	for i := range orgs {
		if err := s.CreateOrganization(ctx, &orgs[i]); err != nil {
			return nil, fmt.Errorf("seed demo: %s: %w", orgs[i].Name, err)
		}
	}
	h, err := hash(Password)
	if err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	var logins []Login
	var userIDs []int64
	for _, du := range users {
		u := account.User{OrgID: orgs[du.org].ID, Email: du.local + "@" + Domain, Name: du.name, Roles: []account.Role{du.role}, Lang: du.lang, PasswordHash: h}
		u.Agreed() // the fictional organizations agreed to their fictional staff
		if err := s.CreateUser(ctx, &u); err != nil {
			return nil, fmt.Errorf("seed demo: %s: %w", u.Email, err)
		}
		userIDs = append(userIDs, u.ID)
		logins = append(logins, Login{Email: u.Email, Role: du.role, Org: orgs[du.org].Name})
	}
	orgIDs := make([]int64, len(orgs))
	for i, o := range orgs {
		orgIDs[i] = o.ID
	}
	if _, err := SeedCases(ctx, s, orgIDs, userIDs, now); err != nil {
		return nil, err
	}
	if _, err := SeedDirectory(ctx, s, now); err != nil {
		return nil, err
	}
	if err := linkMembers(ctx, s, orgs); err != nil {
		return nil, err
	}
	if err := s.SetSetting(ctx, SettingKey, "1"); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	return logins, nil
}

// Logins lists the demo accounts without touching a database, for printing
// when a demo database is started again.
func Logins() []Login {
	var out []Login
	for _, du := range users {
		out = append(out, Login{Email: du.local + "@" + Domain, Role: du.role, Org: Organizations[du.org].Name})
	}
	return out
}
