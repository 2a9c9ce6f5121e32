package web

import (
	"net/http"
	"runtime"
	"strings"
	"time"

	"puente/internal/i18n"
)

// Requests from no one signed in — the sign-in page, the public glossary,
// the HSDA API, and whoever floods them — are served after the staff's: at
// most anonInFlight of them at once, and from one address no more than a
// burst of anonBurst, then one every anonEvery. What is over is refused at
// once with a short plain answer that costs nothing to make, so a flood
// never takes the cores a caseworker's page needs. (Password checks, the
// costliest thing an anonymous request can ask for, are bounded apart:
// password.Gate.)
//
// Config.Anonymous changes them; the zero value takes these.
const (
	anonInFlight = 16
	anonBurst    = 40
	anonEvery    = 100 * time.Millisecond
)

// A password or a second-factor code may be tried from one address a
// burst of signInBurst times, then once every signInEvery: room for an
// office behind one address at the start of a shift, none for a flood.
// Each try costs a lookup of the sign-in locks and, past them, an argon2id
// hash; at the anonymous rate, 32 flooding addresses made 320 of them a
// second and held staff pages at a p99 of over a second. The sign-in
// service's own limits (signin.AddrLimit and the others) still lock an
// address or an account after repeated failures; this only keeps a flood
// from reaching them.
const (
	signInBurst = 20
	signInEvery = 3 * time.Second
)

// Signed-in staff are served at most staffPerCore requests a core at once;
// a request over that waits for one of them to finish, up to staffWait,
// then is refused like an anonymous one. Past what the machine can answer,
// a queue without a bound keeps every core on requests whose person has
// long given up, and every page becomes slow; with one, the pages that
// are served stay fast and the rest are told at once to try again.
const (
	staffPerCore = 4
	staffWait    = time.Second
)

// StaffLimits bound the requests of signed-in people (see shed).
type StaffLimits struct {
	InFlight int           // handled at once
	Wait     time.Duration // the longest a request waits for its turn
}

func (l StaffLimits) orDefaults() StaffLimits {
	if l.InFlight <= 0 {
		l.InFlight = staffPerCore * runtime.GOMAXPROCS(0)
	}
	if l.Wait <= 0 {
		l.Wait = staffWait
	}
	return l
}

// AnonymousLimits bound the requests of no one signed in (see shed).
type AnonymousLimits struct {
	InFlight int           // handled at once, from every address together
	Burst    int           // from one address, before its rate applies
	Every    time.Duration // from one address, one more every Every
	// SignInBurst and SignInEvery are the same for passwords and codes.
	SignInBurst int
	SignInEvery time.Duration
}

func (l AnonymousLimits) orDefaults() AnonymousLimits {
	if l.InFlight <= 0 {
		l.InFlight = anonInFlight
	}
	if l.Burst <= 0 {
		l.Burst = anonBurst
	}
	if l.Every <= 0 {
		l.Every = anonEvery
	}
	if l.SignInBurst <= 0 {
		l.SignInBurst = signInBurst
	}
	if l.SignInEvery <= 0 {
		l.SignInEvery = signInEvery
	}
	return l
}

// shed applies those limits; it runs once the caller is known.
func (s *Server) shed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateOf(r)
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		if st.user != nil {
			if !s.staffTurn(r) {
				s.refuseCheaply(w, st, http.StatusServiceUnavailable)
				return
			}
			defer func() { <-s.staffSlots }()
			next.ServeHTTP(w, r)
			return
		}
		ip := s.clientIP(r)
		if !s.anonRate.Allow(ip, s.now()) || isSignInAttempt(r) && !s.signInRate.Allow(ip, s.now()) {
			s.refuseCheaply(w, st, http.StatusTooManyRequests)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.anonSlots <- struct{}{}:
			defer func() { <-s.anonSlots }()
			next.ServeHTTP(w, r)
		default:
			s.refuseCheaply(w, st, http.StatusServiceUnavailable)
		}
	})
}

// isSignInAttempt reports whether r tries a password or a code.
func isSignInAttempt(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/login" || r.URL.Path == "/login/code")
}

// staffTurn waits for one of the staff's slots, as long as the limits let
// it and the person still waits, and reports whether it got one.
func (s *Server) staffTurn(r *http.Request) bool {
	select {
	case s.staffSlots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(s.cfg.Staff.orDefaults().Wait)
	defer t.Stop()
	select {
	case s.staffSlots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-r.Context().Done():
		return false
	}
}

// refuseCheaply answers with a line of plain text in the person's
// language, and says when to try again.
func (s *Server) refuseCheaply(w http.ResponseWriter, st *state, status int) {
	st.route = "shed"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Retry-After", "2")
	w.WriteHeader(status)
	w.Write([]byte(i18n.T(st.lang, "error.busy") + "\n"))
}
