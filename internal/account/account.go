// Package account holds the organizations that use Puente and the people who
// sign in to it: their countries, kinds, roles and the rules their fields follow.
// It knows nothing of HTTP or SQL.
package account

import (
	"net/mail"
	"slices"
	"strings"
	"time"

	"puente/internal/problem"
	"puente/internal/text"
)

// Country is the side of the border an organization works on.
type Country string

// The two countries Puente serves.
const (
	US Country = "US"
	MX Country = "MX"
)

// Countries lists the valid countries in display order.
var Countries = []Country{US, MX}

// OrgKind says what an organization does.
type OrgKind string

// The kinds of organization in the network.
const (
	NGO            OrgKind = "ngo"
	Shelter        OrgKind = "shelter"
	Legal          OrgKind = "legal"
	Medical        OrgKind = "medical"
	MentalHealth   OrgKind = "mental_health"
	LaborRights    OrgKind = "labor_rights"
	Hotline        OrgKind = "hotline"
	LawEnforcement OrgKind = "law_enforcement"
	Government     OrgKind = "government"
	Consulate      OrgKind = "consulate"
)

// OrgKinds lists the valid kinds in display order.
var OrgKinds = []OrgKind{NGO, Shelter, Legal, Medical, MentalHealth, LaborRights, Hotline, LawEnforcement, Government, Consulate}

// Role is what a user does in Puente. A user may hold several.
type Role string

// The roles a user can hold.
const (
	Admin           Role = "admin"
	Supervisor      Role = "supervisor"
	Caseworker      Role = "caseworker"
	Screener        Role = "screener"
	HotlineOperator Role = "hotline_operator"
	Analyst         Role = "analyst"
)

// Roles lists the valid roles in display order.
var Roles = []Role{Admin, Supervisor, Caseworker, Screener, HotlineOperator, Analyst}

// Languages Puente speaks; the first is the default.
var Languages = []string{"en", "es"}

// Field length limits, in characters.
const (
	MaxName  = 120
	MaxPlace = 80
	MaxEmail = 254
)

// Organization is a member of the network: an NGO, shelter, clinic, hotline
// or agency on one side of the border.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Country   Country   `json:"country"`
	Kind      OrgKind   `json:"kind"`
	City      string    `json:"city"`
	Region    string    `json:"region"`
	Vetted    bool      `json:"vetted"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Normalize cleans the organization's fields in place and reports every
// field that breaks a rule.
func (o *Organization) Normalize() error {
	var f problem.Fields
	o.Name = cleanField(&f, "name", o.Name, MaxName, true)
	o.City = cleanField(&f, "city", o.City, MaxPlace, false)
	o.Region = cleanField(&f, "region", o.Region, MaxPlace, false)
	o.Country = Country(strings.ToUpper(strings.TrimSpace(string(o.Country))))
	if !slices.Contains(Countries, o.Country) {
		f.Add("country", "field.choose_one")
	}
	if !slices.Contains(OrgKinds, o.Kind) {
		f.Add("kind", "field.choose_one")
	}
	return f.Err()
}

// User is a person who signs in to Puente on behalf of one organization.
type User struct {
	ID       int64  `json:"id"`
	OrgID    int64  `json:"organization_id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Roles    []Role `json:"roles"`
	Lang     string `json:"lang"`
	Disabled bool   `json:"disabled"`

	// ConfirmedOrgID and ConfirmedRoles are the organization and the roles
	// in it that the organization has agreed to (see InForce). Roles an
	// administrator gives, or a move into another organization, wait for
	// a supervisor of that organization; taking a role away is at once.
	ConfirmedOrgID int64  `json:"-"`
	ConfirmedRoles []Role `json:"-"`

	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Has reports whether the user holds role, in force or not.
func (u *User) Has(role Role) bool { return slices.Contains(u.Roles, role) }

// InForce returns the roles the user may act in now. Admin is the
// network's and is in force as given. Every other role works inside the
// user's organization, on its survivors' records, and is in force only
// once that organization has agreed to it: a supervisor of it confirmed
// the user there with that role. Until then an administrator who moved
// someone (or themselves, through another account) into an organization
// has opened nothing of its cases.
func (u User) InForce() []Role {
	var out []Role
	for _, r := range u.Roles {
		if r == Admin || (u.ConfirmedOrgID == u.OrgID && slices.Contains(u.ConfirmedRoles, r)) {
			out = append(out, r)
		}
	}
	return out
}

// Pending returns the roles the user holds that wait for their
// organization's agreement.
func (u User) Pending() []Role {
	var out []Role
	for _, r := range u.Roles {
		if !slices.Contains(u.InForce(), r) {
			out = append(out, r)
		}
	}
	return out
}

// Agreed marks the user's organization and roles as agreed by it.
func (u *User) Agreed() {
	u.ConfirmedOrgID, u.ConfirmedRoles = u.OrgID, slices.Clone(u.Roles)
}

// Narrowed keeps agreed only the roles the user still holds: giving up a
// role needs nobody's agreement.
func (u *User) Narrowed() {
	var keep []Role
	for _, r := range u.ConfirmedRoles {
		if slices.Contains(u.Roles, r) {
			keep = append(keep, r)
		}
	}
	u.ConfirmedRoles = keep
}

// Normalize cleans the user's fields in place and reports every field that
// breaks a rule. It does not look at the password.
func (u *User) Normalize() error {
	var f problem.Fields
	u.Name = cleanField(&f, "name", u.Name, MaxName, true)
	email, key := NormalizeEmail(u.Email)
	if key != "" {
		f.Add("email", key)
	}
	u.Email = email
	if u.OrgID <= 0 {
		f.Add("organization_id", "field.choose_one")
	}
	if u.Lang != "" && !slices.Contains(Languages, u.Lang) {
		f.Add("lang", "field.choose_one")
	}
	if len(u.Roles) == 0 {
		f.Add("roles", "users.roles_required")
	}
	for _, r := range u.Roles {
		if !slices.Contains(Roles, r) {
			f.Add("roles", "field.choose_one")
			break
		}
	}
	u.Roles = sortedRoles(u.Roles)
	return f.Err()
}

// NormalizeEmail lowercases and checks an email address, returning it or the
// translation key of what is wrong with it.
func NormalizeEmail(s string) (string, string) {
	s, key := text.Clean(s, MaxEmail)
	switch {
	case key != "":
		return "", key
	case s == "":
		return "", text.KeyRequired
	}
	s = strings.ToLower(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", "field.email"
	}
	return s, ""
}

// sortedRoles returns roles without repeats, in the order of Roles.
func sortedRoles(in []Role) []Role {
	out := make([]Role, 0, len(in))
	for _, r := range Roles {
		if slices.Contains(in, r) {
			out = append(out, r)
		}
	}
	for _, r := range in { // keep unknown roles so validation can name them
		if !slices.Contains(Roles, r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func cleanField(f *problem.Fields, name, v string, max int, required bool) string {
	v, key := text.Clean(v, max)
	if key == "" && required && v == "" {
		key = text.KeyRequired
	}
	if key != "" {
		f.Add(name, key)
	}
	return v
}

// OrgFilter narrows a list of organizations.
type OrgFilter struct {
	Country      Country // empty for both
	Kind         OrgKind // empty for all
	WithDisabled bool
}

// UserFilter narrows a list of users.
type UserFilter struct {
	OrgID int64 // zero for every organization
}
