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
		own, err := s.store.DirectoryOrganizations(r.Context(), directory.Filter{MemberID: st.user.OrgID})
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
		members, err := s.store.Organizations(ctx, account.OrgFilter{})
		if err != nil {
			return err
		}
		d.Members = members
	}
	orgs, err := s.store.DirectoryOrganizations(ctx, filter)
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
	l, _, err := s.listingFor(r, access.DirectoryEdit)
	if err != nil {
		return err
	}
	if placeHidden(stateOf(r).actor, l) {
		f := formOfListing(l)
		f.clearPlace()
		return s.renderListingForm(w, r, http.StatusOK, listingFormData{SAL: r.PathValue("sal"), F: f, PlaceHidden: true})
	}
	if err := s.openLocation(r, l, true); err != nil {
		return err
	}
	return s.renderListingForm(w, r, http.StatusOK, listingFormData{SAL: r.PathValue("sal"), F: formOfListing(l)})
}

// placeHidden reports whether l's place is confidential and the actor may
// not read it: only the place's own staff may (its custodian, see
// access.PlaceOf), and a vetted partner through an accepted referral
// (ui_referrals.go). A network admin keeps the listing without reading it:
// the place's fields are write-only for them, and linking the listing's
// organization to another member never changes who may read it.
func placeHidden(a access.Actor, l *directory.Listing) bool {
	return l.Location.Confidential && !access.Allow(a, access.LocationReveal, access.PlaceOf(l.Location.Custodian))
}

// openLocation replaces a listing's confidential location, which the store
// gives only as its area, with the whole of it, after auditing the read.
// With show, the place is for the person's eyes, and the policy must let
// them read it; without, it is read only to be saved back unchanged by
// someone who keeps the listing.
func (s *Server) openLocation(r *http.Request, l *directory.Listing, show bool) error {
	if !l.Location.Confidential {
		return nil
	}
	a := stateOf(r).actor
	act, res, note := access.DirectoryEdit, access.ListingOf(l.Organization.MemberID), "confidential location kept unread while editing"
	if show {
		act, res, note = access.LocationReveal, access.PlaceOf(l.Location.Custodian), "confidential location opened for editing"
	}
	d := access.Decide(a, act, res)
	if err := s.auditDirectory(r, act, "dir_location:"+l.Location.ID, d, note); err != nil {
		return err
	}
	if !d.Allowed {
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	loc, err := s.store.ConfidentialLocation(r.Context(), l.Location.ID)
	if err != nil {
		return err
	}
	l.Location = *loc
	return nil
}

// listingUpdate writes the form over the stored listing. Giving a service
// with no place a place, or taking it away, makes it another listing: the
// new one is saved and the old one deleted, as the store asks.
func (s *Server) listingUpdate(w http.ResponseWriter, r *http.Request) error {
	sal := r.PathValue("sal")
	l, _, err := s.listingFor(r, access.DirectoryEdit)
	if err != nil {
		return err
	}
	f := readListingForm(r.PostForm)
	org, link, errs, err := s.chooseOrganization(r, &f)
	if err != nil {
		return err
	}
	hidden := placeHidden(stateOf(r).actor, l)
	if err := s.openLocation(r, l, !hidden); err != nil {
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
	// number that did not read keeps its own message.
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
	sal := directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)
	d := access.Decide(stateOf(r).actor, access.DirectoryEdit, access.ListingOf(l.Organization.MemberID))
	note := "listing saved"
	if old == "" {
		note = "listing created"
	}
	err := s.auditedDirectoryWrite(r, access.DirectoryEdit, "listing:"+sal, d, note, func(ctx context.Context) error {
		if link != 0 {
			return s.store.SaveListingFor(ctx, l, link)
		}
		return s.store.SaveListing(ctx, l)
	})
	if fe, ok := invalidFields(err); ok {
		return s.renderListingForm(w, r, http.StatusUnprocessableEntity, listingFormData{New: old == "", SAL: old, F: f, Errs: fe})
	} else if err != nil {
		return err
	}
	if old != "" && old != sal {
		if err := s.deleteListing(r, old, d); err != nil {
			return err
		}
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
	var record string
	switch f.Org {
	case newOrganization:
		org = directory.Organization{ID: uuid.NewString(), Name: f.NewOrgName, Description: f.NewOrgDescription}
		link, err = s.newOrganizationMember(r.Context(), st, f.Member, errs)
		if err != nil {
			return org, 0, errs, err
		}
		org.MemberID = link // what it will be once saved
		record = "dir_organization:new"
	default:
		o, err := s.store.DirectoryOrganization(r.Context(), f.Org)
		if problem.Is(err, problem.NotFound) {
			errs["organization.id"] = "field.choose_one"
			return org, 0, errs, nil
		} else if err != nil {
			return org, 0, errs, err
		}
		org, record = *o, "dir_organization:"+o.ID
	}
	d := access.Decide(st.actor, access.DirectoryEdit, access.ListingOf(org.MemberID))
	if !d.Allowed {
		if err := s.auditDirectory(r, access.DirectoryEdit, record, d, ""); err != nil {
			return org, 0, errs, err
		}
		return org, 0, errs, problem.New(problem.Forbidden, "error.forbidden")
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
		_, err = s.store.Organization(ctx, id)
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
	l, d, err := s.listingFor(r, access.DirectoryEdit)
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		st := stateOf(r)
		return s.render(w, r, http.StatusOK, "directory_delete.html", "directory.delete.title",
			listingDeleteData{Listing: showListing(st.lang, st.actor, l, s.now())})
	}
	if err := s.deleteListing(r, r.PathValue("sal"), d); err != nil {
		return err
	}
	return redirect(w, r, "/directory", "listing_deleted")
}

func (s *Server) deleteListing(r *http.Request, sal string, d access.Decision) error {
	return s.auditedDirectoryWrite(r, access.DirectoryEdit, "listing:"+sal, d, "listing deleted", func(ctx context.Context) error {
		return s.store.DeleteListing(ctx, sal)
	})
}
