package access

import (
	"testing"

	"puente/internal/account"
)

// TestReferralAndDirectoryDecisions pins the referral and directory rules:
// only the two parties to a referral act on it, each on its own side; a
// confidential address opens to its own staff, and through a referral only
// to the case's assigned caseworker in a vetted organization once the
// receiving organization has accepted; listings are kept by admins and by the
// member that runs them.
func TestReferralAndDirectoryDecisions(t *testing.T) {
	const from, to, third = 1, 2, 3
	actor := func(org int64, role account.Role, vetted bool) Actor {
		return Actor{UserID: 10, OrgID: org, OrgVetted: vetted, Roles: []account.Role{role}}
	}
	ref := func(toOrg int64, active bool, assigned ...int64) Resource {
		return Resource{OrgID: from, ToOrgID: toOrg, Active: active, Assigned: assigned, Custodian: NoMember}
	}
	accepted := func(toOrg int64, assigned ...int64) Resource {
		r := ref(toOrg, true, assigned...)
		r.Accepted = true
		return r
	}
	withCustodian := func(r Resource, org int64) Resource {
		r.Custodian = org
		return r
	}
	for _, tt := range []struct {
		name string
		a    Actor
		act  Action
		r    Resource
		want bool
	}{
		{"assigned caseworker sends", actor(from, account.Caseworker, true), ReferralSend, ref(to, false, 10), true},
		{"unassigned caseworker cannot send", actor(from, account.Caseworker, true), ReferralSend, ref(to, false), false},
		{"supervisor sends", actor(from, account.Supervisor, true), ReferralSend, ref(to, false), true},
		{"screener cannot send", actor(from, account.Screener, true), ReferralSend, ref(to, false), false},
		{"receiver cannot send", actor(to, account.Supervisor, true), ReferralSend, ref(to, false), false},
		{"receiver responds", actor(to, account.Caseworker, true), ReferralRespond, ref(to, true), true},
		{"sender cannot respond for a member", actor(from, account.Supervisor, true), ReferralRespond, ref(to, true), false},
		{"sender records the answer of a non-member", actor(from, account.Caseworker, true), ReferralRespond, ref(0, true, 10), true},
		{"third organization cannot respond", actor(third, account.Supervisor, true), ReferralRespond, ref(0, true), false},
		{"receiver reads", actor(to, account.Caseworker, false), ReferralRead, ref(to, false), true},
		{"sender reads", actor(from, account.Caseworker, false), ReferralRead, ref(to, false), true},
		{"third organization cannot read", actor(third, account.Supervisor, true), ReferralRead, ref(to, true), false},
		{"analyst cannot read", actor(from, account.Analyst, true), ReferralRead, ref(to, true), false},
		{"admin is no party", actor(from, account.Admin, true), ReferralRead, ref(to, true), false},
		{"assigned caseworker of a vetted referrer sees the address once accepted", actor(from, account.Caseworker, true), LocationReveal, accepted(to, 10), true},
		{"not before the shelter accepts", actor(from, account.Caseworker, true), LocationReveal, ref(to, true, 10), false},
		{"not an unassigned caseworker", actor(from, account.Caseworker, true), LocationReveal, accepted(to), false},
		{"not the referrer's supervisor", actor(from, account.Supervisor, true), LocationReveal, accepted(to), false},
		{"unvetted referrer does not", actor(from, account.Caseworker, false), LocationReveal, accepted(to, 10), false},
		{"nobody once the referral ends", actor(from, account.Caseworker, true), LocationReveal, ref(to, false, 10), false},
		{"the custodian knows its own place", actor(to, account.Caseworker, false), LocationReveal, withCustodian(accepted(to), to), true},
		{"a receiver that is not the custodian does not", actor(to, account.Supervisor, true), LocationReveal, withCustodian(accepted(to), third), false},
		{"custodian staff outside any referral", actor(to, account.Supervisor, false), LocationReveal, PlaceOf(to), true},
		{"a place nobody keeps opens to nobody", actor(to, account.Supervisor, true), LocationReveal, PlaceOf(0), false},
		{"admins are not staff of the place", actor(third, account.Admin, true), LocationReveal, PlaceOf(to), false},
		{"third organization never", actor(third, account.Supervisor, true), LocationReveal, accepted(to, 10), false},
		{"admin edits any listing", actor(third, account.Admin, true), DirectoryEdit, ListingOf(to), true},
		{"member supervisor edits its own listing", actor(to, account.Supervisor, true), DirectoryEdit, ListingOf(to), true},
		{"member caseworker cannot edit", actor(to, account.Caseworker, true), DirectoryEdit, ListingOf(to), false},
		{"supervisor cannot edit another's listing", actor(from, account.Supervisor, true), DirectoryEdit, ListingOf(to), false},
		{"nobody but admins edits a non-member listing", actor(from, account.Supervisor, true), DirectoryEdit, ListingOf(0), false},
		{"admin edits a non-member listing", actor(from, account.Admin, true), DirectoryEdit, ListingOf(0), true},
		{"nobody but admins counts a non-member's beds", actor(from, account.Caseworker, true), AvailabilityUpdate, ListingOf(0), false},
		{"the route lets staff through", actor(from, account.Supervisor, true), DirectoryEdit, Resource{}, true},
		{"member caseworker updates beds", actor(to, account.Caseworker, true), AvailabilityUpdate, ListingOf(to), true},
		{"another caseworker cannot", actor(from, account.Caseworker, true), AvailabilityUpdate, ListingOf(to), false},
		{"screener cannot", actor(to, account.Screener, true), AvailabilityUpdate, ListingOf(to), false},
	} {
		if got := Allow(tt.a, tt.act, tt.r); got != tt.want {
			t.Errorf("%s: Allow = %v, want %v (%s)", tt.name, got, tt.want, Decide(tt.a, tt.act, tt.r).Reason)
		}
	}
}
