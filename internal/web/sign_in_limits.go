package web

import (
	"net/http"
	"time"

	"puente/internal/signin"
)

// Sign-in limits are the sign-in service's (signin.AddrLimit and the
// others); the page gives it what they count against: the client's
// address, the account typed, and this browser's standing with the
// account, read from its device cookie.

// deviceTTL is how long a browser stays trusted after a sign-in completed
// on it; every sign-in renews it.
const deviceTTL = 90 * 24 * time.Hour

// signInKeys names the keys of an attempt at email (normalized; empty when
// the email typed was not one).
func (s *Server) signInKeys(r *http.Request, email string) signin.Keys {
	k := signin.Keys{Addr: s.limitKeys.Address(s.clientIP(r))}
	if email == "" {
		return k
	}
	k.Account = s.limitKeys.Account(email)
	if c, err := r.Cookie(s.cookieName(stateOf(r), deviceCookie)); err == nil {
		if id, ok := s.devices.Find(c.Value, k.Account, s.now()); ok {
			k.Device = s.limitKeys.Device(k.Account, id)
		}
	}
	return k
}

// trustBrowser trusts this browser for the account from now on, or renews
// its trust: a sign-in completed on it (the password, and the second factor
// where the account has one, were right).
func (s *Server) trustBrowser(w http.ResponseWriter, r *http.Request, k signin.Keys) {
	st := stateOf(r)
	old := ""
	if c, err := r.Cookie(s.cookieName(st, deviceCookie)); err == nil {
		old = c.Value
	}
	now := s.now()
	s.setCookie(w, st, deviceCookie, s.devices.Issue(old, k.Account, now, now.Add(deviceTTL)), deviceTTL)
}
