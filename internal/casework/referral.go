package casework

import (
	"slices"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/problem"
	"puente/internal/text"
)

// ReferralStatus is where a referral stands.
type ReferralStatus string

// A referral's lifecycle, after Primero's: the referring caseworker drafts
// and sends it; the receiving organization accepts or declines it, starts
// the service and records the outcome. The referring side may revoke it
// while it is in force (the survivor changed their mind, the need was met
// elsewhere); a referral nobody answers expires.
const (
	RefDraft     ReferralStatus = "draft"
	RefSent      ReferralStatus = "sent"
	RefAccepted  ReferralStatus = "accepted"
	RefDeclined  ReferralStatus = "declined"
	RefInService ReferralStatus = "in_service"
	RefCompleted ReferralStatus = "completed"
	RefRevoked   ReferralStatus = "revoked"
	RefExpired   ReferralStatus = "expired"
)

// ReferralStatuses lists the statuses in lifecycle order.
var ReferralStatuses = []ReferralStatus{RefDraft, RefSent, RefAccepted, RefDeclined, RefInService, RefCompleted, RefRevoked, RefExpired}

// Side is which party moves a referral.
type Side string

// The parties: the organization that owns the case and refers, the one
// that receives, and Puente itself (expiry).
const (
	Sender   Side = "sender"
	Receiver Side = "receiver"
	System   Side = "system"
)

// referralMoves says who may move a referral from one status to another.
var referralMoves = map[ReferralStatus]map[ReferralStatus]Side{
	RefDraft:     {RefSent: Sender, RefRevoked: Sender},
	RefSent:      {RefAccepted: Receiver, RefDeclined: Receiver, RefRevoked: Sender, RefExpired: System},
	RefAccepted:  {RefInService: Receiver, RefRevoked: Sender},
	RefInService: {RefCompleted: Receiver, RefRevoked: Sender},
}

// NextReferral lists the statuses side may move a referral in status s to.
func NextReferral(s ReferralStatus, side Side) []ReferralStatus {
	var out []ReferralStatus
	for _, to := range ReferralStatuses {
		if referralMoves[s][to] == side {
			out = append(out, to)
		}
	}
	return out
}

// Reasons a receiving organization gives for declining, reasons for
// revoking, and the outcomes of a completed referral. They are codes, so
// that the gap report can count "no capacity" without reading prose.
var (
	DeclineReasons = []string{"no_capacity", "not_eligible", "outside_area", "cannot_contact", "survivor_declined", "other"}
	RevokeReasons  = []string{"survivor_withdrew", "need_met_elsewhere", "sent_in_error", "other"}
	Outcomes       = []string{"services_provided", "partially_provided", "survivor_left", "transferred", "other"}
)

// DefaultAnswerWithin is how long a receiving organization has to answer a
// referral before it expires: a survivor waiting for a bed cannot wait
// longer, and the caseworker needs to know to look elsewhere.
const DefaultAnswerWithin = 72 * time.Hour

// MaxAnswerWithin bounds what a caseworker may choose.
const MaxAnswerWithin = 30 * 24 * time.Hour

