package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"puente/internal/casework"
	"puente/internal/directory"
	"puente/internal/problem"
	"puente/internal/secret"
)

func locationSubject(id string) string { return "dir_location/" + id }

// locationAAD is the associated data of a sealed location, so that a
// sealed value copied to another location does not open.
func locationAAD(id string) string { return "dir_locations/location/" + id }

// SaveListing validates l and stores its organization, service, location
// and the link between the last two, in one transaction, over any records
// with the same ids. It sets the service's LastModified to the time of
// storing. A confidential location is sealed under a data key of its own
// (see Listings for what stays in the clear); a location that stops being
// confidential loses its key, so old sealed copies no longer open.
//
// The bed capacity is the listing's. Its count of free beds replaces the
// stored one only when it is newer: a form filled in before the provider
// last updated the count leaves that count alone, cut to the capacity, and
// SaveListing puts it in l. Moving a service to another location is saving
// the new listing and deleting the old one.
func (db *DB) SaveListing(ctx context.Context, l *directory.Listing) error {
	return db.saveListing(ctx, l, 0)
}

// saveListing is SaveListing that, when memberOrgID is not 0, also links
// the listing's organization to that member in the same transaction.
func (db *DB) saveListing(ctx context.Context, l *directory.Listing, memberOrgID int64) error {
	if err := l.Normalize(); err != nil {
		return err
	}
	if l.Location.ID == "" {
		l.Location = directory.Location{}
	}
	if l.Location.Confidential {
		if err := db.requireKeys(); err != nil {
			return err
		}
	}
	now := db.now()
	l.Service.LastModified = now
	el := &l.Service.Eligibility
	el.AvailabilityUpdatedAt = fromMicros(micros(el.AvailabilityUpdatedAt)) // what the column holds
	return db.tx(ctx, func(q queryer) error {
		if err := bumpDirectory(ctx, q); err != nil {
			return err
		}
		if err := upsertDirOrganization(ctx, q, &l.Organization); err != nil {
			return err
		}
		if memberOrgID != 0 {
			if _, err := q.ExecContext(ctx, "UPDATE dir_organizations SET member_org_id = ? WHERE id = ?", memberOrgID, l.Organization.ID); err != nil {
				return translate(err)
			}
			l.Organization.MemberID = memberOrgID
		}
		if err := upsertService(ctx, q, &l.Service); err != nil {
			return err
		}
		var location sql.NullString
		if l.Location.ID != "" {
			if err := db.upsertLocation(ctx, q, &l.Location, now); err != nil {
				return err
			}
			location = sql.NullString{String: l.Location.ID, Valid: true}
		}
		sal := directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)
		if _, err := q.ExecContext(ctx, "INSERT INTO dir_service_at_locations (id, service_id, location_id) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
			sal, l.Service.ID, location); err != nil {
			return translate(err)
		}
		return saveCount(ctx, q, sal, el)
	})
}

// orgData is the part of a directory organization no query looks into.
type orgData struct {
	AlternateName string `json:"alternate_name,omitempty"`
}

func upsertDirOrganization(ctx context.Context, q queryer, o *directory.Organization) error {
	data, err := json.Marshal(orgData{AlternateName: o.AlternateName})
	if err != nil {
		return err
	}
	// member_org_id is left as it is: LinkDirectoryOrganization sets it.
	_, err = q.ExecContext(ctx, `INSERT INTO dir_organizations (id, name, description, email, url, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, email = excluded.email,
		url = excluded.url, data = excluded.data`, o.ID, o.Name, o.Description, o.Email, o.Website, string(data))
	return translate(err)
}

// serviceData is the part of a service no query looks into.
type serviceData struct {
	AlternateName          string `json:"alternate_name,omitempty"`
	URL                    string `json:"url,omitempty"`
	Email                  string `json:"email,omitempty"`
	InterpretationServices string `json:"interpretation_services,omitempty"`
	ApplicationProcess     string `json:"application_process,omitempty"`
	FeesDescription        string `json:"fees_description,omitempty"`
	EligibilityDescription string `json:"eligibility_description,omitempty"`
	Alert                  string `json:"alert,omitempty"`
	AssuredDate            string `json:"assured_date,omitempty"`
}

