package web

import (
	"net/http"
	"strconv"
	"strings"

	"puente/internal/access"
	"puente/internal/directory"
)

// availabilityForm is the provider's daily count as typed, kept as text so
// that a mistake comes back exactly as it was written.
type availabilityForm struct {
	Beds  string
	Free  string
	Count bool // a count of free beds is kept; false is "no count kept"
}

type availabilityData struct {
	Listing shownListing
	Form    availabilityForm
	Errs    formErrors
}

// availabilityPage is the quick form a shelter's staff fill in each day.
func (s *Server) availabilityPage(w http.ResponseWriter, r *http.Request) error {
	l, err := s.listingFor(r, access.AvailabilityUpdate)
	if err != nil {
		return err
	}
	el := &l.Service.Eligibility
	f := availabilityForm{Beds: strconv.Itoa(el.Beds), Count: el.BedsAvailable != nil}
	if el.BedsAvailable != nil {
		f.Free = strconv.Itoa(*el.BedsAvailable)
	}
	return s.renderAvailability(w, r, http.StatusOK, l, f, nil)
}

func (s *Server) renderAvailability(w http.ResponseWriter, r *http.Request, status int, l *directory.Listing, f availabilityForm, errs formErrors) error {
	st := stateOf(r)
	d := availabilityData{Listing: showListing(st.lang, st.actor, l, s.now()), Form: f, Errs: errs}
	return s.render(w, r, status, "directory_availability.html", "directory.beds.title", d)
}

// availabilityUpdate records the count, dated by the server's clock and
// signed by the person. The audit entry holds the listing's id and the
// decision, never the numbers.
func (s *Server) availabilityUpdate(w http.ResponseWriter, r *http.Request) error {
	l, err := s.listingFor(r, access.AvailabilityUpdate)
	if err != nil {
		return err
	}
	f := availabilityForm{Beds: strings.TrimSpace(r.PostForm.Get("beds")), Free: strings.TrimSpace(r.PostForm.Get("free")), Count: r.PostForm.Get("count") != "no"}
	beds, free, errs := f.read()
	if len(errs) > 0 {
		return s.renderAvailability(w, r, http.StatusUnprocessableEntity, l, f, errs)
	}
	sal := r.PathValue("sal")
	if err := s.dir.CountBeds(r.Context(), caseRequest(r), sal, beds, free); err != nil {
		if errs, ok := invalidFields(err); ok {
			return s.renderAvailability(w, r, http.StatusUnprocessableEntity, l, f, errs)
		}
		return err
	}
	return redirect(w, r, "/directory/services/"+sal+"/availability", "beds_saved")
}

// read checks the form by the rules UpdateAvailability keeps, so that a
// mistake is shown before anything is audited or stored.
func (f availabilityForm) read() (beds int, free *int, errs formErrors) {
	errs = formErrors{}
	beds, err := strconv.Atoi(f.Beds)
	if err != nil || beds < 0 {
		errs["beds"] = "field.whole_number"
	}
	if !f.Count {
		return beds, nil, errs
	}
	n, err := strconv.Atoi(f.Free)
	switch {
	case f.Free == "":
		errs["beds_available"] = "field.required"
	case err != nil || n < 0:
		errs["beds_available"] = "field.whole_number"
	case n > beds && errs["beds"] == "":
		errs["beds_available"] = "directory.beds.more_than_capacity"
	}
	return beds, &n, errs
}

// ownListings are the listings the user's organization runs, for the
// dashboard, when the user may keep their bed counts.
func (s *Server) ownListings(r *http.Request) ([]shownListing, error) {
	st := stateOf(r)
	if st.user == nil || !access.Allow(st.actor, access.AvailabilityUpdate, access.Resource{OrgID: st.user.OrgID}) {
		return nil, nil
	}
	listings, err := s.dir.Browse(r.Context(), directory.Filter{MemberID: st.user.OrgID})
	if err != nil {
		return nil, err
	}
	out := make([]shownListing, len(listings))
	for i := range listings {
		out[i] = showListing(st.lang, st.actor, &listings[i], s.now())
	}
	return out, nil
}
