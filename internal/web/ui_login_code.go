package web

import (
	"net/http"

	"puente/internal/audit"
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
// code, and completes the sign-in. Wrong codes count like wrong passwords,
// against this browser's standing with the account (sign_in_limits.go):
// when they lock it, the session ends and the person must sign in again
// once the lock is over. A code that is not even the right shape is a
// typo, not a guess, and is not counted.
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
	defer s.takeTurn(keys)()
	switch lock, err := s.signInLock(r.Context(), keys); {
	case err != nil:
		return err
	case lock == lockedAddr:
		return refuse(http.StatusTooManyRequests, lock)
	case lock != "":
		if err := s.audit(r, u, "auth.second_factor", audit.Deny, "locked"); err != nil {
			return err
		}
		return s.codeLockedOut(w, r)
	}
	by, refused, err := s.checkSecondFactor(r.Context(), u, r.PostForm.Get("code"), s.now())
	switch {
	case err != nil:
		return err
	case refused == refusedMalformed:
		return refuse(http.StatusUnprocessableEntity, refusalKeys[refused])
	case refused != "":
		lock, err := s.codeFailed(r, u, keys, "auth.second_factor", refused)
		switch {
		case err != nil:
			return err
		case lock == lockedAddr:
			return refuse(http.StatusTooManyRequests, lock)
		case lock != "":
			return s.codeLockedOut(w, r)
		}
		return refuse(http.StatusUnauthorized, refusalKeys[refused])
	}
	return s.secondFactorGiven(w, r, keys, by, in.Next)
}

// secondFactorGiven completes the sign-in of a pending session. The
// session id stays as it is: it was issued fresh when the password was
// accepted, moments ago, to this same browser.
func (s *Server) secondFactorGiven(w http.ResponseWriter, r *http.Request, keys signInKeys, by, next string) error {
	st, ctx := stateOf(r), r.Context()
	u := st.pending
	if err := s.store.MarkSessionSecondFactor(ctx, st.session.Hash); err != nil {
		return err
	}
	if err := s.signInCompleted(w, r, keys); err != nil {
		return err
	}
	if err := s.audit(r, u, "auth.second_factor", audit.Allow, by); err != nil {
		return err
	}
	s.log.Info("second factor given", "ref", st.ref, "user_id", u.ID, "by", by)
	if by != byRecovery {
		return redirect(w, r, localPath(next, "/dashboard"), "")
	}
	if err := s.audit(r, u, "auth.recovery_code_used", audit.Allow, "sign-in"); err != nil {
		return err
	}
	return redirect(w, r, localPath(next, "/dashboard"), "recovery_used")
}

// codeLockedOut ends the session of an account that locked while it owed
// its second factor, and sends the person back to the start.
func (s *Server) codeLockedOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	return s.render(w, r, http.StatusTooManyRequests, "login.html", "login.title", loginData{Err: "login.code_locked"})
}
