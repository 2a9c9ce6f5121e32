package web

import (
	"net/http"
	"strings"
	"time"

	"puente/internal/account"
	"puente/internal/auth"
	"puente/internal/i18n"
	"puente/internal/password"
	"puente/internal/problem"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	if stateOf(r).user != nil {
		return redirect(w, r, "/dashboard", "")
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
// as many attempts, so the lock reveals nothing either.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	in := loginData{Email: strings.TrimSpace(r.PostForm.Get("email")), Next: localPath(r.PostForm.Get("next"), "")}
	pw := r.PostForm.Get("password")
	refuse := func(status int, key string) error {
		in.Err = key
		return s.render(w, r, status, "login.html", "login.title", in)
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
		return refuse(http.StatusUnauthorized, "login.failed")
	} else if err != nil {
		return err
	}
	if now.Before(u.LockedUntil) {
		return refuse(http.StatusTooManyRequests, "login.locked")
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
		if !locked.IsZero() {
			return refuse(http.StatusTooManyRequests, "login.locked")
		}
		return refuse(http.StatusUnauthorized, "login.failed")
	}
	if u.Disabled {
		return refuse(http.StatusUnauthorized, "login.failed")
	}
	var newHash string
	if rehash {
		if newHash, err = password.Hash(pw, s.cfg.Password); err != nil {
			return err
		}
	}
	if err := s.store.LoginSucceeded(r.Context(), u.ID, newHash); err != nil {
		return err
	}
	s.mailLimit.Reset("email:" + email)
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.log.Info("signed in", "ref", st.ref, "user_id", u.ID)
	return redirect(w, r, localPath(in.Next, "/dashboard"), "")
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

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if err := s.store.DeleteSession(r.Context(), st.session.Hash); err != nil {
		return err
	}
	s.clearCookie(w, st, sessionCookie)
	s.log.Info("signed out", "ref", st.ref, "user_id", st.user.ID)
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
