// Package casework holds the survivor's case: who the person is, what
// happened, what they need, and where the case stands. Its fields are
// grouped by sensitivity class, because who may see a field depends on its
// class: the groups are what the access policy grants, what a consent
// names, and what the store encrypts under the case's own key.
//
// Help never depends on consent or on cooperating with police: nothing in
// a case requires either.
package casework

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"puente/internal/access"
	"puente/internal/htcds"
	"puente/internal/problem"
	"puente/internal/text"
)

// Status is where a case stands in its lifecycle.
type Status string

// The lifecycle: identified → referred → assisted → closed → reopened.
const (
	Identified Status = "identified"
	Referred   Status = "referred"
	Assisted   Status = "assisted"
	Closed     Status = "closed"
	Reopened   Status = "reopened"
)

// Statuses lists the statuses in lifecycle order.
var Statuses = []Status{Identified, Referred, Assisted, Closed, Reopened}

// next says which statuses each status may move to. A reopened case works
// like an identified one.
var next = map[Status][]Status{
	Identified: {Referred, Assisted, Closed},
	Referred:   {Assisted, Closed},
	Assisted:   {Referred, Closed},
	Closed:     {Reopened},
	Reopened:   {Referred, Assisted, Closed},
}

// Next lists the statuses a case in status s may move to.
func Next(s Status) []Status { return next[s] }

// Transition is one move in a case's lifecycle: who, when, and why.
type Transition struct {
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	By     int64     `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"` // required when closing
}

// Case is a survivor's case. The sensitive parts are pointers: nil means
// the reader may not see that class (or it has not been loaded), which is
// different from an empty value.
type Case struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"organization_id"`
	Status    Status    `json:"status"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Assigned  []int64   `json:"assigned"` // caseworkers' user ids

	Profile     Profile      `json:"profile"`
	Identity    *Identity    `json:"identity,omitempty"`
	Location    *Location    `json:"location,omitempty"`
	Immigration *Immigration `json:"immigration,omitempty"`
	Narrative   *Narrative   `json:"narrative,omitempty"`

	Transitions []Transition `json:"transitions,omitempty"`
}

// Profile is the non-identifying part of a case: enough to count, match
// services and plan help, not enough to find the person.
type Profile struct {
	Gender                string   `json:"gender"`
	AgeBand               string   `json:"age_band"`
	AgeBandWhenTrafficked string   `json:"age_band_when_trafficked"`
	Citizenship           []string `json:"citizenship"` // ISO 3166-1 alpha-2
	Languages             []string `json:"languages"`
	VictimStatus          string   `json:"victim_status"`
	VictimStatusBy        string   `json:"victim_status_by"` // who decided: this organization, an authority, a court …
	Exploitation          []string `json:"exploitation"`
	Industries            []string `json:"industries"`
	MeansOfControl        []string `json:"means_of_control"`
	Needs                 []string `json:"needs"`
}

// Identity is who the person is. Sensitivity class: identity.
type Identity struct {
	GivenNames   string   `json:"given_names"`
	FamilyNames  string   `json:"family_names"`
	Aliases      []string `json:"aliases"`
	BirthDate    string   `json:"birth_date"` // YYYY-MM-DD, or empty
	Phone        string   `json:"phone"`
	Email        string   `json:"email"`
	OtherContact string   `json:"other_contact"`
}

// Location is where the person is now. Sensitivity class: location.
type Location struct {
	Address string `json:"address"`
	City    string `json:"city"`
	Shelter string `json:"shelter"`
}

// Immigration is the person's status and relief. It is the most
// restricted class: a leak can mean deportation. The survivor's choice
// about cooperating with law enforcement lives here too, because it is
// tied to T-visa and Continued Presence eligibility and because a
// complicit official must never learn of it.
type Immigration struct {
	Status      string   `json:"status"` // in the person's words or the attorney's
	Relief      []Relief `json:"relief"`
	Cooperation string   `json:"cooperation"` // one of htcds.CooperationChoices; the survivor's own choice
}

// Relief is one immigration relief path.
type Relief struct {
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Date   string `json:"date"` // YYYY-MM-DD, or empty
}

// Narrative is what happened. Sensitivity class: narrative.
type Narrative struct {
	Events       []Event       `json:"events"`
	Perpetrators []Perpetrator `json:"perpetrators"`
	Notes        string        `json:"notes"`
}

// Event is one stage of the trafficking situation.
type Event struct {
	Stage       string `json:"stage"`
	Place       string `json:"place"`
	Date        string `json:"date"` // YYYY-MM-DD, YYYY-MM or YYYY
	Description string `json:"description"`
}

