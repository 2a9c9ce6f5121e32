package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"puente/internal/auth"
	"puente/internal/problem"
	"puente/internal/signin"
)

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s auth.Session) error {
	_, err := db.q(ctx).ExecContext(ctx, "INSERT INTO sessions (hash, user_id, created_at, last_seen_at, expires_at, second_factor) VALUES (?, ?, ?, ?, ?, ?)",
		s.Hash, s.UserID, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt), s.SecondFactor)
	return translate(err)
}

// Session returns the session with the given hash.
func (db *DB) Session(ctx context.Context, hash string) (*auth.Session, error) {
	var s auth.Session
	var created, seen, expires int64
	err := db.q(ctx).QueryRowContext(ctx, "SELECT hash, user_id, created_at, last_seen_at, expires_at, second_factor FROM sessions WHERE hash = ?", hash).
		Scan(&s.Hash, &s.UserID, &created, &seen, &expires, &s.SecondFactor)
	if err != nil {
		return nil, translate(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return &s, nil
}

// TouchSession records activity on a session.
func (db *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	_, err := db.q(ctx).ExecContext(ctx, "UPDATE sessions SET last_seen_at = ? WHERE hash = ?", micros(at), hash)
	return translate(err)
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.q(ctx).ExecContext(ctx, "DELETE FROM sessions WHERE hash = ?", hash)
	return translate(err)
}

// DeleteExpiredSessions removes sessions past their absolute limit or idle
// for longer than idle, and reports how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	res, err := db.q(ctx).ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?", micros(now), micros(now.Add(-idle)))
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// CountSessions counts the stored sessions of a user.
func (db *DB) CountSessions(ctx context.Context, userID int64) (int, error) {
	return db.count(ctx, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", userID)
}

const tokenColumns = "id, user_id, name, public_id, secret_hash, scopes, created_at, expires_at, last_used_at, revoked_at, roles, COALESCE(org_id, 0)"

// CreateToken stores a new API token and sets its id.
func (db *DB) CreateToken(ctx context.Context, t *auth.Token) error {
	err := db.q(ctx).QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, public_id, secret_hash, scopes, created_at, expires_at, roles, org_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, t.PublicID, t.SecretHash, strings.Join(t.Scopes, " "), micros(t.CreatedAt), micros(t.ExpiresAt),
		strings.Join(t.Roles, " "), nullableID(t.OrgID)).Scan(&t.ID)
	return translate(err)
}

// TokenByPublicID returns the token with the given public id.
func (db *DB) TokenByPublicID(ctx context.Context, public string) (*auth.Token, error) {
	return scanToken(db.q(ctx).QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE public_id = ?", public))
}

// Tokens lists a user's tokens, newest first.
func (db *DB) Tokens(ctx context.Context, userID int64) ([]auth.Token, error) {
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC", userID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []auth.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, translate(rows.Err())
}

// RevokeToken revokes one of a user's tokens. Revoking a token of another
// user is reported as not found.
func (db *DB) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	res, err := db.q(ctx).ExecContext(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", micros(db.now()), tokenID, userID)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.NotFound, "error.not_found")
	}
	return nil
}

// TouchToken records that a token was used.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := db.q(ctx).ExecContext(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", micros(at), id)
	return translate(err)
}

func scanToken(s scanner) (*auth.Token, error) {
	var t auth.Token
	var scopes, roles string
	var created, expires int64
	var used, revoked sql.NullInt64
	if err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.PublicID, &t.SecretHash, &scopes, &created, &expires, &used, &revoked, &roles, &t.OrgID); err != nil {
		return nil, translate(err)
	}
	t.Scopes, t.Roles = strings.Fields(scopes), strings.Fields(roles)
	t.CreatedAt, t.ExpiresAt = fromMicros(created), fromMicros(expires)
	t.LastUsedAt, t.RevokedAt = fromNullMicros(used), fromNullMicros(revoked)
	return &t, nil
}

// Setting returns a deployment setting, or "" when it is not set.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.q(ctx).QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, translate(err)
}

// SetSetting stores a deployment setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.q(ctx).ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return translate(err)
}

// EndSessions ends every session of a user.
func (db *DB) EndSessions(ctx context.Context, userID int64) error {
	_, err := db.q(ctx).ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
	return translate(err)
}

var _ signin.Store = (*DB)(nil)
