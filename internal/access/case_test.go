package access

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"puente/internal/account"
)

var update = flag.Bool("update", false, "rewrite testdata/case_matrix.golden")

var (
	now      = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	revoked  = now.Add(-time.Hour)
	caseActs = []Action{CaseList, CaseRead, CaseUpdate, CaseMove, CaseAssign, CaseDelete, ConsentEdit, BreakGlass}
)

const ownOrg, otherOrg = 1, 2

// consents are the states of the survivor's consent to the reader's
// organization that the matrix walks.
var consents = []struct {
	name   string
	grants []Grant
}{
	{"no-consent", nil},
	{"consent(identity,narrative)", []Grant{{OrgID: otherOrg, Classes: []Class{Identity, Narrative}, Purpose: "referral", From: now.Add(-time.Hour), Until: now.Add(time.Hour)}}},
	{"consent(all)", []Grant{{OrgID: otherOrg, Classes: Classes, Purpose: "legal", From: now.Add(-time.Hour), Until: now.Add(time.Hour)}}},
	{"consent-revoked", []Grant{{OrgID: otherOrg, Classes: Classes, Purpose: "referral", From: now.Add(-time.Hour), Until: now.Add(time.Hour), RevokedAt: &revoked}}},
	{"consent-expired", []Grant{{OrgID: otherOrg, Classes: Classes, Purpose: "referral", From: now.Add(-2 * time.Hour), Until: now.Add(-time.Hour)}}},
	{"consent-not-yet", []Grant{{OrgID: otherOrg, Classes: Classes, Purpose: "referral", From: now.Add(time.Hour), Until: now.Add(2 * time.Hour)}}},
	{"consent(statistics)", []Grant{{OrgID: otherOrg, Classes: []Class{NonIdentifying}, Purpose: "statistics", From: now.Add(-time.Hour), Until: now.Add(time.Hour)}}},
}

// matrix renders every decision: role × action × own/other organization ×
// assigned or not × consent state × class.
func matrix() string {
	var b strings.Builder
	for _, role := range account.Roles {
		for _, act := range caseActs {
			for _, org := range []string{"own", "other"} {
				for _, assigned := range []bool{false, true} {
					for _, c := range consents {
						for _, class := range append([]Class{""}, Classes...) {
							a := Actor{UserID: 10, OrgID: ownOrg, OrgVetted: true, Roles: []account.Role{role}}
							r := Resource{OrgID: ownOrg, Class: class, Now: now}
							if org == "other" {
								a.OrgID = otherOrg
								r.Grants = c.grants
							} else if c.name != "no-consent" {
								continue // consents only matter to other organizations
							}
							if assigned {
								r.Assigned = []int64{10}
							}
							d := Decide(a, act, r)
							verdict := "deny "
							if d.Allowed {
								verdict = "ALLOW"
							}
							cls := string(class)
							if cls == "" {
								cls = "-"
							}
							fmt.Fprintf(&b, "%-16s %-16s %-5s assigned=%-5v %-28s %-15s %s  (%s)\n", role, act, org, assigned, c.name, cls, verdict, d.Reason)
						}
					}
				}
			}
		}
	}
	return b.String()
}

// TestCaseMatrixGolden pins every decision of the case policy in a file a
// reviewer can read line by line. Run with -update after a deliberate change
// and review the diff.
func TestCaseMatrixGolden(t *testing.T) {
	got := matrix()
	const path = "testdata/case_matrix.golden"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("decision changed at line %d:\n got: %s\nwant: %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("matrix has %d lines, golden %d", len(gl), len(wl))
	}
}

// TestCaseInvariants states the rules of the safety core independently of
// the golden file, over the whole matrix.
func TestCaseInvariants(t *testing.T) {
	for _, role := range account.Roles {
		for _, act := range caseActs {
			for _, c := range consents {
				for _, class := range Classes {
					for _, assigned := range []bool{false, true} {
						a := Actor{UserID: 10, OrgID: otherOrg, OrgVetted: true, Roles: []account.Role{role}}
						r := Resource{OrgID: ownOrg, Class: class, Grants: c.grants, Now: now}
						if assigned {
							r.Assigned = []int64{10} // an id collision must not open anything
						}
						got := Allow(a, act, r)
						name := fmt.Sprintf("%s %s %s %s", role, act, c.name, class)
						active := len(c.grants) > 0 && c.grants[0].Active(now)
						named := active && slices.Contains(c.grants[0].Classes, class)
						switch {
						case act == BreakGlass:
							if got != (role == account.Supervisor) {
								t.Errorf("%s: break-glass request allowed=%v, want only vetted supervisors", name, got)
							}
						case got && act != CaseRead && act != CaseList:
							t.Errorf("%s: another organization may only read, but %s was allowed", name, act)
						case got && act == CaseRead && !named:
							t.Errorf("%s: read a class the consent does not name (or no active consent)", name)
						case got && (role == account.Admin || role == account.HotlineOperator || role == account.Screener):
							t.Errorf("%s: role %s must not read another organization's case", name, role)
						}
					}
				}
			}
		}
	}
	// Inside the owning organization, immigration data is for the
	// supervisor and the assigned caseworker only.
	for _, role := range account.Roles {
		for _, assigned := range []bool{false, true} {
			a := Actor{UserID: 10, OrgID: ownOrg, Roles: []account.Role{role}}
			r := Resource{OrgID: ownOrg, Class: Immigration, Now: now}
			if assigned {
				r.Assigned = []int64{10}
			}
			want := role == account.Supervisor || (role == account.Caseworker && assigned)
			if got := Allow(a, CaseRead, r); got != want {
				t.Errorf("own %s assigned=%v reading immigration: %v, want %v", role, assigned, got, want)
			}
		}
	}
}

