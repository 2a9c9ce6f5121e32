// Package mfa is the second factor at sign-in: time-based one-time codes
// from an authenticator app (RFC 6238) and one-time recovery codes for when
// the phone is lost or taken. It also says who must use a second factor.
//
// The package is pure: it stores nothing, so the caller keeps the TOTP
// secret encrypted, the last accepted step, and the recovery code hashes.
package mfa

import (
	"slices"
	"time"
)

// Required reports whether a user with these roles, in an organization of
// this kind, must sign in with a second factor. Supervisors and admins can
// reach every case in their organization, and law enforcement, government
// and consular staff work in offices where a stolen password is a likelier
// threat to survivors, so a password alone is not enough for any of them.
//
// Roles and kind are plain strings so this package imports no others.
func Required(roles []string, orgKind string) bool {
	switch orgKind {
	case "law_enforcement", "government", "consulate":
		return true
	}
	return slices.Contains(roles, "admin") || slices.Contains(roles, "supervisor")
}

// TOTP is a user's authenticator-app secret as it is kept.
type TOTP struct {
	UserID    int64
	Secret    string     // base32, opened from its sealed column
	EnabledAt *time.Time // nil while enrollment waits for its first code
	LastStep  int64      // the last time step accepted, so no code is used twice
}

// Enabled reports whether the secret has been confirmed with a code.
func (t *TOTP) Enabled() bool { return t.EnabledAt != nil }
