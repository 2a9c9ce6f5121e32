// Package access decides who may do what. Every web page, API route and CLI
// command asks Allow before acting; nothing else in Puente makes access
// decisions. What is not allowed here is denied.
package access

import (
	"slices"
	"time"

	"puente/internal/account"
)

// Action is something a person or API client asks to do.
type Action string

// The actions Puente knows.
const (
	// Public actions need no sign-in: the sign-in page, health checks.
	Public Action = "public"
	// SignedIn covers a person's own dashboard, language and sign-out.
	SignedIn Action = "signed_in"
	// ManageOwnAccount covers a person's own password and API tokens.
	ManageOwnAccount    Action = "own_account.manage"
	ViewOrganizations   Action = "organizations.view"
	ManageOrganizations Action = "organizations.manage"
	ViewUsers           Action = "users.view"
	ManageUsers         Action = "users.manage"
	// ChangeAccess changes what an account may reach: its roles, its
	// organization, whether it is disabled, its password. Resource.Subject
	// is the account: nobody changes their own (separation of duties).
	ChangeAccess Action = "users.change_access"
	// ConfirmMembership agrees, for an organization (Resource.OrgID), to
	// an account joining it or taking new roles in it (Resource.Subject).
	ConfirmMembership Action = "users.confirm"

	// Case actions. Reading is decided per sensitivity class.
	CaseCreate Action = "case.create"
	CaseList   Action = "case.list" // see that a case exists, with its non-identifying profile
	// CaseSearch finds cases by a person's name. A search may match a case
	// only when the searcher may read that case's identity: being allowed
	// to list a case tells nothing of whose it is.
	CaseSearch  Action = "case.search"
	CaseRead    Action = "case.read"   // read one class of a case
	CaseUpdate  Action = "case.update" // change one class of a case
	CaseMove    Action = "case.move"   // change status: referred, assisted, closed, reopened
	CaseAssign  Action = "case.assign" // choose the caseworkers
	CaseDelete  Action = "case.delete" // destroy the survivor's data for good
	ConsentEdit Action = "consent.edit"
	BreakGlass  Action = "case.break_glass"
	AuditRead   Action = "audit.read"

	// Screening actions: running an interview, and reading a stored one.
	// Screenings never leave the organization that ran them.
	ScreeningRun  Action = "screening.run"
	ScreeningRead Action = "screening.read"

	// Directory actions. For a listing, Resource.OrgID is the member
	// organization that runs it, NoMember when no member does, and 0 at the
	// route gate, before the listing is known.
	DirectoryEdit      Action = "directory.edit"         // add and change organizations, services, locations
	AvailabilityUpdate Action = "directory.availability" // a provider's own bed count
	// LocationReveal opens a confidential location's address. Resource.Custodian
	// is the member organization whose staff may always read it (see
	// PlaceOf); through a referral, OrgID is the referring organization,
	// ToOrgID the receiving one, Assigned the case's caseworkers, and
	// Accepted whether the receiving organization has accepted it.
	LocationReveal Action = "directory.location.reveal"

	// Referral actions. Resource.OrgID is the organization that owns the
	// case and sends the referral; ToOrgID the member organization that
	// receives it, 0 when the service is not run by a Puente member (the
	// sender then records the answer it got by phone or in person).
	ReferralRead    Action = "referral.read"    // the referral itself: service, needs, status, history
	ReferralSend    Action = "referral.send"    // draft, send, revoke
	ReferralRespond Action = "referral.respond" // accept, decline, start service, complete
)

// NoMember is Resource.OrgID for a directory listing that no Puente member
// runs: only admins keep it. It is not 0, which is the route gate's "any
// listing", so that a supervisor can never keep a listing nobody runs.
const NoMember int64 = -1