// Perpetrator is someone who took part, by role and relation, described
// in words (issue of networks links them later).
type Perpetrator struct {
	Role        string `json:"role"`
	Relation    string `json:"relation"`
	Description string `json:"description"`
}

// ClassOf names the sensitivity class of each part of a case.
var ClassOf = map[string]access.Class{
	"profile":     access.NonIdentifying,
	"identity":    access.Identity,
	"location":    access.Location,
	"immigration": access.Immigration,
	"narrative":   access.Narrative,
}

// Redact removes every part whose class is not in visible.
func (c *Case) Redact(visible []access.Class) {
	if !slices.Contains(visible, access.Identity) {
		c.Identity = nil
	}
	if !slices.Contains(visible, access.Location) {
		c.Location = nil
	}
	if !slices.Contains(visible, access.Immigration) {
		c.Immigration = nil
	}
	if !slices.Contains(visible, access.Narrative) {
		c.Narrative = nil
	}
	if !slices.Contains(visible, access.NonIdentifying) {
		c.Profile = Profile{}
	}
}

// Move changes the case's status, recording who and when. Closing needs one
// of CloseReasons.
func (c *Case) Move(to Status, by int64, at time.Time, reason string) error {
	if !slices.Contains(next[c.Status], to) {
		return &problem.Error{Kind: problem.Conflict, Key: "case.bad_transition", Fields: []problem.FieldError{{Field: "status", Key: "case.bad_transition"}}}
	}
	if to == Closed && !slices.Contains(htcds.CloseReasons, reason) {
		return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "reason", Key: "case.close_reason_required"}}}
	}
	if to != Closed {
		reason = ""
	}
	c.Transitions = append(c.Transitions, Transition{From: c.Status, To: to, By: by, At: at, Reason: reason})
	c.Status = to
	return nil
}

// Limits on free text, in characters.
const (
	maxShort = 120
	maxPlace = 200
	maxLong  = 20000
	maxList  = 40
)

var (
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
	languageTag = regexp.MustCompile(`^[a-z]{2,3}$`)
	dateFull    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	datePartial = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
)

// Normalize cleans every part of the case that is present and reports every
// field that breaks a rule, named by its path (identity.given_names,
// narrative.events[2].date …).
func (c *Case) Normalize() error {
	var f problem.Fields
	c.Profile.normalize(&f)
	if c.Identity != nil {
		c.Identity.normalize(&f)
	}
	if c.Location != nil {
		l := c.Location
		l.Address = clean(&f, "location.address", l.Address, maxPlace)
		l.City = clean(&f, "location.city", l.City, maxShort)
		l.Shelter = clean(&f, "location.shelter", l.Shelter, maxShort)
	}
	if c.Immigration != nil {
		c.Immigration.normalize(&f)
	}
	if c.Narrative != nil {
		c.Narrative.normalize(&f)
	}
	if !slices.Contains(Statuses, c.Status) {
		f.Add("status", "field.choose_one")
	}
	return f.Err()
}

func (p *Profile) normalize(f *problem.Fields) {
	f.OneOf("profile.gender", &p.Gender, htcds.Genders, "not_stated")
	f.OneOf("profile.age_band", &p.AgeBand, htcds.AgeBands, "unknown")
	f.OneOf("profile.age_band_when_trafficked", &p.AgeBandWhenTrafficked, htcds.AgeBands, "unknown")
	f.OneOf("profile.victim_status", &p.VictimStatus, htcds.VictimStatuses, "possible")
	p.VictimStatusBy = clean(f, "profile.victim_status_by", p.VictimStatusBy, maxShort)
	p.Citizenship = codes(f, "profile.citizenship", p.Citizenship, countryCode, strings.ToUpper)
	p.Languages = codes(f, "profile.languages", p.Languages, languageTag, strings.ToLower)
	p.Exploitation = f.SomeOf("profile.exploitation", p.Exploitation, htcds.ExploitationTypes)
	p.Industries = f.SomeOf("profile.industries", p.Industries, htcds.LaborIndustries)
	p.MeansOfControl = f.SomeOf("profile.means_of_control", p.MeansOfControl, htcds.MeansOfControl)
	p.Needs = f.SomeOf("profile.needs", p.Needs, htcds.Needs)
}

