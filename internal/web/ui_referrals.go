package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/casework"
	"puente/internal/directory"
	"puente/internal/keyset"
	"puente/internal/problem"
)

func (s *Server) registerReferrals() {
	s.handle("GET /cases/{id}/match", access.CaseRead, s.caseMatch)
	s.handle("GET /cases/{id}/referrals/new", access.ReferralSend, s.referralNew)
	s.handle("POST /cases/{id}/referrals", access.ReferralSend, s.referralCreate)
	s.handle("GET /referrals", access.ReferralRead, s.referralQueue)
	s.handle("GET /referrals/{id}", access.ReferralRead, s.referralView)
	s.handle("POST /referrals/{id}/send", access.ReferralSend, s.referralSend)
	s.handle("POST /referrals/{id}/revoke", access.ReferralSend, s.referralRevoke)
	s.handle("POST /referrals/{id}/respond", access.ReferralRespond, s.referralRespond)
	s.handle("POST /referrals/{id}/address", access.LocationReveal, s.referralAddress)
}

// caseMatch is "Find services" for a case: the form starts from the
// case's non-identifying profile, and each match offers a referral. Where
// the person is comes from the form, never from the case's location.
func (s *Server) caseMatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	c, _, err := s.cases.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if len(q["need"]) == 0 && !q.Has("place") {
		q = profileQuery(c.Profile)
		if pl, ok := s.homePlace(r); ok {
			q.Set("place", pl.ID)
		}
	}
	d := newMatchData(q)
	d.Action, d.CaseID = "/cases/"+strconv.FormatInt(id, 10)+"/match", id
	can, err := s.cases.Abilities(ctx, rq, id)
	if err != nil {
		return err
	}
	d.CanRefer = can.Refer
	return s.renderMatch(w, r, &d)
}

// profileQuery fills the match form from a case's profile.
func profileQuery(p casework.Profile) url.Values {
	q := url.Values{"need": p.Needs}
	q.Set("gender", p.Gender)
	q.Set("age_band", p.AgeBand)
	q.Set("languages", strings.Join(p.Languages, ", "))
	q.Set("status", "unknown")
	q.Set("side", "either")
	for _, e := range p.Exploitation {
		if directory.ExploitationForm(e) != "" {
			q.Set("exploitation", e)
			break
		}
	}
	return q
}

// homePlace is the match place in the signed-in person's organization's
// city, where a survivor they meet most likely is.
func (s *Server) homePlace(r *http.Request) (directory.Place, bool) {
	org := stateOf(r).org
	if org == nil {
		return directory.Place{}, false
	}
	for _, pl := range directory.BorderCities {
		if pl.Country == org.Country && strings.HasPrefix(pl.Name, org.City) {
			return pl, true
		}
	}
	return directory.Place{}, false
}

// contactPath is a service on one side of the border that helps a person
// cross it: a consulate, a repatriation office.
type contactPath struct {
	Country account.Country
	Matches []directory.Match
}

// contactPaths lists, for a referral across the border, the consular and
// repatriation services near where the person is and near where they are
// going: both countries' ways of getting the person there safely.
func contactPaths(ix *directory.Index, from directory.Place, to *directory.Listing, now time.Time) []contactPath {
	var out []contactPath
	at := func(country account.Country, area string, pt *directory.Point) {
		p := directory.Profile{Needs: []string{"consular_help", "repatriation"}, Country: country, Area: area, Location: pt}
		res := ix.Match(p, now, directory.Options{Limit: 3, MaxDistanceKm: 100})
		var same []directory.Match
		for _, m := range res.Matches {
			if m.Country == country {
				same = append(same, m)
			}
		}
		out = append(out, contactPath{Country: country, Matches: same})
	}
	pt := from.Point
	at(from.Country, from.Area, &pt)
	if lat, lon := to.Location.Latitude, to.Location.Longitude; lat != nil && lon != nil {
		dest := directory.Approximate(directory.Point{Lat: *lat, Lon: *lon})
		at(to.Service.Eligibility.Country, "", &dest)
	}
	return out
}