// Actions lists every action, for tests that walk the whole policy.
var Actions = []Action{
	Public, SignedIn, ManageOwnAccount, ViewOrganizations, ManageOrganizations, ViewUsers, ManageUsers, ChangeAccess, ConfirmMembership,
	CaseCreate, CaseList, CaseSearch, CaseRead, CaseUpdate, CaseMove, CaseAssign, CaseDelete, ConsentEdit, BreakGlass, AuditRead,
	ScreeningRun, ScreeningRead,
	DirectoryEdit, AvailabilityUpdate, LocationReveal, ReferralRead, ReferralSend, ReferralRespond,
}

// Class is how sensitive a group of fields is.
type Class string

// The sensitivity classes, from least to most restricted.
const (
	NonIdentifying Class = "non_identifying" // age band, gender, nationality, forms of exploitation
	Narrative      Class = "narrative"       // what happened, perpetrators, notes
	Identity       Class = "identity"        // names, birth date, contact details, photos
	Location       Class = "location"        // current address, shelter
	Immigration    Class = "immigration"     // status, T/U-visa applications, cooperation with police
)

// Classes lists every class.
var Classes = []Class{NonIdentifying, Narrative, Identity, Location, Immigration}

// Scopes an API token can carry, and the actions each one opens. A token
// never opens more than its user's roles allow.
var Scopes = map[string][]Action{
	"profile:read":        {SignedIn},
	"organizations:read":  {ViewOrganizations},
	"organizations:write": {ViewOrganizations, ManageOrganizations},
	"users:read":          {ViewUsers},
	"users:write":         {ViewUsers, ManageUsers, ChangeAccess},
	"cases:read":          {CaseList, CaseSearch, CaseRead},
	"cases:write":         {CaseList, CaseSearch, CaseRead, CaseCreate, CaseUpdate, CaseMove, CaseAssign, ConsentEdit, CaseDelete, BreakGlass},
	"screenings:read":     {SignedIn, ScreeningRead},
	"screenings:write":    {ScreeningRead, ScreeningRun},
}

// Actor is who is asking: a signed-in person, or an API client acting for one.
type Actor struct {
	UserID    int64
	OrgID     int64
	OrgVetted bool
	Roles     []account.Role
	// Token is true when the request came with an API token; Scopes then
	// bounds what it may do. A browser session has no scopes to bound it.
	Token  bool
	Scopes []string
}

// ActorFor returns the actor for a signed-in user of org (which may be nil
// when the organization is unknown; the actor is then not vetted). The
// actor has the roles in force, not those waiting for the organization's
// agreement (account.User.InForce).
func ActorFor(u *account.User, org *account.Organization) Actor {
	a := Actor{UserID: u.ID, OrgID: u.OrgID, Roles: u.InForce()}
	if org != nil && org.ID == u.OrgID && !org.Disabled {
		a.OrgVetted = org.Vetted
	}
	return a
}

// Request is who is asking, and the request id that ties an audit entry
// to the server's log line.
type Request struct {
	Actor     Actor
	RequestID string
}

// Anonymous is the actor for a request with no valid credentials.
var Anonymous = Actor{}

// Grant is one consent as the policy sees it: the survivor allowed OrgID
// to see Classes for Purpose, from From until Until, unless revoked.
type Grant struct {
	OrgID     int64
	Classes   []Class
	Purpose   string // referral, services, legal, statistics
	From      time.Time
	Until     time.Time
	RevokedAt *time.Time
}

// Active reports whether the grant is in force at now.
func (g Grant) Active(now time.Time) bool {
	return g.RevokedAt == nil && !now.Before(g.From) && now.Before(g.Until)
}

// Glass is an emergency access opened by a supervisor of another
// organization, in force until Until.
type Glass struct {
	UserID int64
	Until  time.Time
}

