package store

import (
	"context"
	"database/sql"
	"time"

	"puente/internal/casework"
	"puente/internal/problem"
)

// CreateConsent validates and stores a consent. The receiving organization
// must exist and must not be the case's own.
func (db *DB) CreateConsent(ctx context.Context, c *casework.Consent) error {
	now := db.now()
	if err := c.Normalize(now); err != nil {
		return err
	}
	return db.tx(ctx, func(q queryer) error { return insertConsent(ctx, q, c, now) })
}

// insertConsent stores a normalized consent in q's transaction.
func insertConsent(ctx context.Context, q queryer, c *casework.Consent, now time.Time) error {
	var caseOrg int64
	if err := q.QueryRowContext(ctx, "SELECT org_id FROM cases WHERE id = ? AND deleted_at IS NULL", c.CaseID).Scan(&caseOrg); err != nil {
		return translate(err)
	}
	if caseOrg == c.OrgID {
		return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "organization_id", Key: "consent.own_org"}}}
	}
	if err := checkOrgUsable(ctx, q, c.OrgID); err != nil {
		return err
	}
	c.RecordedAt = now
	err := q.QueryRowContext(ctx, `INSERT INTO consents (case_id, org_id, classes, purpose, valid_from, valid_until, given_how, witness, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.CaseID, c.OrgID, joinClasses(c.Classes), c.Purpose, micros(c.From), micros(c.Until), c.GivenHow, c.Witness, c.RecordedBy, micros(now)).Scan(&c.ID)
	return translate(err)
}

// RevokeConsent ends a consent at once.
func (db *DB) RevokeConsent(ctx context.Context, caseID, consentID, by int64) error {
	res, err := db.q().ExecContext(ctx, "UPDATE consents SET revoked_at = ?, revoked_by = ? WHERE id = ? AND case_id = ? AND revoked_at IS NULL",
		micros(db.now()), by, consentID, caseID)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.NotFound, "error.not_found")
	}
	return nil
}

// Consents lists a case's consents, newest first, revoked ones included.
func (db *DB) Consents(ctx context.Context, caseID int64) ([]casework.Consent, error) {
	rows, err := db.q().QueryContext(ctx, `SELECT id, case_id, org_id, classes, purpose, valid_from, valid_until, given_how, witness,
		recorded_by, recorded_at, revoked_at, revoked_by FROM consents WHERE case_id = ? ORDER BY id DESC`, caseID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []casework.Consent
	for rows.Next() {
		var c casework.Consent
		var classes string
		var from, until, recorded int64
		var revokedAt, revokedBy sql.NullInt64
		if err := rows.Scan(&c.ID, &c.CaseID, &c.OrgID, &classes, &c.Purpose, &from, &until, &c.GivenHow, &c.Witness,
			&c.RecordedBy, &recorded, &revokedAt, &revokedBy); err != nil {
			return nil, translate(err)
		}
		c.Classes = splitClasses(classes)
		c.From, c.Until, c.RecordedAt = fromMicros(from), fromMicros(until), fromMicros(recorded)
		c.RevokedAt = fromNullMicros(revokedAt)
		if revokedBy.Valid {
			c.RevokedBy = &revokedBy.Int64
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

// ConsentedCaseIDs lists the cases of other organizations that org holds an
// active consent for at now.
func (db *DB) ConsentedCaseIDs(ctx context.Context, org int64, now time.Time) ([]int64, error) {
	rows, err := db.q().QueryContext(ctx, `SELECT DISTINCT c.case_id FROM consents c JOIN cases k ON k.id = c.case_id
		WHERE c.org_id = ? AND c.revoked_at IS NULL AND c.valid_from <= ? AND c.valid_until > ? AND k.deleted_at IS NULL ORDER BY c.case_id`,
		org, micros(now), micros(now))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		out = append(out, id)
	}
	return out, translate(rows.Err())
}

// OpenGlass records an emergency access to a case by a supervisor of
// another organization, until the given time.
func (db *DB) OpenGlass(ctx context.Context, caseID, userID int64, reason string, until time.Time) error {
	_, err := db.q().ExecContext(ctx, "INSERT INTO break_glass (case_id, user_id, reason, opened_at, until) VALUES (?, ?, ?, ?, ?)",
		caseID, userID, reason, micros(db.now()), micros(until))
	return translate(err)
}

// GlassOpening is one emergency access to an organization's case, for the
// notice its administrators and supervisors see.
type GlassOpening struct {
	CaseID   int64
	UserID   int64
	UserName string
	OrgName  string
	Reason   string
	OpenedAt time.Time
	Until    time.Time
}

// GlassOpenings lists emergency accesses to org's cases since a time, newest first.
func (db *DB) GlassOpenings(ctx context.Context, org int64, since time.Time) ([]GlassOpening, error) {
	rows, err := db.q().QueryContext(ctx, `SELECT g.case_id, g.user_id, u.name, o.name, g.reason, g.opened_at, g.until
		FROM break_glass g JOIN cases c ON c.id = g.case_id JOIN users u ON u.id = g.user_id JOIN organizations o ON o.id = u.org_id
		WHERE c.org_id = ? AND g.opened_at >= ? ORDER BY g.opened_at DESC, g.id DESC LIMIT 50`, org, micros(since))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []GlassOpening
	for rows.Next() {
		var g GlassOpening
		var opened, until int64
		if err := rows.Scan(&g.CaseID, &g.UserID, &g.UserName, &g.OrgName, &g.Reason, &opened, &until); err != nil {
			return nil, translate(err)
		}
		g.OpenedAt, g.Until = fromMicros(opened), fromMicros(until)
		out = append(out, g)
	}
	return out, translate(rows.Err())
}
