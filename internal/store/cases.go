package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/casework"
	"puente/internal/problem"
	"puente/internal/secret"
)

// UseKeyring gives the store the deployment's keyring, which it needs to
// seal and open the sensitive parts of cases and to seal audit entries.
func (db *DB) UseKeyring(kr *secret.Keyring) {
	db.keys, db.auditKey = kr, nil
	if kr != nil {
		db.auditKey = kr.Derive(audit.ChainKeyPurpose)
	}
}

func caseSubject(id int64) string { return "case/" + strconv.FormatInt(id, 10) }

// sealedColumns maps each sealed class to its column. The associated data
// of a sealed value is "cases/<class>/<id>", so a value copied to another
// column or another case does not open.
var sealedColumns = []struct {
	class  access.Class
	column string
}{
	{access.Identity, "identity_ct"},
	{access.Location, "location_ct"},
	{access.Immigration, "immigration_ct"},
	{access.Narrative, "narrative_ct"},
}

func fieldAAD(class access.Class, id int64) string {
	return "cases/" + string(class) + "/" + strconv.FormatInt(id, 10)
}

// part returns the case's value for a sealed class, or nil when absent.
func part(c *casework.Case, class access.Class) any {
	switch class {
	case access.Identity:
		if c.Identity != nil {
			return c.Identity
		}
	case access.Location:
		if c.Location != nil {
			return c.Location
		}
	case access.Immigration:
		if c.Immigration != nil {
			return c.Immigration
		}
	case access.Narrative:
		if c.Narrative != nil {
			return c.Narrative
		}
	}
	return nil
}

// setPart decodes a sealed class's JSON into the case.
func setPart(c *casework.Case, class access.Class, b []byte) error {
	var dst any
	switch class {
	case access.Identity:
		c.Identity = &casework.Identity{}
		dst = c.Identity
	case access.Location:
		c.Location = &casework.Location{}
		dst = c.Location
	case access.Immigration:
		c.Immigration = &casework.Immigration{}
		dst = c.Immigration
	case access.Narrative:
		c.Narrative = &casework.Narrative{}
		dst = c.Narrative
	default:
		return fmt.Errorf("unknown class %q", class)
	}
	return json.Unmarshal(b, dst)
}

func (db *DB) requireKeys() error {
	if db.keys == nil {
		return problem.Wrap(problem.Internal, "error.internal", fmt.Errorf("store: no keyring: call UseKeyring"))
	}
	return nil
}