// Resource is what an action is done to. For actions that are not about a
// record, the zero Resource will do. For a case, OrgID is the owning
// organization, and the rest is what the policy needs to decide.
type Resource struct {
	OrgID    int64
	Class    Class   // the class read or changed; empty for record-level actions
	Assigned []int64 // caseworkers assigned to the case
	Grants   []Grant // the survivor's consents
	Glass    []Glass // emergency access
	Creator  int64   // who created the record, for screenings
	Subject  int64   // the account acted on, for user actions
	ToOrgID  int64   // a referral's receiving organization
	Active   bool    // a referral is in force: sent, accepted or in service
	Accepted bool    // a referral was accepted: accepted or in service
	// Custodian is, for a confidential place, the member organization
	// whose staff may read it, or NoMember.
	Custodian int64
	Now       time.Time
}

// Allow reports whether actor may perform act on r.
func Allow(a Actor, act Action, r Resource) bool {
	return Decide(a, act, r).Allowed
}

// Decision is the outcome of a check and the rule that decided it, for the
// audit log.
type Decision struct {
	Allowed bool
	Reason  string
}

func allow(reason string) Decision { return Decision{true, reason} }
func deny(reason string) Decision  { return Decision{false, reason} }

// Decide is Allow with the reason, for the audit log.
func Decide(a Actor, act Action, r Resource) Decision {
	if act == Public {
		return allow("public")
	}
	if a.UserID == 0 || len(a.Roles) == 0 {
		return deny("not signed in")
	}
	if a.Token && !scopeOpens(a.Scopes, act) {
		return deny("token scope")
	}
	has := func(role account.Role) bool { return slices.Contains(a.Roles, role) }
	if act == CaseSearch && r.OrgID != 0 {
		// Matching one case by name reveals whose case it is.
		act, r.Class = CaseRead, Identity
	}
	switch act {
	case SignedIn, ViewOrganizations:
		return allow("signed in")
	case ManageOwnAccount:
		if a.Token {
			return deny("tokens cannot manage accounts") // nor mint tokens
		}
		return allow("own account")
	case ManageOrganizations, ManageUsers:
		return roleDecision(has(account.Admin), "admin")
	case ChangeAccess:
		if r.Subject != 0 && r.Subject == a.UserID {
			return deny("separation of duties: not one's own access")
		}
		return roleDecision(has(account.Admin), "admin")
	case ConfirmMembership:
		switch {
		case r.Subject != 0 && r.Subject == a.UserID:
			return deny("separation of duties: not one's own membership")
		case r.OrgID == 0:
			return roleDecision(has(account.Supervisor), "supervisor")
		case r.OrgID != a.OrgID:
			return deny("another organization")
		}
		return roleDecision(has(account.Supervisor), "supervisor of the organization")
	case ViewUsers:
		if has(account.Admin) {
			return allow("admin")
		}
		own := r.OrgID == 0 || r.OrgID == a.OrgID
		return roleDecision(own && has(account.Supervisor), "supervisor of the organization")
	case AuditRead:
		return roleDecision(has(account.Admin), "admin")
	case CaseCreate:
		return roleDecision(has(account.Caseworker) || has(account.Supervisor) || has(account.Screener), "case role")
	case ScreeningRun, ScreeningRead:
		return decideScreening(a, act, r, has)
	case DirectoryEdit, AvailabilityUpdate:
		return decideDirectory(a, act, r, has)
	case LocationReveal:
		return decideReveal(a, r, has)
	case ReferralRead, ReferralSend, ReferralRespond:
		return decideReferral(a, act, r, has)
	}
	return decideCase(a, act, r, has)
}

func roleDecision(ok bool, role string) Decision {
	if ok {
		return allow(role)
	}
	return deny("requires " + role)
}