func serviceDataOf(s *directory.Service) serviceData {
	return serviceData{
		AlternateName: s.AlternateName, URL: s.URL, Email: s.Email, InterpretationServices: s.InterpretationServices,
		ApplicationProcess: s.ApplicationProcess, FeesDescription: s.FeesDescription,
		EligibilityDescription: s.EligibilityDescription, Alert: s.Alert, AssuredDate: s.AssuredDate,
	}
}

func (d serviceData) fill(s *directory.Service) {
	s.AlternateName, s.URL, s.Email, s.InterpretationServices = d.AlternateName, d.URL, d.Email, d.InterpretationServices
	s.ApplicationProcess, s.FeesDescription = d.ApplicationProcess, d.FeesDescription
	s.EligibilityDescription, s.Alert, s.AssuredDate = d.EligibilityDescription, d.Alert, d.AssuredDate
}

func upsertService(ctx context.Context, q queryer, s *directory.Service) error {
	el := s.Eligibility
	// The bed count belongs to the listing and lives in dir_availability.
	el.Beds, el.BedsAvailable, el.AvailabilityUpdatedAt = 0, nil, time.Time{}
	eligibility, err := json.Marshal(el)
	if err != nil {
		return err
	}
	data, err := json.Marshal(serviceDataOf(s))
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO dir_services (id, organization_id, name, status, description, eligibility, needs, data, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name,
		status = excluded.status, description = excluded.description, eligibility = excluded.eligibility, needs = excluded.needs,
		data = excluded.data, updated_at = excluded.updated_at`,
		s.ID, s.OrganizationID, s.Name, s.Status, s.Description, string(eligibility), strings.Join(s.Needs, " "), string(data), micros(s.LastModified))
	return translate(err)
}

// locationData is the part of a location no query looks into.
type locationData struct {
	URL            string `json:"url,omitempty"`
	AlternateName  string `json:"alternate_name,omitempty"`
	Description    string `json:"description,omitempty"`
	Transportation string `json:"transportation,omitempty"`
}

// clearView is what of l is stored in the clear: all of it, unless it
// is confidential. Then it is only what matching needs: the type, the
// coordinates rounded as the matcher shows them, and the city, state and
// country of the first address (the match's area).
func clearView(l *directory.Location) directory.Location {
	if !l.Confidential {
		return *l
	}
	c := directory.Location{ID: l.ID, OrganizationID: l.OrganizationID, LocationType: l.LocationType, Confidential: true, Custodian: l.Custodian}
	if l.Latitude != nil && l.Longitude != nil {
		p := directory.Approximate(directory.Point{Lat: *l.Latitude, Lon: *l.Longitude})
		c.Latitude, c.Longitude = &p.Lat, &p.Lon
	}
	if len(l.Addresses) > 0 {
		a := &l.Addresses[0]
		c.Addresses = []directory.Address{{City: a.City, StateProvince: a.StateProvince, Country: a.Country}}
	}
	return c
}

func (db *DB) upsertLocation(ctx context.Context, q queryer, l *directory.Location, now time.Time) error {
	var sealed []byte
	var custodian sql.NullInt64
	if l.Confidential {
		var err error
		if sealed, err = db.sealLocation(ctx, q, l, now); err != nil {
			return err
		}
		custodian = nullableID(l.Custodian)
		if err := db.scrubIfTurningConfidential(ctx, q, l.ID); err != nil {
			return err
		}
	} else if _, err := q.ExecContext(ctx, "DELETE FROM data_keys WHERE subject = ?", locationSubject(l.ID)); err != nil {
		return translate(err)
	}
	c := clearView(l)
	var first directory.Address
	if len(c.Addresses) > 0 {
		first = c.Addresses[0]
	} else {
		c.Addresses = []directory.Address{}
	}
	addresses, err := json.Marshal(c.Addresses)
	if err != nil {
		return err
	}
	data, err := json.Marshal(locationData{URL: c.URL, AlternateName: c.AlternateName, Description: c.Description, Transportation: c.Transportation})
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO dir_locations (id, organization_id, location_type, name, latitude, longitude, confidential,
		city, region, country, address, data, location_ct, custodian_org_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, location_type = excluded.location_type,
		name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude, confidential = excluded.confidential,
		city = excluded.city, region = excluded.region, country = excluded.country, address = excluded.address,
		data = excluded.data, location_ct = excluded.location_ct, custodian_org_id = excluded.custodian_org_id`,
		c.ID, sql.NullString{String: c.OrganizationID, Valid: c.OrganizationID != ""}, c.LocationType, c.Name, nullFloat(c.Latitude), nullFloat(c.Longitude),
		c.Confidential, first.City, first.StateProvince, first.Country, string(addresses), string(data), sealed, custodian)
	return translate(err)
}

