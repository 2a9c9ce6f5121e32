package web

import (
	"cmp"
	"net/http"
)

// quickExit is the control on every page for a person who must hide what
// they are looking at, now. It is a plain link, so it works without
// JavaScript: it ends the session, tells the browser to forget this site's
// cookies and cache, and sends it to a neutral page. Pressing Back then
// reaches only the sign-in page, because the session is gone and no page
// was cached. Signing out by GET is deliberate here: a forged link can do
// no worse than sign someone out.
func (s *Server) quickExit(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.session != nil {
		// The way out must not wait on the audit log: a failure is
		// logged, the session is dropped anyway, and the person leaves.
		u := cmp.Or(st.user, st.pending)
		if err := s.signin.EndSession(r.Context(), st.session.Hash, u, "quick exit", st.ref); err != nil {
			s.log.Error("end session at quick exit", "ref", st.ref, "err", err)
			if err := s.signin.EndSession(r.Context(), st.session.Hash, nil, "", st.ref); err != nil {
				return err
			}
		}
	}
	s.clearCookie(w, st, sessionCookie)
	w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, s.cfg.ExitURL, http.StatusSeeOther)
	return nil
}
