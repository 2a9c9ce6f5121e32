package web

import (
	"net/http"
	"strings"
	"time"

	"puente/internal/account"
	"puente/internal/i18n"
	"puente/internal/problem"
	"puente/internal/signin"
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

// login checks credentials and, on success, starts a new session. The
// sign-in service decides (signin.Service.CheckPassword): every failure a
// guesser could learn from looks the same, and is counted and audited
// alike, so neither the answers nor the locks that follow tell accounts
// apart.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	in := loginData{Email: strings.TrimSpace(r.PostForm.Get("email")), Next: localPath(r.PostForm.Get("next"), "")}
	email, _ := account.NormalizeEmail(in.Email)
	keys := s.signInKeys(r, email)
	res, err := s.signin.CheckPassword(r.Context(), email, r.PostForm.Get("password"), keys, st.ref)
	if err != nil {
		return err
	}
	if res.Refused != "" {
		status := http.StatusUnauthorized
		if res.Refused != "login.failed" {
			status = http.StatusTooManyRequests
		}
		in.Err = res.Refused
		s.log.Info("sign-in failed", "ref", st.ref, "locked", status == http.StatusTooManyRequests)
		return s.render(w, r, status, "login.html", "login.title", in)
	}
	u := res.User
	if !res.SecondFactor {
		s.trustBrowser(w, r, keys)
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.log.Info("signed in", "ref", st.ref, "user_id", u.ID, "second_factor_next", res.SecondFactor)
	switch {
	case res.SecondFactor:
		target := "/login/code"
		if in.Next != "" {
			target += "?next=" + urlQueryEscape(in.Next)
		}
		return redirect(w, r, target, "")
	case signin.Required(u, res.Org):
		return redirect(w, r, "/account/2fa", "")
	}
	return redirect(w, r, localPath(in.Next, "/dashboard"), "")
}

// startSession rotates the session: whatever session the browser had is
// ended and a new id is issued, so an id planted before sign-in is useless.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *account.User) error {
	st := stateOf(r)
	old := ""
	if st.session != nil {
		old = st.session.Hash
	}
	id, err := s.signin.StartSession(r.Context(), u, old, st.lang)
	if err != nil {
		return err
	}
	s.setCookie(w, st, sessionCookie, id, 0)
	s.clearCookie(w, st, preCookie)
	if u.Lang != "" {
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
	if st.session != nil {
		if err := s.signin.EndSession(r.Context(), st.session.Hash, u, reason, st.ref); err != nil {
			return err
		}
	}
	s.forgetSession(w, r)
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
		if err := s.signin.SetLanguage(r.Context(), st.user.ID, lang); err != nil {
			return err
		}
	}
	return redirect(w, r, localPath(r.PostForm.Get("next"), "/"), "")
}
