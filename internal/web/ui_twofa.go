package web

import (
	"bytes"
	"encoding/base32"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"puente/internal/audit"
	"puente/internal/mfa"
	"puente/internal/password"
	"puente/internal/problem"
)

type twoFAData struct {
	Enabled   bool
	Required  bool
	CodesLeft int
	Setup     *twoFASetup // while setting up: what to scan or type
	Codes     []string    // new recovery codes, shown this once
	Errs      formErrors
}

type twoFASetup struct {
	QR     template.URL // a data: URI, which html/template refuses as a plain string
	Secret string       // in groups of four, for typing by hand
}

func setupOf(e *mfa.Enrollment) *twoFASetup {
	var groups []string
	for s := e.Secret; s != ""; {
		n := min(4, len(s))
		groups, s = append(groups, s[:n]), s[n:]
	}
	return &twoFASetup{QR: template.URL(e.QRDataURI()), Secret: strings.Join(groups, " ")}
}

func (s *Server) twoFAPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTwoFA(w, r, http.StatusOK, twoFAData{})
}

func (s *Server) renderTwoFA(w http.ResponseWriter, r *http.Request, status int, d twoFAData) error {
	st, ctx := stateOf(r), r.Context()
	on, err := s.store.TOTPEnabled(ctx, st.user.ID)
	if err != nil {
		return err
	}
	d.Enabled, d.Required = on, secondFactorRequired(st.user, st.org)
	if on {
		if d.CodesLeft, err = s.store.CountRecoveryCodes(ctx, st.user.ID); err != nil {
			return err
		}
	}
	return s.render(w, r, status, "twofa.html", "account.mfa_title", d)
}

// twoFAStart makes a new secret, kept pending until a code from it comes
// back, and shows it as a QR code and as text. Starting again replaces a
// pending secret; an enabled one must be turned off first.
func (s *Server) twoFAStart(w http.ResponseWriter, r *http.Request) error {
	u := stateOf(r).user
	e, err := mfa.Enroll(totpIssuer, totpAccount(u.ID))
	if err != nil {
		return err
	}
	err = s.store.SavePendingTOTP(r.Context(), u.ID, e.Secret)
	if problem.Is(err, problem.Conflict) {
		return redirect(w, r, "/account/2fa", "")
	} else if err != nil {
		return err
	}
	return s.renderTwoFA(w, r, http.StatusOK, twoFAData{Setup: setupOf(e)})
}

// twoFAConfirm turns the pending secret on once a code from it is right,
// and shows the recovery codes, once. The code proves the person holds the
// phone, so this session counts as having given its second factor.
func (s *Server) twoFAConfirm(w http.ResponseWriter, r *http.Request) error {
	st, ctx := stateOf(r), r.Context()
	u := st.user
	t, err := s.store.TOTP(ctx, u.ID)
	if problem.Is(err, problem.NotFound) || err == nil && t.Enabled() {
		return redirect(w, r, "/account/2fa", "")
	} else if err != nil {
		return err
	}
	step, err := mfa.Verify(t.Secret, r.PostForm.Get("code"), s.now(), t.LastStep)
	if errors.Is(err, mfa.ErrMalformed) || errors.Is(err, mfa.ErrWrong) || errors.Is(err, mfa.ErrReplayed) {
		e, err2 := enrollmentFor(u.ID, t.Secret)
		if err2 != nil {
			return err2
		}
		key := "account.mfa_code_wrong"
		if errors.Is(err, mfa.ErrMalformed) {
			key = "login.code_malformed"
		}
		return s.renderTwoFA(w, r, http.StatusUnprocessableEntity, twoFAData{Setup: setupOf(e), Errs: formErrors{"code": key}})
	} else if err != nil {
		return err
	}
	codes, err := mfa.NewRecoveryCodes(mfa.DefaultRecoveryCodes)
	if err != nil {
		return err
	}
	if err := s.store.EnableTOTP(ctx, u.ID, step, codes); problem.Is(err, problem.Conflict) {
		return redirect(w, r, "/account/2fa", "")
	} else if err != nil {
		return err
	}
	if err := s.store.MarkSessionSecondFactor(ctx, st.session.Hash); err != nil {
		return err
	}
	if err := s.audit(r, u, "auth.mfa_enable", audit.Allow, byTOTP); err != nil {
		return err
	}
	s.log.Info("second factor turned on", "ref", st.ref, "user_id", u.ID)
	return s.renderTwoFA(w, r, http.StatusCreated, twoFAData{Codes: codes})
}

