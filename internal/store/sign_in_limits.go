package store

import (
	"context"
	"strings"
	"time"

	"puente/internal/auth"
)

// SignInLocks returns, for each of keys that is locked at now, when its
// lock ends. It reads the same rows whatever the keys name, so a key with no
// account behind it costs what one with an account costs.
func (db *DB) SignInLocks(ctx context.Context, now time.Time, keys ...string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{micros(now)}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT key, locked_until FROM sign_in_limits WHERE locked_until > ? AND key IN (?"+strings.Repeat(", ?", len(keys)-1)+")", args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var until int64
		if err := rows.Scan(&k, &until); err != nil {
			return nil, translate(err)
		}
		out[k] = fromMicros(until)
	}
	return out, translate(rows.Err())
}

// SignInFailed counts one failure at now against each key, in one
// transaction, and returns the keys it locked. A key's failures are counted
// in a window that opens at its first failure; reaching the limit within it
// locks the key for the limit's LockFor and starts the count again.
func (db *DB) SignInFailed(ctx context.Context, now time.Time, failures ...auth.Failure) (locked []string, err error) {
	err = db.tx(ctx, func(q queryer) error {
		for _, f := range failures {
			l, err := countFailure(ctx, q, now, f)
			if err != nil {
				return err
			}
			if l {
				locked = append(locked, f.Key)
			}
		}
		return nil
	})
	return locked, err
}

// countFailure adds one failure to a key in a single statement, so that
// concurrent failures all count: the upsert holds the row while it adds.
func countFailure(ctx context.Context, q queryer, now time.Time, f auth.Failure) (bool, error) {
	n, stale, end := micros(now), micros(now.Add(-f.Limit.Window)), micros(now.Add(f.Limit.Window))
	var count int
	err := q.QueryRowContext(ctx, `INSERT INTO sign_in_limits (key, failures, window_start, locked_until, expires_at)
		VALUES (?, 1, ?, 0, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures     = CASE WHEN sign_in_limits.window_start <= ? THEN 1 ELSE sign_in_limits.failures + 1 END,
			expires_at   = CASE WHEN sign_in_limits.window_start <= ? THEN ? ELSE sign_in_limits.expires_at END,
			window_start = CASE WHEN sign_in_limits.window_start <= ? THEN ? ELSE sign_in_limits.window_start END
		RETURNING failures`,
		f.Key, n, end, stale, stale, end, stale, n).Scan(&count)
	if err != nil {
		return false, translate(err)
	}
	if count < f.Limit.Failures {
		return false, nil
	}
	until := micros(now.Add(f.Limit.LockFor))
	_, err = q.ExecContext(ctx, "UPDATE sign_in_limits SET failures = 0, window_start = ?, locked_until = ?, expires_at = ? WHERE key = ?",
		n, until, max(until, end), f.Key)
	return true, translate(err)
}

// ClearSignInFailures forgets a key's failures and lock, as after a
// sign-in completed under it.
func (db *DB) ClearSignInFailures(ctx context.Context, key string) error {
	_, err := db.q(ctx).ExecContext(ctx, "DELETE FROM sign_in_limits WHERE key = ?", key)
	return translate(err)
}

// DeleteExpiredSignInLimits removes counts whose window and lock have both
// passed at now, and reports how many.
func (db *DB) DeleteExpiredSignInLimits(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.q(ctx).ExecContext(ctx, "DELETE FROM sign_in_limits WHERE expires_at <= ?", micros(now))
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}
