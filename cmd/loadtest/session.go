package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"puente/internal/demo"
)

// staffUsers are the demo accounts the workload signs in as: those that
// need no second factor and work with cases. Sessions take them in turn.
var staffUsers = []string{
	"caseworker", "caseworker.juarez", "screener", "analyst", "caseworker.reynosa",
	"caseworker.sandiego", "caseworker.tijuana", "caseworker.laredo", "albergue.hombres",
}

// session is one signed-in member of staff, as their browser holds it: a
// cookie header, the session's form token, and what the server showed
// them they may do.
type session struct {
	user      string
	csrf      string
	get, post http.Header
	cases     []int64 // cases whose page they may open, from their case list
	list      bool    // may list and search cases
	create    bool    // may record a case
}

// may reports whether the session can make a request of the route without
// being refused.
func (s *session) may(route string) bool {
	switch route {
	case routeCase:
		return len(s.cases) > 0
	case routeList, routeSearch:
		return s.list
	case routeCreate:
		return s.create
	}
	return true
}

var (
	csrfRE     = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	caseLinkRE = regexp.MustCompile(`href="/cases/([0-9]+)"`)
)

// browser is a cookie-keeping client that, like the workload, does not
// follow redirects.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// fetch makes one request and reads the whole answer; a form means POST.
func fetch(ctx context.Context, c *http.Client, rawURL string, form url.Values, header http.Header) (*http.Response, string, error) {
	method, rd := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, rd = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, string(body), err
}

// formToken loads a page and returns its form token.
func formToken(ctx context.Context, c *http.Client, rawURL string) (string, error) {
	res, body, err := fetch(ctx, c, rawURL, nil, nil)
	if err != nil {
		return "", err
	}
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("no form token on %s (status %d)", rawURL, res.StatusCode)
	}
	return m[1], nil
}

// signIn signs a demo user in through the sign-in form, as a person would.
func signIn(ctx context.Context, base, local string) (*session, *http.Client, error) {
	c := browser()
	tok, err := formToken(ctx, c, base+"/login")
	if err != nil {
		return nil, nil, fmt.Errorf("sign in as %s: %w", local, err)
	}
	f := url.Values{"csrf_token": {tok}, "email": {local + "@" + demo.Domain}, "password": {demo.Password}}
	res, _, err := fetch(ctx, c, base+"/login", f, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("sign in as %s: %w", local, err)
	}
	switch loc := res.Header.Get("Location"); {
	case res.StatusCode == http.StatusSeeOther && loc == "/dashboard":
	case strings.HasPrefix(loc, "/login/code") || strings.HasPrefix(loc, "/account/2fa"):
		return nil, nil, fmt.Errorf("sign in as %s: the account needs a second factor, which the load test does not give", local)
	default:
		return nil, nil, fmt.Errorf("sign in as %s: status %d, location %q (is it a demo server, started with --demo?)", local, res.StatusCode, loc)
	}
	s := &session{user: local}
	if s.csrf, err = formToken(ctx, c, base+"/dashboard"); err != nil {
		return nil, nil, fmt.Errorf("sign in as %s: %w", local, err)
	}
	u, _ := url.Parse(base)
	var pairs []string
	for _, ck := range c.Jar.Cookies(u) {
		pairs = append(pairs, ck.Name+"="+ck.Value)
	}
	cookie := strings.Join(pairs, "; ")
	s.get = http.Header{"Cookie": {cookie}}
	s.post = http.Header{"Cookie": {cookie}, "Content-Type": {"application/x-www-form-urlencoded"}}
	return s, c, nil
}

// explore finds what the session may do: list cases, record them, and
// open which case pages (those its case list links to that answer 200).
func (s *session) explore(ctx context.Context, c *http.Client, base string) error {
	res, body, err := fetch(ctx, c, base+"/cases", nil, nil)
	if err != nil {
		return err
	}
	s.list = res.StatusCode == http.StatusOK
	var ids []int64
	for _, m := range caseLinkRE.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		res, _, err := fetch(ctx, c, base+"/cases/"+strconv.FormatInt(id, 10), nil, nil)
		if err != nil {
			return err
		}
		if res.StatusCode == http.StatusOK {
			s.cases = append(s.cases, id)
		}
	}
	res, _, err = fetch(ctx, c, base+"/cases/new", nil, nil)
	if err != nil {
		return err
	}
	s.create = res.StatusCode == http.StatusOK
	return nil
}

// signInStaff signs in n sessions, taking the staff accounts in turn, a
// few at a time (each sign-in hashes a password, on purpose slowly).
func signInStaff(ctx context.Context, base string, n int) ([]*session, error) {
	out := make([]*session, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			s, c, err := signIn(ctx, base, staffUsers[i%len(staffUsers)])
			if err == nil {
				err = s.explore(ctx, c, base)
			}
			out[i], errs[i] = s, err
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
