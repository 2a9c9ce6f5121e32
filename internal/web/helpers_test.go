package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"puente/internal/account"
	"puente/internal/admin"
	"puente/internal/audit"
	"puente/internal/casework"
	"puente/internal/demo"
	"puente/internal/directory"
	"puente/internal/interview"
	"puente/internal/password"
	"puente/internal/practice"
	"puente/internal/screening"
	"puente/internal/secret"
	"puente/internal/signin"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

var fastHash = password.Params{Memory: 64, Time: 1, Threads: 1}

// env is a running server on a real database with the demo network.
type env struct {
	t     testing.TB
	db    *store.DB
	srv   *Server
	ts    *httptest.Server
	logs  *bytes.Buffer
	clock *clock
	keys  *secret.Keyring
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// lockedBuffer lets the server log from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	key, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(key)
	if _, err := demo.Seed(ctx, db, func(pw string) (string, error) { return password.Hash(pw, fastHash) }, c.Now()); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	srv, err := New(Config{Services: testServices(db, db, key, c.Now), Keys: key, Logger: slog.New(slog.NewJSONHandler(logs, nil)),
		Demo: true, Version: "test", Password: fastHash, Now: c.Now, Anonymous: testAnonymous})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, db: db, srv: srv, ts: ts, logs: &logs.Buffer, clock: c, keys: key}
}

// testAnonymous lets tests that walk every page anonymously do so from one
// address; TestAnonymousFloodIsShed tries the real limits.
var testAnonymous = AnonymousLimits{InFlight: 64, Burst: 1 << 20, Every: time.Millisecond, SignInBurst: 1 << 20, SignInEvery: time.Millisecond}

// testServices wires the services over db as cmd/puente does
// (internal/wiring, which the web package's own tests cannot import), with
// the directory read through dir, so that a test can count its reads.
func testServices(db *store.DB, dir directory.Store, key *secret.Keyring, now func() time.Time) Services {
	return Services{
		Cases:      &casework.Service{Store: db, Now: now},
		Referrals:  &casework.Referrals{Store: db, Now: now},
		Screenings: &interview.Service{Store: db, Protocol: screening.Load(), Now: now},
		Admin:      &admin.Service{Store: db, Now: now, Password: fastHash},
		SignIn:     &signin.Service{Store: db, Now: now, Password: fastHash},
		Directory:  &directory.Keeper{Store: dir, Now: now},
		Practice:   &practice.Library{Store: db},
		Audit:      &audit.Log{Store: db, Key: key.Derive(audit.ChainKeyPurpose), Now: now},
		Ready:      db.Ping,
	}
}

// forEachEnv runs fn against a server on SQLite and, when configured, on PostgreSQL.
func forEachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// sqliteEnv is for tests about the web layer alone.
func sqliteEnv(t *testing.T) *env { return newEnv(t, storetest.SQLite(t)) }

// browser is a minimal cookie-keeping client that, like a browser, keeps
// Secure cookies on loopback and does not follow redirects by itself.
type browser struct {
	e       *env
	cookies map[string]string
	header  http.Header // extra headers on every request
}

func (e *env) browser() *browser {
	return &browser{e: e, cookies: map[string]string{}, header: http.Header{}}
}

type response struct {
	*http.Response
	body string
}

func (b *browser) do(method, path string, body io.Reader, contentType string) *response {
	b.e.t.Helper()
	req, err := http.NewRequest(method, b.e.ts.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	// Cookies go in raw, so tests can send values a browser would refuse.
	var pairs []string
	for name, value := range b.cookies {
		pairs = append(pairs, name+"="+value)
	}
	if len(pairs) > 0 {
		req.Header.Set("Cookie", strings.Join(pairs, "; "))
	}
	// The transport, not a client: a client parses Location even when it
	// does not follow it, and refuses the malformed ones tests look for.
	res, err := b.e.ts.Client().Transport.RoundTrip(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return &response{Response: res, body: string(raw)}
}

func (b *browser) get(path string) *response { return b.do(http.MethodGet, path, nil, "") }

// post submits a form with the CSRF token of the last page, like a browser would.
func (b *browser) post(path string, form url.Values) *response {
	return b.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf loads a page and returns its form token.
func (b *browser) csrf(path string) string {
	b.e.t.Helper()
	res := b.get(path)
	m := csrfRE.FindStringSubmatch(res.body)
	if m == nil {
		b.e.t.Fatalf("no CSRF token on %s (status %d)", path, res.StatusCode)
	}
	return m[1]
}

// form builds url.Values from pairs.
func form(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

// signIn signs in as a demo user and returns the browser. A user who must
// have a second factor is enrolled first and gives a code, as a person
// would (see completeSecondFactor).
func (e *env) signIn(local string) *browser {
	e.t.Helper()
	e.enrollIfRequired(local)
	b := e.browser()
	tok := b.csrf("/login")
	res := b.post("/login", form("csrf_token", tok, "email", local+"@"+demo.Domain, "password", demo.Password))
	if res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/login/code" {
		res = e.completeSecondFactor(b, local)
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard" {
		e.t.Fatalf("sign in as %s: status %d, location %q\n%s", local, res.StatusCode, res.Header.Get("Location"), res.body)
	}
	return b
}

// api calls the JSON API with a bearer token.
func (e *env) api(token, method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	var r io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(v)
	default:
		b, _ := json.Marshal(v)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("%s %s: status %d, body is not a JSON object: %q", method, path, res.StatusCode, raw)
	}
	return res.StatusCode, out
}

// user fetches a demo user by email local part.
func (e *env) user(local string) *account.User {
	e.t.Helper()
	u, err := e.db.UserByEmail(context.Background(), local+"@"+demo.Domain)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func errorCode(body map[string]any) string {
	if e, ok := body["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}