// openListing returns the listing of a service at a location that can
// take a referral: one whose service is neither inactive nor defunct.
func (s *Server) openListing(r *http.Request, serviceID, locationID string) (*directory.Listing, error) {
	l, err := s.dir.Listing(r.Context(), directory.ServiceAtLocationID(serviceID, locationID))
	if err != nil {
		return nil, err
	}
	if l.Service.Status == directory.StatusInactive || l.Service.Status == directory.StatusDefunct {
		return nil, problem.New(problem.NotFound, "error.not_found")
	}
	return l, nil
}

type referralFormData struct {
	CaseID      int64
	Listing     *directory.Listing
	Area        string
	Place       directory.Place
	CrossBorder bool
	Contacts    []contactPath
	Member      bool // the service is run by a Puente member, who will work the referral
	Needs       []string
	Classes     []string
	GivenHow    string
	Witness     string
	Until       string
	AnswerDays  string
	Note        string
	Vocab       vocab
	DayChoices  []string
	Errs        formErrors
}

// referralNew is the referral form for a match: what the person needs from
// the service, what they agree to share with it, and a note.
func (s *Server) referralNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := referralFormData{Needs: q["need"], GivenHow: "written", AnswerDays: "3",
		Until: s.now().AddDate(0, 3, 0).Format("2006-01-02")}
	return s.renderReferralForm(w, r, http.StatusOK, &d, q.Get("service"), q.Get("location"), q.Get("place"))
}

