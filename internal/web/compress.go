package web

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compress sends pages, style sheets, CSV and JSON compressed (zstd or
// gzip, as the browser accepts) to people on a weak connection: the gap
// report's page shrinks from about 150 KB to a tenth of that.
//
// Compressing a page that holds a secret (the CSRF token) next to text
// someone can make it echo (a search) is what BREACH exploits, by reading
// the sizes of many responses to forged requests. Session cookies are
// SameSite=Lax, so a forged cross-site request carries no session; and
// every compressed response is padded by up to 32 random-looking bytes
// chosen from its content, so its size says less.
func (s *Server) compress(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.RandomJitter(32, 0, false))
	if err != nil {
		panic(err) // the options are constant; an error is a bug here
	}
	return wrap(next)
}
