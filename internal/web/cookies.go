package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// Cookie base names. On a secure context they carry the __Host- prefix, which
// browsers accept only with Secure, Path=/ and no Domain: the cookie cannot
// be set by a sibling subdomain or sent over plain HTTP.
const (
	sessionCookie = "puente_session"
	preCookie     = "puente_pre" // binds CSRF tokens before sign-in
	langCookie    = "puente_lang"
	// deviceCookie marks a browser where sign-ins completed, for the
	// sign-in limits (see sign_in_limits.go and auth.Devices).
	deviceCookie = "puente_device"
)

func (s *Server) cookieName(st *state, base string) string {
	if st.secure {
		return "__Host-" + base
	}
	return base
}

func (s *Server) setCookie(w http.ResponseWriter, st *state, base, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(st, base),
		Value:    value,
		Path:     "/",
		MaxAge:   int(maxAge.Seconds()),
		Secure:   st.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, st *state, base string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(st, base), Value: "", Path: "/", MaxAge: -1, Secure: st.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// csrfToken returns the token forms must send back. It is an HMAC of the
// session id (or, before sign-in, of the pre-session cookie), so it needs no
// storage, changes when the session rotates, and cannot be computed by
// anyone who does not hold the server's key and the victim's cookie.
// Go's CrossOriginProtection stands in front of it as a second, independent check.
func (s *Server) csrfToken(w http.ResponseWriter, st *state) string {
	binding := st.sessionID
	if binding == "" {
		if st.preID == "" {
			b := make([]byte, 32)
			rand.Read(b)
			st.preID = base64.RawURLEncoding.EncodeToString(b)
			s.setCookie(w, st, preCookie, st.preID, 0)
		}
		binding = "pre:" + st.preID
	}
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF checks the token a form sent.
func (s *Server) validCSRF(st *state, sent string) bool {
	binding := st.sessionID
	if binding == "" {
		if st.preID == "" {
			return false
		}
		binding = "pre:" + st.preID
	}
	got, err := base64.RawURLEncoding.DecodeString(sent)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(binding))
	return hmac.Equal(got, m.Sum(nil))
}
