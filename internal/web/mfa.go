package web

import (
	"net/http"

	"puente/internal/access"
	"puente/internal/signin"
)

// registerMFA declares the second factor's routes: the code asked for at
// sign-in, and the person's own enrollment pages.
func (s *Server) registerMFA() {
	s.handle("GET /login/code", access.Public, s.codePage)
	s.handle("POST /login/code", access.Public, s.submitCode)

	s.handle("GET /account/2fa", access.ManageOwnAccount, s.twoFAPage)
	s.handle("POST /account/2fa/start", access.ManageOwnAccount, s.twoFAStart)
	s.handle("POST /account/2fa/confirm", access.ManageOwnAccount, s.twoFAConfirm)
	s.handle("POST /account/2fa/disable", access.ManageOwnAccount, s.twoFADisable)
	s.handle("POST /account/2fa/recovery", access.ManageOwnAccount, s.twoFARecovery)
}

// admit finishes authenticating a live session. A user with a second
// factor who has not given it in this session stays pending: no user and no
// actor, so to the policy the request is anonymous. A user who must have a
// second factor and has none is signed in, but held to enrollment.
func (s *Server) admit(st *state, cur *signin.Current) {
	if cur.SecondFactor && !cur.Session.SecondFactor {
		st.pending = cur.User
		return
	}
	st.user, st.org = cur.User, cur.Org
	st.actor = access.ActorFor(cur.User, cur.Org)
	st.secondFactor = cur.SecondFactor
	st.mustEnroll = !cur.SecondFactor && signin.Required(cur.User, cur.Org)
}

// enrollRoutes are the only routes, besides public ones, open to a user who
// must set up a second factor and has not.
var enrollRoutes = map[string]bool{
	"GET /account/2fa":          true,
	"POST /account/2fa/start":   true,
	"POST /account/2fa/confirm": true,
	"POST /logout":              true,
}

// allowed decides whether a request may reach its handler. The access
// policy decides, after two checks of the second factor: a session that
// still owes its code may only sign out (it has no actor, so the policy
// allows it public routes alone), and a user who must enroll may only use
// public routes and enrollRoutes.
func (s *Server) allowed(st *state, pattern string, act access.Action) bool {
	switch {
	case st.pending != nil && pattern == "POST /logout":
		return true
	case st.mustEnroll && act != access.Public && !enrollRoutes[pattern]:
		return false
	}
	return access.Allow(st.actor, act, access.Resource{})
}

// secondFactorRedirect sends a browser that is not through with its second
// factor to the step it owes, and reports whether it did.
func (s *Server) secondFactorRedirect(w http.ResponseWriter, r *http.Request, st *state) bool {
	if isAPI(r) {
		return false
	}
	switch {
	case st.pending != nil:
		target := "/login/code"
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			target += "?next=" + urlQueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	case st.mustEnroll:
		http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
	default:
		return false
	}
	return true
}

// endSession ends the request's session and forgets its cookie. The
// request carries on as anonymous, so a page rendered after it binds its
// form token to a new pre-session cookie, not to the session just ended.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.session != nil {
		if err := s.signin.EndSession(r.Context(), st.session.Hash, nil, "", st.ref); err != nil {
			return err
		}
	}
	s.forgetSession(w, r)
	return nil
}

// forgetSession clears the session cookie and the request's signed-in
// state, once the session is ended.
func (s *Server) forgetSession(w http.ResponseWriter, r *http.Request) {
	st := stateOf(r)
	s.clearCookie(w, st, sessionCookie)
	st.session, st.sessionID, st.pending = nil, "", nil
	st.user, st.org, st.actor = nil, nil, access.Anonymous
}