func TestBreakGlass(t *testing.T) {
	sup := Actor{UserID: 10, OrgID: otherOrg, OrgVetted: true, Roles: []account.Role{account.Supervisor}}
	r := Resource{OrgID: ownOrg, Class: Location, Now: now, Glass: []Glass{{UserID: 10, Until: now.Add(time.Minute)}}}
	if !Allow(sup, CaseRead, r) {
		t.Error("open glass does not give the supervisor the location")
	}
	r.Class = Immigration
	if Allow(sup, CaseRead, r) {
		t.Error("break-the-glass opened immigration data")
	}
	r.Class, r.Now = Location, now.Add(2*time.Minute)
	if Allow(sup, CaseRead, r) {
		t.Error("expired glass still opens the case")
	}
	r.Now = now
	sup.UserID = 11
	if Allow(sup, CaseRead, r) {
		t.Error("glass opened by one supervisor opens the case for another")
	}
	sup.OrgVetted = false
	if Allow(sup, BreakGlass, Resource{OrgID: ownOrg, Now: now}) {
		t.Error("a supervisor of an unvetted organization may break the glass")
	}
}

func TestVisible(t *testing.T) {
	cw := Actor{UserID: 10, OrgID: otherOrg, Roles: []account.Role{account.Caseworker}}
	r := Resource{OrgID: ownOrg, Now: now, Grants: consents[1].grants}
	if got, want := Visible(cw, r), []Class{Narrative, Identity}; !slices.Equal(got, want) {
		t.Errorf("Visible with consent(identity,narrative) = %v, want %v", got, want)
	}
	if got := Visible(cw, Resource{OrgID: ownOrg, Now: now}); len(got) != 0 {
		t.Errorf("Visible without consent = %v, want nothing", got)
	}
	own := Actor{UserID: 10, OrgID: ownOrg, Roles: []account.Role{account.Caseworker}}
	if got := Visible(own, Resource{OrgID: ownOrg, Now: now, Assigned: []int64{10}}); !slices.Equal(got, Classes) {
		t.Errorf("assigned caseworker sees %v, want every class", got)
	}
}

// TestRouteGate checks the decision a route makes before it knows the
// record: only roles that could ever perform the action pass.
func TestRouteGate(t *testing.T) {
	want := map[Action][]account.Role{
		CaseList:    {account.Supervisor, account.Caseworker, account.Screener, account.Analyst},
		CaseRead:    {account.Supervisor, account.Caseworker, account.Screener, account.Analyst},
		CaseUpdate:  {account.Supervisor, account.Caseworker},
		CaseMove:    {account.Supervisor, account.Caseworker},
		ConsentEdit: {account.Supervisor, account.Caseworker},
		CaseAssign:  {account.Supervisor},
		CaseDelete:  {account.Supervisor},
		BreakGlass:  {account.Supervisor},
		CaseCreate:  {account.Supervisor, account.Caseworker, account.Screener},
	}
	for act, roles := range want {
		for _, role := range account.Roles {
			a := Actor{UserID: 1, OrgID: 1, OrgVetted: true, Roles: []account.Role{role}}
			if got := Allow(a, act, Resource{}); got != slices.Contains(roles, role) {
				t.Errorf("gate %s for %s = %v", act, role, got)
			}
		}
	}
	unvetted := Actor{UserID: 1, OrgID: 1, Roles: []account.Role{account.Supervisor}}
	if Allow(unvetted, BreakGlass, Resource{}) {
		t.Error("the gate lets an unvetted supervisor break the glass")
	}
}

func TestScreeningPolicy(t *testing.T) {
	for _, tt := range []struct {
		role    account.Role
		act     Action
		org     int64
		creator int64
		want    bool
	}{
		{account.Screener, ScreeningRun, ownOrg, 0, true},
		{account.Screener, ScreeningRun, ownOrg, 10, true},
		{account.Screener, ScreeningRun, ownOrg, 11, false},
		{account.Screener, ScreeningRead, ownOrg, 10, true},
		{account.Screener, ScreeningRead, ownOrg, 11, false},
		{account.Caseworker, ScreeningRead, ownOrg, 10, true},
		{account.Supervisor, ScreeningRead, ownOrg, 11, true},
		{account.Supervisor, ScreeningRead, otherOrg, 11, false},
		{account.Screener, ScreeningRead, otherOrg, 10, false},
		{account.Analyst, ScreeningRead, ownOrg, 0, false},
		{account.Admin, ScreeningRun, ownOrg, 0, false},
		{account.HotlineOperator, ScreeningRun, 0, 0, false},
		{account.Screener, ScreeningRun, 0, 0, true},
	} {
		a := Actor{UserID: 10, OrgID: ownOrg, Roles: []account.Role{tt.role}}
		if got := Allow(a, tt.act, Resource{OrgID: tt.org, Creator: tt.creator}); got != tt.want {
			t.Errorf("%s %s org %d creator %d: %v, want %v", tt.role, tt.act, tt.org, tt.creator, got, tt.want)
		}
	}
}