// scrubIfTurningConfidential arranges, when a place that was public becomes
// confidential, for its old address to leave the database files once the
// change commits. SQLite overwrites deleted content with zeros
// (secure_delete), but the old pages stay in the write-ahead log until it
// is checkpointed and truncated. PostgreSQL keeps old row versions until
// VACUUM reuses their space; the README says so.
func (db *DB) scrubIfTurningConfidential(ctx context.Context, q queryer, id string) error {
	var was bool
	err := q.QueryRowContext(ctx, "SELECT confidential FROM dir_locations WHERE id = ?", id).Scan(&was)
	if isNoRows(err) || (err == nil && was) {
		return nil
	}
	if err != nil {
		return translate(err)
	}
	db.afterCommit(ctx, q, db.scrubLog)
	return nil
}

// scrubLog empties SQLite's write-ahead log into the database and truncates
// it, so page images holding overwritten values are gone from disk.
func (db *DB) scrubLog(ctx context.Context) {
	if db.engine != SQLite {
		return
	}
	// A reader still holding an old snapshot can keep the log from being
	// truncated; the next scrub, or SQLite's own checkpoints, finish it.
	db.sql.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
}

// sealLocation seals the whole location under its data key.
func (db *DB) sealLocation(ctx context.Context, q queryer, l *directory.Location, now time.Time) ([]byte, error) {
	plain, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	dk, err := db.locationKey(ctx, q, l.ID, now)
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	return dk.Seal(plain, locationAAD(l.ID)), nil
}

// locationKey returns a location's data key, creating it on first use.
func (db *DB) locationKey(ctx context.Context, q queryer, id string, now time.Time) (*secret.DataKey, error) {
	subject := locationSubject(id)
	var wrapped []byte
	err := q.QueryRowContext(ctx, "SELECT wrapped FROM data_keys WHERE subject = ?", subject).Scan(&wrapped)
	if err == nil {
		return db.keys.Unwrap(wrapped, subject)
	}
	if !isNoRows(err) {
		return nil, translate(err)
	}
	dk, wrapped, err := db.keys.NewDataKey(subject)
	if err != nil {
		return nil, err
	}
	kek, _ := db.keys.KEKOf(wrapped)
	if _, err := q.ExecContext(ctx, "INSERT INTO data_keys (subject, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?)",
		subject, kek, wrapped, micros(now)); err != nil {
		dk.Destroy()
		return nil, translate(err)
	}
	return dk, nil
}

const upsertAvailability = `INSERT INTO dir_availability (service_at_location_id, beds, beds_available, updated_at, updated_by)
	VALUES (?, ?, ?, ?, ?) ON CONFLICT (service_at_location_id) DO UPDATE SET beds = excluded.beds,
	beds_available = excluded.beds_available, updated_at = excluded.updated_at, updated_by = excluded.updated_by`

// saveCount stores a listing's bed capacity, and its count when that is
// newer than the stored one; otherwise it keeps the stored count, cut to
// the capacity, and puts it in el.
func saveCount(ctx context.Context, q queryer, sal string, el *directory.Eligibility) error {
	var free, by sql.NullInt64
	var at int64
	err := q.QueryRowContext(ctx, "SELECT beds_available, updated_at, updated_by FROM dir_availability WHERE service_at_location_id = ?", sal).
		Scan(&free, &at, &by)
	switch {
	case err != nil && !isNoRows(err):
		return translate(err)
	case err == nil && micros(el.AvailabilityUpdatedAt) <= at:
		el.BedsAvailable, el.AvailabilityUpdatedAt = nil, fromMicros(at)
		if free.Valid {
			n := min(int(free.Int64), el.Beds)
			el.BedsAvailable = &n
		}
	default:
		by = sql.NullInt64{} // the listing's count, which no one signed
	}
	_, err = q.ExecContext(ctx, upsertAvailability, sal, el.Beds, nullInt(el.BedsAvailable), micros(el.AvailabilityUpdatedAt), by)
	return translate(err)
}