// CreateCase validates c and stores it: a new data key for the case, its
// sensitive parts sealed under that key, its name tokens in the blind
// index, its caseworkers and its first status. It sets c.ID and the times.
func (db *DB) CreateCase(ctx context.Context, c *casework.Case) error {
	if err := db.requireKeys(); err != nil {
		return err
	}
	if c.Status == "" {
		c.Status = casework.Identified
	}
	if err := c.Normalize(); err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(q queryer) error {
		profile, err := json.Marshal(c.Profile)
		if err != nil {
			return err
		}
		err = q.QueryRowContext(ctx, `INSERT INTO cases (org_id, status, created_by, created_at, updated_at, gender, age_band, victim_status, profile)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.OrgID, c.Status, c.CreatedBy, micros(now), micros(now), c.Profile.Gender, c.Profile.AgeBand, c.Profile.VictimStatus, string(profile)).Scan(&c.ID)
		if err != nil {
			return translate(err)
		}
		dk, wrapped, err := db.keys.NewDataKey(caseSubject(c.ID))
		if err != nil {
			return err
		}
		defer dk.Destroy()
		kek, _ := db.keys.KEKOf(wrapped)
		if _, err := q.ExecContext(ctx, "INSERT INTO data_keys (subject, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?)",
			caseSubject(c.ID), kek, wrapped, micros(now)); err != nil {
			return translate(err)
		}
		c.CreatedAt, c.UpdatedAt = now, now
		if err := writeParts(ctx, q, dk, c, access.Classes); err != nil {
			return err
		}
		if err := db.writeNameIndex(ctx, q, c); err != nil {
			return err
		}
		if err := setAssigned(ctx, q, c.ID, c.Assigned); err != nil {
			return err
		}
		c.Transitions = []casework.Transition{{To: c.Status, By: c.CreatedBy, At: now}}
		return insertTransition(ctx, q, c.ID, c.Transitions[0])
	})
}

// writeParts seals and stores the case's sensitive parts of the given
// classes; an absent part clears its column.
func writeParts(ctx context.Context, q queryer, dk *secret.DataKey, c *casework.Case, classes []access.Class) error {
	for _, sc := range sealedColumns {
		if !slices.Contains(classes, sc.class) {
			continue
		}
		var sealed []byte
		if v := part(c, sc.class); v != nil {
			plain, err := json.Marshal(v)
			if err != nil {
				return err
			}
			sealed = dk.Seal(plain, fieldAAD(sc.class, c.ID))
		}
		if _, err := q.ExecContext(ctx, "UPDATE cases SET "+sc.column+" = ? WHERE id = ?", sealed, c.ID); err != nil {
			return translate(err)
		}
	}
	return nil
}

func (db *DB) writeNameIndex(ctx context.Context, q queryer, c *casework.Case) error {
	if c.Identity == nil {
		return nil
	}
	if _, err := q.ExecContext(ctx, "DELETE FROM case_name_index WHERE case_id = ?", c.ID); err != nil {
		return translate(err)
	}
	for _, tok := range casework.NameTokens(c.Identity) {
		if _, err := q.ExecContext(ctx, "INSERT INTO case_name_index (token, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
			db.keys.BlindIndex("name:"+tok), c.ID); err != nil {
			return translate(err)
		}
	}
	return nil
}

func setAssigned(ctx context.Context, q queryer, id int64, users []int64) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM case_assignments WHERE case_id = ?", id); err != nil {
		return translate(err)
	}
	for _, u := range users {
		if _, err := q.ExecContext(ctx, "INSERT INTO case_assignments (case_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", id, u); err != nil {
			return translate(err)
		}
	}
	return nil
}

func insertTransition(ctx context.Context, q queryer, id int64, t casework.Transition) error {
	_, err := q.ExecContext(ctx, "INSERT INTO case_transitions (case_id, from_status, to_status, by_user, at, reason) VALUES (?, ?, ?, ?, ?, ?)",
		id, t.From, t.To, t.By, micros(t.At), t.Reason)
	return translate(err)
}

// Case loads a case with only the sensitive classes named; the others stay
// nil and are never decrypted. A deleted case is not found.
func (db *DB) Case(ctx context.Context, id int64, classes []access.Class) (*casework.Case, error) {
	if err := db.requireKeys(); err != nil {
		return nil, err
	}
	var c casework.Case
	var created, updated int64
	var profile string
	cts := make([][]byte, len(sealedColumns))
	err := db.q(ctx).QueryRowContext(ctx, `SELECT id, org_id, status, created_by, created_at, updated_at, profile,
		identity_ct, location_ct, immigration_ct, narrative_ct FROM cases WHERE id = ? AND deleted_at IS NULL`, id).
		Scan(&c.ID, &c.OrgID, &c.Status, &c.CreatedBy, &created, &updated, &profile, &cts[0], &cts[1], &cts[2], &cts[3])
	if err != nil {
		return nil, translate(err)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	if slices.Contains(classes, access.NonIdentifying) {
		if err := json.Unmarshal([]byte(profile), &c.Profile); err != nil {
			return nil, fmt.Errorf("case %d profile: %w", id, err)
		}
	}
	if err := db.openParts(ctx, &c, cts, classes); err != nil {
		return nil, err
	}
	if c.Assigned, err = db.assigned(ctx, id); err != nil {
		return nil, err
	}
	if c.Transitions, err = db.transitions(ctx, id); err != nil {
		return nil, err
	}
	return &c, nil
}

func (db *DB) openParts(ctx context.Context, c *casework.Case, cts [][]byte, classes []access.Class) error {
	var dk *secret.DataKey
	for i, sc := range sealedColumns {
		if !slices.Contains(classes, sc.class) || cts[i] == nil {
			continue
		}
		if dk == nil {
			var err error
			if dk, err = db.dataKey(ctx, caseSubject(c.ID)); err != nil {
				return err
			}
			defer dk.Destroy()
		}
		plain, err := dk.Open(cts[i], fieldAAD(sc.class, c.ID))
		if err != nil {
			return fmt.Errorf("case %d %s: %w", c.ID, sc.class, err)
		}
		if err := setPart(c, sc.class, plain); err != nil {
			return fmt.Errorf("case %d %s: %w", c.ID, sc.class, err)
		}
	}
	return nil
}

func (db *DB) dataKey(ctx context.Context, subject string) (*secret.DataKey, error) {
	var wrapped []byte
	if err := db.q(ctx).QueryRowContext(ctx, "SELECT wrapped FROM data_keys WHERE subject = ?", subject).Scan(&wrapped); err != nil {
		return nil, fmt.Errorf("data key %s: %w", subject, translate(err))
	}
	return db.keys.Unwrap(wrapped, subject)
}

func (db *DB) assigned(ctx context.Context, id int64) ([]int64, error) {
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT user_id FROM case_assignments WHERE case_id = ? ORDER BY user_id", id)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			return nil, translate(err)
		}
		out = append(out, u)
	}
	return out, translate(rows.Err())
}

func (db *DB) transitions(ctx context.Context, id int64) ([]casework.Transition, error) {
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT from_status, to_status, by_user, at, reason FROM case_transitions WHERE case_id = ? ORDER BY id", id)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []casework.Transition
	for rows.Next() {
		var t casework.Transition
		var at int64
		if err := rows.Scan(&t.From, &t.To, &t.By, &at, &t.Reason); err != nil {
			return nil, translate(err)
		}
		t.At = fromMicros(at)
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// UpdateCase validates c and stores the given classes of it (the profile
// for NonIdentifying, the sealed parts for the others). Classes not named
// are left as they are, so a reader who may see only some classes cannot
// erase the others by saving.
func (db *DB) UpdateCase(ctx context.Context, c *casework.Case, classes []access.Class) error {
	if err := db.requireKeys(); err != nil {
		return err
	}
	if err := c.Normalize(); err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, "UPDATE cases SET updated_at = ? WHERE id = ? AND deleted_at IS NULL", micros(now), c.ID)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "error.not_found")
		}
		if slices.Contains(classes, access.NonIdentifying) {
			profile, err := json.Marshal(c.Profile)
			if err != nil {
				return err
			}
			if _, err := q.ExecContext(ctx, "UPDATE cases SET gender = ?, age_band = ?, victim_status = ?, profile = ? WHERE id = ?",
				c.Profile.Gender, c.Profile.AgeBand, c.Profile.VictimStatus, string(profile), c.ID); err != nil {
				return translate(err)
			}
		}
		var wrapped []byte
		if err := q.QueryRowContext(ctx, "SELECT wrapped FROM data_keys WHERE subject = ?", caseSubject(c.ID)).Scan(&wrapped); err != nil {
			return translate(err)
		}
		dk, err := db.keys.Unwrap(wrapped, caseSubject(c.ID))
		if err != nil {
			return err
		}
		defer dk.Destroy()
		if err := writeParts(ctx, q, dk, c, classes); err != nil {
			return err
		}
		if slices.Contains(classes, access.Identity) {
			if c.Identity == nil {
				_, err = q.ExecContext(ctx, "DELETE FROM case_name_index WHERE case_id = ?", c.ID)
				return translate(err)
			}
			return db.writeNameIndex(ctx, q, c)
		}
		c.UpdatedAt = now
		return nil
	})
}

// MoveCase records a status change made with casework.Case.Move.
func (db *DB) MoveCase(ctx context.Context, id int64, t casework.Transition) error {
	return db.tx(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, "UPDATE cases SET status = ?, updated_at = ? WHERE id = ? AND status = ? AND deleted_at IS NULL",
			t.To, micros(t.At), id, t.From)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "case.changed")
		}
		return insertTransition(ctx, q, id, t)
	})
}

// AssignCase replaces a case's caseworkers. They must belong to the case's
// organization: assigning someone elsewhere would be sharing without consent.
func (db *DB) AssignCase(ctx context.Context, id int64, users []int64) error {
	return db.tx(ctx, func(q queryer) error {
		var org int64
		if err := q.QueryRowContext(ctx, "SELECT org_id FROM cases WHERE id = ? AND deleted_at IS NULL", id).Scan(&org); err != nil {
			return translate(err)
		}
		for _, u := range users {
			var uorg int64
			var disabled bool
			err := q.QueryRowContext(ctx, "SELECT org_id, disabled FROM users WHERE id = ?", u).Scan(&uorg, &disabled)
			if err != nil || uorg != org || disabled {
				return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "assigned", Key: "case.assign_own_org"}}}
			}
		}
		if _, err := q.ExecContext(ctx, "UPDATE cases SET updated_at = ? WHERE id = ?", micros(db.now()), id); err != nil {
			return translate(err)
		}
		return setAssigned(ctx, q, id, users)
	})
}

// DeleteCase destroys a survivor's data for good by deleting the case's
// data key (crypto-shredding): every sealed field, here and in every
// backup ever taken, becomes unreadable. The sealed columns, the name index
// and the profile are cleared as well; the row itself stays, marked
// deleted, so the audit log's references still resolve.
func (db *DB) DeleteCase(ctx context.Context, id int64) error {
	now := db.now()
	return db.tx(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, `UPDATE cases SET deleted_at = ?, updated_at = ?, identity_ct = NULL, location_ct = NULL,
			immigration_ct = NULL, narrative_ct = NULL, gender = '', age_band = '', victim_status = '', profile = '{}'
			WHERE id = ? AND deleted_at IS NULL`, micros(now), micros(now), id)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "error.not_found")
		}
		for _, stmt := range []string{
			"DELETE FROM data_keys WHERE subject = ?",
		} {
			if _, err := q.ExecContext(ctx, stmt, caseSubject(id)); err != nil {
				return translate(err)
			}
		}
		for _, stmt := range []string{
			"DELETE FROM referral_events WHERE referral_id IN (SELECT id FROM referrals WHERE case_id = ?)",
			"DELETE FROM referrals WHERE case_id = ?",
			"DELETE FROM case_name_index WHERE case_id = ?",
			"DELETE FROM case_assignments WHERE case_id = ?",
		} {
			if _, err := q.ExecContext(ctx, stmt, id); err != nil {
				return translate(err)
			}
		}
		return nil
	})
}

// Cases lists cases matching f, newest first from f.After, without
// decrypting anything: up to one more than the page, so that the caller
// knows whether another page follows. A name search goes through the
// blind index, in the case service.
func (db *DB) Cases(ctx context.Context, f casework.Filter) ([]casework.Summary, error) {
	var where []string
	var args []any
	switch {
	case f.OrgID != 0:
		where = append(where, "c.org_id = ?")
		args = append(args, f.OrgID)
	case len(f.IDs) > 0:
		where = append(where, "c.id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	default:
		return nil, nil
	}
	where = append(where, "c.deleted_at IS NULL")
	if f.Status != "" {
		where = append(where, "c.status = ?")
		args = append(args, f.Status)
	}
	if f.AssignedTo != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM case_assignments a WHERE a.case_id = c.id AND a.user_id = ?)")
		args = append(args, f.AssignedTo)
	}
	if f.Exploitation != "" {
		where = append(where, "c.profile LIKE ?")
		args = append(args, `%"`+f.Exploitation+`"%`)
	}
	if len(f.NameTokens) > 0 {
		// A name search decides case by case which names it may match:
		// it goes through the case service (NameMatches), never here.
		return nil, errors.New("store: Cases does not search names; use the case service")
	}
	if !f.After.IsZero() {
		where = append(where, "(c.updated_at, c.id) < (?, ?)")
		args = append(args, micros(f.After.At), f.After.ID)
	}
	// One more than the page, so the caller knows whether another follows.
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT c.id, c.org_id, c.status, c.created_at, c.updated_at, c.profile FROM cases c WHERE "+
		strings.Join(where, " AND ")+" ORDER BY c.updated_at DESC, c.id DESC LIMIT "+strconv.Itoa(f.PageLimit()+1), args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []casework.Summary
	for rows.Next() {
		var s casework.Summary
		var created, updated int64
		var profile string
		if err := rows.Scan(&s.ID, &s.OrgID, &s.Status, &created, &updated, &profile); err != nil {
			return nil, translate(err)
		}
		s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
		if err := json.Unmarshal([]byte(profile), &s.Profile); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	ids := make([]int64, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	assigned, err := db.assignedMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Assigned = assigned[out[i].ID]
		if out[i].Assigned == nil {
			out[i].Assigned = []int64{}
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
