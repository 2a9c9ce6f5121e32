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
// wrong password and a disabled account give one message, take about the
// same time, and count the same way against the same kind of key (see
// sign_in_limits.go), so the locks that follow reveal nothing either. Each
// check that reaches an account, or finds none, goes in the audit log, by
// user id or 0, never the email typed; attempts a lock turns away before
// that do not, so a flood cannot fill the log.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	in := loginData{Email: strings.TrimSpace(r.PostForm.Get("email")), Next: localPath(r.PostForm.Get("next"), "")}
	pw := r.PostForm.Get("password")
	email, bad := account.NormalizeEmail(in.Email)
	keys := s.signInKeys(r, email)
	defer s.takeTurn(keys)()
	if lock, err := s.signInLock(ctx, keys); err != nil {
		return err
	} else if lock != "" {
		in.Err = lock
		return s.render(w, r, http.StatusTooManyRequests, "login.html", "login.title", in)
	}
	if bad != "" || len(pw) == 0 || len(pw) > 4*password.MaxLength {
		// Not a guess at any account's password: it counts against the
		// address alone, and is not audited.
		keys.account, keys.device = "", ""
		return s.loginFailed(w, r, nil, keys, "", in)
	}
	u, err := s.store.UserByEmail(ctx, email)
	if problem.Is(err, problem.NotFound) {
		password.Verify(pw, password.DummyHash, s.cfg.Password)
		return s.loginFailed(w, r, nil, keys, "unknown account", in)
	} else if err != nil {
		return err
	}
	ok, rehash, err := password.Verify(pw, u.PasswordHash, s.cfg.Password)
	switch {
	case err != nil:
		return err
	case !ok:
		return s.loginFailed(w, r, u, keys, "wrong password", in)
	case u.Disabled:
		return s.loginFailed(w, r, u, keys, "disabled account", in)
	}
	return s.passwordAccepted(w, r, u, keys, pw, rehash, in.Next)
}

// loginFailed counts a refused sign-in, records it (unless reason is
// empty) and answers with the one generic message, or with the message of
// the lock this failure started. u is nil for an email with no account.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, u *account.User, keys signInKeys, reason string, in loginData) error {
	if reason != "" {
		if err := s.audit(r, u, "auth.sign_in", audit.Deny, reason); err != nil {
			return err
		}
		var id int64
		if u != nil {
			id = u.ID
		}
		s.log.Info("sign-in failed", "ref", stateOf(r).ref, "user_id", id)
	}
	lock, err := s.countFailure(r, u, keys)
	if err != nil {
		return err
	}
	status := http.StatusUnauthorized
	in.Err = "login.failed"
	if lock != "" {
		status, in.Err = http.StatusTooManyRequests, lock
	}
	return s.render(w, r, status, "login.html", "login.title", in)
}

// passwordAccepted finishes a sign-in whose password was right: it starts
// the session and sends the person on to their second factor, to set one
// up if they must, or where they were going.
func (s *Server) passwordAccepted(w http.ResponseWriter, r *http.Request, u *account.User, keys signInKeys, pw string, rehash bool, next string) error {
	st, ctx := stateOf(r), r.Context()
	on, err := s.store.TOTPEnabled(ctx, u.ID)
	if err != nil {
		return err
	}
	if rehash {
		newHash, err := password.Hash(pw, s.cfg.Password)
		if err != nil {
			return err
		}
		if err := s.store.RehashPassword(ctx, u.ID, newHash); err != nil {
			return err
		}
	}
	// With a second factor the sign-in completes, and this browser's
	// failures are forgotten, only when the code is right (submitCode).
	if !on {
		if err := s.signInCompleted(w, r, keys); err != nil {
			return err
		}
	}
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