// listingQuery joins every link with its service, organization, location
// (none for a service with no location) and bed count.
const listingQuery = `SELECT o.id, o.name, o.description, o.email, o.url, o.data, COALESCE(o.member_org_id, 0),
	s.id, s.name, s.status, s.description, s.eligibility, s.needs, s.data, s.updated_at,
	COALESCE(l.id, ''), COALESCE(l.organization_id, ''), COALESCE(l.location_type, ''), COALESCE(l.name, ''),
	l.latitude, l.longitude, COALESCE(l.confidential, FALSE), COALESCE(l.custodian_org_id, 0), COALESCE(l.address, '[]'), COALESCE(l.data, '{}'),
	COALESCE(a.beds, 0), a.beds_available, COALESCE(a.updated_at, 0)
	FROM dir_service_at_locations sal
	JOIN dir_services s ON s.id = sal.service_id
	JOIN dir_organizations o ON o.id = s.organization_id
	LEFT JOIN dir_locations l ON l.id = sal.location_id
	LEFT JOIN dir_availability a ON a.service_at_location_id = sal.id`

// Listings returns the listings of every service that is neither inactive
// nor defunct, for building the matching index, ordered by service and
// location id. A confidential location comes as the matcher may see it:
// its type, its coordinates rounded to 0.1°, and an address with only the
// city, state and country. Its name, descriptions and exact place are not
// opened here, so such a listing is for matching, not for editing: load
// its location with ConfidentialLocation before saving it back.
func (db *DB) Listings(ctx context.Context) ([]directory.Listing, error) {
	return db.queryListings(ctx, " WHERE s.status NOT IN (?, ?)", directory.StatusInactive, directory.StatusDefunct)
}

// listingRow is a row of listingQuery.
type listingRow struct {
	org                             directory.Organization
	svc                             directory.Service
	orgData, eligibility, needs     string
	svcData                         string
	updated                         int64
	locID, locOrg, locType, locName string
	lat, lon                        sql.NullFloat64
	confidential                    bool
	custodian                       int64
	addresses, locData              string
	beds                            int
	free                            sql.NullInt64
	counted                         int64
}

func (r *listingRow) dest() []any {
	return []any{&r.org.ID, &r.org.Name, &r.org.Description, &r.org.Email, &r.org.Website, &r.orgData, &r.org.MemberID,
		&r.svc.ID, &r.svc.Name, &r.svc.Status, &r.svc.Description, &r.eligibility, &r.needs, &r.svcData, &r.updated,
		&r.locID, &r.locOrg, &r.locType, &r.locName, &r.lat, &r.lon, &r.confidential, &r.custodian, &r.addresses, &r.locData,
		&r.beds, &r.free, &r.counted}
}

