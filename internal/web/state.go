package web

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"net/http"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/auth"
	"puente/internal/casework"
)

// state is what the middleware learns about a request, shared with the
// handlers through the context. It is created first, so the outer
// middleware can read what inner layers filled in (the route, the user).
type state struct {
	ref       string // reference id shown with errors and logged with them
	route     string // the registered pattern, for metrics and logs
	lang      string
	https     bool // TLS to this server, or to a trusted proxy
	secure    bool // HTTPS, or loopback, where Secure cookies work
	user      *account.User
	org       *account.Organization // the user's organization
	actor     access.Actor
	session   *auth.Session
	sessionID string // the raw id from the cookie, for CSRF binding
	token     *auth.Token
	preID     string // anonymous CSRF binding, from the pre-session cookie
	// pending is the user of a session that has given the password but
	// not yet the second factor. Until it has, user and actor stay empty:
	// to the policy the request is anonymous.
	pending *account.User
	// mustEnroll is set for a user who must have a second factor and has
	// none: they are held to the enrollment pages until they set one up.
	mustEnroll bool
	// secondFactor is whether the signed-in user has a second factor.
	secondFactor bool
}

type stateKey struct{}

func stateOf(r *http.Request) *state {
	if st, ok := r.Context().Value(stateKey{}).(*state); ok {
		return st
	}
	return &state{ref: newRef(), lang: "en"}
}

func withState(r *http.Request, st *state) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
}

// newRef returns a short random reference a person can read out over the
// phone to support, and which finds the matching log line.
func newRef() string {
	b := make([]byte, 5)
	rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)
}

// caseRequest is who is asking, for the case service and its audit log.
func caseRequest(r *http.Request) casework.Request {
	st := stateOf(r)
	return casework.Request{Actor: st.actor, RequestID: st.ref}
}
