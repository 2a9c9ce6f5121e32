package web

import (
	"net/http"

	"puente/internal/signin"
)

type codeData struct {
	Next string
	Err  string // translation key
}

// codePage asks a session that has given the password for its second
// factor. Anyone else has nothing to do here.
func (s *Server) codePage(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	next := localPath(r.URL.Query().Get("next"), "")
	switch {
	case st.user != nil:
		return redirect(w, r, localPath(next, "/dashboard"), "")
	case st.pending == nil:
		return redirect(w, r, "/login", "")
	}
	return s.render(w, r, http.StatusOK, "login_code.html", "login.code_title", codeData{Next: next})
}

// submitCode checks the code from the authenticator app, or a recovery
// code, and completes the sign-in (signin.Service.SecondFactor). Wrong
// codes count like wrong passwords, against this browser's standing with
// the account: when they lock it, the session ends and the person must sign
// in again once the lock is over. A code that is not even the right shape
// is a typo, not a guess, and is not counted.
func (s *Server) submitCode(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	in := codeData{Next: localPath(r.PostForm.Get("next"), "")}
	u := st.pending
	switch {
	case st.user != nil:
		return redirect(w, r, localPath(in.Next, "/dashboard"), "")
	case u == nil:
		return redirect(w, r, "/login", "")
	}
	refuse := func(status int, key string) error {
		in.Err = key
		return s.render(w, r, status, "login_code.html", "login.code_title", in)
	}
	keys := s.signInKeys(r, u.Email)
	res, err := s.signin.SecondFactor(r.Context(), st.session.Hash, u, r.PostForm.Get("code"), keys, st.ref)
	switch {
	case err != nil:
		return err
	case res.Lock == signin.LockedAddr:
		return refuse(http.StatusTooManyRequests, res.Lock)
	case res.Lock != "":
		s.log.Info("second factor refused; locked", "ref", st.ref, "user_id", u.ID)
		return s.codeLockedOut(w, r)
	case res.Refused == signin.RefusedMalformed:
		return refuse(http.StatusUnprocessableEntity, res.Message)
	case res.Refused != "":
		s.log.Info("second factor refused", "ref", st.ref, "user_id", u.ID, "reason", res.Refused)
		return refuse(http.StatusUnauthorized, res.Message)
	}
	s.trustBrowser(w, r, keys)
	s.log.Info("second factor given", "ref", st.ref, "user_id", u.ID, "by", res.By)
	flash := ""
	if res.By == signin.ByRecovery {
		flash = "recovery_used"
	}
	return redirect(w, r, localPath(in.Next, "/dashboard"), flash)
}

// codeLockedOut ends the session of an account that locked while it owed
// its second factor, and sends the person back to the start.
func (s *Server) codeLockedOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	return s.render(w, r, http.StatusTooManyRequests, "login.html", "login.title", loginData{Err: "login.code_locked"})
}
