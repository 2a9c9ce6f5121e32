package web

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"puente/internal/demo"
	"puente/internal/signin"
)

// serverWith builds another server on e's database and keys, with cfg
// changed by change, and serves it.
func (e *env) serverWith(change func(*Config)) (*Server, *httptest.Server) {
	e.t.Helper()
	cfg := Config{Services: testServices(e.db, e.db, e.keys, e.clock.Now), Keys: e.keys, Logger: slog.New(slog.DiscardHandler), Demo: true, Version: "test", Password: fastHash, Now: e.clock.Now, Anonymous: testAnonymous}
	change(&cfg)
	srv, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	e.t.Cleanup(ts.Close)
	return srv, ts
}

func TestTrustedProxiesDefault(t *testing.T) {
	e := sqliteEnv(t)
	for _, tt := range []struct {
		name  string
		proxy bool
		n     int
		want  int
	}{
		{"direct", false, 0, 0},
		{"behind a proxy, number not given", true, 0, 1},
		{"behind two proxies", true, 2, 2},
	} {
		srv, _ := e.serverWith(func(c *Config) { c.TrustProxy, c.TrustedProxies = tt.proxy, tt.n })
		if got := srv.cfg.TrustedProxies; got != tt.want {
			t.Errorf("%s: TrustedProxies = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestClientIP(t *testing.T) {
	for _, tt := range []struct {
		name    string
		proxies int // 0: not behind a proxy
		remote  string
		xff     []string // X-Forwarded-For headers, in order
		want    string
	}{
		{"direct", 0, "203.0.113.9:5555", nil, "203.0.113.9"},
		{"direct ignores the header", 0, "203.0.113.9:5555", []string{"198.51.100.7"}, "203.0.113.9"},
		{"one proxy", 1, "10.0.0.1:443", []string{"198.51.100.7"}, "198.51.100.7"},
		{"one proxy, client wrote its own entry", 1, "10.0.0.1:443", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"one proxy, client sent its own header", 1, "10.0.0.1:443", []string{"6.6.6.6", "198.51.100.7"}, "198.51.100.7"},
		{"one proxy, many forged entries", 1, "10.0.0.1:443", []string{"1.1.1.1,2.2.2.2", "3.3.3.3 ,  198.51.100.7"}, "198.51.100.7"},
		{"two proxies", 2, "10.0.0.2:443", []string{"6.6.6.6, 198.51.100.7, 10.0.0.1"}, "198.51.100.7"},
		{"two proxies, headers split", 2, "10.0.0.2:443", []string{"6.6.6.6, 198.51.100.7", "10.0.0.1"}, "198.51.100.7"},
		{"two proxies, one entry: came past the outer one", 2, "10.0.0.2:443", []string{"198.51.100.7"}, "10.0.0.2"},
		{"proxy, no header", 1, "10.0.0.1:443", nil, "10.0.0.1"},
		{"proxy, empty header", 1, "10.0.0.1:443", []string{""}, "10.0.0.1"},
		{"proxy, empty last entry", 1, "10.0.0.1:443", []string{"198.51.100.7, "}, "10.0.0.1"},
		{"proxy, not an address", 1, "10.0.0.1:443", []string{"evil"}, "10.0.0.1"},
		{"proxy, address with a port", 1, "10.0.0.1:443", []string{"198.51.100.7:1234"}, "10.0.0.1"},
		{"proxy, IPv6", 1, "[::1]:443", []string{"2001:db8::7"}, "2001:db8::7"},
		{"proxy, IPv4 mapped in IPv6", 1, "10.0.0.1:443", []string{"::ffff:198.51.100.7"}, "198.51.100.7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{cfg: Config{TrustProxy: tt.proxies > 0, TrustedProxies: tt.proxies}}
			r := httptest.NewRequest(http.MethodPost, "/login", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientIP(r); got != tt.want {
				t.Errorf("clientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestForgedForwardedForDoesNotDodgeThrottle is the attack: behind a proxy
// that appends the address it saw, a guesser writes a new address of its
// own into every request, hoping each counts as a new connection.
func TestForgedForwardedForDoesNotDodgeThrottle(t *testing.T) {
	e := sqliteEnv(t)
	_, ts := e.serverWith(func(c *Config) { c.TrustProxy = true })
	proxied := *e
	proxied.ts = ts
	b := proxied.browser()
	tok := b.csrf("/login")
	var last *response
	for i := range signin.AddrLimit.Failures + 1 {
		b.header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(i)+", 203.0.113.7")
		last = b.post("/login", form("csrf_token", tok, "email", "user"+strconv.Itoa(i)+"@example.org", "password", "not-the-password"))
	}
	if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(last.body, "from this connection") {
		t.Fatalf("attempt %d from one address behind the proxy: %d, want 429", signin.AddrLimit.Failures+1, last.StatusCode)
	}
	// Another client behind the same proxy is not held up.
	other := proxied.browser()
	other.header.Set("X-Forwarded-For", "203.0.113.8")
	res := other.post("/login", form("csrf_token", other.csrf("/login"), "email", "analyst@"+demo.Domain, "password", demo.Password))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another address behind the proxy: %d, want a sign-in", res.StatusCode)
	}
}

func TestHSTS(t *testing.T) {
	e := sqliteEnv(t)
	direct, _ := e.serverWith(func(*Config) {})
	proxied, _ := e.serverWith(func(c *Config) { c.TrustProxy = true })
	const hsts = "max-age=63072000; includeSubDomains"
	for _, tt := range []struct {
		name  string
		srv   *Server
		tls   bool
		host  string
		proto []string // X-Forwarded-Proto headers
		want  string
	}{
		{"plain HTTP", direct, false, "puente.example", nil, ""},
		{"plain HTTP on loopback", direct, false, "127.0.0.1:8080", nil, ""},
		{"localhost", direct, false, "localhost:8080", nil, ""},
		{"TLS", direct, true, "puente.example", nil, hsts},
		{"forged proto, no proxy configured", direct, false, "puente.example", []string{"https"}, ""},
		{"behind a TLS proxy", proxied, false, "puente.example", []string{"https"}, hsts},
		{"behind a proxy, plain HTTP", proxied, false, "puente.example", []string{"http"}, ""},
		{"behind a proxy, no proto", proxied, false, "puente.example", nil, ""},
		{"behind a proxy, client wrote https and the proxy appended http", proxied, false, "puente.example", []string{"https, http"}, ""},
		{"behind a proxy, client sent its own header", proxied, false, "puente.example", []string{"https", "http"}, ""},
		{"behind a proxy, loopback", proxied, false, "127.0.0.1:8080", []string{"http"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for _, v := range tt.proto {
				r.Header.Add("X-Forwarded-Proto", v)
			}
			w := httptest.NewRecorder()
			tt.srv.Handler().ServeHTTP(w, r)
			if got := w.Header().Get("Strict-Transport-Security"); got != tt.want {
				t.Errorf("Strict-Transport-Security = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAnonymousFloodIsShed: with the real limits, one address flooding
// the sign-in page is refused once past its burst, cheaply and with a time
// to come back, while a signed-in caseworker from the same address is
// served as usual.
func TestAnonymousFloodIsShed(t *testing.T) {
	e := sqliteEnv(t)
	staff := e.signIn("caseworker")
	_, ts := e.serverWith(func(c *Config) { c.Anonymous = AnonymousLimits{} })
	staff.e = &env{t: t, db: e.db, srv: e.srv, ts: ts, clock: e.clock, keys: e.keys}
	anon := &browser{e: staff.e, cookies: map[string]string{}, header: http.Header{}}
	var refused *response
	for i := 0; i <= anonBurst && refused == nil; i++ {
		if res := anon.get("/login"); res.StatusCode == http.StatusTooManyRequests {
			refused = res
		}
	}
	if refused == nil {
		t.Fatalf("%d sign-in pages from one address in a burst: none refused", anonBurst+1)
	}
	if refused.Header.Get("Retry-After") == "" || strings.Contains(refused.body, "<html") {
		t.Errorf("the refusal is not a cheap plain answer with a time to retry: %q", refused.body)
	}
	if res := staff.get("/dashboard"); res.StatusCode != http.StatusOK {
		t.Errorf("a signed-in caseworker from the same address: %d", res.StatusCode)
	}
}
