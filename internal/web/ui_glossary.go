package web

import (
	"net/http"

	"puente/internal/access"
	"puente/internal/glossary"
)

// glossaryPage explains trafficking, smuggling and the words people mix
// up, in both languages. It holds no personal data, so it is public: a
// volunteer at a shelter door can read it without an account.
func (s *Server) glossaryPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "glossary.html", "glossary.title", glossary.Terms())
}

func (s *Server) registerGlossary() {
	s.handle("GET /glossary", access.Public, s.glossaryPage)
}