// twoFADisable turns the second factor off. It takes the password and a
// current code, so neither a session left open on a shared computer nor a
// stolen phone is enough; and it refuses anyone who must have one.
func (s *Server) twoFADisable(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	u := st.user
	if secondFactorRequired(u, st.org) {
		if err := s.audit(r, u, "auth.mfa_disable", audit.Deny, "required"); err != nil {
			return err
		}
		return s.renderTwoFA(w, r, http.StatusForbidden, twoFAData{Errs: formErrors{"disable": "account.mfa_cannot_disable"}})
	}
	if !st.secondFactor {
		return redirect(w, r, "/account/2fa", "")
	}
	if pw := r.PostForm.Get("password"); len(pw) > 4*password.MaxLength {
		return s.disableWrongPassword(w, r)
	} else if ok, _, err := password.Verify(pw, u.PasswordHash, s.cfg.Password); err != nil {
		return err
	} else if !ok {
		return s.disableWrongPassword(w, r)
	}
	if ok, err := s.accountCode(w, r, "auth.mfa_disable", "disable_code"); !ok {
		return err
	}
	if err := s.store.DisableTOTP(r.Context(), u.ID); err != nil {
		return err
	}
	if err := s.audit(r, u, "auth.mfa_disable", audit.Allow, "password and code"); err != nil {
		return err
	}
	s.log.Info("second factor turned off", "ref", st.ref, "user_id", u.ID)
	return redirect(w, r, "/account/2fa", "mfa_disabled")
}

func (s *Server) disableWrongPassword(w http.ResponseWriter, r *http.Request) error {
	if err := s.audit(r, stateOf(r).user, "auth.mfa_disable", audit.Deny, "wrong password"); err != nil {
		return err
	}
	return s.renderTwoFA(w, r, http.StatusUnprocessableEntity, twoFAData{Errs: formErrors{"disable_password": "account.current_wrong"}})
}

// twoFARecovery replaces the recovery codes, for a code from the app or one
// of the old recovery codes, and shows the new ones once.
func (s *Server) twoFARecovery(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if !st.secondFactor {
		return redirect(w, r, "/account/2fa", "")
	}
	if ok, err := s.accountCode(w, r, "auth.recovery_codes_regenerate", "recovery_code"); !ok {
		return err
	}
	codes, err := mfa.NewRecoveryCodes(mfa.DefaultRecoveryCodes)
	if err != nil {
		return err
	}
	if err := s.store.ReplaceRecoveryCodes(r.Context(), st.user.ID, codes); err != nil {
		return err
	}
	if err := s.audit(r, st.user, "auth.recovery_codes_regenerate", audit.Allow, "new set"); err != nil {
		return err
	}
	s.log.Info("recovery codes replaced", "ref", st.ref, "user_id", st.user.ID)
	return s.renderTwoFA(w, r, http.StatusCreated, twoFAData{Codes: codes})
}

// accountCode checks the code a form on these pages sent and reports
// whether it was right. When it was not, it has already answered: with the
// form and its error, or, when the wrong codes started a lock, by ending
// the session. A wrong code counts as at sign-in, so an open session cannot
// be used to guess codes either.
func (s *Server) accountCode(w http.ResponseWriter, r *http.Request, action, field string) (bool, error) {
	u := stateOf(r).user
	keys := s.signInKeys(r, u.Email)
	defer s.takeTurn(keys)()
	by, refused, err := s.checkSecondFactor(r.Context(), u, r.PostForm.Get("code"), s.now())
	switch {
	case err != nil:
		return false, err
	case refused == "":
		if by == byRecovery {
			return true, s.audit(r, u, "auth.recovery_code_used", audit.Allow, action)
		}
		return true, nil
	case refused != refusedMalformed:
		lock, err := s.codeFailed(r, u, keys, action, refused)
		if err != nil {
			return false, err
		}
		if lock != "" {
			if err := s.endSession(w, r); err != nil {
				return false, err
			}
			return false, redirect(w, r, "/login", "locked_out")
		}
	}
	return false, s.renderTwoFA(w, r, http.StatusUnprocessableEntity, twoFAData{Errs: formErrors{field: refusalKeys[refused]}})
}

// enrollmentFor rebuilds the enrollment of a secret already made, so that a
// person who mistypes the confirming code sees the same QR code again, not
// a new one to scan. It must make exactly what mfa.Enroll makes;
// TestEnrollmentForMatchesEnroll keeps the two in step.
func enrollmentFor(userID int64, secret string) (*mfa.Enrollment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("rebuild enrollment: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: totpIssuer, AccountName: totpAccount(userID), Secret: raw,
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("rebuild enrollment: %w", err)
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return nil, fmt.Errorf("rebuild enrollment: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("rebuild enrollment: encode png: %w", err)
	}
	return &mfa.Enrollment{Secret: key.Secret(), URL: key.URL(), QRCodePNG: buf.Bytes()}, nil
}
