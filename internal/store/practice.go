package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"puente/internal/practice"
)

const practiceColumns = "id, org_id, title, narrative_en, narrative_es, age, answers, expected, reasoning, created_by, created_at"

// CreatePracticeVignette keeps a vignette an organization wrote for its
// trainees and sets its ids and time. The caller normalizes it first
// (practice.Vignette.Normalize).
func (db *DB) CreatePracticeVignette(ctx context.Context, v *practice.OrgVignette) error {
	answers, err := json.Marshal(v.Vignette.Answers)
	if err != nil {
		return fmt.Errorf("create practice vignette: %w", err)
	}
	expected, err := json.Marshal(v.Vignette.Expected)
	if err != nil {
		return fmt.Errorf("create practice vignette: %w", err)
	}
	now := db.now()
	var age sql.NullInt64
	if v.Vignette.Age != nil {
		age = sql.NullInt64{Int64: int64(*v.Vignette.Age), Valid: true}
	}
	err = db.q(ctx).QueryRowContext(ctx, `INSERT INTO practice_vignettes (org_id, title, narrative_en, narrative_es, age, answers, expected,
		reasoning, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		v.OrgID, v.Vignette.Title, v.Vignette.NarrativeEN, v.Vignette.NarrativeES, age, string(answers), string(expected),
		v.Vignette.Reasoning, v.CreatedBy, micros(now)).Scan(&v.ID)
	if err != nil {
		return translate(err)
	}
	v.CreatedAt = now
	v.Vignette.ID = practice.OrgVignetteID(v.ID)
	return nil
}

// PracticeVignette returns one of the organization's vignettes; another
// organization's is not found.
func (db *DB) PracticeVignette(ctx context.Context, orgID, id int64) (*practice.OrgVignette, error) {
	row := db.q(ctx).QueryRowContext(ctx, "SELECT "+practiceColumns+" FROM practice_vignettes WHERE org_id = ? AND id = ?", orgID, id)
	v, err := scanPracticeVignette(row)
	if err != nil {
		return nil, translate(err)
	}
	return v, nil
}

// PracticeVignettes lists the organization's vignettes, oldest first.
func (db *DB) PracticeVignettes(ctx context.Context, orgID int64) ([]practice.OrgVignette, error) {
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT "+practiceColumns+" FROM practice_vignettes WHERE org_id = ? ORDER BY id LIMIT 500", orgID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []practice.OrgVignette
	for rows.Next() {
		v, err := scanPracticeVignette(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, *v)
	}
	return out, translate(rows.Err())
}

func scanPracticeVignette(row interface{ Scan(...any) error }) (*practice.OrgVignette, error) {
	var v practice.OrgVignette
	var age sql.NullInt64
	var answers, expected string
	var created int64
	vg := &v.Vignette
	if err := row.Scan(&v.ID, &v.OrgID, &vg.Title, &vg.NarrativeEN, &vg.NarrativeES, &age, &answers, &expected,
		&vg.Reasoning, &v.CreatedBy, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(answers), &vg.Answers); err != nil {
		return nil, fmt.Errorf("practice vignette %d answers: %w", v.ID, err)
	}
	if err := json.Unmarshal([]byte(expected), &vg.Expected); err != nil {
		return nil, fmt.Errorf("practice vignette %d expected: %w", v.ID, err)
	}
	if age.Valid {
		a := int(age.Int64)
		vg.Age = &a
	}
	vg.ID = practice.OrgVignetteID(v.ID)
	v.CreatedAt = fromMicros(created)
	return &v, nil
}
