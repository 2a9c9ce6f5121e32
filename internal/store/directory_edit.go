package store

import (
	"context"
	"encoding/json"
	"fmt"

	"puente/internal/directory"
)

// DirectoryListings returns the listings the directory's pages show and
// edit, ordered by service and location id: inactive and defunct services
// too, which Listings leaves out, so that someone who keeps them can bring
// them back. A confidential location comes as Listings gives it, with no
// exact place: open it with ConfidentialLocation, and audit that.
func (db *DB) DirectoryListings(ctx context.Context, f directory.Filter) ([]directory.Listing, error) {
	if f.MemberID != 0 {
		return db.queryListings(ctx, " WHERE o.member_org_id = ?", f.MemberID)
	}
	return db.queryListings(ctx, "")
}

// queryListings runs listingQuery with where, ordered by service and
// location id.
func (db *DB) queryListings(ctx context.Context, where string, args ...any) ([]directory.Listing, error) {
	rows, err := db.q(ctx).QueryContext(ctx, listingQuery+where+" ORDER BY sal.service_id, COALESCE(sal.location_id, '')", args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []directory.Listing
	for rows.Next() {
		l, err := scanListing(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, translate(rows.Err())
}

// Listing returns one listing by its service-at-location id (see
// ServiceAtLocationID), whatever its service's status, with a confidential
// location as Listings gives it.
func (db *DB) Listing(ctx context.Context, serviceAtLocationID string) (*directory.Listing, error) {
	row := db.q(ctx).QueryRowContext(ctx, listingQuery+" WHERE sal.id = ?", serviceAtLocationID)
	l, err := scanListing(row)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

func scanListing(row interface{ Scan(...any) error }) (directory.Listing, error) {
	var r listingRow
	if err := row.Scan(r.dest()...); err != nil {
		return directory.Listing{}, translate(err)
	}
	return r.listing()
}

// SaveListingFor is SaveListing for a listing that the Puente member
// memberOrgID runs: in the same transaction it links the listing's
// organization to that member (see LinkDirectoryOrganization), so that a
// new organization is never left without the member who created it.
func (db *DB) SaveListingFor(ctx context.Context, l *directory.Listing, memberOrgID int64) error {
	if memberOrgID <= 0 {
		return fmt.Errorf("save listing: member organization %d", memberOrgID)
	}
	return db.saveListing(ctx, l, memberOrgID)
}

const dirOrgQuery = `SELECT id, name, description, email, url, data, COALESCE(member_org_id, 0) FROM dir_organizations`

// DirectoryOrganizations lists the directory's organizations by name.
func (db *DB) DirectoryOrganizations(ctx context.Context, f directory.Filter) ([]directory.Organization, error) {
	query, args := dirOrgQuery, []any{}
	if f.MemberID != 0 {
		query += " WHERE member_org_id = ?"
		args = append(args, f.MemberID)
	}
	rows, err := db.q(ctx).QueryContext(ctx, query+" ORDER BY name, id", args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []directory.Organization
	for rows.Next() {
		o, err := scanDirOrganization(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, translate(rows.Err())
}

// DirectoryOrganization returns one of the directory's organizations.
func (db *DB) DirectoryOrganization(ctx context.Context, id string) (*directory.Organization, error) {
	o, err := scanDirOrganization(db.q(ctx).QueryRowContext(ctx, dirOrgQuery+" WHERE id = ?", id))
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func scanDirOrganization(row interface{ Scan(...any) error }) (directory.Organization, error) {
	var o directory.Organization
	var data string
	if err := row.Scan(&o.ID, &o.Name, &o.Description, &o.Email, &o.Website, &data, &o.MemberID); err != nil {
		return o, translate(err)
	}
	var d orgData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return o, fmt.Errorf("directory organization %s: %w", o.ID, err)
	}
	o.AlternateName = d.AlternateName
	return o, nil
}
