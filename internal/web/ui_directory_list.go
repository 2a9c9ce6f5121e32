package web

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/directory"
	"puente/internal/htcds"
	"puente/internal/i18n"
)

// registerDirectoryEdit declares the directory's list, the pages that keep
// its listings, and a provider's daily bed count. The route's action lets
// the right roles reach a page; the listing's member organization decides
// again once the listing is known.
func (s *Server) registerDirectoryEdit() {
	s.handle("GET /directory", access.SignedIn, s.directoryList)
	s.handle("GET /directory/services/new", access.DirectoryEdit, s.listingNew)
	s.handle("POST /directory/services", access.DirectoryEdit, s.listingCreate)
	s.handle("GET /directory/services/{sal}/edit", access.DirectoryEdit, s.listingEdit)
	s.handle("POST /directory/services/{sal}", access.DirectoryEdit, s.listingUpdate)
	s.handle("POST /directory/services/{sal}/delete", access.DirectoryEdit, s.listingDelete)
	s.handle("GET /directory/services/{sal}/availability", access.AvailabilityUpdate, s.availabilityPage)
	s.handle("POST /directory/services/{sal}/availability", access.AvailabilityUpdate, s.availabilityUpdate)
}

// maxListed bounds the list page; filters narrow a larger directory.
const maxListed = 400

// shownListing is a listing as the directory's pages show it: never a
// confidential location's address or coordinates, which the store does not
// even hand out with it.
type shownListing struct {
	SAL          string
	Service      string
	Organization string
	Status       string
	StatusKey    string // its translation key
	Alert        string
	Needs        []string
	Whom         string // whom it takes, translated and short
	Area         string // city and state; all that is shown of a confidential place
	Street       string // the street address of a place that is not confidential
	Remote       bool   // by phone or online
	Confidential bool
	Country      account.Country
	HowToApply   string
	Beds         int
	Free         int
	HasCount     bool // Free was counted, at Counted
	Counted      time.Time
	Stale        bool // the count is older than directory.StaleAfter
	Counts       bool // takes beds, so its staff keep a count
	CanEdit      bool
	CanCount     bool
}

// showListing prepares l for a page in lang, with what actor may do to it.
func showListing(lang string, actor access.Actor, l *directory.Listing, now time.Time) shownListing {
	el := &l.Service.Eligibility
	sl := shownListing{
		SAL: directory.ServiceAtLocationID(l.Service.ID, l.Location.ID), Service: l.Service.Name, Organization: l.Organization.Name,
		Status: l.Service.Status, StatusKey: statusKey(l.Service.Status), Alert: l.Service.Alert, Needs: l.Service.Needs, Whom: whom(lang, el), Country: el.Country,
		HowToApply: l.Service.ApplicationProcess, Beds: el.Beds, Counted: el.AvailabilityUpdatedAt, Confidential: l.Location.Confidential,
	}
	if el.BedsAvailable != nil {
		sl.Free, sl.HasCount = *el.BedsAvailable, true
		sl.Stale = now.Sub(sl.Counted) > directory.StaleAfter
	}
	sl.Counts = el.Beds > 0 || slices.ContainsFunc(l.Service.Needs, func(n string) bool { return n == "emergency_shelter" || n == "housing" })
	sl.Area, sl.Remote = areaOf(&l.Location)
	if !sl.Confidential && !sl.Remote && len(l.Location.Addresses) > 0 {
		sl.Street = l.Location.Addresses[0].Address1
	}
	res := access.ListingOf(l.Organization.MemberID)
	sl.CanEdit = access.Allow(actor, access.DirectoryEdit, res)
	sl.CanCount = sl.Counts && access.Allow(actor, access.AvailabilityUpdate, res)
	return sl
}

// listingFor loads the listing the path names for someone who would do act
// to it (directory.Service.Keep: a refusal is audited).
func (s *Server) listingFor(r *http.Request, act access.Action) (*directory.Listing, error) {
	return s.dir.Keep(r.Context(), caseRequest(r), r.PathValue("sal"), act)
}

// areaOf names where a listing is: the city and state of its first
// address, or nothing for a service by phone or online (remote).
func areaOf(loc *directory.Location) (area string, remote bool) {
	if loc.ID == "" || loc.LocationType == directory.Virtual || len(loc.Addresses) == 0 {
		return "", true
	}
	a := loc.Addresses[0]
	parts := []string{}
	for _, p := range []string{a.City, a.StateProvince} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", "), false
}