// decideCase decides actions on a survivor's case.
func decideCase(a Actor, act Action, r Resource, has func(account.Role) bool) Decision {
	supervisor, caseworker := has(account.Supervisor), has(account.Caseworker)
	if r.OrgID == 0 {
		return gate(a, act, has)
	}
	assigned := slices.Contains(r.Assigned, a.UserID)
	if r.OrgID == a.OrgID {
		switch act {
		case CaseList:
			return roleDecision(supervisor || caseworker || has(account.Screener) || has(account.Analyst), "case role in the owning organization")
		case CaseRead:
			switch {
			case supervisor:
				return allow("supervisor of the owning organization")
			case caseworker && assigned:
				return allow("assigned caseworker")
			case r.Class == NonIdentifying && (caseworker || has(account.Screener) || has(account.Analyst)):
				return allow("non-identifying profile in the owning organization")
			}
			return deny("not assigned")
		case CaseUpdate:
			return roleDecision(supervisor || (caseworker && assigned), "supervisor or assigned caseworker")
		case CaseMove, ConsentEdit:
			return roleDecision(supervisor || (caseworker && assigned), "supervisor or assigned caseworker")
		case CaseAssign, CaseDelete:
			return roleDecision(supervisor, "supervisor of the owning organization")
		case BreakGlass:
			return deny("break-the-glass is for other organizations' cases")
		}
		return deny("unknown action")
	}
	// Another organization's case: nothing without the survivor's consent
	// or an emergency, and then only reading.
	switch act {
	case BreakGlass:
		return roleDecision(supervisor && a.OrgVetted, "supervisor of a vetted organization")
	case CaseList, CaseRead:
	default:
		return deny("other organization")
	}
	now := r.Now
	for _, g := range r.Glass {
		if g.UserID == a.UserID && now.Before(g.Until) && r.Class != Immigration {
			return allow("break-the-glass")
		}
	}
	for _, g := range r.Grants {
		if g.OrgID != a.OrgID || !g.Active(now) {
			continue
		}
		roleOK := supervisor || caseworker
		if g.Purpose == "statistics" {
			roleOK = has(account.Analyst) || supervisor
		}
		if !roleOK {
			continue
		}
		if act == CaseList || slices.Contains(g.Classes, r.Class) {
			return allow("consent")
		}
	}
	return deny("no consent")
}

// decideScreening: screeners, caseworkers and supervisors run interviews
// for their own organization; a stored screening is read by whoever ran it
// and by the organization's supervisors. Nobody outside the organization
// reads one: what a survivor told a screener is shared, if at all, through
// the case and its consents.
func decideScreening(a Actor, act Action, r Resource, has func(account.Role) bool) Decision {
	interviewer := has(account.Screener) || has(account.Caseworker) || has(account.Supervisor)
	if r.OrgID == 0 {
		return roleDecision(interviewer, "screening role")
	}
	if r.OrgID != a.OrgID {
		return deny("other organization")
	}
	switch {
	case act == ScreeningRun && r.Creator == 0:
		return roleDecision(interviewer, "screening role")
	case has(account.Supervisor):
		return allow("supervisor of the organization")
	case interviewer && r.Creator == a.UserID:
		return allow("ran the screening")
	}
	return deny("not the interviewer")
}

// ListingOf is the resource of a directory listing run by the member
// organization memberID, or by no member when memberID is 0: only admins
// keep those.
func ListingOf(memberID int64) Resource {
	if memberID == 0 {
		memberID = NoMember
	}
	return Resource{OrgID: memberID}
}

// decideDirectory: admins keep the whole directory; a member
// organization's supervisors keep its own listings, and its caseworkers
// and supervisors its bed counts, because they know them first.
func decideDirectory(a Actor, act Action, r Resource, has func(account.Role) bool) Decision {
	if has(account.Admin) {
		return allow("admin")
	}
	supervisor, caseworker := has(account.Supervisor), has(account.Caseworker)
	staff := supervisor || (act == AvailabilityUpdate && caseworker)
	switch r.OrgID {
	case 0:
		return roleDecision(staff, "admin or provider staff")
	case NoMember:
		return deny("listing run by no member")
	}
	if r.OrgID != a.OrgID {
		return deny("another organization's listing")
	}
	return roleDecision(staff, "provider staff")
}

