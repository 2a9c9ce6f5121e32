package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"puente/internal/auth"
	"puente/internal/demo"
)

// requestTimeout bounds every request; a server killed mid-request
// answers at once with a closed connection, so this is only a backstop.
const requestTimeout = 15 * time.Second

// caseworker is the demo account the harness writes as: a caseworker needs
// no second factor, so a script can sign in as one.
const caseworker = "caseworker@" + demo.Domain

// session is a cookie-keeping client for the web pages, as a browser is:
// it sends the server's __Host- cookies back over loopback HTTP, which
// net/http/cookiejar would not, and follows no redirects.
type session struct {
	base    string
	client  *http.Client
	cookies map[string]string
}

func newSession(base string) *session {
	return &session{base: base, cookies: map[string]string{}, client: &http.Client{
		Timeout:       requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (s *session) do(ctx context.Context, method, path string, form url.Values) (int, http.Header, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, body)
	if err != nil {
		return 0, nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var pairs []string
	for name, value := range s.cookies {
		pairs = append(pairs, name+"="+value)
	}
	if len(pairs) > 0 {
		req.Header.Set("Cookie", strings.Join(pairs, "; "))
	}
	res, err := s.client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(s.cookies, c.Name)
		} else {
			s.cookies[c.Name] = c.Value
		}
	}
	return res.StatusCode, res.Header, string(raw), err
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf loads a page and returns its form's CSRF token.
func (s *session) csrf(ctx context.Context, path string) (string, error) {
	status, _, body, err := s.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return "", err
	}
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("GET %s: status %d and no CSRF token", path, status)
	}
	return m[1], nil
}

// apiToken signs in to the web app as the demo caseworker and makes an API
// token that may write cases (and read its own profile, for its
// organization), as a person would on the tokens page.
func apiToken(ctx context.Context, base string) (string, error) {
	s := newSession(base)
	tok, err := s.csrf(ctx, "/login")
	if err != nil {
		return "", err
	}
	f := url.Values{"csrf_token": {tok}, "email": {caseworker}, "password": {demo.Password}}
	status, h, body, err := s.do(ctx, http.MethodPost, "/login", f)
	if err != nil {
		return "", err
	}
	if status != http.StatusSeeOther || h.Get("Location") != "/dashboard" {
		return "", fmt.Errorf("sign in as %s: status %d, to %q\n%.500s", caseworker, status, h.Get("Location"), body)
	}
	if tok, err = s.csrf(ctx, "/account/tokens"); err != nil {
		return "", err
	}
	f = url.Values{"csrf_token": {tok}, "name": {"crashtest"}, "days": {"30"}, "scope": {"cases:write", "profile:read"}}
	status, _, body, err = s.do(ctx, http.MethodPost, "/account/tokens", f)
	if err != nil {
		return "", err
	}
	i := strings.Index(body, auth.TokenPrefix)
	if status != http.StatusCreated || i < 0 {
		return "", fmt.Errorf("create an API token: status %d and no token shown", status)
	}
	end := strings.IndexAny(body[i:], `<" `)
	if end < 0 {
		return "", fmt.Errorf("create an API token: the token shown does not end")
	}
	return body[i : i+end], nil
}

// api is a client of the JSON API with a bearer token.
type api struct {
	base, token string
	client      *http.Client
}

// call sends in as JSON and decodes the answer into out when the status
// is 2xx. A 2xx whose body cannot be decoded is an error: the harness
// counts a write as acknowledged only when it has read the whole answer.
func (a *api) call(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if res.StatusCode/100 != 2 || out == nil {
		return res.StatusCode, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return 0, fmt.Errorf("%s %s: status %d: %w", method, path, res.StatusCode, err)
	}
	return res.StatusCode, nil
}

// orgID returns the organization of the token's user.
func (a *api) orgID(ctx context.Context) (int64, error) {
	var me struct {
		User struct {
			OrgID int64 `json:"organization_id"`
		} `json:"user"`
	}
	status, err := a.call(ctx, http.MethodGet, "/api/v1/me", nil, &me)
	if err != nil || status != http.StatusOK || me.User.OrgID == 0 {
		return 0, fmt.Errorf("GET /api/v1/me: status %d, %v", status, err)
	}
	return me.User.OrgID, nil
}
