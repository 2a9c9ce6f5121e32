package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"puente/internal/interview"
	"puente/internal/keyset"
	"puente/internal/problem"
	"puente/internal/screening"
)

func screeningSubject(id int64) string { return "screening/" + strconv.FormatInt(id, 10) }

// sealedInterview is what a screening keeps sealed: what the person said,
// and what it means in law.
type sealedInterview struct {
	Age *int `json:"age,omitempty"`
	// InterpreterLanguage is sealed too: an Indigenous language spoken by
	// few people at a shelter can name the person.
	InterpreterLanguage string                                      `json:"interpreter_language,omitempty"`
	Answers             screening.Answers                           `json:"answers"`
	Results             map[screening.Jurisdiction]screening.Result `json:"results,omitempty"`
}

// CreateScreening stores a new interview under a data key of its own.
func (db *DB) CreateScreening(ctx context.Context, r *interview.Record) error {
	if err := db.requireKeys(); err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(q queryer) error {
		err := q.QueryRowContext(ctx, `INSERT INTO screenings (org_id, created_by, status, form, protocol_version, interview_language, interpreter,
			interpreter_language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?) RETURNING id`,
			r.OrgID, r.CreatedBy, r.Status, r.Form, r.ProtocolVersion, r.Language, r.Interpreter, micros(now), micros(now)).Scan(&r.ID)
		if err != nil {
			return translate(err)
		}
		_, wrapped, err := db.keys.NewDataKey(screeningSubject(r.ID))
		if err != nil {
			return err
		}
		kek, _ := db.keys.KEKOf(wrapped)
		if _, err := q.ExecContext(ctx, "INSERT INTO data_keys (subject, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?)",
			screeningSubject(r.ID), kek, wrapped, micros(now)); err != nil {
			return translate(err)
		}
		r.CreatedAt, r.UpdatedAt = now, now
		return db.sealScreening(ctx, q, r)
	})
}

// SaveScreening stores an interview's settings, answers, notes, result and case.
func (db *DB) SaveScreening(ctx context.Context, r *interview.Record) error {
	if err := db.requireKeys(); err != nil {
		return err
	}
	now := db.now()
	labels := map[screening.Jurisdiction]string{}
	for j, res := range r.Results {
		labels[j] = string(res.Determination)
	}
	return db.tx(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, `UPDATE screenings SET case_id = ?, status = ?, form = ?, protocol_version = ?, interview_language = ?,
			interpreter = ?, interpreter_language = '', us_label = ?, mx_label = ?, un_label = ?, updated_at = ?, completed_at = ? WHERE id = ?`,
			nullID(r.CaseID), r.Status, r.Form, r.ProtocolVersion, r.Language, r.Interpreter,
			labels["us"], labels["mx"], labels["un"], micros(now), nullTime(r.CompletedAt), r.ID)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "error.not_found")
		}
		r.UpdatedAt = now
		return db.sealScreening(ctx, q, r)
	})
}

func (db *DB) sealScreening(ctx context.Context, q queryer, r *interview.Record) error {
	var wrapped []byte
	if err := q.QueryRowContext(ctx, "SELECT wrapped FROM data_keys WHERE subject = ?", screeningSubject(r.ID)).Scan(&wrapped); err != nil {
		return translate(err)
	}
	dk, err := db.keys.Unwrap(wrapped, screeningSubject(r.ID))
	if err != nil {
		return err
	}
	defer dk.Destroy()
	plain, err := json.Marshal(sealedInterview{Age: r.Age, InterpreterLanguage: r.InterpreterLanguage, Answers: r.Answers, Results: r.Results})
	if err != nil {
		return err
	}
	id := strconv.FormatInt(r.ID, 10)
	_, err = q.ExecContext(ctx, "UPDATE screenings SET answers_ct = ?, notes_ct = ? WHERE id = ?",
		dk.Seal(plain, "screenings/answers/"+id), dk.SealString(r.Notes, "screenings/notes/"+id), r.ID)
	return translate(err)
}

