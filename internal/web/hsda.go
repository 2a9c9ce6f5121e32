package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"puente/internal/access"
	"puente/internal/casework"
	"puente/internal/directory"
	"puente/internal/hsds"
	"puente/internal/problem"
)

// The HSDA read-only API (Open Referral's Human Services Data API for HSDS
// 3.0), so that other directories, 211s among them, can read Puente's.
// Directory data is public, but a confidential shelter is not on it at
// all: not its organization, its service, its area nor its beds, which
// together tell someone looking for a person where to wait. Referrals find
// it through Puente's own pages, to signed-in partners. Searching runs
// over what is served, so it cannot be used to guess what is withheld
// either.
//
// Of the specification's query parameters, page, per_page and search are
// honoured; the others (full, organization_id, taxonomy_term_id …) are
// ignored, as the specification allows.

// The HSDA's description of itself: the specification's own, since Puente
// serves it unchanged. Puente's extra terms travel as attributes of
// hsds.PuenteTaxonomy, which needs no profile.
const (
	hsdaVersion    = "3.0"
	hsdaProfile    = "https://github.com/openreferral/specification/tree/3.0"
	hsdaOpenAPIURL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
)

// Pages hold hsdaPerPage items unless asked otherwise, and never more than
// hsdaMaxPerPage.
const (
	hsdaPerPage    = 25
	hsdaMaxPerPage = 100
)

func (s *Server) registerHSDA() {
	s.handle("GET /hsda/{$}", access.Public, s.hsdaRoot)
	s.handle("GET /hsda/services", access.Public, s.hsdaServices)
	s.handle("GET /hsda/services/{id}", access.Public, s.hsdaService)
	s.handle("GET /hsda/organizations", access.Public, s.hsdaOrganizations)
	s.handle("GET /hsda/organizations/{id}", access.Public, s.hsdaOrganization)
	s.handle("GET /hsda/service_at_locations", access.Public, s.hsdaServiceAtLocations)
	s.handle("GET /hsda/service_at_locations/{id}", access.Public, s.hsdaServiceAtLocation)
	// Anything else under /hsda/ (taxonomies, which Puente does not
	// serve, or a mistyped path) is a JSON 404 rather than the HTML page.
	s.handle("GET /hsda/", access.Public, func(http.ResponseWriter, *http.Request) error {
		return problem.New(problem.NotFound, "error.not_found")
	})
}

func (s *Server) hsdaRoot(w http.ResponseWriter, r *http.Request) error {
	s.writeJSON(w, http.StatusOK, map[string]string{"version": hsdaVersion, "profile": hsdaProfile, "openapi_url": hsdaOpenAPIURL})
	return nil
}

func (s *Server) hsdaServices(w http.ResponseWriter, r *http.Request) error {
	return hsdaList(s, w, r, func(d *hsdaDirectory) []hsds.Service { return d.services }, serviceBrief,
		func(v hsds.Service) []string { return []string{v.Name, v.AlternateName, v.Description} })
}

func (s *Server) hsdaService(w http.ResponseWriter, r *http.Request) error {
	return hsdaOne(s, w, r, func(d *hsdaDirectory) []hsds.Service { return d.services },
		func(v hsds.Service) string { return v.ID })
}

func (s *Server) hsdaOrganizations(w http.ResponseWriter, r *http.Request) error {
	return hsdaList(s, w, r, func(d *hsdaDirectory) []hsds.Organization { return d.orgs }, organizationBrief,
		func(v hsds.Organization) []string { return []string{v.Name, v.AlternateName, v.Description} })
}

func (s *Server) hsdaOrganization(w http.ResponseWriter, r *http.Request) error {
	return hsdaOne(s, w, r, func(d *hsdaDirectory) []hsds.Organization { return d.orgs },
		func(v hsds.Organization) string { return v.ID })
}

func (s *Server) hsdaServiceAtLocations(w http.ResponseWriter, r *http.Request) error {
	return hsdaList(s, w, r, func(d *hsdaDirectory) []hsds.ServiceAtLocation { return d.sals }, salBrief,
		func(v hsds.ServiceAtLocation) []string {
			return []string{v.Description, v.Service.Name, v.Service.AlternateName, v.Service.Description,
				v.Location.Name, v.Location.AlternateName, v.Location.Description}
		})
}

func (s *Server) hsdaServiceAtLocation(w http.ResponseWriter, r *http.Request) error {
	return hsdaOne(s, w, r, func(d *hsdaDirectory) []hsds.ServiceAtLocation { return d.sals },
		func(v hsds.ServiceAtLocation) string { return v.ID })
}

// hsdaList serves a page of the objects of returns that match the search
// on their text, each cut to its brief form.
func hsdaList[T any](s *Server, w http.ResponseWriter, r *http.Request, of func(*hsdaDirectory) []T, brief func(T) T, text func(T) []string) error {
	q, err := hsdaQueryOf(r)
	if err != nil {
		return err
	}
	d, err := s.hsdaDirectory(r)
	if err != nil {
		return err
	}
	var found []T
	for _, v := range of(d) {
		if q.matches(text(v)) {
			found = append(found, brief(v))
		}
	}
	s.writeJSON(w, http.StatusOK, paginate(found, q.page, q.perPage))
	return nil
}