func (s *Server) renderReferralForm(w http.ResponseWriter, r *http.Request, status int, d *referralFormData, service, location, placeID string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	can, err := s.cases.Abilities(ctx, rq, id)
	if err != nil {
		return err
	}
	if !can.Refer {
		if can.OrgID != rq.Actor.OrgID {
			return problem.New(problem.NotFound, "error.not_found")
		}
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	l, err := s.openListing(r, service, location)
	if err != nil {
		return err
	}
	d.CaseID, d.Listing, d.Vocab = id, l, caseVocab
	d.Area, _ = areaOf(&l.Location)
	d.Member = l.Organization.MemberID != 0 && l.Organization.MemberID != rq.Actor.OrgID
	d.DayChoices = []string{"1", "3", "7", "14"}
	if pl, ok := directory.BorderCity(placeID); ok {
		d.Place = pl
	} else if pl, ok := s.homePlace(r); ok {
		d.Place = pl
	}
	if d.Place.ID != "" && d.Place.Country != l.Service.Eligibility.Country {
		_, ix, err := s.dir.Current(ctx)
		if err != nil {
			return err
		}
		d.CrossBorder = true
		d.Contacts = contactPaths(ix, d.Place, l, s.now())
	}
	return s.render(w, r, status, "referral_new.html", "referrals.new_title", d)
}

// referralCreate records the referral (and the consent given with it) and
// sends it, or keeps it as a draft.
func (s *Server) referralCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	d := referralFormData{Needs: f["need"], Classes: f["class"], GivenHow: f.Get("given_how"), Witness: f.Get("witness"),
		Until: f.Get("valid_until"), AnswerDays: f.Get("answer_days"), Note: f.Get("note")}
	service, location, placeID := f.Get("service"), f.Get("location"), f.Get("place")
	ctx, rq := r.Context(), caseRequest(r)
	l, err := s.openListing(r, service, location)
	if err != nil {
		return err
	}
	ref := &casework.Referral{CaseID: id, ToOrgID: l.Organization.MemberID, ServiceAtLocationID: directory.ServiceAtLocationID(l.Service.ID, l.Location.ID),
		ServiceID: l.Service.ID, LocationID: l.Location.ID, ServiceName: l.Service.Name, ProviderName: l.Organization.Name,
		ProviderCountry: l.Service.Eligibility.Country, Needs: d.Needs, Note: d.Note}
	if ref.ToOrgID == rq.Actor.OrgID {
		ref.ToOrgID = 0 // a service of one's own organization: no one else to ask
	}
	if org := stateOf(r).org; org != nil {
		ref.FromCountry = org.Country
	}
	if pl, ok := directory.BorderCity(placeID); ok {
		ref.FromCountry = pl.Country
	}
	errs := formErrors{}
	days, err := strconv.Atoi(d.AnswerDays)
	if err != nil || days < 1 {
		errs["answer_by"] = "field.choose_one"
	} else {
		ref.AnswerBy = s.now().Add(time.Duration(days) * 24 * time.Hour)
	}
	var consent *casework.Consent
	if len(d.Classes) > 0 {
		consent = &casework.Consent{GivenHow: d.GivenHow, Witness: d.Witness}
		for _, c := range d.Classes {
			consent.Classes = append(consent.Classes, access.Class(c))
		}
		until, err := time.Parse("2006-01-02", d.Until)
		if err != nil {
			errs["valid_until"] = "field.date"
		}
		consent.Until = until.Add(24*time.Hour - time.Second)
	}
	if len(errs) == 0 {
		err = s.referrals.Create(ctx, rq, ref, consent, f.Get("draft") != "")
		if fe, ok := invalidFields(err); ok {
			errs = fe
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		d.Errs = errs
		return s.renderReferralForm(w, r, http.StatusUnprocessableEntity, &d, service, location, placeID)
	}
	flash := "referral_sent"
	if ref.Status == casework.RefDraft {
		flash = "referral_saved"
	}
	return redirect(w, r, "/referrals/"+strconv.FormatInt(ref.ID, 10), flash)
}

type referralQueueData struct {
	Box       string
	Boxes     []string
	Status    string
	Referrals []casework.Referral
	OrgName   map[int64]string
	Statuses  []casework.ReferralStatus
	OrgID     int64
	Now       time.Time
	Older     string // the next page
}

// referralQueue is an organization's referrals: those it received, to
// work, and those it sent, to follow.
func (s *Server) referralQueue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := referralQueueData{Box: q.Get("box"), Boxes: []string{"all", "in", "out"}, Status: q.Get("status"), Statuses: casework.ReferralStatuses, Now: s.now()}
	f := casework.ReferralFilter{}
	switch d.Box {
	case "in":
		f.Incoming = true
	case "out":
		f.Outgoing = true
	default:
		d.Box = "all"
	}
	if d.Status != "" {
		if !slices.Contains(casework.ReferralStatuses, casework.ReferralStatus(d.Status)) {
			return problem.New(problem.Invalid, "error.invalid")
		}
		f.Statuses = []casework.ReferralStatus{casework.ReferralStatus(d.Status)}
	}
	var err error
	if f.After, err = keyset.Parse(q.Get("after")); err != nil {
		return problem.New(problem.Invalid, "error.page_cursor")
	}
	page, err := s.referrals.Queue(r.Context(), caseRequest(r), f)
	if err != nil {
		return err
	}
	d.Referrals = page.Referrals
	if !page.Next.IsZero() {
		older := url.Values{"box": {d.Box}, "after": {page.Next.String()}}
		if d.Status != "" {
			older.Set("status", d.Status)
		}
		d.Older = "/referrals?" + older.Encode()
	}
	if d.OrgName, err = s.orgNames(r); err != nil {
		return err
	}
	d.OrgID = caseRequest(r).Actor.OrgID
	return s.render(w, r, http.StatusOK, "referral_list.html", "referrals.queue_title", d)
}

type referralViewData struct {
	Ref          *casework.Referral
	OrgName      map[int64]string
	UserName     map[int64]string
	Sender       bool
	Receiver     bool // answers the referral: the receiving member, or the sender for a service outside Puente
	Next         []casework.ReferralStatus
	CanRevoke    bool
	Active       bool
	Overdue      bool
	Confidential bool
	CanReveal    bool
	Reveals      []casework.Reveal // who opened the confidential address
	Address      *directory.Location
	PublicPlace  *directory.Location
	Shared       *casework.Case
	SharedNow    []access.Class
	Vocab        vocab
	Decline      []string
	Revoke       []string
	Outcomes     []string
	Errs         formErrors
}

func (s *Server) referralView(w http.ResponseWriter, r *http.Request) error {
	return s.renderReferral(w, r, http.StatusOK, nil, nil)
}

