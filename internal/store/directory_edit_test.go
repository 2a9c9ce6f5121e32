package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"puente/internal/account"
	"puente/internal/directory"
	"puente/internal/problem"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

func salOf(l directory.Listing) string {
	return directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)
}

// TestDirectoryListings: the directory's pages see inactive services too,
// a member's own listings alone when asked, and a confidential location
// only as the matcher does.
func TestDirectoryListings(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		member := mustOrg(t, db, "Annunciation House", account.US)
		house := fullListing()
		closed := fullListing()
		closed.Organization = directory.Organization{ID: "org-other", Name: "Other house", Description: "Another one."}
		closed.Service.ID, closed.Service.OrganizationID, closed.Service.Status = "svc-closed", "org-other", directory.StatusInactive
		closed.Location = directory.Location{}
		safe := confidentialListing()
		mustSave(t, db, &closed)
		if err := db.SaveListingFor(ctx, &house, member.ID); err != nil {
			t.Fatal(err)
		}
		mustSave(t, db, &safe)

		all, err := db.DirectoryListings(ctx, directory.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range all {
			got = append(got, l.Service.ID)
		}
		if diff := cmp.Diff([]string{"svc-closed", "svc-safe-house", "svc-shelter"}, got); diff != "" {
			t.Errorf("DirectoryListings (-want +got):\n%s", diff)
		}
		if n := len(mustListings(t, db)); n != 2 {
			t.Errorf("Listings gives %d listings, want the 2 active ones", n)
		}
		text := fmt.Sprintf("%+v", all)
		for _, canary := range locationCanaries {
			if strings.Contains(text, canary) {
				t.Errorf("DirectoryListings opens the confidential location: %s", canary)
			}
		}

		own, err := db.DirectoryListings(ctx, directory.Filter{MemberID: member.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(own) != 2 || own[0].Organization.MemberID != member.ID || own[1].Organization.MemberID != member.ID {
			t.Errorf("the member's listings: got %d, %+v", len(own), own)
		}
	})
}

// TestListingByID reads one listing whatever its status, as
// DirectoryListings gives it.
func TestListingByID(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		safe := confidentialListing()
		safe.Service.Status = directory.StatusDefunct
		mustSave(t, db, &safe)
		all, err := db.DirectoryListings(ctx, directory.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Listing(ctx, salOf(safe))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(all, []directory.Listing{*got}, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Listing (-want +got):\n%s", diff)
		}
		if got.Location.Addresses[0].Address1 != "" || got.Location.Name != "" {
			t.Errorf("Listing opens the confidential location: %+v", got.Location)
		}
		if _, err := db.Listing(ctx, "no-such-listing"); problem.KindOf(err) != problem.NotFound {
			t.Errorf("unknown listing: got %v, want not found", err)
		}
	})
}

// TestSaveListingFor links a new organization to its member in the same
// transaction, and saves nothing when the link fails.
func TestSaveListingFor(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		member := mustOrg(t, db, "Annunciation House", account.US)
		l := fullListing()
		if err := db.SaveListingFor(ctx, &l, member.ID); err != nil {
			t.Fatal(err)
		}
		if l.Organization.MemberID != member.ID {
			t.Errorf("the saved listing's MemberID = %d, want %d", l.Organization.MemberID, member.ID)
		}
		o, err := db.DirectoryOrganization(ctx, l.Organization.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := l.Organization
		if diff := cmp.Diff(&want, o); diff != "" {
			t.Errorf("DirectoryOrganization (-want +got):\n%s", diff)
		}

		orphan := fullListing()
		orphan.Organization.ID, orphan.Service.OrganizationID, orphan.Location.OrganizationID = "org-orphan", "org-orphan", "org-orphan"
		orphan.Service.ID, orphan.Location.ID = "svc-orphan", "loc-orphan"
		if err := db.SaveListingFor(ctx, &orphan, 424242); err == nil {
			t.Fatal("a link to no member was accepted")
		}
		if _, err := db.DirectoryOrganization(ctx, "org-orphan"); problem.KindOf(err) != problem.NotFound {
			t.Errorf("the organization of a failed save: got %v, want not found", err)
		}
		if n := rowCount(t, db, "dir_services"); n != 1 {
			t.Errorf("%d services after a failed save, want 1", n)
		}
		if err := db.SaveListingFor(ctx, &orphan, 0); err == nil {
			t.Error("SaveListingFor with no member was accepted")
		}
	})
}

// TestDirectoryOrganizations lists organizations by name, and a member's
// own when asked.
func TestDirectoryOrganizations(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		member := mustOrg(t, db, "Annunciation House", account.US)
		house := fullListing()
		other := fullListing()
		other.Organization = directory.Organization{ID: "org-abc", Name: "ABC Legal", Description: "Legal aid."}
		other.Service.ID, other.Service.OrganizationID = "svc-abc", "org-abc"
		other.Location = directory.Location{}
		mustSave(t, db, &other)
		if err := db.SaveListingFor(ctx, &house, member.ID); err != nil {
			t.Fatal(err)
		}
		all, err := db.DirectoryOrganizations(ctx, directory.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]directory.Organization{other.Organization, house.Organization}, all); diff != "" {
			t.Errorf("DirectoryOrganizations (-want +got):\n%s", diff)
		}
		own, err := db.DirectoryOrganizations(ctx, directory.Filter{MemberID: member.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]directory.Organization{house.Organization}, own); diff != "" {
			t.Errorf("the member's organizations (-want +got):\n%s", diff)
		}
		if _, err := db.DirectoryOrganization(ctx, "org-none"); problem.KindOf(err) != problem.NotFound {
			t.Errorf("unknown organization: got %v, want not found", err)
		}
	})
}
