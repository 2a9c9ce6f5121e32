package web

import (
	"net/http"
	"strings"
	"time"

	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/i18n"
	"puente/internal/password"
	"puente/internal/problem"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	switch st := stateOf(r); {
	case st.user != nil:
		return redirect(w, r, "/dashboard", "")
	case st.pending != nil:
		return redirect(w, r, "/login/code", "")
	}
	return redirect(w, r, "/login", "")
}

type loginData struct {
	Email string
	Next  string
	Err   string // translation key
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"), "")
	if stateOf(r).user != nil {
		return redirect(w, r, localPath(next, "/dashboard"), "")
	}
	return s.render(w, r, http.StatusOK, "login.html", "login.title", loginData{Next: next})
}

// login checks credentials and, on success, starts a new session. Every
// failure a guesser could learn from looks the same: an unknown email, a
// wrong password and a disabled account give one message and take about the
// same time. A locked account says so, but so does an unknown address after
// as many attempts, so the lock reveals nothing either. Each check that
// reaches an account, or finds none, goes in the audit log; attempts the
// throttles turn away before that do not, so a flood cannot fill the log.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	in := loginData{Email: strings.TrimSpace(r.PostForm.Get("email")), Next: localPath(r.PostForm.Get("next"), "")}
	pw := r.PostForm.Get("password")
	refuse := func(status int, key string) error {
		in.Err = key
		return s.render(w, r, status, "login.html", "login.title", in)
	}
	// deny records the refusal before giving it. An unknown account is
	// recorded as actor 0 with no record: never the address that was tried.
	deny := func(u *account.User, reason string, status int, key string) error {
		if err := s.audit(r, u, "auth.sign_in", audit.Deny, reason); err != nil {
			return err
		}
		return refuse(status, key)
	}
	now := s.now()
	if !s.ipLimit.Allow("ip:"+s.clientIP(r), now) {
		return refuse(http.StatusTooManyRequests, "login.too_many")
	}
	email, bad := account.NormalizeEmail(in.Email)
	if bad != "" || len(pw) == 0 || len(pw) > 4*password.MaxLength {
		return refuse(http.StatusUnauthorized, "login.failed")
	}
	if !s.mailLimit.Allow("email:"+email, now) {
		return refuse(http.StatusTooManyRequests, "login.locked")
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	if problem.Is(err, problem.NotFound) {
		password.Verify(pw, password.DummyHash, s.cfg.Password)
		return deny(nil, "unknown account", http.StatusUnauthorized, "login.failed")
	} else if err != nil {
		return err
	}
	if now.Before(u.LockedUntil) {
		return deny(u, "locked", http.StatusTooManyRequests, "login.locked")
	}
	ok, rehash, err := password.Verify(pw, u.PasswordHash, s.cfg.Password)
	if err != nil {
		return err
	}
	if !ok {
		locked, err := s.store.LoginFailed(r.Context(), u.ID, lockAfter, lockFor)
		if err != nil {
			return err
		}
		s.log.Info("sign-in failed", "ref", st.ref, "user_id", u.ID, "locked", !locked.IsZero())
		if locked.IsZero() {
			return deny(u, "wrong password", http.StatusUnauthorized, "login.failed")
		}
		if err := s.audit(r, u, "auth.lockout", audit.Deny, "too many wrong passwords"); err != nil {
			return err
		}
		return deny(u, "wrong password", http.StatusTooManyRequests, "login.locked")
	}
	if u.Disabled {
		return deny(u, "disabled account", http.StatusUnauthorized, "login.failed")
	}
	return s.passwordAccepted(w, r, u, email, pw, rehash, in.Next)
}

// passwordAccepted finishes a sign-in whose password was right: it starts
// the session and sends the person on to their second factor, to set one
// up if they must, or where they were going.
func (s *Server) passwordAccepted(w http.ResponseWriter, r *http.Request, u *account.User, email, pw string, rehash bool, next string) error {
	st, ctx := stateOf(r), r.Context()
	on, err := s.store.TOTPEnabled(ctx, u.ID)
	if err != nil {
		return err
	}
	var newHash string
	if rehash {
		if newHash, err = password.Hash(pw, s.cfg.Password); err != nil {
			return err
		}
	}
	// With a second factor the failure count is cleared only when the code
	// is right (submitCode), so wrong codes add up across fresh sign-ins:
	// the password alone buys five guesses in all, not five per sign-in.
	// Storing a rehash clears it too, but that happens once per change of
	// the hashing parameters.
	if !on || newHash != "" {
		if err := s.store.LoginSucceeded(ctx, u.ID, newHash); err != nil {
			return err
		}
	}
	s.mailLimit.Reset("email:" + email)
	reason := "password"
	if on {
		reason = "password; second factor next"
	}
	if err := s.audit(r, u, "auth.sign_in", audit.Allow, reason); err != nil {
		return err
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.log.Info("signed in", "ref", st.ref, "user_id", u.ID, "second_factor_next", on)
	switch {
	case on:
		target := "/login/code"
		if next != "" {
			target += "?next=" + urlQueryEscape(next)
		}
		return redirect(w, r, target, "")
	case secondFactorRequired(u, s.orgOf(r, u)):
		return redirect(w, r, "/account/2fa", "")
	}
	return redirect(w, r, localPath(next, "/dashboard"), "")
}

// startSession rotates the session: whatever session the browser had is
// ended and a new id is issued, so an id planted before sign-in is useless.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *account.User) error {
	st := stateOf(r)
	if st.session != nil {
		if err := s.store.DeleteSession(r.Context(), st.session.Hash); err != nil {
			return err
		}
	}
	id, sess := auth.NewSession(u.ID, s.now(), s.cfg.Timeouts)
	if err := s.store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	s.setCookie(w, st, sessionCookie, id, 0)
	s.clearCookie(w, st, preCookie)
	if u.Lang == "" {
		// Remember the language they signed in with.
		if err := s.store.SetLanguage(r.Context(), u.ID, st.lang); err != nil {
			return err
		}
	} else {
		s.setCookie(w, st, langCookie, u.Lang, 365*24*time.Hour)
	}
	return nil
}

// logout ends the session, also one still waiting for its second factor.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	u, reason := st.user, "signed out"
	if u == nil {
		u, reason = st.pending, "signed out before the second factor"
	}
	if err := s.endSession(w, r); err != nil {
		return err
	}
	if err := s.audit(r, u, "auth.sign_out", audit.Allow, reason); err != nil {
		return err
	}
	s.log.Info("signed out", "ref", st.ref, "user_id", u.ID)
	return redirect(w, r, "/login", "signed_out")
}

// setLanguage switches the interface language, for this browser and, when
// signed in, for the user on every device.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	lang := r.PostForm.Get("lang")
	if !i18n.Supported(lang) {
		return problem.New(problem.Invalid, "error.bad_language")
	}
	s.setCookie(w, st, langCookie, lang, 365*24*time.Hour)
	if st.user != nil {
		if err := s.store.SetLanguage(r.Context(), st.user.ID, lang); err != nil {
			return err
		}
	}
	return redirect(w, r, localPath(r.PostForm.Get("next"), "/"), "")
}
