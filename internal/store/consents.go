package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"puente/internal/casework"
	"puente/internal/problem"
	"puente/internal/secret"
)

// CreateConsent validates and stores a consent. The receiving organization
// must exist and must not be the case's own.
func (db *DB) CreateConsent(ctx context.Context, c *casework.Consent) error {
	now := db.now()
	if err := c.Normalize(now); err != nil {
		return err
	}
	return db.tx(ctx, func(q queryer) error { return db.insertConsent(ctx, q, c, now) })
}

// insertConsent stores a normalized consent in q's transaction.
func (db *DB) insertConsent(ctx context.Context, q queryer, c *casework.Consent, now time.Time) error {
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
	err := q.QueryRowContext(ctx, `INSERT INTO consents (case_id, org_id, classes, purpose, valid_from, valid_until, given_how, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.CaseID, c.OrgID, joinClasses(c.Classes), c.Purpose, micros(c.From), micros(c.Until), c.GivenHow, c.RecordedBy, micros(now)).Scan(&c.ID)
	if err != nil || c.Witness == "" {
		return translate(err)
	}
	// The witness's name is sealed under the case's key, with the
	// consent's id as associated data, once the id is known.
	sealed, err := db.sealForCase(ctx, q, c.CaseID, witnessAAD(c.ID), c.Witness)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, "UPDATE consents SET witness_ct = ? WHERE id = ?", sealed, c.ID)
	return translate(err)
}

func witnessAAD(consentID int64) string {
	return "consents/witness/" + strconv.FormatInt(consentID, 10)
}

func glassAAD(glassID int64) string { return "break_glass/reason/" + strconv.FormatInt(glassID, 10) }

// sealForCase seals a short text under a case's data key.
func (db *DB) sealForCase(ctx context.Context, q queryer, caseID int64, aad, plain string) ([]byte, error) {
	if err := db.requireKeys(); err != nil {
		return nil, err
	}
	dk, err := db.caseKey(ctx, q, caseID)
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	return dk.Seal([]byte(plain), aad), nil
}

// openForCase opens what sealForCase sealed; a case whose key was
// destroyed opens to nothing.
func (db *DB) openForCase(ctx context.Context, caseID int64, aad string, sealed []byte) (string, error) {
	if sealed == nil {
		return "", nil
	}
	if err := db.requireKeys(); err != nil {
		return "", err
	}
	dk, err := db.caseKey(ctx, db.q(ctx), caseID)
	if problem.Is(err, problem.NotFound) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	defer dk.Destroy()
	plain, err := dk.Open(sealed, aad)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", aad, err)
	}
	return string(plain), nil
}

// caseKey unwraps a case's data key in q's transaction.
func (db *DB) caseKey(ctx context.Context, q queryer, caseID int64) (*secret.DataKey, error) {
	var wrapped []byte
	if err := q.QueryRowContext(ctx, "SELECT wrapped FROM data_keys WHERE subject = ?", caseSubject(caseID)).Scan(&wrapped); err != nil {
		return nil, translate(err)
	}
	return db.keys.Unwrap(wrapped, caseSubject(caseID))
}

// RevokeConsent ends a consent at once.
func (db *DB) RevokeConsent(ctx context.Context, caseID, consentID, by int64) error {
	res, err := db.q(ctx).ExecContext(ctx, "UPDATE consents SET revoked_at = ?, revoked_by = ? WHERE id = ? AND case_id = ? AND revoked_at IS NULL",
		micros(db.now()), nullableID(by), consentID, caseID)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.NotFound, "error.not_found")
	}
	return nil
}

// Consents lists a case's consents, newest first, revoked ones included,
// with the witnesses' names opened.
func (db *DB) Consents(ctx context.Context, caseID int64) ([]casework.Consent, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT id, case_id, org_id, classes, purpose, valid_from, valid_until, given_how, witness_ct,
		recorded_by, recorded_at, revoked_at, revoked_by FROM consents WHERE case_id = ? ORDER BY id DESC`, caseID)
	if err != nil {
		return nil, translate(err)
	}
	var out []casework.Consent
	var witnesses [][]byte
	defer rows.Close()
	for rows.Next() {
		var c casework.Consent
		var classes string
		var from, until, recorded int64
		var revokedAt, revokedBy sql.NullInt64
		var witness []byte
		if err := rows.Scan(&c.ID, &c.CaseID, &c.OrgID, &classes, &c.Purpose, &from, &until, &c.GivenHow, &witness,
			&c.RecordedBy, &recorded, &revokedAt, &revokedBy); err != nil {
			return nil, translate(err)
		}
		witnesses = append(witnesses, witness)
		c.Classes = splitClasses(classes)
		c.From, c.Until, c.RecordedAt = fromMicros(from), fromMicros(until), fromMicros(recorded)
		c.RevokedAt = fromNullMicros(revokedAt)
		if revokedBy.Valid {
			c.RevokedBy = &revokedBy.Int64
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	rows.Close()
	for i := range out {
		if out[i].Witness, err = db.openForCase(ctx, caseID, witnessAAD(out[i].ID), witnesses[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ConsentedCaseIDs lists the cases of other organizations that org holds an
// active consent for at now.
func (db *DB) ConsentedCaseIDs(ctx context.Context, org int64, now time.Time) ([]int64, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT DISTINCT c.case_id FROM consents c JOIN cases k ON k.id = c.case_id
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
// another organization, until the given time. The reason, which tells of
// the emergency, is sealed under the case's key.
func (db *DB) OpenGlass(ctx context.Context, caseID, userID int64, reason string, until time.Time) error {
	return db.tx(ctx, func(q queryer) error {
		var id int64
		err := q.QueryRowContext(ctx, "INSERT INTO break_glass (case_id, user_id, reason, opened_at, until) VALUES (?, ?, '', ?, ?) RETURNING id",
			caseID, userID, micros(db.now()), micros(until)).Scan(&id)
		if err != nil {
			return translate(err)
		}
		sealed, err := db.sealForCase(ctx, q, caseID, glassAAD(id), reason)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, "UPDATE break_glass SET reason_ct = ? WHERE id = ?", sealed, id)
		return translate(err)
	})
}

// GlassOpenings lists emergency accesses to org's cases since a time, newest first.
func (db *DB) GlassOpenings(ctx context.Context, org int64, since time.Time) ([]casework.GlassOpening, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT g.id, g.case_id, g.user_id, u.name, o.name, g.reason_ct, g.opened_at, g.until
		FROM break_glass g JOIN cases c ON c.id = g.case_id JOIN users u ON u.id = g.user_id JOIN organizations o ON o.id = u.org_id
		WHERE c.org_id = ? AND g.opened_at >= ? ORDER BY g.opened_at DESC, g.id DESC LIMIT 50`, org, micros(since))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []casework.GlassOpening
	var ids []int64
	var reasons [][]byte
	for rows.Next() {
		var g casework.GlassOpening
		var id, opened, until int64
		var reason []byte
		if err := rows.Scan(&id, &g.CaseID, &g.UserID, &g.UserName, &g.OrgName, &reason, &opened, &until); err != nil {
			return nil, translate(err)
		}
		g.OpenedAt, g.Until = fromMicros(opened), fromMicros(until)
		out, ids, reasons = append(out, g), append(ids, id), append(reasons, reason)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	rows.Close()
	for i := range out {
		if out[i].Reason, err = db.openForCase(ctx, out[i].CaseID, glassAAD(ids[i]), reasons[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
