package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The routes of the mixed staff workload, as the tables name them.
const (
	routeDashboard = "dashboard"
	routeList      = "case list"
	routeCase      = "case page"
	routeMatch     = "find services"
	routeGaps      = "gap report"
	routeSearch    = "name search"
	routeCreate    = "create case"
)

// mixKeys are the short names --mix takes, in the order tables list them.
var mixKeys = []struct{ key, route string }{
	{"dashboard", routeDashboard}, {"list", routeList}, {"case", routeCase}, {"match", routeMatch},
	{"gaps", routeGaps}, {"search", routeSearch}, {"create", routeCreate},
}

// routeOrder is the order of the routes in every table.
func routeOrder() []string {
	out := make([]string, len(mixKeys))
	for i, k := range mixKeys {
		out[i] = k.route
	}
	return out
}

// defaultMix is the workload outside testers measured: dashboard, case
// list and case page a fifth each, then find services, name search, new
// cases and the gap report.
const defaultMix = "dashboard=20,list=20,case=20,match=15,gaps=5,search=10,create=10"

// weight is one route's share of the workload.
type weight struct {
	route string
	n     int
}

// parseMix reads --mix: key=weight pairs, comma-separated. Routes left out
// are not requested.
func parseMix(s string) ([]weight, error) {
	var out []weight
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		key, val, found := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(val)
		if !found || err != nil || n < 0 {
			return nil, fmt.Errorf("--mix: %q is not key=weight", part)
		}
		route := ""
		for _, k := range mixKeys {
			if k.key == key {
				route = k.route
			}
		}
		if route == "" {
			return nil, fmt.Errorf("--mix: unknown route %q (want dashboard, list, case, match, gaps, search or create)", key)
		}
		if seen[key] {
			return nil, fmt.Errorf("--mix: %q given twice", key)
		}
		seen[key] = true
		if n > 0 {
			out = append(out, weight{route, n})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("--mix: every weight is zero")
	}
	return out, nil
}

// picker holds the routes and their weights.
type picker struct {
	routes []string
	upTo   []int // running sums of the weights
}

func newPicker(mix []weight) picker {
	var p picker
	sum := 0
	for _, w := range mix {
		sum += w.n
		p.routes = append(p.routes, w.route)
		p.upTo = append(p.upTo, sum)
	}
	return p
}

func (p picker) total() int { return p.upTo[len(p.upTo)-1] }

// routeOf names the route of a request the workload made, from its method
// and URL, for the tables.
func routeOf(method, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "unknown"
	}
	switch path := u.Path; {
	case path == "/dashboard":
		return routeDashboard
	case path == "/cases" && method == http.MethodGet:
		return routeList
	case path == "/cases" && method == http.MethodPost:
		return routeCreate
	case path == "/cases/search":
		return routeSearch
	case casePath.MatchString(path):
		return routeCase
	case path == "/directory/match":
		return routeMatch
	case path == "/directory/gaps":
		return routeGaps
	}
	return "unknown"
}

var casePath = regexp.MustCompile(`^/cases/[0-9]+$`)

// matchQueries are what caseworkers ask Find services for: needs and a
// non-identifying profile in one of the border cities.
var matchQueries = []string{
	"need=emergency_shelter&need=legal_immigration&place=elpaso&gender=man&age=34&exploitation=forced_labor&languages=es&status=undocumented&side=either",
	"need=child_protection&need=emergency_shelter&place=juarez&gender=boy&age=16&exploitation=forced_labor&languages=mam&side=either",
	"need=housing&need=medical&place=tijuana&gender=transgender_woman&age=29&exploitation=sexual_exploitation&languages=es",
	"need=legal_labor_claims&need=wage_recovery&place=laredo&gender=man&age=41&exploitation=forced_labor&languages=es&status=documented",
	"need=mental_health&need=safety_planning&place=reynosa&gender=woman&age=22&exploitation=sexual_exploitation&languages=es&side=either",
	"need=emergency_shelter&place=sandiego&gender=girl&age=16&exploitation=sexual_exploitation&languages=en",
	"need=legal_criminal&need=safety_planning&place=nuevolaredo&gender=man&age=19&exploitation=forced_criminal_activity&languages=quc&side=either",
	"need=housing&need=legal_immigration&need=labor_rights&place=mcallen&gender=woman&age=30&exploitation=domestic_servitude&languages=es&status=undocumented",
}

