package signin

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/mfa"
	"puente/internal/password"
	"puente/internal/problem"
)

// secondFactorStore keeps TOTP secrets (sealed) and recovery codes
// (hashed), and which sessions have given a second factor.
type secondFactorStore interface {
	SavePendingTOTP(ctx context.Context, userID int64, secret string) error
	EnableTOTP(ctx context.Context, userID, step int64, recoveryCodes []string) error
	TOTP(ctx context.Context, userID int64) (*mfa.TOTP, error)
	TOTPEnabled(ctx context.Context, userID int64) (bool, error)
	UseTOTPStep(ctx context.Context, userID, step int64) error
	DisableTOTP(ctx context.Context, userID int64) error
	ReplaceRecoveryCodes(ctx context.Context, userID int64, codes []string) error
	UseRecoveryCode(ctx context.Context, userID int64, code string) error
	CountRecoveryCodes(ctx context.Context, userID int64) (int, error)
}

// Required reports whether u must have a second factor: by their roles,
// or by the kind of their organization (nil when it failed to load).
func Required(u *account.User, org *account.Organization) bool {
	kind := ""
	if org != nil {
		kind = string(org.Kind)
	}
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return mfa.Required(roles, kind)
}

// The authenticator app shows the issuer and the account name to anyone who
// holds the phone, at a checkpoint or after a seizure: neither may say more
// than that this is Puente, so never an email address or a name.
const totpIssuer = "Puente"

func totpAccount(userID int64) string { return "Puente user " + strconv.FormatInt(userID, 10) }

// How a second factor was given, for the audit log.
const (
	ByTOTP     = "authenticator code"
	ByRecovery = "recovery code"
)

// Why a second factor was refused: audit reasons, never the code itself.
const (
	RefusedMalformed = "malformed code"
	refusedWrong     = "wrong code"
	refusedReplayed  = "replayed code"
	refusedRecovery  = "wrong recovery code"
)

// refusalKeys map a refusal to the message the person sees.
var refusalKeys = map[string]string{
	RefusedMalformed: "login.code_malformed",
	refusedWrong:     "login.code_wrong",
	refusedReplayed:  "login.code_replayed",
	refusedRecovery:  "login.code_wrong",
}

// CodeResult is what a code check decided.
type CodeResult struct {
	By      string // ByTOTP or ByRecovery when the code was right
	Refused string // why it was not (an audit reason), "" when it was right
	Message string // the message for a refused code
	Lock    string // the message of a lock that holds or that this failure started
}

// check checks code, from the authenticator app or a recovery code, for u,
// who has a second factor enabled. On success it spends the code (records
// its time step, or marks the recovery code used) and says how it was
// given. err is only for failures of the server.
func (s *Service) check(ctx context.Context, u *account.User, code string) (CodeResult, error) {
	if rc, ok := mfa.NormalizeRecoveryCode(code); ok {
		err := s.Store.UseRecoveryCode(ctx, u.ID, rc)
		if problem.Is(err, problem.NotFound) {
			return refusal(refusedRecovery), nil
		}
		return CodeResult{By: ByRecovery}, err
	}
	t, err := s.Store.TOTP(ctx, u.ID)
	if err != nil {
		return CodeResult{}, err
	}
	if !t.Enabled() {
		return CodeResult{}, problem.New(problem.Conflict, "error.conflict")
	}
	step, err := mfa.Verify(t.Secret, strings.TrimSpace(code), s.now(), t.LastStep)
	switch {
	case errors.Is(err, mfa.ErrMalformed):
		return refusal(RefusedMalformed), nil
	case errors.Is(err, mfa.ErrWrong):
		return refusal(refusedWrong), nil
	case errors.Is(err, mfa.ErrReplayed):
		return refusal(refusedReplayed), nil
	case err != nil:
		return CodeResult{}, err
	}
	// Verify saw an older last step; another request with the same code
	// may have recorded this one since. The store decides who was first.
	if err := s.Store.UseTOTPStep(ctx, u.ID, step); problem.Is(err, problem.Conflict) {
		return refusal(refusedReplayed), nil
	} else if err != nil {
		return CodeResult{}, err
	}
	return CodeResult{By: ByTOTP}, nil
}

func refusal(reason string) CodeResult {
	return CodeResult{Refused: reason, Message: refusalKeys[reason]}
}

