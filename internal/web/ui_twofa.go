package web

import (
	"html/template"
	"net/http"
	"strings"

	"puente/internal/mfa"
	"puente/internal/problem"
	"puente/internal/signin"
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
	st := stateOf(r)
	on, left, err := s.signin.SecondFactorStatus(r.Context(), st.user)
	if err != nil {
		return err
	}
	d.Enabled, d.Required, d.CodesLeft = on, signin.Required(st.user, st.org), left
	return s.render(w, r, status, "twofa.html", "account.mfa_title", d)
}

// twoFAStart makes a new secret, kept pending until a code from it comes
// back, and shows it as a QR code and as text. Starting again replaces a
// pending secret; an enabled one must be turned off first.
func (s *Server) twoFAStart(w http.ResponseWriter, r *http.Request) error {
	e, err := s.signin.StartEnrollment(r.Context(), stateOf(r).user)
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
	st := stateOf(r)
	codes, again, msg, err := s.signin.ConfirmEnrollment(r.Context(), st.user, st.session.Hash, r.PostForm.Get("code"), st.ref)
	switch {
	case problem.Is(err, problem.Conflict):
		return redirect(w, r, "/account/2fa", "")
	case err != nil:
		return err
	case again != nil:
		return s.renderTwoFA(w, r, http.StatusUnprocessableEntity, twoFAData{Setup: setupOf(again), Errs: formErrors{"code": msg}})
	}
	s.log.Info("second factor turned on", "ref", st.ref, "user_id", st.user.ID)
	return s.renderTwoFA(w, r, http.StatusCreated, twoFAData{Codes: codes})
}

// twoFADisable turns the second factor off, with the password and a current
// code (signin.Service.DisableSecondFactor).
func (s *Server) twoFADisable(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if !st.secondFactor && !signin.Required(st.user, st.org) {
		return redirect(w, r, "/account/2fa", "")
	}
	keys := s.signInKeys(r, st.user.Email)
	refused, res, err := s.signin.DisableSecondFactor(r.Context(), st.user, st.org, r.PostForm.Get("password"), r.PostForm.Get("code"), keys, st.ref)
	switch {
	case err != nil:
		return err
	case refused == signin.CannotDisable:
		return s.renderTwoFA(w, r, http.StatusForbidden, twoFAData{Errs: formErrors{"disable": refused}})
	case refused != "":
		return s.renderTwoFA(w, r, http.StatusUnprocessableEntity, twoFAData{Errs: formErrors{"disable_password": refused}})
	case res.Refused != "":
		return s.codeRefused(w, r, res, "disable_code")
	}
	s.log.Info("second factor turned off", "ref", st.ref, "user_id", st.user.ID)
	return redirect(w, r, "/account/2fa", "mfa_disabled")
}

// twoFARecovery replaces the recovery codes, for a code from the app or one
// of the old recovery codes, and shows the new ones once.
func (s *Server) twoFARecovery(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if !st.secondFactor {
		return redirect(w, r, "/account/2fa", "")
	}
	keys := s.signInKeys(r, st.user.Email)
	codes, res, err := s.signin.ReplaceRecoveryCodes(r.Context(), st.user, r.PostForm.Get("code"), keys, st.ref)
	switch {
	case err != nil:
		return err
	case res.Refused != "":
		return s.codeRefused(w, r, res, "recovery_code")
	}
	s.log.Info("recovery codes replaced", "ref", st.ref, "user_id", st.user.ID)
	return s.renderTwoFA(w, r, http.StatusCreated, twoFAData{Codes: codes})
}

// codeRefused answers a wrong code on these pages: with the form and its
// error, or, when the wrong codes started a lock, by ending the session.
func (s *Server) codeRefused(w http.ResponseWriter, r *http.Request, res signin.CodeResult, field string) error {
	if res.Lock != "" {
		if err := s.endSession(w, r); err != nil {
			return err
		}
		return redirect(w, r, "/login", "locked_out")
	}
	return s.renderTwoFA(w, r, http.StatusUnprocessableEntity, twoFAData{Errs: formErrors{field: res.Message}})
}