// whom says in a few words whom a service takes: genders, ages, the form
// of trafficking and a status requirement.
func whom(lang string, el *directory.Eligibility) string {
	var parts []string
	if len(el.Genders) > 0 {
		names := make([]string, len(el.Genders))
		for i, g := range el.Genders {
			names[i] = i18n.T(lang, "gender."+g)
		}
		parts = append(parts, strings.Join(names, ", "))
	}
	switch {
	case el.MinAge != nil && el.MaxAge != nil:
		parts = append(parts, i18n.T(lang, "directory.whom.ages", *el.MinAge, *el.MaxAge))
	case el.MinAge != nil:
		parts = append(parts, i18n.T(lang, "directory.whom.min_age", *el.MinAge))
	case el.MaxAge != nil:
		parts = append(parts, i18n.T(lang, "directory.whom.max_age", *el.MaxAge))
	}
	if el.Exploitation != "" && el.Exploitation != directory.AnyExploitation {
		parts = append(parts, i18n.T(lang, "directory.whom.only", i18n.T(lang, "directory.arg."+el.Exploitation)))
	}
	if el.ImmigrationStatusRequired {
		parts = append(parts, i18n.T(lang, "directory.whom.status"))
	}
	if len(parts) == 0 {
		return i18n.T(lang, "directory.whom.anyone")
	}
	return strings.Join(parts, " · ")
}

// listingGroup is the listings of one city, or of one country's services
// by phone or online.
type listingGroup struct {
	Key      string // country/state/city, the value of the city filter
	Area     string
	Remote   bool
	Country  account.Country
	Listings []shownListing
}

type directoryListData struct {
	Groups    []listingGroup
	Cities    []listingGroup // every city, for the filter
	Needs     []string
	Countries []account.Country
	Country   string
	City      string
	Need      string
	Count     int
	Cut       bool // more listings matched than the page shows
	CanAdd    bool
}

// directoryList shows the directory to anyone signed in, by city, with
// whom each service takes and its beds. Inactive and defunct services show
// only to those who keep them. Filters travel in the URL: they hold
// nothing about any person.
func (s *Server) directoryList(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	q := r.URL.Query()
	d := directoryListData{Needs: htcds.Needs, Countries: account.Countries, Country: q.Get("country"), City: q.Get("city"), Need: q.Get("need"),
		CanAdd: access.Allow(st.actor, access.DirectoryEdit, access.Resource{})}
	listings, err := s.dir.Browse(r.Context(), directory.Filter{})
	if err != nil {
		return err
	}
	now := s.now()
	groups := map[string]*listingGroup{}
	for i := range listings {
		l := &listings[i]
		sl := showListing(st.lang, st.actor, l, now)
		if (sl.Status == directory.StatusInactive || sl.Status == directory.StatusDefunct) && !sl.CanEdit {
			continue
		}
		key := groupKey(sl)
		g := groups[key]
		if g == nil {
			g = &listingGroup{Key: key, Area: sl.Area, Remote: sl.Remote, Country: sl.Country}
			groups[key] = g
		}
		if (d.Country != "" && string(sl.Country) != d.Country) || (d.City != "" && key != d.City) || (d.Need != "" && !slices.Contains(sl.Needs, d.Need)) {
			continue
		}
		if d.Count++; d.Count > maxListed {
			d.Cut = true
			continue
		}
		g.Listings = append(g.Listings, sl)
	}
	for _, g := range groups {
		d.Cities = append(d.Cities, listingGroup{Key: g.Key, Area: g.Area, Remote: g.Remote, Country: g.Country})
		if len(g.Listings) > 0 {
			slices.SortFunc(g.Listings, func(a, b shownListing) int {
				return cmp.Or(cmp.Compare(a.Organization, b.Organization), cmp.Compare(a.Service, b.Service))
			})
			d.Groups = append(d.Groups, *g)
		}
	}
	slices.SortFunc(d.Cities, compareGroups)
	slices.SortFunc(d.Groups, compareGroups)
	return s.render(w, r, http.StatusOK, "directory_list.html", "directory.list.title", d)
}

// groupKey is a listing's city, or its country's remote services.
func groupKey(sl shownListing) string {
	if sl.Remote {
		return string(sl.Country) + "/~"
	}
	return string(sl.Country) + "/" + sl.Area
}

// compareGroups puts cities in alphabetical order, each country's remote
// services after them.
func compareGroups(a, b listingGroup) int {
	if a.Remote != b.Remote {
		if a.Remote {
			return 1
		}
		return -1
	}
	return cmp.Or(cmp.Compare(a.Area, b.Area), cmp.Compare(a.Country, b.Country))
}