// checkCounted checks code and, when it is wrong (a code not even the
// right shape is a typo, not a guess, and is not counted), records the
// refusal under action and counts it like a wrong password, against this
// browser's standing with the account: the count is not per session, so
// someone who has only the password cannot get fresh guesses by signing in
// again.
func (s *Service) checkCounted(ctx context.Context, u *account.User, code string, k Keys, action, requestID string) (res CodeResult, err error) {
	if res, err = s.check(ctx, u, code); err != nil || res.Refused == "" || res.Refused == RefusedMalformed {
		return res, err
	}
	if err := s.record(ctx, u, action, audit.Deny, res.Refused, requestID); err != nil {
		return res, err
	}
	res.Lock, err = s.countFailure(ctx, u, k, requestID)
	return res, err
}

// SecondFactor checks the code a session that gave the password now gives,
// and completes the sign-in when it is right: the session (hash) counts as
// having given its second factor, and the browser's failures are forgotten.
// A lock that holds refuses the code unchecked.
func (s *Service) SecondFactor(ctx context.Context, hash string, u *account.User, code string, k Keys, requestID string) (res CodeResult, err error) {
	defer s.Turn(k)()
	switch lock, err := s.Lock(ctx, k); {
	case err != nil:
		return res, err
	case lock == LockedAddr:
		return CodeResult{Lock: lock}, nil
	case lock != "":
		return CodeResult{Lock: lock}, s.record(ctx, u, "auth.second_factor", audit.Deny, "locked", requestID)
	}
	err = s.Store.Atomic(ctx, func(ctx context.Context) error {
		if res, err = s.checkCounted(ctx, u, code, k, "auth.second_factor", requestID); err != nil || res.Refused != "" {
			return err
		}
		if err := s.Store.MarkSessionSecondFactor(ctx, hash); err != nil {
			return err
		}
		if err := s.trusted(ctx, k); err != nil {
			return err
		}
		if err := s.record(ctx, u, "auth.second_factor", audit.Allow, res.By, requestID); err != nil {
			return err
		}
		if res.By == ByRecovery {
			return s.record(ctx, u, "auth.recovery_code_used", audit.Allow, "sign-in", requestID)
		}
		return nil
	})
	return res, err
}

// ConfirmCode checks a code a signed-in person gives to change their
// second factor (action names the change, for the audit log). A wrong code
// counts as at sign-in, so an open session cannot be used to guess codes
// either; res.Lock says when the failures locked the account.
func (s *Service) ConfirmCode(ctx context.Context, u *account.User, code string, k Keys, action, requestID string) (res CodeResult, err error) {
	defer s.Turn(k)()
	err = s.Store.Atomic(ctx, func(ctx context.Context) error {
		if res, err = s.checkCounted(ctx, u, code, k, action, requestID); err != nil || res.Refused != "" {
			return err
		}
		if res.By == ByRecovery {
			return s.record(ctx, u, "auth.recovery_code_used", audit.Allow, action, requestID)
		}
		return nil
	})
	return res, err
}

// SecondFactorStatus says whether u has a second factor and how many
// recovery codes they have left.
func (s *Service) SecondFactorStatus(ctx context.Context, u *account.User) (on bool, codesLeft int, err error) {
	if on, err = s.Store.TOTPEnabled(ctx, u.ID); err != nil || !on {
		return on, 0, err
	}
	codesLeft, err = s.Store.CountRecoveryCodes(ctx, u.ID)
	return on, codesLeft, err
}

// StartEnrollment makes a new secret for u, kept pending until a code from
// it comes back. Starting again replaces a pending secret; one already
// enabled must be turned off first (a conflict).
func (s *Service) StartEnrollment(ctx context.Context, u *account.User) (*mfa.Enrollment, error) {
	e, err := mfa.Enroll(totpIssuer, totpAccount(u.ID))
	if err != nil {
		return nil, err
	}
	return e, s.Store.SavePendingTOTP(ctx, u.ID, e.Secret)
}

