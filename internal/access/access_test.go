package access

import (
	"fmt"
	"testing"

	"puente/internal/account"
)

// TestMatrix walks every role against every action, for records of the
// actor's own organization and of another one, with a session and with API
// tokens, and compares the whole decision table.
func TestMatrix(t *testing.T) {
	const own, other = 1, 2
	type key struct {
		role account.Role
		act  Action
		org  int64
	}
	yes := map[key]bool{}
	for _, r := range account.Roles {
		for _, org := range []int64{0, own, other} {
			for _, act := range []Action{Public, SignedIn, ManageOwnAccount, ViewOrganizations} {
				yes[key{r, act, org}] = true
			}
		}
	}
	for _, org := range []int64{0, own, other} {
		for _, act := range []Action{ManageOrganizations, ViewUsers, ManageUsers} {
			yes[key{account.Admin, act, org}] = true
		}
	}
	yes[key{account.Supervisor, ViewUsers, 0}] = true
	yes[key{account.Supervisor, ViewUsers, own}] = true

	for _, r := range account.Roles {
		for _, act := range accountActions {
			for _, org := range []int64{0, own, other} {
				a := Actor{UserID: 10, OrgID: own, Roles: []account.Role{r}}
				got := Allow(a, act, Resource{OrgID: org})
				if want := yes[key{r, act, org}]; got != want {
					t.Errorf("role %s, %s on org %d: Allow = %v, want %v", r, act, org, got, want)
				}
			}
		}
	}
}

// accountActions are the actions about organizations and accounts; case
// actions have their own matrix in case_test.go.
var accountActions = []Action{Public, SignedIn, ManageOwnAccount, ViewOrganizations, ManageOrganizations, ViewUsers, ManageUsers}

func TestAnonymousOnlyPublic(t *testing.T) {
	for _, act := range Actions {
		if got, want := Allow(Anonymous, act, Resource{}), act == Public; got != want {
			t.Errorf("anonymous %s: Allow = %v, want %v", act, got, want)
		}
	}
	noRoles := Actor{UserID: 5, OrgID: 1}
	if Allow(noRoles, SignedIn, Resource{}) {
		t.Error("a user with no roles is allowed in")
	}
}

func TestTokensBoundedByScopeAndRole(t *testing.T) {
	for _, tt := range []struct {
		roles  []account.Role
		scopes []string
		act    Action
		want   bool
	}{
		{[]account.Role{account.Admin}, []string{"organizations:read"}, ViewOrganizations, true},
		{[]account.Role{account.Admin}, []string{"organizations:read"}, ManageOrganizations, false},
		{[]account.Role{account.Admin}, []string{"organizations:write"}, ManageOrganizations, true},
		{[]account.Role{account.Caseworker}, []string{"organizations:write"}, ManageOrganizations, false},
		{[]account.Role{account.Admin}, []string{"users:write"}, ManageOwnAccount, false},
		{[]account.Role{account.Admin}, nil, SignedIn, false},
		{[]account.Role{account.Admin}, []string{"profile:read"}, SignedIn, true},
		{[]account.Role{account.Admin}, []string{"no:such"}, SignedIn, false},
	} {
		a := Actor{UserID: 1, OrgID: 1, Roles: tt.roles, Token: true, Scopes: tt.scopes}
		if got := Allow(a, tt.act, Resource{}); got != tt.want {
			t.Errorf("%s token %v, %s: Allow = %v, want %v", fmt.Sprint(tt.roles), tt.scopes, tt.act, got, tt.want)
		}
	}
}
