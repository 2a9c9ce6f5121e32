package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"puente/internal/mfa"
	"puente/internal/problem"
)

// Key purposes derived from the keyring. Both are root-key derivations,
// which never rotate, so neither sealed secrets nor code hashes need
// rewriting when key-encryption keys rotate.
const (
	totpKeyPurpose     = "totp"
	recoveryKeyPurpose = "mfa-recovery"
)

// totpAAD binds a sealed secret to its user: a ciphertext copied into
// another user's row does not open there.
func totpAAD(userID int64) string { return "user_totp/" + strconv.FormatInt(userID, 10) }

// sealTOTP seals secret with the keyring's "totp" Sealer. TOTP secrets are
// not per-record data like a case, so they need no data key of their own:
// one derived key, kept outside the database, is enough to make a stolen
// copy of the database useless for computing anyone's codes.
func (db *DB) sealTOTP(userID int64, secret string) ([]byte, error) {
	if err := db.requireKeys(); err != nil {
		return nil, err
	}
	return db.keys.Sealer(totpKeyPurpose).Seal([]byte(secret), totpAAD(userID)), nil
}

// openTOTP reverses sealTOTP.
func (db *DB) openTOTP(userID int64, sealed []byte) (string, error) {
	if err := db.requireKeys(); err != nil {
		return "", err
	}
	plain, err := db.keys.Sealer(totpKeyPurpose).Open(sealed, totpAAD(userID))
	if err != nil {
		return "", fmt.Errorf("open totp secret: %w", err)
	}
	return string(plain), nil
}

// SavePendingTOTP stores a new secret for a user, sealed, not yet enabled:
// it starts working only when EnableTOTP confirms it. It replaces an
// earlier pending secret, but not an enabled one, which is a conflict.
func (db *DB) SavePendingTOTP(ctx context.Context, userID int64, secret string) error {
	sealed, err := db.sealTOTP(userID, secret)
	if err != nil {
		return err
	}
	res, err := db.q(ctx).ExecContext(ctx, `INSERT INTO user_totp (user_id, secret_ct, enabled_at, last_step) VALUES (?, ?, NULL, 0)
		ON CONFLICT (user_id) DO UPDATE SET secret_ct = excluded.secret_ct, last_step = 0
		WHERE user_totp.enabled_at IS NULL`, userID, sealed)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.Conflict, "error.conflict")
	}
	return nil
}

// EnableTOTP turns on a user's pending secret, records step as the last one
// used (so the code that confirmed it cannot sign in), and replaces their
// recovery codes with codes, all at once: there is never a second factor
// without recovery codes. A secret already enabled, or none, is a conflict.
func (db *DB) EnableTOTP(ctx context.Context, userID, step int64, codes []string) error {
	if err := db.requireKeys(); err != nil {
		return err
	}
	return db.tx(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, "UPDATE user_totp SET enabled_at = ?, last_step = ? WHERE user_id = ? AND enabled_at IS NULL",
			micros(db.now()), step, userID)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "error.conflict")
		}
		return db.replaceRecoveryCodes(ctx, q, userID, codes)
	})
}

// TOTP returns a user's secret, opened, whether pending or enabled.
func (db *DB) TOTP(ctx context.Context, userID int64) (*mfa.TOTP, error) {
	var sealed []byte
	var enabled sql.NullInt64
	t := mfa.TOTP{UserID: userID}
	err := db.q(ctx).QueryRowContext(ctx, "SELECT secret_ct, enabled_at, last_step FROM user_totp WHERE user_id = ?", userID).
		Scan(&sealed, &enabled, &t.LastStep)
	if err != nil {
		return nil, translate(err)
	}
	t.EnabledAt = fromNullMicros(enabled)
	if t.Secret, err = db.openTOTP(userID, sealed); err != nil {
		return nil, err
	}
	return &t, nil
}

// TOTPEnabled reports whether a user signs in with a second factor. It
// opens nothing, so it is cheap enough for every request.
func (db *DB) TOTPEnabled(ctx context.Context, userID int64) (bool, error) {
	n, err := db.count(ctx, "SELECT COUNT(*) FROM user_totp WHERE user_id = ? AND enabled_at IS NOT NULL", userID)
	return n > 0, err
}

// UseTOTPStep records that a code from step was accepted for an enabled
// secret. It succeeds only if step is after the last one recorded, in a
// single statement, so of two requests racing with the same code one wins
// and the other gets a conflict.
func (db *DB) UseTOTPStep(ctx context.Context, userID, step int64) error {
	res, err := db.q(ctx).ExecContext(ctx, "UPDATE user_totp SET last_step = ? WHERE user_id = ? AND enabled_at IS NOT NULL AND last_step < ?",
		step, userID, step)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.Conflict, "error.conflict")
	}
	return nil
}

// DisableTOTP deletes a user's secret and recovery codes.
func (db *DB) DisableTOTP(ctx context.Context, userID int64) error {
	return db.tx(ctx, func(q queryer) error {
		if _, err := q.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
			return translate(err)
		}
		_, err := q.ExecContext(ctx, "DELETE FROM user_totp WHERE user_id = ?", userID)
		return translate(err)
	})
}

// ReplaceRecoveryCodes drops a user's recovery codes, used or not, and
// stores codes in their place. Only keyed hashes (mfa.HashRecoveryCode) are
// stored; the codes themselves are shown to the person once and forgotten.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, userID int64, codes []string) error {
	if err := db.requireKeys(); err != nil {
		return err
	}
	return db.tx(ctx, func(q queryer) error { return db.replaceRecoveryCodes(ctx, q, userID, codes) })
}

func (db *DB) replaceRecoveryCodes(ctx context.Context, q queryer, userID int64, codes []string) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
		return translate(err)
	}
	key := db.keys.Derive(recoveryKeyPurpose)
	for _, c := range codes {
		if _, err := q.ExecContext(ctx, "INSERT INTO recovery_codes (user_id, hash) VALUES (?, ?)", userID, mfa.HashRecoveryCode(key, c)); err != nil {
			return translate(err)
		}
	}
	return nil
}

// UseRecoveryCode spends one of a user's recovery codes. A code that is
// not theirs, or already spent, is not found. Marking it used is a single
// conditional statement, so two requests cannot both spend the same code.
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, code string) error {
	if err := db.requireKeys(); err != nil {
		return err
	}
	hash := mfa.HashRecoveryCode(db.keys.Derive(recoveryKeyPurpose), code)
	res, err := db.q(ctx).ExecContext(ctx, "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL",
		micros(db.now()), userID, hash)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.NotFound, "error.not_found")
	}
	return nil
}

// CountRecoveryCodes counts a user's recovery codes not yet spent.
func (db *DB) CountRecoveryCodes(ctx context.Context, userID int64) (int, error) {
	return db.count(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", userID)
}

// MarkSessionSecondFactor records that the person gave their second factor
// in this session, which completes their sign-in.
func (db *DB) MarkSessionSecondFactor(ctx context.Context, hash string) error {
	res, err := db.q(ctx).ExecContext(ctx, "UPDATE sessions SET second_factor = TRUE WHERE hash = ?", hash)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.NotFound, "error.not_found")
	}
	return nil
}