// ConfirmEnrollment turns u's pending secret on once a code from it is
// right, makes the session (hash) count as having given its second factor
// (the code proves the person holds the phone), and returns the recovery
// codes, to be shown once. A wrong code returns the enrollment again, to
// show the same QR code, and the message. Nothing pending, or a second
// factor already on, is a conflict.
func (s *Service) ConfirmEnrollment(ctx context.Context, u *account.User, hash, code, requestID string) (codes []string, again *mfa.Enrollment, message string, err error) {
	t, err := s.Store.TOTP(ctx, u.ID)
	if problem.Is(err, problem.NotFound) || err == nil && t.Enabled() {
		return nil, nil, "", problem.New(problem.Conflict, "error.conflict")
	} else if err != nil {
		return nil, nil, "", err
	}
	step, err := mfa.Verify(t.Secret, code, s.now(), t.LastStep)
	if errors.Is(err, mfa.ErrMalformed) || errors.Is(err, mfa.ErrWrong) || errors.Is(err, mfa.ErrReplayed) {
		message = "account.mfa_code_wrong"
		if errors.Is(err, mfa.ErrMalformed) {
			message = "login.code_malformed"
		}
		again, err = mfa.EnrollmentOf(totpIssuer, totpAccount(u.ID), t.Secret)
		return nil, again, message, err
	} else if err != nil {
		return nil, nil, "", err
	}
	if codes, err = mfa.NewRecoveryCodes(mfa.DefaultRecoveryCodes); err != nil {
		return nil, nil, "", err
	}
	err = s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.Store.EnableTOTP(ctx, u.ID, step, codes); err != nil {
			return err
		}
		if err := s.Store.MarkSessionSecondFactor(ctx, hash); err != nil {
			return err
		}
		return s.record(ctx, u, "auth.mfa_enable", audit.Allow, ByTOTP, requestID)
	})
	if err != nil {
		return nil, nil, "", err
	}
	return codes, nil, "", nil
}

// Refusals to turn a second factor off, as message keys for the field.
const (
	CannotDisable = "account.mfa_cannot_disable"
	WrongPassword = "account.current_wrong"
)

// DisableSecondFactor turns u's second factor off. It takes the password
// and a current code, so neither a session left open on a shared computer
// nor a stolen phone is enough, and it refuses anyone who must have one
// (org is u's organization). refused is CannotDisable or WrongPassword, or
// the code's result says why not.
func (s *Service) DisableSecondFactor(ctx context.Context, u *account.User, org *account.Organization, pw, code string, k Keys, requestID string) (refused string, res CodeResult, err error) {
	if Required(u, org) {
		return CannotDisable, res, s.record(ctx, u, "auth.mfa_disable", audit.Deny, "required", requestID)
	}
	if len(pw) > 4*password.MaxLength {
		return WrongPassword, res, s.record(ctx, u, "auth.mfa_disable", audit.Deny, "wrong password", requestID)
	}
	if ok, _, err := s.Gate.Verify(ctx, pw, u.PasswordHash, s.params()); err != nil {
		return "", res, busy(err)
	} else if !ok {
		return WrongPassword, res, s.record(ctx, u, "auth.mfa_disable", audit.Deny, "wrong password", requestID)
	}
	if res, err = s.ConfirmCode(ctx, u, code, k, "auth.mfa_disable", requestID); err != nil || res.Refused != "" {
		return "", res, err
	}
	return "", res, s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.Store.DisableTOTP(ctx, u.ID); err != nil {
			return err
		}
		return s.record(ctx, u, "auth.mfa_disable", audit.Allow, "password and code", requestID)
	})
}

// ReplaceRecoveryCodes makes u a new set of recovery codes, for a code from
// the app or one of the old recovery codes, and returns them, to be shown
// once.
func (s *Service) ReplaceRecoveryCodes(ctx context.Context, u *account.User, code string, k Keys, requestID string) (codes []string, res CodeResult, err error) {
	if res, err = s.ConfirmCode(ctx, u, code, k, "auth.recovery_codes_regenerate", requestID); err != nil || res.Refused != "" {
		return nil, res, err
	}
	if codes, err = mfa.NewRecoveryCodes(mfa.DefaultRecoveryCodes); err != nil {
		return nil, res, err
	}
	return codes, res, s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.Store.ReplaceRecoveryCodes(ctx, u.ID, codes); err != nil {
			return err
		}
		return s.record(ctx, u, "auth.recovery_codes_regenerate", audit.Allow, "new set", requestID)
	})
}
