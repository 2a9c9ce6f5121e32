package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"puente/internal/access"
	"puente/internal/casework"
	"puente/internal/demo"
	"puente/internal/directory"
	"puente/internal/htcds"
)

// secretsOf returns what no page may show of the demo's confidential
// locations: their street addresses, exact coordinates, sealed names and
// descriptions. It fails when a secret is not unique to a confidential
// location, since then finding it on a page would prove nothing.
func secretsOf(t *testing.T, ls []directory.Listing) []string {
	t.Helper()
	public := map[string]bool{}
	var secrets []string
	for _, l := range ls {
		loc := l.Location
		if !loc.Confidential {
			for _, a := range loc.Addresses {
				public[a.Address1] = true
			}
			continue
		}
		secrets = append(secrets, loc.Name, loc.Description)
		for _, a := range loc.Addresses {
			secrets = append(secrets, a.Address1)
		}
		if loc.Latitude != nil {
			secrets = append(secrets, strconv.FormatFloat(*loc.Latitude, 'f', 4, 64), strconv.FormatFloat(*loc.Longitude, 'f', 4, 64))
		}
	}
	for _, s := range secrets {
		if public[s] {
			t.Fatalf("demo fixture: %q is the address of a confidential and of a public location", s)
		}
	}
	if len(secrets) < 12 {
		t.Fatalf("only %d secrets: the demo has fewer confidential locations than expected", len(secrets))
	}
	return secrets
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// pagesToVisit lists every GET page of the server with its path parameters
// filled in: record ids 1 to 3, and every directory listing, service and
// location id for the directory's pages.
func pagesToVisit(e *env, ls []directory.Listing) []string {
	values := map[string][]string{"{id}": {"1", "2", "3"}}
	for _, l := range ls {
		sal := directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)
		values["{sal}"] = append(values["{sal}"], sal)
		values["{service}"] = append(values["{service}"], l.Service.ID)
		values["{location}"] = append(values["{location}"], l.Location.ID)
	}
	var out []string
	for _, r := range e.srv.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		if method != http.MethodGet || strings.HasPrefix(path, "/static/") || path == "/exit" {
			continue
		}
		path = strings.TrimSuffix(strings.ReplaceAll(path, "{$}", ""), "{path...}")
		paths := []string{path}
		for _, p := range pathParam.FindAllString(path, -1) {
			var next []string
			for _, prefix := range paths {
				vs := values[p]
				if vs == nil {
					vs = []string{"1"}
				}
				for _, v := range vs {
					next = append(next, strings.Replace(prefix, p, v, 1))
				}
			}
			paths = next
		}
		out = append(out, paths...)
	}
	for _, pl := range directory.BorderCities {
		for _, need := range htcds.Needs {
			out = append(out, "/directory/match?place="+pl.ID+"&need="+need)
		}
		out = append(out, "/cases/1/match?place="+pl.ID+"&need=emergency_shelter")
	}
	return out
}

// TestNoPageShowsAConfidentialAddress signs in as every demo user and opens
// every page Puente serves, with every directory listing and every match
// the demo allows, and finds no confidential location's address, exact
// place, sealed name or description on any. It then gives one vetted
// caseworker an active referral to a confidential shelter: still no page
// shows it, to her or anyone else, until she asks for it by the audited
// request (see TestConfidentialAddressOnlyWithAnActiveReferral).
func TestNoPageShowsAConfidentialAddress(t *testing.T) {
	e := sqliteEnv(t)
	ls := demo.Listings(e.clock.Now())
	secrets := secretsOf(t, ls)
	pages := pagesToVisit(e, ls)
	check := func(who string, b *browser) {
		t.Helper()
		ok := 0
		defer func() {
			// A walk that opens nothing proves nothing: every signed-in
			// user can at least match services from every city.
			if who != "anonymous" && ok < len(directory.BorderCities)*len(htcds.Needs) {
				t.Errorf("%s opened only %d of %d pages", who, ok, len(pages))
			}
		}()
		for _, p := range pages {
			res := b.get(p)
			if res.StatusCode == http.StatusOK {
				ok++
			}
			for _, s := range secrets {
				if strings.Contains(res.body, s) {
					t.Errorf("%s sees %q on %s", who, s, p)
				}
			}
		}
	}
	check("anonymous", e.browser())
	browsers := map[string]*browser{}
	for _, l := range demo.Logins() {
		local, _, _ := strings.Cut(l.Email, "@")
		browsers[local] = e.signIn(local)
		check(local, browsers[local])
	}

	var conf directory.Listing
	for _, l := range ls {
		if l.Location.Confidential && l.Organization.Name == "Refugio Mujeres Libres (demo)" {
			conf = l
		}
	}
	cw := e.user("caseworker")
	org, err := e.db.Organization(t.Context(), cw.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	rq := casework.Request{Actor: access.ActorFor(cw, org)}
	c := &casework.Case{Profile: casework.Profile{Gender: "woman", Needs: []string{"emergency_shelter"}}}
	if err := e.srv.cases.Create(t.Context(), rq, c); err != nil {
		t.Fatal(err)
	}
	ref := &casework.Referral{CaseID: c.ID, ServiceAtLocationID: directory.ServiceAtLocationID(conf.Service.ID, conf.Location.ID),
		ServiceID: conf.Service.ID, LocationID: conf.Location.ID, ServiceName: conf.Service.Name, ProviderName: conf.Organization.Name,
		ProviderCountry: conf.Service.Eligibility.Country, FromCountry: org.Country, Needs: []string{"emergency_shelter"}}
	if err := e.srv.referrals.Create(t.Context(), rq, ref, nil, false); err != nil {
		t.Fatal(err)
	}
	pages = append(pages, "/referrals/"+strconv.FormatInt(ref.ID, 10), "/cases/"+strconv.FormatInt(c.ID, 10))
	for local, b := range browsers {
		check(local+" (with a referral in force)", b)
	}
}
