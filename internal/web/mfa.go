package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/mfa"
	"puente/internal/problem"
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

// admit finishes authenticating a live session of u. A user with a second
// factor who has not given it in this session stays pending: no user and no
// actor, so to the policy the request is anonymous. A user who must have a
// second factor and has none is signed in, but held to enrollment.
func (s *Server) admit(r *http.Request, st *state, u *account.User) error {
	on, err := s.store.TOTPEnabled(r.Context(), u.ID)
	if err != nil {
		return err
	}
	if on && !st.session.SecondFactor {
		st.pending = u
		return nil
	}
	st.user = u
	st.org = s.orgOf(r, u)
	st.actor = access.ActorFor(u, st.org)
	st.secondFactor = on
	st.mustEnroll = !on && secondFactorRequired(u, st.org)
	return nil
}

// secondFactorRequired asks mfa.Required about u. An organization that
// failed to load counts as no particular kind; the roles still decide.
func secondFactorRequired(u *account.User, org *account.Organization) bool {
	kind := ""
	if org != nil {
		kind = string(org.Kind)
	}
	return mfa.Required(roleNames(u), kind)
}

func roleNames(u *account.User) []string {
	out := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		out[i] = string(r)
	}
	return out
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

// The authenticator app shows the issuer and the account name to anyone who
// holds the phone, at a checkpoint or after a seizure: neither may say more
// than that this is Puente, so never an email address or a name.
const totpIssuer = "Puente"

func totpAccount(userID int64) string { return "Puente user " + strconv.FormatInt(userID, 10) }

// How a second factor was given, for the audit log.
const (
	byTOTP     = "authenticator code"
	byRecovery = "recovery code"
)

// Why a second factor was refused: audit reasons, never the code itself.
const (
	refusedMalformed = "malformed code"
	refusedWrong     = "wrong code"
	refusedReplayed  = "replayed code"
	refusedRecovery  = "wrong recovery code"
)

// refusalKeys map a refusal to the message the person sees.
var refusalKeys = map[string]string{
	refusedMalformed: "login.code_malformed",
	refusedWrong:     "login.code_wrong",
	refusedReplayed:  "login.code_replayed",
	refusedRecovery:  "login.code_wrong",
}

// checkSecondFactor checks code, from the authenticator app or a recovery
// code, for u, who has a second factor enabled. On success it spends the
// code — records its time step, or marks the recovery code used — and
// returns how it was given. A refused code gives a refusal reason instead,
// and err is only for failures of the server.
func (s *Server) checkSecondFactor(ctx context.Context, u *account.User, code string, now time.Time) (by, refused string, err error) {
	if rc, ok := mfa.NormalizeRecoveryCode(code); ok {
		err := s.store.UseRecoveryCode(ctx, u.ID, rc)
		if problem.Is(err, problem.NotFound) {
			return "", refusedRecovery, nil
		}
		return byRecovery, "", err
	}
	t, err := s.store.TOTP(ctx, u.ID)
	if err != nil {
		return "", "", err
	}
	if !t.Enabled() {
		return "", "", problem.New(problem.Conflict, "error.conflict")
	}
	step, err := mfa.Verify(t.Secret, strings.TrimSpace(code), now, t.LastStep)
	switch {
	case errors.Is(err, mfa.ErrMalformed):
		return "", refusedMalformed, nil
	case errors.Is(err, mfa.ErrWrong):
		return "", refusedWrong, nil
	case errors.Is(err, mfa.ErrReplayed):
		return "", refusedReplayed, nil
	case err != nil:
		return "", "", err
	}
	// Verify saw an older last step; another request with the same code
	// may have recorded this one since. The store decides who was first.
	if err := s.store.UseTOTPStep(ctx, u.ID, step); problem.Is(err, problem.Conflict) {
		return "", refusedReplayed, nil
	} else if err != nil {
		return "", "", err
	}
	return byTOTP, "", nil
}

// codeFailed records a refused second factor and counts it like a wrong
// password (countFailure), and returns the message of the lock it started,
// or "". The count is not per session, so someone who has only the
// password cannot get fresh guesses by signing in again.
func (s *Server) codeFailed(r *http.Request, u *account.User, keys signInKeys, action, refused string) (string, error) {
	if err := s.audit(r, u, action, audit.Deny, refused); err != nil {
		return "", err
	}
	lock, err := s.countFailure(r, u, keys)
	if err != nil {
		return "", err
	}
	s.log.Info("second factor refused", "ref", stateOf(r).ref, "user_id", u.ID, "reason", refused, "locked", lock != "")
	return lock, nil
}

// endSession ends the request's session and forgets its cookie. The
// request carries on as anonymous, so a page rendered after it binds its
// form token to a new pre-session cookie, not to the session just ended.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.session != nil {
		if err := s.store.DeleteSession(r.Context(), st.session.Hash); err != nil {
			return err
		}
	}
	s.clearCookie(w, st, sessionCookie)
	st.session, st.sessionID, st.pending = nil, "", nil
	st.user, st.org, st.actor = nil, nil, access.Anonymous
	return nil
}

// audit appends an entry about u (nil for an unknown caller) to the audit
// log. It names the user by id only: an entry never holds an email, a name,
// a code or a secret.
func (s *Server) audit(r *http.Request, u *account.User, action string, d audit.Decision, reason string) error {
	e := &audit.Entry{At: s.now(), Action: action, Decision: d, Reason: reason, RequestID: stateOf(r).ref}
	if u != nil {
		e.ActorID, e.OrgID, e.Roles = u.ID, u.OrgID, strings.Join(roleNames(u), ",")
		e.Record = "user:" + strconv.FormatInt(u.ID, 10)
	}
	return s.store.AppendAudit(r.Context(), e)
}
