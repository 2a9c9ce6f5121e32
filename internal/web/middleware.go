package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"puente/internal/i18n"
	"puente/internal/problem"
)

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withState creates the request's state, then logs and measures the
// request once it is done. The log line holds the route pattern, never the
// path or query, and the user's id, never their name or email.
func (s *Server) withState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &state{ref: newRef(), https: s.isHTTPS(r)}
		st.secure = isSecure(st.https, r)
		st.lang = s.pickLanguage(r, st)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, withState(r, st))
		route := st.route
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.observe(r.Method, route, sw.status, elapsed)
		attrs := []any{"ref", st.ref, "method", r.Method, "route", route, "status", sw.status, "ms", elapsed.Milliseconds()}
		if st.user != nil {
			attrs = append(attrs, "user_id", st.user.ID)
		}
		s.log.Info("request", attrs...)
	})
}

// isHTTPS reports whether the browser reached the server over HTTPS: by
// TLS to this server, or, behind a trusted proxy, by what the outermost
// proxy says it was asked with.
func (s *Server) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !s.cfg.TrustProxy {
		return false
	}
	proto, ok := s.forwarded(r, "X-Forwarded-Proto")
	if !ok {
		// Proxies usually overwrite this header rather than append to it:
		// with fewer entries than proxies, every entry is a proxy's, and
		// the leftmost is the nearest to the browser.
		entries := forwardedEntries(r, "X-Forwarded-Proto")
		if len(entries) == 0 {
			return false
		}
		proto = entries[0]
	}
	return strings.EqualFold(proto, "https")
}

// isSecure reports whether the browser will keep Secure cookies for this
// request: over HTTPS, or on a loopback address, which browsers treat as a
// secure context.
func isSecure(https bool, r *http.Request) bool {
	if https {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clientIP is the address sign-in limits count against. Behind trusted
// proxies it is the address the outermost of them saw: each proxy appends
// the address it was reached from to X-Forwarded-For, so every entry left
// of those is whatever the client chose to write, and only the Nth from the
// right, for N proxies, can be believed. A request with fewer entries did
// not come through them all, and one whose entry is not an address comes
// from a misconfigured proxy: both count against the address that
// connected, which is stricter, never looser.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if f, ok := s.forwarded(r, "X-Forwarded-For"); ok {
			if a, err := netip.ParseAddr(f); err == nil {
				return a.Unmap().WithZone("").String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forwarded returns the entry the outermost trusted proxy wrote in a
// list-valued forwarding header: the Nth from the right, across all the
// header's lines, for N trusted proxies. ok is false when there are fewer.
func (s *Server) forwarded(r *http.Request, name string) (entry string, ok bool) {
	entries := forwardedEntries(r, name)
	n := s.cfg.TrustedProxies
	if n < 1 || len(entries) < n {
		return "", false
	}
	return entries[len(entries)-n], true
}

// forwardedEntries splits every line of a list-valued header at its commas.
func forwardedEntries(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.Header.Values(name) {
		for e := range strings.SplitSeq(v, ",") {
			out = append(out, strings.TrimSpace(e))
		}
	}
	return out
}

// pickLanguage follows the person's explicit choice (cookie) and otherwise
// their browser. A signed-in user's saved choice overrides both later, in
// authenticate.
func (s *Server) pickLanguage(r *http.Request, st *state) string {
	if c, err := r.Cookie(s.cookieName(st, langCookie)); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				st := stateOf(r)
				s.log.Error("panic", "ref", st.ref, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, problem.Wrap(problem.Internal, "error.internal", fmt.Errorf("panic: %v", v)))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows no scripts at all: Puente needs none, and a
// page that runs none cannot be made to run an attacker's.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		// Over HTTPS only: on plain HTTP, loopback included, browsers
		// ignore it, and a proxy's word counts only when it is trusted.
		if stateOf(r).https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Pages can show survivors' data: never keep them in a
			// shared computer's cache.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate identifies the caller. API routes accept only bearer tokens
// and pages only the session cookie, so a browser session can never be
// ridden by a cross-site request to the API, and a token never by a page.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateOf(r)
		ctx := r.Context()
		if isAPI(r) {
			if h := r.Header.Get("Authorization"); h != "" {
				if err := s.authenticateToken(r, st, h); err != nil {
					s.fail(w, r, err)
					return
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(s.cookieName(st, sessionCookie)); err == nil && c.Value != "" {
			cur, gone, err := s.signin.Resume(ctx, c.Value)
			switch {
			case err != nil:
				s.fail(w, r, err)
				return
			case gone:
				s.clearCookie(w, st, sessionCookie)
			case cur != nil:
				st.session, st.sessionID = cur.Session, c.Value
				s.admit(st, cur)
				if cur.User.Lang != "" {
					st.lang = cur.User.Lang
				}
			}
		}
		if c, err := r.Cookie(s.cookieName(st, preCookie)); err == nil && len(c.Value) >= 32 {
			st.preID = c.Value
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) authenticateToken(r *http.Request, st *state, header string) error {
	bearer, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return problem.New(problem.Unauthorized, "error.token")
	}
	t, err := s.signin.Authenticate(r.Context(), bearer)
	if err != nil {
		return err
	}
	st.user, st.token, st.org, st.actor = t.User, t.Token, t.Org, t.Actor
	return nil
}

// isAPI reports whether the request is for a machine interface: the JSON
// API and the HSDA directory API answer in JSON, take bearer tokens only,
// and never read the session cookie.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/hsda/")
}

// isTooLarge reports whether err comes from reading past a body limit.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