// decideReferral decides a referral between the case's organization and
// the receiving one. Only caseworkers and supervisors take part; the case's
// own classes are decided apart, by the case policy and the survivor's
// consent.
func decideReferral(a Actor, act Action, r Resource, has func(account.Role) bool) Decision {
	supervisor, caseworker := has(account.Supervisor), has(account.Caseworker)
	if !supervisor && !caseworker {
		return deny("requires caseworker or supervisor")
	}
	if r.OrgID == 0 {
		return allow("referral role")
	}
	sender, receiver := a.OrgID == r.OrgID, r.ToOrgID != 0 && a.OrgID == r.ToOrgID
	owner := sender && (supervisor || slices.Contains(r.Assigned, a.UserID))
	switch act {
	case ReferralRead:
		if sender || receiver {
			return allow("party to the referral")
		}
		return deny("not a party to the referral")
	case ReferralSend:
		return roleDecision(owner, "supervisor or assigned caseworker of the referring organization")
	case ReferralRespond:
		if receiver {
			return allow("receiving organization")
		}
		if r.ToOrgID == 0 && owner {
			return allow("records the answer of a service outside Puente")
		}
		return deny("not the receiving organization")
	}
	return deny("unknown action")
}

// PlaceOf is the resource of a confidential place kept for the member
// organization custodian, or for none when custodian is 0.
func PlaceOf(custodian int64) Resource {
	if custodian == 0 {
		custodian = NoMember
	}
	return Resource{Custodian: custodian}
}

// decideReveal decides opening a confidential place's address. Its own
// staff may: the custodian, the member organization that ran the listing
// when the address was typed in (linking the listing to another member
// later never moves it; an admin is never one by office). Through a
// referral, only the caseworker assigned to the case, in a vetted
// referring organization, once the receiving organization has accepted
// the person: a referral sent and not yet answered opens nothing.
func decideReveal(a Actor, r Resource, has func(account.Role) bool) Decision {
	supervisor, caseworker := has(account.Supervisor), has(account.Caseworker)
	if !supervisor && !caseworker {
		return deny("requires caseworker or supervisor")
	}
	if r.Custodian > 0 && a.OrgID == r.Custodian {
		return allow("the place's own staff")
	}
	if r.Custodian == 0 && r.OrgID == 0 && r.ToOrgID == 0 {
		return allow("reveal role") // the route, before the place is known
	}
	switch {
	case r.OrgID == 0 || a.OrgID != r.OrgID:
		return deny("not the referring organization")
	case !r.Accepted:
		return deny("referral not accepted")
	case !a.OrgVetted:
		return deny("requires a vetted organization")
	case !caseworker || !slices.Contains(r.Assigned, a.UserID):
		return deny("requires the case's assigned caseworker")
	}
	return allow("assigned caseworker of an accepted referral")
}

// gate decides an action before the record is known, as a route does:
// could this actor do it to any case at all? The record decides again.
func gate(a Actor, act Action, has func(account.Role) bool) Decision {
	supervisor, caseworker := has(account.Supervisor), has(account.Caseworker)
	switch act {
	case CaseList, CaseSearch, CaseRead:
		return roleDecision(supervisor || caseworker || has(account.Screener) || has(account.Analyst), "case role")
	case CaseUpdate, CaseMove, ConsentEdit:
		return roleDecision(supervisor || caseworker, "supervisor or caseworker")
	case CaseAssign, CaseDelete:
		return roleDecision(supervisor, "supervisor")
	case BreakGlass:
		return roleDecision(supervisor && a.OrgVetted, "supervisor of a vetted organization")
	}
	return deny("unknown action")
}

// Visible lists the classes of a case the actor may read.
func Visible(a Actor, r Resource) []Class {
	var out []Class
	for _, c := range Classes {
		r.Class = c
		if Allow(a, CaseRead, r) {
			out = append(out, c)
		}
	}
	return out
}

func scopeOpens(scopes []string, act Action) bool {
	for _, s := range scopes {
		if slices.Contains(Scopes[s], act) {
			return true
		}
	}
	return false
}

// ValidScope reports whether s is a scope a token can carry.
func ValidScope(s string) bool {
	_, ok := Scopes[s]
	return ok
}