func (id *Identity) normalize(f *problem.Fields) {
	id.GivenNames = clean(f, "identity.given_names", id.GivenNames, maxShort)
	id.FamilyNames = clean(f, "identity.family_names", id.FamilyNames, maxShort)
	if len(id.Aliases) > maxList {
		f.Add("identity.aliases", "field.too_many")
	}
	var aliases []string
	for i, a := range id.Aliases {
		if a = clean(f, fmt.Sprintf("identity.aliases[%d]", i), a, maxShort); a != "" && !slices.Contains(aliases, a) {
			aliases = append(aliases, a)
		}
	}
	id.Aliases = aliases
	id.BirthDate = date(f, "identity.birth_date", id.BirthDate, dateFull)
	id.Phone = clean(f, "identity.phone", id.Phone, 40)
	id.Email = clean(f, "identity.email", id.Email, 254)
	id.OtherContact = clean(f, "identity.other_contact", id.OtherContact, maxPlace)
}

func (im *Immigration) normalize(f *problem.Fields) {
	im.Status = clean(f, "immigration.status", im.Status, maxPlace)
	f.OneOf("immigration.cooperation", &im.Cooperation, htcds.CooperationChoices, "not_asked")
	if len(im.Relief) > maxList {
		f.Add("immigration.relief", "field.too_many")
	}
	for i := range im.Relief {
		r := &im.Relief[i]
		p := fmt.Sprintf("immigration.relief[%d]", i)
		f.OneOf(p+".kind", &r.Kind, htcds.ReliefKinds, "")
		f.OneOf(p+".status", &r.Status, htcds.ReliefStatuses, "considering")
		r.Date = date(f, p+".date", r.Date, dateFull)
	}
}

func (n *Narrative) normalize(f *problem.Fields) {
	if len(n.Events) > maxList {
		f.Add("narrative.events", "field.too_many")
	}
	for i := range n.Events {
		e := &n.Events[i]
		p := fmt.Sprintf("narrative.events[%d]", i)
		f.OneOf(p+".stage", &e.Stage, htcds.EventStages, "")
		e.Place = clean(f, p+".place", e.Place, maxPlace)
		e.Date = date(f, p+".date", e.Date, datePartial)
		e.Description = cleanLong(f, p+".description", e.Description)
	}
	if len(n.Perpetrators) > maxList {
		f.Add("narrative.perpetrators", "field.too_many")
	}
	for i := range n.Perpetrators {
		pp := &n.Perpetrators[i]
		p := fmt.Sprintf("narrative.perpetrators[%d]", i)
		f.OneOf(p+".role", &pp.Role, htcds.PerpetratorRoles, "")
		f.OneOf(p+".relation", &pp.Relation, htcds.PerpetratorRelations, "other")
		pp.Description = cleanLong(f, p+".description", pp.Description)
	}
	n.Notes = cleanLong(f, "narrative.notes", n.Notes)
}

func clean(f *problem.Fields, field, v string, max int) string {
	v, key := text.Clean(v, max)
	if key != "" {
		f.Add(field, key)
	}
	return v
}

func cleanLong(f *problem.Fields, field, v string) string {
	v, key := text.CleanMultiline(v, maxLong)
	if key != "" {
		f.Add(field, key)
	}
	return v
}

func codes(f *problem.Fields, field string, vs []string, re *regexp.Regexp, fold func(string) string) []string {
	out := []string{}
	for _, v := range vs {
		v = fold(strings.TrimSpace(v))
		if !re.MatchString(v) {
			f.Add(field, "field.code")
			return out
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) > maxList {
		f.Add(field, "field.too_many")
	}
	return out
}

func date(f *problem.Fields, field, v string, re *regexp.Regexp) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if !re.MatchString(v) {
		f.Add(field, "field.date")
		return v
	}
	layout := "2006-01-02"[:len(v)]
	if _, err := time.Parse(layout, v); err != nil {
		f.Add(field, "field.date")
	}
	return v
}

// NameTokens returns the normalized tokens of every name and alias in id:
// lowercased, accents removed, split on anything that is not a letter or
// digit. "José Ángel Núñez-Ortiz" gives jose, angel, nunez, ortiz. The store
// keeps only keyed hashes of these tokens, so a person can be found by name
// without decrypting any record and without the index revealing names.
func NameTokens(id *Identity) []string {
	if id == nil {
		return nil
	}
	all := append([]string{id.GivenNames, id.FamilyNames}, id.Aliases...)
	var out []string
	for _, s := range all {
		for _, tok := range SearchTokens(s) {
			if !slices.Contains(out, tok) {
				out = append(out, tok)
			}
		}
	}
	return out
}

// SearchTokens normalizes a name or a search query into tokens the same way
// NameTokens does. Single letters are dropped: they would match too many.
func SearchTokens(s string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		folded = strings.ToLower(s)
	}
	var out []string
	for _, tok := range strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(tok)) >= 2 {
			out = append(out, tok)
		}
	}
	return out
}
