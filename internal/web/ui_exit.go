package web

import (
	"cmp"
	"net/http"

	"puente/internal/audit"
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
		if err := s.store.DeleteSession(r.Context(), st.session.Hash); err != nil {
			return err
		}
		// The way out must not wait on the audit log: a failure to
		// record it is logged, and the person still leaves.
		if u := cmp.Or(st.user, st.pending); u != nil {
			if err := s.audit(r, u, "auth.sign_out", audit.Allow, "quick exit"); err != nil {
				s.log.Error("audit quick exit", "ref", st.ref, "err", err)
			}
		}
	}
	s.clearCookie(w, st, sessionCookie)
	w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, s.cfg.ExitURL, http.StatusSeeOther)
	return nil
}
