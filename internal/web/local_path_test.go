package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"puente/internal/demo"
)

func TestLocalPath(t *testing.T) {
	for _, tt := range []struct {
		name, next string
		ok         bool
	}{
		{"root", "/", true},
		{"page", "/dashboard", true},
		{"query", "/cases?status=open&page=2", true},
		{"fragment", "/cases/12#notes", true},
		{"escaped next inside", "/login/code?next=%2Fdashboard", true},
		{"escaped accent", "/directory?q=caf%C3%A9", true},
		{"trailing slash", "/directory/gaps/", true},
		{"dot segments stay on the site", "/./dashboard", true},

		{"empty", "", false},
		{"relative", "dashboard", false},
		{"dot relative", "./dashboard", false},
		{"scheme-relative", "//evil.example/x", false},
		{"absolute", "https://evil.example/x", false},
		{"scheme without slashes", "https:evil.example", false},
		{"javascript", "javascript:alert(1)", false},
		{"data", "data:text/html,hi", false},
		{"backslash after slash", "/\\evil.example", false},
		{"two backslashes", "\\\\evil.example", false},
		{"slash backslash slash", "/\\/evil.example", false},
		{"backslash later", "/x\\y", false},
		{"tab between slashes", "/\t/evil.example/x", false},
		{"CR between slashes", "/\r/evil.example", false},
		{"LF between slashes", "/\n/evil.example", false},
		{"tabs and newlines", "/\t\r\n/evil.example", false},
		{"leading tab", "\t//evil.example", false},
		{"leading space", " //evil.example", false},
		{"leading NUL", "\x00//evil.example", false},
		{"NUL between slashes", "/\x00/evil.example", false},
		{"unit separator", "/\x1f/evil.example", false},
		{"DEL", "/\x7f/evil.example", false},
		{"trailing control", "/dashboard\x0b", false},
		{"space inside", "/ /evil.example", false},
		{"no-break space", "/\u00a0/evil.example", false},
		{"ideographic space", "/\u3000/evil.example", false},
		{"line separator", "/\u2028/evil.example", false},
		{"leading ideographic space", "\u3000//evil.example", false},
		{"full-width solidus", "/\uff0fevil.example", false},
		{"invalid UTF-8", "/\xff/evil.example", false},
		// A browser does not decode these, but a proxy or a later
		// redirect that decodes once must not find a way off the site.
		{"encoded slashes", "/%2F%2Fevil.example", false},
		{"encoded slash after slash", "/%2f/evil.example", false},
		{"encoded backslash", "/%5Cevil.example", false},
		{"encoded tab", "/%09/evil.example", false},
		{"encoded backslash later", "/x%5Cy", false},
		{"bad escape", "/%zz", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := "/fallback"
			if tt.ok {
				want = tt.next
			}
			if got := localPath(tt.next, "/fallback"); got != want {
				t.Errorf("localPath(%q) = %q, want %q", tt.next, got, want)
			}
		})
	}
}

// browserHost is the host a browser goes to when a page on base answers
// with Location loc: it drops tabs and newlines anywhere and C0 controls
// and spaces at the ends, and reads a backslash as a slash, as the WHATWG
// URL parser does for http and https.
func browserHost(t *testing.T, base, loc string) string {
	t.Helper()
	loc = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(loc)
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.ReplaceAll(loc, "\\", "/")
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u, err := b.Parse(loc)
	if err != nil {
		return "unparsable: " + loc
	}
	return u.Host
}

// signInNextRE finds the next field of the sign-in and code forms (the
// language form has one too: the page's own address).
var signInNextRE = regexp.MustCompile(`action="/login(?:/code)?">\s*<input type="hidden" name="csrf_token" value="[^"]*">\s*<input type="hidden" name="next" value="([^"]*)">`)

func signInNext(body string) string {
	if m := signInNextRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return "(no form)"
}

// redirectAttacks are next values that outside testers used, or could,
// to send a person elsewhere after signing in or switching language.
var redirectAttacks = []string{
	"/\t/evil.example/x", // what ?next=/%09/evil.example/x decodes to
	"/\r\n/evil.example/x",
	"\t//evil.example/x",
	"//evil.example/x",
	"/\\evil.example/x",
	"https:evil.example",
	"/\x00/evil.example/x",
	"/\u3000/evil.example/x",
}

// TestOpenRedirectEndToEnd sends every attack to the three places that take
// a next parameter, and follows each Location as a browser would.
func TestOpenRedirectEndToEnd(t *testing.T) {
	e := sqliteEnv(t)
	host := strings.TrimPrefix(e.ts.URL, "http://")
	check := func(t *testing.T, what string, res *response, want string) {
		t.Helper()
		loc := res.Header.Get("Location")
		if got := browserHost(t, e.ts.URL+"/login", loc); got != host {
			t.Errorf("%s: Location %q takes a browser to %q", what, loc, got)
		}
		if res.StatusCode != http.StatusSeeOther || loc != want {
			t.Errorf("%s: %d to %q, want 303 to %q", what, res.StatusCode, loc, want)
		}
	}
	signedIn := e.signIn("analyst")
	cw := e.user("caseworker")
	secret, _ := e.enroll(cw.ID)
	for _, next := range redirectAttacks {
		t.Run(strings.ToValidUTF8(next, "?"), func(t *testing.T) {
			q := "?" + url.Values{"next": {next}}.Encode()

			check(t, "GET /login signed in", signedIn.get("/login"+q), "/dashboard")
			b := e.browser()
			if got := signInNext(b.get("/login" + q).body); got != "" {
				t.Errorf("GET /login: the sign-in form carries next %q", got)
			}
			res := b.post("/login", form("csrf_token", b.csrf("/login"), "email", "analyst@"+demo.Domain, "password", demo.Password, "next", next))
			check(t, "POST /login", res, "/dashboard")

			check(t, "GET /login/code signed in", signedIn.get("/login/code"+q), "/dashboard")
			p := e.browser()
			res = p.post("/login", form("csrf_token", p.csrf("/login"), "email", "caseworker@"+demo.Domain, "password", demo.Password, "next", next))
			check(t, "POST /login with a second factor", res, "/login/code")
			if got := signInNext(p.get("/login/code" + q).body); got != "" {
				t.Errorf("GET /login/code: the code form carries next %q", got)
			}
			e.clock.Add(30 * time.Second) // a fresh code for each sign-in
			res = p.post("/login/code", form("csrf_token", p.csrf("/login/code"), "code", e.codeAt(secret, e.clock.Now()), "next", next))
			check(t, "POST /login/code", res, "/dashboard")

			l := e.browser()
			res = l.post("/language", form("csrf_token", l.csrf("/login"), "lang", "es", "next", next))
			check(t, "POST /language", res, "/")
		})
	}
}
