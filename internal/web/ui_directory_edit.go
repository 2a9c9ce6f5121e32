package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/directory"
	"puente/internal/htcds"
	"puente/internal/problem"
)

// listingVocab is every choice the listing form offers.
type listingVocab struct {
	Needs, Genders, Exploitation, Costs, LocationTypes []string
	Statuses                                           []statusChoice
	Countries                                          []account.Country
}

// statusChoice is a service status and its translation key, which cannot
// hold the space in "temporarily closed".
type statusChoice struct{ Value, Key string }

func statusKey(status string) string {
	return "directory.status." + strings.ReplaceAll(status, " ", "_")
}

var listingChoices = listingVocab{
	Needs: htcds.Needs, Genders: directory.ServedGenders, Exploitation: directory.ExploitationForms, Costs: directory.Costs,
	LocationTypes: directory.LocationTypes, Countries: account.Countries,
	Statuses: func() []statusChoice {
		out := make([]statusChoice, len(directory.ServiceStatuses))
		for i, st := range directory.ServiceStatuses {
			out[i] = statusChoice{st, statusKey(st)}
		}
		return out
	}(),
}

type listingFormData struct {
	New   bool
	SAL   string
	F     listingForm
	Errs  formErrors
	Other formErrors // errors with no field on the form
	Vocab listingVocab
	// Orgs are the directory organizations the person may put the listing
	// under; Members the Puente organizations an admin may say run a new one.
	Orgs    []directory.Organization
	Members []account.Organization
	Admin   bool
	// PlaceHidden says the listing's place is confidential and not the
	// editor's own: its fields are left empty, to be typed only to replace
	// the place.
	PlaceHidden bool
}

// listingNew offers an empty listing. A supervisor's goes under their
// organization's directory entry, or a new one named after it.
func (s *Server) listingNew(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	f := listingForm{Status: directory.StatusActive, Exploitation: directory.AnyExploitation, LocType: directory.Physical, Beds: "0"}
	if st.org != nil {
		f.Country, f.AddrCountry = string(st.org.Country), string(st.org.Country)
	}
	if !st.user.Has(account.Admin) {
		own, err := s.dir.Organizations(r.Context(), directory.Filter{MemberID: st.user.OrgID})
		if err != nil {
			return err
		}
		f.Org = newOrganization
		if len(own) > 0 {
			f.Org = own[0].ID
		} else if st.org != nil {
			f.NewOrgName = st.org.Name
		}
	}
	return s.renderListingForm(w, r, http.StatusOK, listingFormData{New: true, F: f})
}

func (s *Server) renderListingForm(w http.ResponseWriter, r *http.Request, status int, d listingFormData) error {
	st := stateOf(r)
	ctx := r.Context()
	d.Vocab, d.Admin = listingChoices, st.user.Has(account.Admin)
	if d.F.placeKept {
		d.F.clearPlace()
		d.PlaceHidden = true
	}
	filter := directory.Filter{MemberID: st.user.OrgID}
	if d.Admin {
		filter.MemberID = 0
		members, err := s.admin.Organizations(ctx, caseRequest(r), account.OrgFilter{})
		if err != nil {
			return err
		}
		d.Members = members
	}
	orgs, err := s.dir.Organizations(ctx, filter)
	if err != nil {
		return err
	}
	d.Orgs = orgs
	d.Other = formErrors{}
	for k, v := range d.Errs {
		if !slices.Contains(listingFormFields, k) {
			d.Other[k] = v
		}
	}
	title := "directory.edit.edit_title"
	if d.New {
		title = "directory.edit.new_title"
	}
	return s.render(w, r, status, "directory_form.html", title, d)
}

// listingCreate stores a new listing under the organization chosen or
// named, with new random ids.
func (s *Server) listingCreate(w http.ResponseWriter, r *http.Request) error {
	f := readListingForm(r.PostForm)
	org, link, errs, err := s.chooseOrganization(r, &f)
	if err != nil {
		return err
	}
	l := directory.Listing{Organization: org, Service: directory.Service{ID: uuid.NewString()}}
	f.apply(&l, errs)
	l.Service.OrganizationID = org.ID
	l.Location.Custodian = org.MemberID
	return s.saveListingForm(w, r, "", &l, f, link, errs)
}

// listingEdit shows a listing's form. A confidential place is opened in
// full only for its own staff, and that is audited; anyone else who keeps
// the listing sees the place's fields empty, to be typed only to replace it.
func (s *Server) listingEdit(w http.ResponseWriter, r *http.Request) error {
	l, err := s.listingFor(r, access.DirectoryEdit)
	if err != nil {
		return err
	}
	if directory.PlaceHidden(stateOf(r).actor, l) {
		f := formOfListing(l)
		f.clearPlace()
		return s.renderListingForm(w, r, http.StatusOK, listingFormData{SAL: r.PathValue("sal"), F: f, PlaceHidden: true})
	}
	if err := s.dir.OpenPlace(r.Context(), caseRequest(r), l, true); err != nil {
		return err
	}
	return s.renderListingForm(w, r, http.StatusOK, listingFormData{SAL: r.PathValue("sal"), F: formOfListing(l)})
}

