// Package access decides who may do what. Every web page, API route and CLI
// command asks Allow before acting; nothing else in Puente makes access
// decisions. What is not allowed here is denied.
package access

import (
	"slices"

	"puente/internal/account"
)

// Action is something a person or API client asks to do.
type Action string

// The actions Puente knows.
const (
	// Public actions need no sign-in: the sign-in page, health checks.
	Public Action = "public"
	// SignedIn covers a person's own dashboard, language and sign-out.
	SignedIn Action = "signed_in"
	// ManageOwnAccount covers a person's own password and API tokens.
	ManageOwnAccount    Action = "own_account.manage"
	ViewOrganizations   Action = "organizations.view"
	ManageOrganizations Action = "organizations.manage"
	ViewUsers           Action = "users.view"
	ManageUsers         Action = "users.manage"
)

// Actions lists every action, for tests that walk the whole policy.
var Actions = []Action{Public, SignedIn, ManageOwnAccount, ViewOrganizations, ManageOrganizations, ViewUsers, ManageUsers}

// Scopes an API token can carry, and the actions each one opens. A token
// never opens more than its user's roles allow.
var Scopes = map[string][]Action{
	"profile:read":        {SignedIn},
	"organizations:read":  {ViewOrganizations},
	"organizations:write": {ViewOrganizations, ManageOrganizations},
	"users:read":          {ViewUsers},
	"users:write":         {ViewUsers, ManageUsers},
}

// Actor is who is asking: a signed-in person, or an API client acting for one.
type Actor struct {
	UserID int64
	OrgID  int64
	Roles  []account.Role
	// Token is true when the request came with an API token; Scopes then
	// bounds what it may do. A browser session has no scopes to bound it.
	Token  bool
	Scopes []string
}

// ActorFor returns the actor for a signed-in user.
func ActorFor(u *account.User) Actor {
	return Actor{UserID: u.ID, OrgID: u.OrgID, Roles: u.Roles}
}

// Anonymous is the actor for a request with no valid credentials.
var Anonymous = Actor{}

// Resource is what an action is done to. OrgID is the organization that
// owns the record; zero means the action is not about one record.
type Resource struct {
	OrgID int64
}

// Allow reports whether actor may perform act on r.
func Allow(a Actor, act Action, r Resource) bool {
	if act == Public {
		return true
	}
	if a.UserID == 0 || len(a.Roles) == 0 {
		return false
	}
	if a.Token && !scopeOpens(a.Scopes, act) {
		return false
	}
	admin := slices.Contains(a.Roles, account.Admin)
	switch act {
	case SignedIn, ViewOrganizations:
		return true
	case ManageOwnAccount:
		return !a.Token // tokens cannot mint tokens or change passwords
	case ManageOrganizations, ManageUsers:
		return admin
	case ViewUsers:
		if admin {
			return true
		}
		own := r.OrgID == 0 || r.OrgID == a.OrgID
		return own && slices.Contains(a.Roles, account.Supervisor)
	}
	return false
}

func scopeOpens(scopes []string, act Action) bool {
	for _, s := range scopes {
		if slices.Contains(Scopes[s], act) {
			return true
		}
	}
	return false
}

// ValidScope reports whether s is a scope a token can carry.
func ValidScope(s string) bool {
	_, ok := Scopes[s]
	return ok
}