// Screening loads an interview with its answers and notes unsealed.
func (db *DB) Screening(ctx context.Context, id int64) (*interview.Record, error) {
	if err := db.requireKeys(); err != nil {
		return nil, err
	}
	var r interview.Record
	var caseID, completed sql.NullInt64
	var created, updated int64
	var answers, notes []byte
	err := db.q(ctx).QueryRowContext(ctx, `SELECT id, org_id, created_by, case_id, status, form, protocol_version, interview_language, interpreter,
		interpreter_language, answers_ct, notes_ct, created_at, updated_at, completed_at FROM screenings WHERE id = ?`, id).
		Scan(&r.ID, &r.OrgID, &r.CreatedBy, &caseID, &r.Status, &r.Form, &r.ProtocolVersion, &r.Language, &r.Interpreter,
			&r.InterpreterLanguage, &answers, &notes, &created, &updated, &completed)
	if err != nil {
		return nil, translate(err)
	}
	if caseID.Valid {
		r.CaseID = &caseID.Int64
	}
	r.CreatedAt, r.UpdatedAt, r.CompletedAt = fromMicros(created), fromMicros(updated), fromNullMicros(completed)
	dk, err := db.dataKey(ctx, screeningSubject(id))
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	sid := strconv.FormatInt(id, 10)
	plain, err := dk.Open(answers, "screenings/answers/"+sid)
	if err != nil {
		return nil, fmt.Errorf("screening %d answers: %w", id, err)
	}
	var sealed sealedInterview
	if err := json.Unmarshal(plain, &sealed); err != nil {
		return nil, fmt.Errorf("screening %d answers: %w", id, err)
	}
	r.Age, r.Answers, r.Results = sealed.Age, sealed.Answers, sealed.Results
	if sealed.InterpreterLanguage != "" {
		r.InterpreterLanguage = sealed.InterpreterLanguage // else a screening saved before it was sealed: SealLegacy moves it
	}
	if r.Notes, err = dk.OpenString(notes, "screenings/notes/"+sid); err != nil {
		return nil, fmt.Errorf("screening %d notes: %w", id, err)
	}
	return &r, nil
}

// Screenings lists an organization's interviews, newest first: at most
// limit of them, from the one after the cursor after (the start when it is
// zero); createdBy narrows them to one interviewer when not zero. Nothing
// sealed is read.
func (db *DB) Screenings(ctx context.Context, org, createdBy int64, after keyset.Cursor, limit int) ([]interview.Summary, error) {
	query := `SELECT id, created_by, case_id, status, form, us_label, mx_label, un_label, created_at, updated_at FROM screenings WHERE org_id = ?`
	args := []any{org}
	if createdBy != 0 {
		query += " AND created_by = ?"
		args = append(args, createdBy)
	}
	if !after.IsZero() {
		query += " AND (updated_at, id) < (?, ?)"
		args = append(args, micros(after.At), after.ID)
	}
	rows, err := db.q(ctx).QueryContext(ctx, query+" ORDER BY updated_at DESC, id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []interview.Summary
	for rows.Next() {
		var s interview.Summary
		var caseID sql.NullInt64
		var us, mx, un string
		var created, updated int64
		if err := rows.Scan(&s.ID, &s.CreatedBy, &caseID, &s.Status, &s.Form, &us, &mx, &un, &created, &updated); err != nil {
			return nil, translate(err)
		}
		if caseID.Valid {
			s.CaseID = &caseID.Int64
		}
		s.Labels = map[screening.Jurisdiction]screening.Label{"us": screening.Label(us), "mx": screening.Label(mx), "un": screening.Label(un)}
		s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, s)
	}
	return out, translate(rows.Err())
}

func nullID(id *int64) sql.NullInt64 {
	if id == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *id, Valid: true}
}

func nullTime(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}