// listingUpdate writes the form over the stored listing. Giving a service
// with no place a place, or taking it away, makes it another listing: the
// new one is saved and the old one deleted, as the store asks.
func (s *Server) listingUpdate(w http.ResponseWriter, r *http.Request) error {
	sal := r.PathValue("sal")
	l, err := s.listingFor(r, access.DirectoryEdit)
	if err != nil {
		return err
	}
	f := readListingForm(r.PostForm)
	org, link, errs, err := s.chooseOrganization(r, &f)
	if err != nil {
		return err
	}
	hidden := directory.PlaceHidden(stateOf(r).actor, l)
	if err := s.dir.OpenPlace(r.Context(), caseRequest(r), l, !hidden); err != nil {
		return err
	}
	kept := hidden && f.placeBlank()
	if kept {
		f.keepPlace(&l.Location) // left empty: the place stays as it is
	}
	l.Organization = org
	l.Service.OrganizationID = org.ID
	f.apply(l, errs)
	if !kept {
		// A place typed in is kept for the member that runs the listing
		// now; a place left as it was keeps its custodian.
		l.Location.Custodian = org.MemberID
	}
	// The count of free beds is the provider's and goes along as it was,
	// cut to the capacity given here; the store keeps a newer one.
	if el := &l.Service.Eligibility; el.BedsAvailable != nil && *el.BedsAvailable > el.Beds {
		n := max(el.Beds, 0)
		el.BedsAvailable = &n
	}
	return s.saveListingForm(w, r, sal, l, f, link, errs)
}

// saveListingForm checks l, audits the save and stores it, or shows the
// form again with every mistake next to its field. old is the listing's
// id before the edit, "" for a new one.
func (s *Server) saveListingForm(w http.ResponseWriter, r *http.Request, old string, l *directory.Listing, f listingForm, link int64, errs formErrors) error {
	// Every rule is checked, so the person sees every mistake at once; a
	// number that did not read keeps its own message. (The service checks
	// again.)
	if err := l.Normalize(); err != nil {
		fe, ok := invalidFields(err)
		if !ok {
			return err
		}
		for k, v := range fe {
			if _, seen := errs[k]; !seen {
				errs[k] = v
			}
		}
	}
	if len(errs) > 0 {
		return s.renderListingForm(w, r, http.StatusUnprocessableEntity, listingFormData{New: old == "", SAL: old, F: f, Errs: errs})
	}
	err := s.dir.Save(r.Context(), caseRequest(r), l, old, link)
	if fe, ok := invalidFields(err); ok {
		return s.renderListingForm(w, r, http.StatusUnprocessableEntity, listingFormData{New: old == "", SAL: old, F: f, Errs: fe})
	} else if err != nil {
		return err
	}
	return redirect(w, r, "/directory", "listing_saved")
}

// chooseOrganization resolves the form's organization and asks the policy
// whether the person may put a listing under it: an admin anywhere, a
// supervisor only under an organization their own member runs, or a new
// one that it will run. link is the member a new organization is linked
// to, 0 for none. A refusal is audited and fails; a choice that does not
// read comes back in errs.
func (s *Server) chooseOrganization(r *http.Request, f *listingForm) (org directory.Organization, link int64, errs formErrors, err error) {
	st := stateOf(r)
	errs = formErrors{}
	switch f.Org {
	case newOrganization:
		org = directory.Organization{ID: uuid.NewString(), Name: f.NewOrgName, Description: f.NewOrgDescription}
		link, err = s.newOrganizationMember(r.Context(), st, f.Member, errs)
		if err != nil {
			return org, 0, errs, err
		}
		org.MemberID = link // what it will be once saved
	default:
		o, err := s.dir.Organization(r.Context(), f.Org)
		if problem.Is(err, problem.NotFound) {
			errs["organization.id"] = "field.choose_one"
			return org, 0, errs, nil
		} else if err != nil {
			return org, 0, errs, err
		}
		org = *o
	}
	if err := s.dir.MayPutUnder(r.Context(), caseRequest(r), &org, link); err != nil {
		return org, 0, errs, err
	}
	return org, link, errs, nil
}

// newOrganizationMember is the Puente member a new directory organization
// is linked to: the supervisor's own, or the one an admin chose.
func (s *Server) newOrganizationMember(ctx context.Context, st *state, member string, errs formErrors) (int64, error) {
	if !st.user.Has(account.Admin) {
		return st.user.OrgID, nil
	}
	if member == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(member, 10, 64)
	if err == nil && id > 0 {
		_, err = s.admin.Organization(ctx, access.Request{Actor: st.actor}, id)
	}
	if err == nil {
		return id, nil
	}
	if id <= 0 || problem.Is(err, problem.NotFound) {
		errs["organization.member"] = "field.choose_one"
		return 0, nil
	}
	return 0, err
}

type listingDeleteData struct {
	Listing shownListing
}

// listingDelete asks first, then deletes the listing and its bed count.
func (s *Server) listingDelete(w http.ResponseWriter, r *http.Request) error {
	l, err := s.listingFor(r, access.DirectoryEdit)
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		st := stateOf(r)
		return s.render(w, r, http.StatusOK, "directory_delete.html", "directory.delete.title",
			listingDeleteData{Listing: showListing(st.lang, st.actor, l, s.now())})
	}
	if err := s.dir.Delete(r.Context(), caseRequest(r), r.PathValue("sal")); err != nil {
		return err
	}
	return redirect(w, r, "/directory", "listing_deleted")
}
