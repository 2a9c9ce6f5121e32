package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/casework"
	"puente/internal/problem"
)

var _ casework.ReferralStore = (*DB)(nil)

// referralNotes is the sealed part of a referral.
type referralNotes struct {
	Note        string `json:"note,omitempty"`
	OutcomeNote string `json:"outcome_note,omitempty"`
}

func referralAAD(id int64) string { return "referrals/notes/" + strconv.FormatInt(id, 10) }

// sealNotes seals the referral's notes under its case's data key, or
// returns nil when there are none.
func (db *DB) sealNotes(ctx context.Context, r *casework.Referral) ([]byte, error) {
	if r.Note == "" && r.OutcomeNote == "" {
		return nil, nil
	}
	if err := db.requireKeys(); err != nil {
		return nil, err
	}
	dk, err := db.dataKey(ctx, caseSubject(r.CaseID))
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	plain, err := json.Marshal(referralNotes{r.Note, r.OutcomeNote})
	if err != nil {
		return nil, err
	}
	return dk.Seal(plain, referralAAD(r.ID)), nil
}

// CreateReferral stores a new referral (already normalized by the
// referral service) with its first event and, when consent is not nil, the
// survivor's consent given with it, in one transaction: a consent is never
// left granting access without its referral. The case must exist, and the
// receiving organization, when there is one, must be usable.
func (db *DB) CreateReferral(ctx context.Context, r *casework.Referral, consent *casework.Consent) error {
	now := db.now()
	if consent != nil {
		if err := consent.Normalize(now); err != nil {
			return err
		}
	}
	err := db.tx(ctx, func(q queryer) error {
		if consent != nil {
			if err := db.insertConsent(ctx, q, consent, now); err != nil {
				return err
			}
			r.ConsentID, r.Classes, r.OwnConsent = consent.ID, consent.Classes, true
		}
		var one int
		if err := q.QueryRowContext(ctx, "SELECT 1 FROM cases WHERE id = ? AND deleted_at IS NULL", r.CaseID).Scan(&one); err != nil {
			return translate(err)
		}
		if r.ToOrgID != 0 {
			if err := checkOrgUsable(ctx, q, r.ToOrgID); err != nil {
				return err
			}
		}
		err := q.QueryRowContext(ctx, `INSERT INTO referrals (case_id, from_org_id, to_org_id, service_at_location_id, service_id, location_id,
			service_name, provider_name, provider_country, from_country, needs, consent_id, classes, status, answer_by, created_by, created_at, updated_at, own_consent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.CaseID, r.FromOrgID, nullableID(r.ToOrgID), r.ServiceAtLocationID, r.ServiceID, r.LocationID,
			r.ServiceName, r.ProviderName, string(r.ProviderCountry), string(r.FromCountry), strings.Join(r.Needs, " "),
			nullableID(r.ConsentID), joinClasses(r.Classes), r.Status, micros(r.AnswerBy), r.CreatedBy, micros(r.CreatedAt), micros(r.UpdatedAt), r.OwnConsent).Scan(&r.ID)
		if err != nil {
			return translate(err)
		}
		for _, e := range r.Events {
			if err := insertReferralEvent(ctx, q, r.ID, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || (r.Note == "" && r.OutcomeNote == "") {
		return err
	}
	// The notes are sealed with the id as associated data, so they are
	// written once the id is known.
	return db.writeNotes(ctx, r)
}

func (db *DB) writeNotes(ctx context.Context, r *casework.Referral) error {
	sealed, err := db.sealNotes(ctx, r)
	if err != nil {
		return err
	}
	_, err = db.q(ctx).ExecContext(ctx, "UPDATE referrals SET notes_ct = ? WHERE id = ?", sealed, r.ID)
	return translate(err)
}

func insertReferralEvent(ctx context.Context, q queryer, id int64, e casework.ReferralEvent) error {
	_, err := q.ExecContext(ctx, "INSERT INTO referral_events (referral_id, from_status, to_status, by_user, by_org, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, e.From, e.To, nullableID(e.By), nullableID(e.OrgID), micros(e.At), e.Reason)
	return translate(err)
}

// SaveReferralMove stores a move made by casework.Referral.Move: the new
// status, reasons and outcome, and the newest event. It refuses, as a
// conflict, a move made on a copy that another move has overtaken.
func (db *DB) SaveReferralMove(ctx context.Context, r *casework.Referral) error {
	if len(r.Events) == 0 {
		return fmt.Errorf("referral %d: no move to save", r.ID)
	}
	e := r.Events[len(r.Events)-1]
	sealed, err := db.sealNotes(ctx, r)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, `UPDATE referrals SET status = ?, decline_reason = ?, revoke_reason = ?, outcome = ?, notes_ct = ?, updated_at = ?
			WHERE id = ? AND status = ?`, r.Status, r.DeclineReason, r.RevokeReason, r.Outcome, sealed, micros(r.UpdatedAt), r.ID, e.From)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "referral.changed")
		}
		return insertReferralEvent(ctx, q, r.ID, e)
	})
}

const referralColumns = `id, case_id, from_org_id, COALESCE(to_org_id, 0), service_at_location_id, service_id, location_id, service_name,
	provider_name, provider_country, from_country, needs, COALESCE(consent_id, 0), classes, status, answer_by, decline_reason, revoke_reason,
	outcome, notes_ct, created_by, created_at, updated_at, own_consent`

type referralRow struct {
	r                              casework.Referral
	provider, from, needs, classes string
	answerBy, createdAt, updatedAt int64
	notes                          []byte
}

func (w *referralRow) dest() []any {
	r := &w.r
	return []any{&r.ID, &r.CaseID, &r.FromOrgID, &r.ToOrgID, &r.ServiceAtLocationID, &r.ServiceID, &r.LocationID, &r.ServiceName,
		&r.ProviderName, &w.provider, &w.from, &w.needs, &r.ConsentID, &w.classes, &r.Status, &w.answerBy, &r.DeclineReason, &r.RevokeReason,
		&r.Outcome, &w.notes, &r.CreatedBy, &w.createdAt, &w.updatedAt, &r.OwnConsent}
}

func (w *referralRow) referral() casework.Referral {
	r := w.r
	r.ProviderCountry, r.FromCountry = account.Country(w.provider), account.Country(w.from)
	r.Needs = strings.Fields(w.needs)
	r.Classes = splitClasses(w.classes)
	r.AnswerBy, r.CreatedAt, r.UpdatedAt = fromMicros(w.answerBy), fromMicros(w.createdAt), fromMicros(w.updatedAt)
	return r
}

// Referral returns one referral with its notes opened and its history.
func (db *DB) Referral(ctx context.Context, id int64) (*casework.Referral, error) {
	var w referralRow
	if err := db.q(ctx).QueryRowContext(ctx, "SELECT "+referralColumns+" FROM referrals WHERE id = ?", id).Scan(w.dest()...); err != nil {
		return nil, translate(err)
	}
	r := w.referral()
	if w.notes != nil {
		if err := db.openNotes(ctx, &r, w.notes); err != nil {
			return nil, err
		}
	}
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT from_status, to_status, COALESCE(by_user, 0), COALESCE(by_org, 0), at, reason FROM referral_events WHERE referral_id = ? ORDER BY id", id)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e casework.ReferralEvent
		var at int64
		if err := rows.Scan(&e.From, &e.To, &e.By, &e.OrgID, &at, &e.Reason); err != nil {
			return nil, translate(err)
		}
		e.At = fromMicros(at)
		r.Events = append(r.Events, e)
	}
	return &r, translate(rows.Err())
}

func (db *DB) openNotes(ctx context.Context, r *casework.Referral, sealed []byte) error {
	if err := db.requireKeys(); err != nil {
		return err
	}
	dk, err := db.dataKey(ctx, caseSubject(r.CaseID))
	if err != nil {
		return err
	}
	defer dk.Destroy()
	plain, err := dk.Open(sealed, referralAAD(r.ID))
	if err != nil {
		return fmt.Errorf("referral %d notes: %w", r.ID, err)
	}
	var n referralNotes
	if err := json.Unmarshal(plain, &n); err != nil {
		return fmt.Errorf("referral %d notes: %w", r.ID, err)
	}
	r.Note, r.OutcomeNote = n.Note, n.OutcomeNote
	return nil
}

// Referrals lists referrals, newest first from f.After, without their notes
// or history: one more than f.Limit when it is set, so that the caller
// knows whether another page follows.
func (db *DB) Referrals(ctx context.Context, f casework.ReferralFilter) ([]casework.Referral, error) {
	var where []string
	var args []any
	if f.CaseID != 0 {
		where, args = append(where, "case_id = ?"), append(args, f.CaseID)
	}
	if f.OrgID != 0 {
		var sides []string
		if f.Incoming {
			sides, args = append(sides, "to_org_id = ?"), append(args, f.OrgID)
		}
		if f.Outgoing {
			sides, args = append(sides, "from_org_id = ?"), append(args, f.OrgID)
		}
		if len(sides) == 0 {
			return nil, nil
		}
		where = append(where, "("+strings.Join(sides, " OR ")+")")
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if !f.After.IsZero() {
		where = append(where, "(updated_at, id) < (?, ?)")
		args = append(args, micros(f.After.At), f.After.ID)
	}
	query := "SELECT " + referralColumns + " FROM referrals"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY updated_at DESC, id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit+1)
	}
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []casework.Referral
	for rows.Next() {
		var w referralRow
		if err := rows.Scan(w.dest()...); err != nil {
			return nil, translate(err)
		}
		out = append(out, w.referral())
	}
	return out, translate(rows.Err())
}

// OverdueReferrals returns the ids of sent referrals nobody answered by
// their time.
func (db *DB) OverdueReferrals(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT id FROM referrals WHERE status = ? AND answer_by <= ? ORDER BY id", casework.RefSent, micros(now))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		ids = append(ids, id)
	}
	return ids, translate(rows.Err())
}

func nullableID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// joinClasses and splitClasses store sensitivity classes as one
// space-separated column, as consents and referrals keep them.
func joinClasses(cs []access.Class) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return strings.Join(out, " ")
}

func splitClasses(s string) []access.Class {
	var out []access.Class
	for _, c := range strings.Fields(s) {
		out = append(out, access.Class(c))
	}
	return out
}

// ReferralCounts counts the referrals sent to org that wait for its answer
// (sent and not overdue at now) and those it accepted or is serving.
func (db *DB) ReferralCounts(ctx context.Context, org int64, now time.Time) (waiting, working int, err error) {
	err = db.q(ctx).QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status = ? AND answer_by > ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status IN (?, ?) THEN 1 ELSE 0 END), 0)
		FROM referrals WHERE to_org_id = ?`, casework.RefSent, micros(now), casework.RefAccepted, casework.RefInService, org).Scan(&waiting, &working)
	return waiting, working, translate(err)
}