// renderReferral shows a referral to a party to it: its state and history,
// the moves the reader may make, and, to the receiving organization, what
// the survivor agreed to share of the case.
func (s *Server) renderReferral(w http.ResponseWriter, r *http.Request, status int, errs formErrors, address *directory.Location) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, rq := r.Context(), caseRequest(r)
	ref, err := s.referrals.Get(ctx, rq, id)
	if err != nil {
		return err
	}
	parties, err := s.referrals.Parties(ctx, rq, ref)
	if err != nil {
		return err
	}
	a := rq.Actor
	d := referralViewData{Ref: ref, Vocab: caseVocab, Errs: errs, Address: address, Active: ref.Active(s.now()), Overdue: ref.Overdue(s.now()),
		Decline: casework.DeclineReasons, Revoke: casework.RevokeReasons, Outcomes: casework.Outcomes}
	d.Sender, d.Receiver = parties.Sender, parties.Receiver
	if d.Receiver {
		d.Next = casework.NextReferral(ref.Status, casework.Receiver)
	}
	d.CanRevoke = d.Sender && slices.Contains(casework.NextReferral(ref.Status, casework.Sender), casework.RefRevoked)
	if err := s.referralPlace(r, &d); err != nil {
		return err
	}
	if a.OrgID == ref.ToOrgID {
		d.Shared, d.SharedNow, err = s.cases.Get(ctx, rq, ref.CaseID)
		if problem.Is(err, problem.NotFound) {
			d.Shared, err = nil, nil
		}
		if err != nil {
			return err
		}
	}
	if d.OrgName, err = s.orgNames(r); err != nil {
		return err
	}
	// The names of both parties' people: each side sees who moved the
	// referral, and the shelter who opened its address.
	if d.UserName, err = s.admin.StaffNames(ctx, rq, ref.FromOrgID, ref.ToOrgID); err != nil {
		return err
	}
	return s.render(w, r, status, "referral_view.html", "referrals.view_title", d)
}

// referralPlace says where the service is: the public address of an open
// location; for a confidential one, only whether the reader may open it,
// and who has opened it.
func (s *Server) referralPlace(r *http.Request, d *referralViewData) error {
	if d.Ref.LocationID == "" {
		return nil
	}
	ctx, rq := r.Context(), caseRequest(r)
	pa, err := s.referrals.Place(ctx, rq, d.Ref)
	if err != nil {
		return err
	}
	if !pa.Confidential {
		l, err := s.dir.Listing(ctx, d.Ref.ServiceAtLocationID)
		if problem.Is(err, problem.NotFound) {
			return nil // the listing left the directory since
		} else if err != nil {
			return err
		}
		if !l.Location.Confidential {
			d.PublicPlace = &l.Location
		}
		return nil
	}
	d.Confidential = true
	d.CanReveal = d.Address == nil && pa.CanReveal
	d.Reveals, err = s.referrals.RevealsOf(ctx, rq, d.Ref)
	return err
}

func (s *Server) referralSend(w http.ResponseWriter, r *http.Request) error {
	return s.moveReferral(w, r, casework.RefSent, "", "", "referral_sent")
}

func (s *Server) referralRevoke(w http.ResponseWriter, r *http.Request) error {
	return s.moveReferral(w, r, casework.RefRevoked, r.PostForm.Get("reason"), "", "referral_revoked")
}

func (s *Server) referralRespond(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	return s.moveReferral(w, r, casework.ReferralStatus(f.Get("to")), f.Get("reason"), f.Get("note"), "referral_updated")
}

func (s *Server) moveReferral(w http.ResponseWriter, r *http.Request, to casework.ReferralStatus, reason, note, flash string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.referrals.Move(r.Context(), caseRequest(r), id, to, reason, note)
	if errs, ok := invalidFields(err); ok {
		return s.renderReferral(w, r, http.StatusUnprocessableEntity, errs, nil)
	} else if err != nil {
		return err
	}
	return redirect(w, r, "/referrals/"+strconv.FormatInt(id, 10), flash)
}

// referralAddress opens a confidential location's address for the case's
// assigned caseworker once the shelter has accepted the referral (or for
// the shelter's own staff). It is a POST, so that every opening is
// deliberate, audited and shown to the shelter, and the address is never
// in a URL or a cache.
func (s *Server) referralAddress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	loc, err := s.referrals.RevealLocation(r.Context(), caseRequest(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderReferral(w, r, http.StatusOK, nil, loc)
}
