package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"puente/internal/directory"
)

// TestAdminLinksADirectoryOrganizationToAMember: an imported directory
// knows nothing of Puente's members; the admin says who runs what, and
// from then on that member keeps the beds and receives the referrals.
func TestAdminLinksADirectoryOrganizationToAMember(t *testing.T) {
	e := sqliteEnv(t)
	ctx := t.Context()
	orgs, err := e.db.DirectoryOrganizations(ctx, directory.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var prisma directory.Organization
	for _, o := range orgs {
		if o.Name == "Casa Prisma (demo)" {
			prisma = o
		}
	}
	if prisma.ID == "" || prisma.MemberID != 0 {
		t.Fatalf("demo fixture: Casa Prisma %+v", prisma)
	}
	member := e.user("caseworker").OrgID
	path := "/directory/organizations/" + prisma.ID + "/member"

	cw := e.signIn("supervisor")
	if res := cw.get("/directory/organizations"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a supervisor opened the page: %d", res.StatusCode)
	}
	if res := cw.post(path, form("csrf_token", cw.csrf("/dashboard"), "member", strconv.FormatInt(member, 10))); res.StatusCode != http.StatusForbidden {
		t.Errorf("a supervisor linked an organization: %d", res.StatusCode)
	}

	admin := e.signIn("admin")
	page := admin.get("/directory/organizations")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "Casa Prisma (demo)") {
		t.Fatalf("the page: %d", page.StatusCode)
	}
	tok := csrfRE.FindStringSubmatch(page.body)[1]
	if res := admin.post(path, form("csrf_token", tok, "member", "999999")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown member: %d", res.StatusCode)
	}
	if res := admin.post(path, form("csrf_token", tok, "member", strconv.FormatInt(member, 10))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d\n%s", res.StatusCode, res.body)
	}
	linked := func() int64 {
		t.Helper()
		o, err := e.db.DirectoryOrganization(ctx, prisma.ID)
		if err != nil {
			t.Fatal(err)
		}
		return o.MemberID
	}
	if got := linked(); got != member {
		t.Errorf("linked to %d, want %d", got, member)
	}
	if !strings.Contains(e.auditText(t), "directory.edit dir_organization:"+prisma.ID+" allow") {
		t.Error("the link is not audited")
	}
	if res := admin.post(path, form("csrf_token", tok, "member", "")); res.StatusCode != http.StatusSeeOther || linked() != 0 {
		t.Errorf("unlink: %d, member %d", res.StatusCode, linked())
	}
}
