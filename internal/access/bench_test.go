package access

import (
	"testing"

	"puente/internal/account"
)

// BenchmarkDecide measures one policy check on another organization's case
// with three consents to scan, the most work a check does.
func BenchmarkDecide(b *testing.B) {
	a := Actor{UserID: 10, OrgID: otherOrg, OrgVetted: true, Roles: []account.Role{account.Caseworker}}
	r := Resource{OrgID: ownOrg, Class: Location, Now: now, Assigned: []int64{1, 2, 3},
		Grants: append(append(consents[3].grants, consents[4].grants...), consents[2].grants...)}
	b.ReportAllocs()
	for b.Loop() {
		if !Allow(a, CaseRead, r) {
			b.Fatal("denied")
		}
	}
}

// BenchmarkVisible measures deciding every class of a case for a page.
func BenchmarkVisible(b *testing.B) {
	a := Actor{UserID: 10, OrgID: otherOrg, Roles: []account.Role{account.Caseworker}}
	r := Resource{OrgID: ownOrg, Now: now, Grants: consents[1].grants}
	b.ReportAllocs()
	for b.Loop() {
		if len(Visible(a, r)) != 2 {
			b.Fatal("wrong classes")
		}
	}
}
