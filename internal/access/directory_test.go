package access

import (
	"testing"

	"puente/internal/account"
)

// TestDirectoryPolicy walks every role over the directory actions, for the
// route gate, a listing the actor's own organization runs, another
// member's listing, and a listing no member runs.
func TestDirectoryPolicy(t *testing.T) {
	type key struct {
		role account.Role
		act  Action
		org  int64
	}
	yes := map[key]bool{}
	for _, org := range []int64{0, ownOrg, otherOrg, NoMember} {
		yes[key{account.Admin, DirectoryEdit, org}] = true
		yes[key{account.Admin, AvailabilityUpdate, org}] = true
	}
	for _, org := range []int64{0, ownOrg} {
		yes[key{account.Supervisor, DirectoryEdit, org}] = true
		yes[key{account.Supervisor, AvailabilityUpdate, org}] = true
		yes[key{account.Caseworker, AvailabilityUpdate, org}] = true
	}
	for _, role := range account.Roles {
		for _, act := range []Action{DirectoryEdit, AvailabilityUpdate} {
			for _, org := range []int64{0, ownOrg, otherOrg, NoMember} {
				a := Actor{UserID: 10, OrgID: ownOrg, OrgVetted: true, Roles: []account.Role{role}}
				if got, want := Allow(a, act, Resource{OrgID: org}), yes[key{role, act, org}]; got != want {
					t.Errorf("%s %s on listing of org %d: Allow = %v, want %v", role, act, org, got, want)
				}
			}
		}
	}
}