func (r *listingRow) listing() (directory.Listing, error) {
	l := directory.Listing{Organization: r.org, Service: r.svc}
	var od orgData
	var sd serviceData
	if err := json.Unmarshal([]byte(r.orgData), &od); err != nil {
		return l, fmt.Errorf("directory organization %s: %w", r.org.ID, err)
	}
	l.Organization.AlternateName = od.AlternateName
	s := &l.Service
	if err := json.Unmarshal([]byte(r.svcData), &sd); err != nil {
		return l, fmt.Errorf("directory service %s: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(r.eligibility), &s.Eligibility); err != nil {
		return l, fmt.Errorf("directory service %s eligibility: %w", s.ID, err)
	}
	s.OrganizationID, s.Needs, s.LastModified = r.org.ID, strings.Fields(r.needs), fromMicros(r.updated)
	sd.fill(s)
	el := &s.Eligibility
	el.Beds, el.AvailabilityUpdatedAt = r.beds, fromMicros(r.counted)
	if r.free.Valid {
		n := int(r.free.Int64)
		el.BedsAvailable = &n
	}
	var err error
	l.Location, err = r.location()
	return l, err
}

func (r *listingRow) location() (directory.Location, error) {
	if r.locID == "" {
		return directory.Location{}, nil
	}
	l := directory.Location{ID: r.locID, OrganizationID: r.locOrg, LocationType: r.locType, Name: r.locName, Confidential: r.confidential,
		Custodian: r.custodian}
	if r.lat.Valid && r.lon.Valid {
		lat, lon := r.lat.Float64, r.lon.Float64
		l.Latitude, l.Longitude = &lat, &lon
	}
	var d locationData
	if err := json.Unmarshal([]byte(r.locData), &d); err != nil {
		return l, fmt.Errorf("directory location %s: %w", l.ID, err)
	}
	l.URL, l.AlternateName, l.Description, l.Transportation = d.URL, d.AlternateName, d.Description, d.Transportation
	if err := json.Unmarshal([]byte(r.addresses), &l.Addresses); err != nil {
		return l, fmt.Errorf("directory location %s addresses: %w", l.ID, err)
	}
	return l, nil
}

// ConfidentialLocation returns a location in full: for a confidential one,
// its exact addresses and coordinates, name and descriptions, unsealed.
// Call it only after access.Allow has let the person see the place (a
// vetted partner with an active referral), and record that in the audit
// log: a shelter's address in the wrong hands can get a survivor killed.
// A location that is not confidential comes as Listings gives it.
func (db *DB) ConfidentialLocation(ctx context.Context, id string) (*directory.Location, error) {
	var confidential bool
	var custodian int64
	var sealed []byte
	if err := db.q(ctx).QueryRowContext(ctx, "SELECT confidential, COALESCE(custodian_org_id, 0), location_ct FROM dir_locations WHERE id = ?", id).
		Scan(&confidential, &custodian, &sealed); err != nil {
		return nil, translate(err)
	}
	if !confidential {
		return db.storedLocation(ctx, id)
	}
	if err := db.requireKeys(); err != nil {
		return nil, err
	}
	dk, err := db.dataKey(ctx, locationSubject(id))
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	plain, err := dk.Open(sealed, locationAAD(id))
	if err != nil {
		return nil, fmt.Errorf("directory location %s: %w", id, err)
	}
	var l directory.Location
	if err := json.Unmarshal(plain, &l); err != nil {
		return nil, fmt.Errorf("directory location %s: %w", id, err)
	}
	l.Custodian = custodian
	return &l, nil
}

// PlaceCustodian reports whether a location is confidential and which
// member organization's staff may read it (0 for none).
func (db *DB) PlaceCustodian(ctx context.Context, id string) (custodian int64, confidential bool, err error) {
	err = db.q(ctx).QueryRowContext(ctx, "SELECT confidential, COALESCE(custodian_org_id, 0) FROM dir_locations WHERE id = ?", id).
		Scan(&confidential, &custodian)
	return custodian, confidential, translate(err)
}

// RecordReveal notes that a person opened a confidential address through
// a referral.
func (db *DB) RecordReveal(ctx context.Context, rv casework.Reveal) error {
	_, err := db.q(ctx).ExecContext(ctx, "INSERT INTO location_reveals (location_id, referral_id, user_id, org_id, at) VALUES (?, ?, ?, ?, ?)",
		rv.LocationID, nullableID(rv.ReferralID), rv.UserID, rv.OrgID, micros(rv.At))
	return translate(err)
}

// Reveals lists the openings of a referral's confidential address, oldest
// first.
func (db *DB) Reveals(ctx context.Context, referralID int64) ([]casework.Reveal, error) {
	var out []casework.Reveal
	err := db.scanRows(ctx, "SELECT location_id, COALESCE(referral_id, 0), user_id, org_id, at FROM location_reveals WHERE referral_id = ? ORDER BY id",
		[]any{referralID}, func(rows *sql.Rows) error {
			var rv casework.Reveal
			var at int64
			if err := rows.Scan(&rv.LocationID, &rv.ReferralID, &rv.UserID, &rv.OrgID, &at); err != nil {
				return err
			}
			rv.At = fromMicros(at)
			out = append(out, rv)
			return nil
		})
	return out, err
}

// storedLocation reads a location's clear columns.
func (db *DB) storedLocation(ctx context.Context, id string) (*directory.Location, error) {
	var r listingRow
	err := db.q(ctx).QueryRowContext(ctx, `SELECT id, COALESCE(organization_id, ''), location_type, name, latitude, longitude, confidential,
		COALESCE(custodian_org_id, 0), address, data FROM dir_locations WHERE id = ?`, id).
		Scan(&r.locID, &r.locOrg, &r.locType, &r.locName, &r.lat, &r.lon, &r.confidential, &r.custodian, &r.addresses, &r.locData)
	if err != nil {
		return nil, translate(err)
	}
	l, err := r.location()
	return &l, err
}

// UpdateAvailability records a provider's count of a listing's beds: the
// capacity, and the beds free now, or nil when no count is kept. It is the
// quick form a shelter fills in each day; the count is dated by the
// store's clock and signed by the user by.
func (db *DB) UpdateAvailability(ctx context.Context, serviceAtLocationID string, beds int, available *int, by int64) error {
	var f problem.Fields
	if beds < 0 {
		f.Add("beds", "field.out_of_range")
	}
	if available != nil && (*available < 0 || *available > beds) {
		f.Add("beds_available", "field.out_of_range")
	}
	if err := f.Err(); err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(q queryer) error {
		var one int
		if err := q.QueryRowContext(ctx, "SELECT 1 FROM dir_service_at_locations WHERE id = ?", serviceAtLocationID).Scan(&one); err != nil {
			return translate(err)
		}
		if _, err := q.ExecContext(ctx, upsertAvailability, serviceAtLocationID, beds, nullInt(available), micros(now), by); err != nil {
			return translate(err)
		}
		return bumpDirectory(ctx, q)
	})
}