// Referral sends a survivor from the organization that owns the case to a
// service in the directory, run by a member organization (ToOrgID) or by
// one outside Puente (ToOrgID 0, reached by phone; the referring side then
// records the answer). It carries the survivor's needs and, through the
// consent it names, only the classes of the case the survivor agreed to
// share with the receiving organization.
type Referral struct {
	ID        int64 `json:"id"`
	CaseID    int64 `json:"case_id"`
	FromOrgID int64 `json:"from_organization_id"`
	ToOrgID   int64 `json:"to_organization_id,omitempty"`

	// The directory listing, named as it was when the referral was made.
	ServiceAtLocationID string          `json:"service_at_location_id"`
	ServiceID           string          `json:"service_id"`
	LocationID          string          `json:"location_id,omitempty"`
	ServiceName         string          `json:"service_name"`
	ProviderName        string          `json:"provider_name"`
	ProviderCountry     account.Country `json:"provider_country"`
	FromCountry         account.Country `json:"from_country"`

	Needs     []string       `json:"needs"`
	ConsentID int64          `json:"consent_id,omitempty"`
	Classes   []access.Class `json:"classes"` // what the consent shared when the referral was made
	// OwnConsent says the consent was given with the referral, for it
	// alone: it ends when the referral ends, however it ends.
	OwnConsent bool `json:"consent_given_with_referral"`

	Status        ReferralStatus `json:"status"`
	AnswerBy      time.Time      `json:"answer_by"`
	DeclineReason string         `json:"decline_reason,omitempty"`
	RevokeReason  string         `json:"revoke_reason,omitempty"`
	Outcome       string         `json:"outcome,omitempty"`

	// Note is the referring caseworker's message to the receiving
	// organization and OutcomeNote the receiver's account of the outcome.
	// Both are sealed under the case's key: people write names in notes.
	Note        string `json:"note,omitempty"`
	OutcomeNote string `json:"outcome_note,omitempty"`

	CreatedBy int64           `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Events    []ReferralEvent `json:"events,omitempty"`
}

// ReferralEvent is one move of a referral.
type ReferralEvent struct {
	From   ReferralStatus `json:"from"`
	To     ReferralStatus `json:"to"`
	By     int64          `json:"by"` // 0 for Puente itself
	OrgID  int64          `json:"organization_id"`
	At     time.Time      `json:"at"`
	Reason string         `json:"reason,omitempty"`
}

// CrossBorder reports whether the referral sends the person to the other
// country, so that both countries' contact paths are shown.
func (r *Referral) CrossBorder() bool {
	return r.FromCountry != "" && r.ProviderCountry != "" && r.FromCountry != r.ProviderCountry
}

// Active reports whether the referral is in force: the receiving side may
// act on it, and a vetted referrer may see a confidential address.
func (r *Referral) Active(now time.Time) bool {
	switch r.Status {
	case RefSent:
		return now.Before(r.AnswerBy)
	case RefAccepted, RefInService:
		return true
	}
	return false
}

// Ended reports whether the referral is over: declined, completed,
// revoked or expired. Nothing moves it again.
func (r *Referral) Ended() bool {
	switch r.Status {
	case RefDeclined, RefCompleted, RefRevoked, RefExpired:
		return true
	}
	return false
}

// Accepted reports whether the receiving organization has taken the
// person in hand: accepted, or in service. Only then may the referring
// caseworker open a confidential address.
func (r *Referral) Accepted() bool {
	return r.Status == RefAccepted || r.Status == RefInService
}

// Overdue reports whether a sent referral went unanswered past AnswerBy;
// Puente then moves it to expired.
func (r *Referral) Overdue(now time.Time) bool {
	return r.Status == RefSent && !now.Before(r.AnswerBy)
}

// Normalize checks a new referral: the listing it names, the needs and the
// time allowed to answer.
func (r *Referral) Normalize(now time.Time, needs []string) error {
	var f problem.Fields
	if r.ServiceAtLocationID == "" || r.ServiceID == "" {
		f.Add("service", "field.required")
	}
	r.Needs = f.SomeOf("needs", r.Needs, needs)
	if len(r.Needs) == 0 {
		f.Add("needs", "field.required")
	}
	note, key := text.CleanMultiline(r.Note, maxLong)
	if key != "" {
		f.Add("note", key)
	}
	r.Note = note
	switch {
	case r.AnswerBy.IsZero():
		r.AnswerBy = now.Add(DefaultAnswerWithin)
	case !r.AnswerBy.After(now):
		f.Add("answer_by", "referral.answer_by_future")
	case r.AnswerBy.Sub(now) > MaxAnswerWithin:
		f.Add("answer_by", "referral.answer_by_too_late")
	}
	r.Status = RefDraft
	return f.Err()
}

// Move changes the referral's status for side, checking the move and its
// reason: declining names one of DeclineReasons, revoking one of
// RevokeReasons, completing one of Outcomes (note is the receiver's
// account of it). A sent referral past AnswerBy can only expire or be
// revoked.
func (r *Referral) Move(to ReferralStatus, side Side, by, org int64, at time.Time, reason, note string) error {
	if referralMoves[r.Status][to] != side || side == "" {
		return &problem.Error{Kind: problem.Conflict, Key: "referral.bad_transition", Fields: []problem.FieldError{{Field: "status", Key: "referral.bad_transition"}}}
	}
	if r.Overdue(at) && to != RefExpired && to != RefRevoked {
		return &problem.Error{Kind: problem.Conflict, Key: "referral.expired", Fields: []problem.FieldError{{Field: "status", Key: "referral.expired"}}}
	}
	var f problem.Fields
	switch to {
	case RefDeclined:
		f.OneOf("reason", &reason, DeclineReasons, "")
	case RefRevoked:
		f.OneOf("reason", &reason, RevokeReasons, "")
	case RefCompleted:
		f.OneOf("reason", &reason, Outcomes, "")
		var key string
		if note, key = text.CleanMultiline(note, maxLong); key != "" {
			f.Add("note", key)
		}
	default:
		reason = ""
	}
	if err := f.Err(); err != nil {
		return err
	}
	switch to {
	case RefDeclined:
		r.DeclineReason = reason
	case RefRevoked:
		r.RevokeReason = reason
	case RefCompleted:
		r.Outcome, r.OutcomeNote = reason, note
	}
	r.Events = append(r.Events, ReferralEvent{From: r.Status, To: to, By: by, OrgID: org, At: at, Reason: reason})
	r.Status, r.UpdatedAt = to, at
	return nil
}

// SharedClasses is what the receiving organization may read of the case
// through the referral's consent, given the consents now on the case: a
// consent revoked or lapsed since shares nothing.
func (r *Referral) SharedClasses(consents []Consent, now time.Time) []access.Class {
	for _, c := range consents {
		if c.ID == r.ConsentID && c.OrgID == r.ToOrgID && c.Active(now) {
			return slices.Clone(c.Classes)
		}
	}
	return nil
}