// hsdaOne serves the object of returns with the path's id, in full.
func hsdaOne[T any](s *Server, w http.ResponseWriter, r *http.Request, of func(*hsdaDirectory) []T, id func(T) string) error {
	d, err := s.hsdaDirectory(r)
	if err != nil {
		return err
	}
	want := r.PathValue("id")
	i := slices.IndexFunc(of(d), func(v T) bool { return id(v) == want })
	if i < 0 {
		return problem.New(problem.NotFound, "error.not_found")
	}
	s.writeJSON(w, http.StatusOK, of(d)[i])
	return nil
}

// hsdaDirectory builds the directory as the HSDA serves it from the
// server's copy of the listings (directory_cache.go): a mapping per call,
// no query but the version's.
func (s *Server) hsdaDirectory(r *http.Request) (*hsdaDirectory, error) {
	ls, _, err := s.dir.Current(r.Context())
	if err != nil {
		return nil, err
	}
	public := make([]directory.Listing, 0, len(ls))
	for _, l := range ls {
		if !l.Location.Confidential {
			public = append(public, l)
		}
	}
	return newHSDADirectory(public), nil
}

// hsdaDirectory is the directory as the HSDA serves it, every object in
// full. It is built from hsds.FromListings, the export's own mapping, so
// that a confidential location leaves here exactly as it leaves in an
// export.
type hsdaDirectory struct {
	services []hsds.Service           // by id, as the store orders them
	orgs     []hsds.Organization      // by id
	sals     []hsds.ServiceAtLocation // by service, then location
}

func newHSDADirectory(ls []directory.Listing) *hsdaDirectory {
	d := &hsdaDirectory{services: hsds.FromListings(ls).Services}
	at := map[string]int{}
	for _, svc := range d.services {
		i, ok := at[svc.Organization.ID]
		if !ok {
			i = len(d.orgs)
			at[svc.Organization.ID] = i
			d.orgs = append(d.orgs, *svc.Organization)
		}
		org := &d.orgs[i]
		brief := serviceBrief(svc)
		brief.Organization = nil // the organization it is nested in
		org.Services = append(org.Services, brief)
		alone := svc
		alone.ServiceAtLocations = nil
		for _, sal := range svc.ServiceAtLocations {
			if !slices.ContainsFunc(org.Locations, func(l hsds.Location) bool { return l.ID == sal.LocationID }) {
				org.Locations = append(org.Locations, *sal.Location)
			}
			sal.Service = &alone
			d.sals = append(d.sals, sal)
		}
	}
	slices.SortFunc(d.orgs, func(a, b hsds.Organization) int { return cmp.Compare(a.ID, b.ID) })
	return d
}

// The brief forms are what a list holds: as the specification's lists,
// the object's own fields and the objects it has one of, not its lists.

func serviceBrief(v hsds.Service) hsds.Service {
	v.ServiceAtLocations, v.Languages, v.Attributes = nil, nil, nil
	return v
}

func organizationBrief(v hsds.Organization) hsds.Organization {
	v.Services, v.Locations = nil, nil
	return v
}

func salBrief(v hsds.ServiceAtLocation) hsds.ServiceAtLocation {
	svc := serviceBrief(*v.Service)
	v.Service = &svc
	return v
}

// hsdaQuery is a list request's page and search.
type hsdaQuery struct {
	page, perPage int
	search        string // folded by casework.SearchTokens, words joined by a space
}

// hsdaQueryOf reads page (from 1), per_page (1 to hsdaMaxPerPage) and
// search, reporting every bad value together.
func hsdaQueryOf(r *http.Request) (hsdaQuery, error) {
	v := r.URL.Query()
	q := hsdaQuery{page: 1, perPage: hsdaPerPage, search: strings.Join(casework.SearchTokens(v.Get("search")), " ")}
	var f problem.Fields
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			f.Add("page", "hsda.page")
		}
		q.page = n
	}
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > hsdaMaxPerPage {
			f.Add("per_page", "hsda.per_page")
		}
		q.perPage = n
	}
	return q, f.Err()
}

// matches reports whether the search is a substring of the texts, both
// lower-cased, stripped of accents and punctuation (casework.SearchTokens):
// "juarez" finds "Ciudad Juárez", "casa vi" finds "Casa Violeta". A search
// with no word of two letters or more matches everything.
func (q hsdaQuery) matches(texts []string) bool {
	if q.search == "" {
		return true
	}
	for _, t := range texts {
		if strings.Contains(strings.Join(casework.SearchTokens(t), " "), q.search) {
			return true
		}
	}
	return false
}

// hsdaPage is a page of a list, in the HSDA's shape.
type hsdaPage[T any] struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"` // the items on this page
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []T  `json:"contents"`
}

// paginate returns the page'th page (from 1) of items, perPage to a page.
// A page past the last is empty.
func paginate[T any](items []T, page, perPage int) hsdaPage[T] {
	total := len(items)
	pages := (total + perPage - 1) / perPage
	contents := []T{}
	if page <= pages {
		lo := (page - 1) * perPage
		contents = items[lo:min(lo+perPage, total)]
	}
	return hsdaPage[T]{
		TotalItems: total, TotalPages: pages, PageNumber: page, Size: len(contents),
		FirstPage: page == 1, LastPage: page >= pages, Empty: len(contents) == 0, Contents: contents,
	}
}