// DeleteListing deletes a listing and its bed count. The service and the
// location go with it when no other listing uses them, and a deleted
// confidential location's data key is destroyed, so no copy of its sealed
// place, here or in a backup, opens again. The organization stays: it is
// a directory entry of its own, and may be linked to a member.
func (db *DB) DeleteListing(ctx context.Context, serviceAtLocationID string) error {
	return db.tx(ctx, func(q queryer) error {
		var service string
		var location sql.NullString
		if err := q.QueryRowContext(ctx, "SELECT service_id, location_id FROM dir_service_at_locations WHERE id = ?", serviceAtLocationID).
			Scan(&service, &location); err != nil {
			return translate(err)
		}
		if _, err := q.ExecContext(ctx, "DELETE FROM dir_service_at_locations WHERE id = ?", serviceAtLocationID); err != nil {
			return translate(err)
		}
		if err := bumpDirectory(ctx, q); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, "DELETE FROM dir_services WHERE id = ? AND NOT EXISTS (SELECT 1 FROM dir_service_at_locations WHERE service_id = ?)",
			service, service); err != nil {
			return translate(err)
		}
		if !location.Valid {
			return nil
		}
		id := location.String
		res, err := q.ExecContext(ctx, "DELETE FROM dir_locations WHERE id = ? AND NOT EXISTS (SELECT 1 FROM dir_service_at_locations WHERE location_id = ?)", id, id)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			_, err = q.ExecContext(ctx, "DELETE FROM data_keys WHERE subject = ?", locationSubject(id))
		}
		return translate(err)
	})
}

// LinkDirectoryOrganization records that the directory organization id is
// the Puente member memberOrgID, or with nil that it is no member.
// SaveListing leaves the link as it is.
func (db *DB) LinkDirectoryOrganization(ctx context.Context, id string, memberOrgID *int64) error {
	return db.tx(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, "UPDATE dir_organizations SET member_org_id = ? WHERE id = ?", nullID(memberOrgID), id)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "error.not_found")
		}
		return bumpDirectory(ctx, q)
	})
}

// bumpDirectory moves the directory's version on, in q's transaction.
func bumpDirectory(ctx context.Context, q queryer) error {
	_, err := q.ExecContext(ctx, "UPDATE dir_version SET version = version + 1 WHERE id = 1")
	return translate(err)
}

// DirectoryVersion is a number that changes whenever anything Listings
// returns changes: a listing saved or deleted, a bed count, a member
// linked. Equal versions mean equal listings, up to the time the bed
// counts go stale.
func (db *DB) DirectoryVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.q(ctx).QueryRowContext(ctx, "SELECT version FROM dir_version WHERE id = 1").Scan(&v)
	return v, translate(err)
}

func nullInt(n *int) sql.NullInt64 {
	if n == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*n), Valid: true}
}

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}
