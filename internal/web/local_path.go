package web

import (
	"net/url"
	"strings"
)

// localPath returns next if it is a path on this site, else fallback, so a
// crafted link cannot send a person elsewhere after signing in or switching
// language.
//
// Browsers are lenient where this must not be: they drop tabs and newlines
// anywhere in a Location, trim control characters and spaces from its
// ends, and read a backslash as a slash, so "/\t/evil.example" and
// "/\evil.example" both go to evil.example. Rather than copy those rules,
// localPath takes only what a link on this site looks like: printable
// ASCII with no space or backslash (the request URIs the server builds are
// always escaped that way), starting with one slash, that net/url reads as
// a path with no scheme, host or user. The decoded path must not start with
// two slashes or hold a backslash or a control character either, so that a
// proxy or a later redirect that decodes it once cannot find a way off the
// site.
func localPath(next, fallback string) string {
	if !isLocalPath(next) {
		return fallback
	}
	return next
}

func isLocalPath(p string) bool {
	if !strings.HasPrefix(p, "/") || offSite(p) {
		return false
	}
	for i := range len(p) {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || offSite(u.Path) {
		return false
	}
	for i := range len(u.Path) {
		if c := u.Path[i]; c < ' ' || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// offSite reports whether a path begins the way a browser reads as another
// host: two slashes, or a slash and a backslash.
func offSite(p string) bool {
	return strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\")
}
