package store

import (
	"context"
	"database/sql"
	"strings"

	"puente/internal/account"
	"puente/internal/admin"
	"puente/internal/problem"
)

const userColumns = `u.id, u.org_id, u.email, u.name, u.lang, u.password_hash, u.disabled, u.created_at, u.updated_at,
	COALESCE(u.confirmed_org_id, 0), u.confirmed_roles`

// CreateUser validates u and stores it with its password hash, which the
// caller has already made. The organization must exist and be enabled.
func (db *DB) CreateUser(ctx context.Context, u *account.User) error {
	if err := u.Normalize(); err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return problem.New(problem.Internal, "error.internal")
	}
	now := db.now()
	return db.tx(ctx, func(q queryer) error {
		if err := checkOrgUsable(ctx, q, u.OrgID); err != nil {
			return err
		}
		err := q.QueryRowContext(ctx, `INSERT INTO users (org_id, email, name, lang, password_hash, disabled, created_at, updated_at,
			confirmed_org_id, confirmed_roles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.OrgID, u.Email, u.Name, u.Lang, u.PasswordHash, u.Disabled, micros(now), micros(now),
			nullableID(u.ConfirmedOrgID), joinRoles(u.ConfirmedRoles)).Scan(&u.ID)
		if err != nil {
			return emailConflict(translate(err))
		}
		u.CreatedAt, u.UpdatedAt = now, now
		return setRoles(ctx, q, u.ID, u.Roles)
	})
}

// UpdateUser validates u and stores its profile, organization, roles (and
// those its organization agreed to), language and disabled flag.
// Disabling a user ends their sessions and revokes their API tokens, so
// that enabling the account again brings neither back.
func (db *DB) UpdateUser(ctx context.Context, u *account.User) error {
	if err := u.Normalize(); err != nil {
		return err
	}
	now := db.now()
	return db.tx(ctx, func(q queryer) error {
		if err := checkOrgUsable(ctx, q, u.OrgID); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `UPDATE users SET org_id = ?, email = ?, name = ?, lang = ?, disabled = ?, updated_at = ?,
			confirmed_org_id = ?, confirmed_roles = ? WHERE id = ?`,
			u.OrgID, u.Email, u.Name, u.Lang, u.Disabled, micros(now), nullableID(u.ConfirmedOrgID), joinRoles(u.ConfirmedRoles), u.ID)
		if err != nil {
			return emailConflict(translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "error.not_found")
		}
		if u.Disabled {
			if _, err := q.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
				return translate(err)
			}
			if _, err := db.revokeTokens(ctx, q, u.ID); err != nil {
				return err
			}
		}
		u.UpdatedAt = now
		return setRoles(ctx, q, u.ID, u.Roles)
	})
}

func checkOrgUsable(ctx context.Context, q queryer, orgID int64) error {
	var disabled bool
	err := q.QueryRowContext(ctx, "SELECT disabled FROM organizations WHERE id = ?", orgID).Scan(&disabled)
	if err == sql.ErrNoRows || (err == nil && disabled) {
		return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "organization_id", Key: "users.org_unusable"}}}
	}
	return translate(err)
}

func emailConflict(err error) error {
	if problem.Is(err, problem.Conflict) {
		return &problem.Error{Kind: problem.Conflict, Key: "error.conflict", Fields: []problem.FieldError{{Field: "email", Key: "users.email_taken"}}, Err: err}
	}
	return err
}

func setRoles(ctx context.Context, q queryer, id int64, roles []account.Role) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM user_roles WHERE user_id = ?", id); err != nil {
		return translate(err)
	}
	for _, r := range roles {
		if _, err := q.ExecContext(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", id, r); err != nil {
			return translate(err)
		}
	}
	return nil
}

// SetPassword replaces a user's password hash, ends all their sessions and
// revokes their API tokens, so a password change locks out anyone who had
// stolen either. keep names a session hash to spare (the one making the
// change), or is empty.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash, keep string) error {
	return db.tx(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, micros(db.now()), userID)
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "error.not_found")
		}
		if _, err = q.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND hash <> ?", userID, keep); err != nil {
			return translate(err)
		}
		_, err = db.revokeTokens(ctx, q, userID)
		return err
	})
}

// EndAccess ends every session and revokes every API token of a user: what
// a change of their roles or organization does, so that nothing issued
// under the old ones outlives them.
func (db *DB) EndAccess(ctx context.Context, userID int64) error {
	return db.tx(ctx, func(q queryer) error {
		if _, err := q.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return translate(err)
		}
		_, err := db.revokeTokens(ctx, q, userID)
		return err
	})
}

// RevokeTokens revokes every API token of a user still in force, and says
// how many.
func (db *DB) RevokeTokens(ctx context.Context, userID int64) (int64, error) {
	return db.revokeTokens(ctx, db.q(ctx), userID)
}

func (db *DB) revokeTokens(ctx context.Context, q queryer, userID int64) (int64, error) {
	res, err := q.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", micros(db.now()), userID)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// OrganizationHasCases reports whether any case, deleted or not, belongs
// to the organization.
func (db *DB) OrganizationHasCases(ctx context.Context, org int64) (bool, error) {
	n, err := db.count(ctx, "SELECT COUNT(*) FROM cases WHERE org_id = ?", org)
	return n > 0, err
}

func joinRoles(rs []account.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, " ")
}

func splitRoles(s string) []account.Role {
	var out []account.Role
	for _, f := range strings.Fields(s) {
		out = append(out, account.Role(f))
	}
	return out
}

// SetLanguage remembers the language a user chose.
func (db *DB) SetLanguage(ctx context.Context, userID int64, lang string) error {
	_, err := db.q(ctx).ExecContext(ctx, "UPDATE users SET lang = ? WHERE id = ?", lang, userID)
	return translate(err)
}

// User returns the user with id.
func (db *DB) User(ctx context.Context, id int64) (*account.User, error) {
	return db.oneUser(ctx, "u.id = ?", id)
}

// UserByEmail returns the user with the given (already normalized) email.
func (db *DB) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	return db.oneUser(ctx, "u.email = ?", email)
}

func (db *DB) oneUser(ctx context.Context, where string, arg any) (*account.User, error) {
	users, err := db.users(ctx, where, arg)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, problem.New(problem.NotFound, "error.not_found")
	}
	return &users[0], nil
}

// Members lists the users of one organization, by name.
func (db *DB) Members(ctx context.Context, org int64) ([]account.User, error) {
	return db.users(ctx, "u.org_id = ?", org)
}

// Users lists users by name.
func (db *DB) Users(ctx context.Context, f account.UserFilter) ([]account.User, error) {
	if f.OrgID != 0 {
		return db.users(ctx, "u.org_id = ?", f.OrgID)
	}
	return db.users(ctx, "1 = ?", 1)
}

func (db *DB) users(ctx context.Context, where string, arg any) ([]account.User, error) {
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT "+userColumns+`, r.role FROM users u
		LEFT JOIN user_roles r ON r.user_id = u.id WHERE `+where+" ORDER BY lower(u.name), u.id, r.role", arg)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []account.User
	for rows.Next() {
		var u account.User
		var created, updated int64
		var confirmed string
		var role sql.NullString
		if err := rows.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Lang, &u.PasswordHash, &u.Disabled, &created, &updated,
			&u.ConfirmedOrgID, &confirmed, &role); err != nil {
			return nil, translate(err)
		}
		u.ConfirmedRoles = splitRoles(confirmed)
		if n := len(out); n > 0 && out[n-1].ID == u.ID {
			out[n-1].Roles = append(out[n-1].Roles, account.Role(role.String))
			continue
		}
		u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
		if role.Valid {
			u.Roles = []account.Role{account.Role(role.String)}
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	for i := range out {
		u := &out[i]
		u.Roles = orderRoles(u.Roles)
	}
	return out, nil
}

func orderRoles(in []account.Role) []account.Role {
	var out []account.Role
	for _, r := range account.Roles {
		for _, have := range in {
			if have == r {
				out = append(out, r)
			}
		}
	}
	return out
}

// CountUsers counts users who are not disabled.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	return db.count(ctx, "SELECT COUNT(*) FROM users WHERE NOT disabled")
}

// RehashPassword stores a new hash of a user's unchanged password, made
// when the hashing parameters changed. Unlike SetPassword it ends no
// session: the password is the same.
func (db *DB) RehashPassword(ctx context.Context, userID int64, hash string) error {
	_, err := db.q(ctx).ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, userID)
	return translate(err)
}

var _ admin.Store = (*DB)(nil)
