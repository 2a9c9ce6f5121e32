package store

import (
	"context"
	"database/sql"

	"puente/internal/account"
	"puente/internal/problem"
)

const orgColumns = "id, name, country, kind, city, region, vetted, disabled, created_at, updated_at"

// CreateOrganization validates o, stores it and sets its id and times.
func (db *DB) CreateOrganization(ctx context.Context, o *account.Organization) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	now := db.now()
	err := db.q(ctx).QueryRowContext(ctx, `INSERT INTO organizations (name, country, kind, city, region, vetted, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.Name, o.Country, o.Kind, o.City, o.Region, o.Vetted, o.Disabled, micros(now), micros(now)).Scan(&o.ID)
	if err != nil {
		return orgConflict(translate(err))
	}
	o.CreatedAt, o.UpdatedAt = now, now
	return nil
}

// UpdateOrganization validates o and stores its fields over the record with its id.
func (db *DB) UpdateOrganization(ctx context.Context, o *account.Organization) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	now := db.now()
	res, err := db.q(ctx).ExecContext(ctx, `UPDATE organizations SET name = ?, country = ?, kind = ?, city = ?, region = ?,
		vetted = ?, disabled = ?, updated_at = ? WHERE id = ?`,
		o.Name, o.Country, o.Kind, o.City, o.Region, o.Vetted, o.Disabled, micros(now), o.ID)
	if err != nil {
		return orgConflict(translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.NotFound, "error.not_found")
	}
	o.UpdatedAt = now
	return nil
}

func orgConflict(err error) error {
	if problem.Is(err, problem.Conflict) {
		return &problem.Error{Kind: problem.Conflict, Key: "error.conflict", Fields: []problem.FieldError{{Field: "name", Key: "orgs.name_taken"}}, Err: err}
	}
	return err
}

// Organization returns the organization with id.
func (db *DB) Organization(ctx context.Context, id int64) (*account.Organization, error) {
	o, err := scanOrg(db.q(ctx).QueryRowContext(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", id))
	return o, translate(err)
}

// Organizations lists organizations by name.
func (db *DB) Organizations(ctx context.Context, f account.OrgFilter) ([]account.Organization, error) {
	query := "SELECT " + orgColumns + " FROM organizations WHERE 1 = 1"
	var args []any
	if f.Country != "" {
		query += " AND country = ?"
		args = append(args, f.Country)
	}
	if f.Kind != "" {
		query += " AND kind = ?"
		args = append(args, f.Kind)
	}
	if !f.WithDisabled {
		query += " AND NOT disabled"
	}
	rows, err := db.q(ctx).QueryContext(ctx, query+" ORDER BY lower(name), id", args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []account.Organization
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, translate(rows.Err())
}

type scanner interface{ Scan(dest ...any) error }

func scanOrg(s scanner) (*account.Organization, error) {
	var o account.Organization
	var created, updated int64
	if err := s.Scan(&o.ID, &o.Name, &o.Country, &o.Kind, &o.City, &o.Region, &o.Vetted, &o.Disabled, &created, &updated); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &o, nil
}

// count runs a COUNT query.
func (db *DB) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := db.q(ctx).QueryRowContext(ctx, query, args...).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return n, translate(err)
}

// CountOrganizations counts organizations that are not disabled.
func (db *DB) CountOrganizations(ctx context.Context) (int, error) {
	return db.count(ctx, "SELECT COUNT(*) FROM organizations WHERE NOT disabled")
}