// Names for searches and new cases: the demo's fictional given names, so
// searches find some cases, and one that finds none.
var (
	searchNames = []string{"Rosa", "Juan Ficticia", "Marisol", "Pedro Ejemplo", "Lucía", "Ixchel", "Kevin Prueba", "Yesenia", "Nadie Inexistente"}
	givenNames  = []string{"Rosa", "Juan", "Marisol", "Pedro", "Lucía", "Tomás", "Alondra", "Ixchel"}
)

// workload makes the requests of the mixed staff workload, each for a
// session that may make it.
type workload struct {
	base     string
	pick     picker
	eligible map[string][]*session
	created  atomic.Int64

	// The routes are dealt by smooth weighted round-robin (as nginx
	// balances upstreams): each run of pick.total() requests holds every
	// route exactly its weight's times, spread evenly, so even a short
	// step makes every route (a dice roll per request left a 5% route out
	// of fifty requests one time in thirteen).
	mu      sync.Mutex
	current []int
}

func newWorkload(base string, mix []weight, staff []*session) (*workload, error) {
	w := &workload{base: base, pick: newPicker(mix), eligible: map[string][]*session{}}
	for _, m := range mix {
		for _, s := range staff {
			if s.may(m.route) {
				w.eligible[m.route] = append(w.eligible[m.route], s)
			}
		}
		if len(w.eligible[m.route]) == 0 {
			return nil, fmt.Errorf("no signed-in session may make a %s request", m.route)
		}
	}
	return w, nil
}

// next returns the route of the next request.
func (w *workload) next() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.current == nil {
		w.current = make([]int, len(w.pick.routes))
	}
	best, lower := 0, 0
	for i := range w.current {
		weight := w.pick.upTo[i] - lower
		lower = w.pick.upTo[i]
		w.current[i] += weight
		if w.current[i] > w.current[best] {
			best = i
		}
	}
	w.current[best] -= w.pick.total()
	return w.pick.routes[best]
}

// target is the vegeta targeter. Vegeta calls it from many workers at
// once: it reads the sessions, picks the route under a lock, and math/rand/v2's
// functions are safe for concurrent use.
func (w *workload) target(t *vegeta.Target) error {
	route := w.next()
	cands := w.eligible[route]
	w.request(t, route, cands[rand.IntN(len(cands))])
	return nil
}

// request fills t with a request of the route for session s.
func (w *workload) request(t *vegeta.Target, route string, s *session) {
	t.Method, t.Header, t.Body = http.MethodGet, s.get, nil
	switch route {
	case routeDashboard:
		t.URL = w.base + "/dashboard"
	case routeList:
		t.URL = w.base + "/cases"
	case routeCase:
		t.URL = w.base + "/cases/" + strconv.FormatInt(s.cases[rand.IntN(len(s.cases))], 10)
	case routeMatch:
		t.URL = w.base + "/directory/match?" + matchQueries[rand.IntN(len(matchQueries))]
	case routeGaps:
		t.URL = w.base + "/directory/gaps"
	case routeSearch:
		t.Method, t.Header, t.URL = http.MethodPost, s.post, w.base+"/cases/search"
		t.Body = []byte(url.Values{"csrf_token": {s.csrf}, "q": {searchNames[rand.IntN(len(searchNames))]}}.Encode())
	case routeCreate:
		t.Method, t.Header, t.URL = http.MethodPost, s.post, w.base+"/cases"
		t.Body = []byte(newCaseForm(s.csrf, w.created.Add(1)).Encode())
	}
}

// newCaseForm is a minimal valid new case, as a caseworker records a first
// contact: the profile, the needs, a name and a city.
func newCaseForm(csrf string, n int64) url.Values {
	return url.Values{
		"csrf_token": {csrf}, "gender": {"woman"}, "age_band": {"25-34"}, "citizenship": {"MX"}, "languages": {"es"},
		"victim_status": {"possible"}, "exploitation": {"forced_labor"}, "needs": {"emergency_shelter", "legal_immigration"},
		"given_names": {givenNames[n%int64(len(givenNames))]}, "family_names": {"Carga" + strconv.FormatInt(n, 10)},
		"city": {"El Paso"},
	}
}
