// Package admin is the one way to change who may use Puente and what they
// may reach: organizations and their vetting, accounts, roles, memberships,
// passwords and API tokens. Every call asks the access policy, writes, and
// records what changed (codes and ids, never values) in the audit log, in
// one transaction, whether it comes from a page, the API or the command
// line.
//
// Two rules close the ways an administrator could once reach survivors'
// records: nobody changes their own roles, organization, password or
// disabled flag here (separation of duties), and roles given, or a move
// into an organization, are in force only once a supervisor of that
// organization agrees (account.User.InForce). An administrator's reset of
// someone's password puts their roles back to waiting for the same reason:
// whoever sets a password can sign in with it.
package admin

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/password"
	"puente/internal/problem"
	"puente/internal/text"
)

// Store is what the administration service needs from storage.
type Store interface {
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e *audit.Entry) error

	Organization(ctx context.Context, id int64) (*account.Organization, error)
	Organizations(ctx context.Context, f account.OrgFilter) ([]account.Organization, error)
	CountOrganizations(ctx context.Context) (int, error)
	CreateOrganization(ctx context.Context, o *account.Organization) error
	UpdateOrganization(ctx context.Context, o *account.Organization) error
	OrganizationHasCases(ctx context.Context, org int64) (bool, error)

	User(ctx context.Context, id int64) (*account.User, error)
	Users(ctx context.Context, f account.UserFilter) ([]account.User, error)
	CountUsers(ctx context.Context) (int, error)
	Members(ctx context.Context, org int64) ([]account.User, error)
	CreateUser(ctx context.Context, u *account.User) error
	UpdateUser(ctx context.Context, u *account.User) error
	// SetPassword stores a new hash, ends the user's sessions but keep,
	// and revokes their API tokens.
	SetPassword(ctx context.Context, userID int64, hash, keep string) error
	// EndAccess ends every session and revokes every API token of a user.
	EndAccess(ctx context.Context, userID int64) error

	Tokens(ctx context.Context, userID int64) ([]auth.Token, error)
	CreateToken(ctx context.Context, t *auth.Token) error
	RevokeToken(ctx context.Context, userID, tokenID int64) error
}

// Service administers organizations and accounts.
type Service struct {
	Store Store
	Now   func() time.Time
	// Password is the hashing cost; the zero value is password.Default.
	Password password.Params
	// Gate bounds the password hashes running at once (nil: unbounded).
	Gate *password.Gate
}

// Operator is the request of someone at the server's command line, who
// holds the database and the keys already: the policy does not stand
// between them and the data, but the audit log records what they did.
var Operator = access.Request{RequestID: "command-line"}

func isOperator(rq access.Request) bool {
	return rq.Actor.UserID == 0 && rq.RequestID == Operator.RequestID
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) params() password.Params {
	if s.Password == (password.Params{}) {
		return password.Default
	}
	return s.Password
}

func userRecord(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

func orgRecord(id int64) string { return "organization:" + strconv.FormatInt(id, 10) }

// decide asks the policy and records the decision; a refusal is an error.
func (s *Service) decide(ctx context.Context, rq access.Request, act access.Action, res access.Resource, record, note string) error {
	d := access.Decide(rq.Actor, act, res)
	if isOperator(rq) {
		d = access.Decision{Allowed: true, Reason: "command line"}
	}
	if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), act, record, d, note)); err != nil {
		return err
	}
	if !d.Allowed {
		return problem.New(problem.Forbidden, "error.forbidden")
	}
	return nil
}

// record appends an entry for something done under a decision already
// made in the same call.
func (s *Service) record(ctx context.Context, rq access.Request, act access.Action, record, reason, note string) error {
	return s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), act, record, access.Decision{Allowed: true, Reason: reason}, note))
}

// checkPassword adds the password policy's objection, if any, to f.
func checkPassword(f *problem.Fields, pw string, u *account.User) {
	if key := password.Check(pw, u.Email, u.Name); key != "" {
		f.Add("password", key)
	}
}

func roleList(rs []account.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}

// membershipNote says, in codes, where an account stands: its organization,
// its roles in force and those waiting for the organization.
func membershipNote(u *account.User) string {
	note := "org=" + strconv.FormatInt(u.OrgID, 10) + " in_force=" + roleList(u.InForce())
	if p := u.Pending(); len(p) > 0 {
		note += " pending=" + roleList(p)
	}
	if u.Disabled {
		note += " disabled"
	}
	return note
}

// agreement decides whether the organization u is in has agreed to u's
// membership and roles through the person making the change: a supervisor
// of that organization (in force, and not u) agrees by making it. An
// organization with no supervisor in force and no cases yet has nothing to
// protect and nobody to ask: someone has to start it. Anything else waits
// for a supervisor of the organization (ConfirmMembership), or for the
// operator at the command line.
func (s *Service) agreement(ctx context.Context, rq access.Request, u *account.User) (bool, string, error) {
	if isOperator(rq) {
		return true, "command line", nil
	}
	if access.Allow(rq.Actor, access.ConfirmMembership, access.Resource{OrgID: u.OrgID, Subject: u.ID}) {
		return true, "agreed by a supervisor of the organization", nil
	}
	members, err := s.Store.Members(ctx, u.OrgID)
	if err != nil {
		return false, "", err
	}
	for _, m := range members {
		if m.ID != u.ID && !m.Disabled && slices.Contains(m.InForce(), account.Supervisor) {
			return false, "", nil
		}
	}
	cases, err := s.Store.OrganizationHasCases(ctx, u.OrgID)
	if err != nil || cases {
		return false, "", err
	}
	return true, "new organization: no supervisor and no cases yet", nil
}

// CreateUser adds an account with the password given. Its roles are in
// force at once only when the organization has agreed (see agreement).
func (s *Service) CreateUser(ctx context.Context, rq access.Request, u *account.User, pw string) error {
	var f problem.Fields
	if err := u.Normalize(); err != nil {
		pe := problem.As(err)
		if pe.Kind != problem.Invalid {
			return err
		}
		f = append(f, pe.Fields...)
	}
	checkPassword(&f, pw, u)
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := s.Gate.Hash(ctx, pw, s.params())
	if err != nil {
		return busy(err)
	}
	u.ID, u.PasswordHash = 0, hash
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.decide(ctx, rq, access.ChangeAccess, access.Resource{OrgID: u.OrgID}, "", "new account"); err != nil {
			return err
		}
		agreed, why, err := s.agreement(ctx, rq, u)
		if err != nil {
			return err
		}
		u.ConfirmedOrgID, u.ConfirmedRoles = 0, nil
		if agreed {
			u.Agreed()
		}
		if err := s.Store.CreateUser(ctx, u); err != nil {
			return err
		}
		if !agreed {
			why = "waiting for the organization"
		}
		return s.record(ctx, rq, "user.create", userRecord(u.ID), why, membershipNote(u))
	})
}

// UpdateUser saves an account as changed in u (which carries its id), and
// sets newPassword when it is not empty. Changing the account's roles,
// organization, disabled flag or password is changing its access: an
// admin may, never on their own account. Roles given and a move into an
// organization wait for its agreement; roles taken away go at once. A
// password set by someone else puts the roles back to waiting. Any change
// of access revokes the account's API tokens, so none outlives it.
func (s *Service) UpdateUser(ctx context.Context, rq access.Request, u *account.User, newPassword string) error {
	var f problem.Fields
	if err := u.Normalize(); err != nil {
		pe := problem.As(err)
		if pe.Kind != problem.Invalid {
			return err
		}
		f = append(f, pe.Fields...)
	}
	if newPassword != "" {
		checkPassword(&f, newPassword, u)
	}
	if err := f.Err(); err != nil {
		return err
	}
	var hash string
	if newPassword != "" {
		var err error
		if hash, err = s.Gate.Hash(ctx, newPassword, s.params()); err != nil {
			return busy(err)
		}
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		old, err := s.Store.User(ctx, u.ID)
		if err != nil {
			return err
		}
		changes := accessChanges(old, u, newPassword != "")
		act, res := access.ManageUsers, access.Resource{OrgID: old.OrgID, Subject: u.ID}
		if len(changes) > 0 {
			act = access.ChangeAccess
		}
		if err := s.decide(ctx, rq, act, res, userRecord(u.ID), strings.Join(changes, " ")); err != nil {
			return err
		}
		u.PasswordHash = old.PasswordHash
		u.ConfirmedOrgID, u.ConfirmedRoles = old.ConfirmedOrgID, old.ConfirmedRoles
		u.Narrowed()
		if err := s.settle(ctx, rq, u, newPassword != ""); err != nil {
			return err
		}
		if err := s.Store.UpdateUser(ctx, u); err != nil {
			return err
		}
		switch {
		case hash != "":
			err = s.Store.SetPassword(ctx, u.ID, hash, "")
		case len(changes) > 0:
			err = s.Store.EndAccess(ctx, u.ID)
		}
		if err != nil || len(changes) == 0 {
			return err
		}
		return s.record(ctx, rq, "user.access", userRecord(u.ID), "sessions ended, tokens revoked", membershipNote(u))
	})
}

// accessChanges lists, as codes, what a change from old to u does to the
// account's access.
func accessChanges(old, u *account.User, password bool) []string {
	var out []string
	if old.OrgID != u.OrgID {
		out = append(out, "org="+strconv.FormatInt(old.OrgID, 10)+">"+strconv.FormatInt(u.OrgID, 10))
	}
	if !slices.Equal(old.Roles, u.Roles) {
		out = append(out, "roles="+roleList(old.Roles)+">"+roleList(u.Roles))
	}
	if old.Disabled != u.Disabled {
		out = append(out, "disabled="+strconv.FormatBool(u.Disabled))
	}
	if password {
		out = append(out, "password=set")
	}
	return out
}

// settle decides what of u's new membership is agreed: everything, when
// the organization agrees through the person making the change; otherwise
// what it had agreed to before, narrowed to the roles u still holds, and
// nothing at all when the password was set by someone else.
func (s *Service) settle(ctx context.Context, rq access.Request, u *account.User, password bool) error {
	if len(u.Pending()) == 0 && !password {
		return nil
	}
	agreed, _, err := s.agreement(ctx, rq, u)
	if err != nil {
		return err
	}
	switch {
	case agreed:
		u.Agreed()
	case password:
		u.ConfirmedRoles = nil
	}
	return nil
}

// ConfirmMembership is a supervisor agreeing, for their organization, to
// an account's membership and roles in it.
func (s *Service) ConfirmMembership(ctx context.Context, rq access.Request, userID int64) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		u, err := s.member(ctx, rq, userID)
		if err != nil {
			return err
		}
		if err := s.decide(ctx, rq, access.ConfirmMembership, access.Resource{OrgID: u.OrgID, Subject: u.ID}, userRecord(u.ID), "agree roles="+roleList(u.Pending())); err != nil {
			return err
		}
		u.Agreed()
		return s.Store.UpdateUser(ctx, u)
	})
}

// RefuseMembership is a supervisor saying an account waiting to join their
// organization is not one of theirs: it is disabled, its sessions end and
// its tokens are revoked.
func (s *Service) RefuseMembership(ctx context.Context, rq access.Request, userID int64) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		u, err := s.member(ctx, rq, userID)
		if err != nil {
			return err
		}
		if err := s.decide(ctx, rq, access.ConfirmMembership, access.Resource{OrgID: u.OrgID, Subject: u.ID}, userRecord(u.ID), "refuse roles="+roleList(u.Pending())); err != nil {
			return err
		}
		u.Disabled = true
		if err := s.Store.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.Store.EndAccess(ctx, u.ID)
	})
}

// member loads an account of the actor's organization that waits for its
// agreement (any organization's, for the operator); any other reads as not
// found.
func (s *Service) member(ctx context.Context, rq access.Request, userID int64) (*account.User, error) {
	u, err := s.Store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if (u.OrgID != rq.Actor.OrgID && !isOperator(rq)) || len(u.Pending()) == 0 || u.Disabled {
		return nil, problem.New(problem.NotFound, "error.not_found")
	}
	return u, nil
}

// Waiting lists the accounts of the actor's organization whose membership
// or roles wait for its agreement, for its supervisors.
func (s *Service) Waiting(ctx context.Context, rq access.Request) ([]account.User, error) {
	if !access.Allow(rq.Actor, access.ConfirmMembership, access.Resource{OrgID: rq.Actor.OrgID}) {
		return nil, nil
	}
	members, err := s.Store.Members(ctx, rq.Actor.OrgID)
	if err != nil {
		return nil, err
	}
	var out []account.User
	for _, m := range members {
		if m.ID != rq.Actor.UserID && !m.Disabled && len(m.Pending()) > 0 {
			out = append(out, m)
		}
	}
	return out, nil
}

// ChangeOwnPassword sets the signed-in person's password after checking
// their current one, so that a session left open on a shared computer
// cannot be turned into a permanent takeover. It ends their other sessions
// (all but keep) and revokes their API tokens.
func (s *Service) ChangeOwnPassword(ctx context.Context, rq access.Request, current, next, confirm, keep string) error {
	u, err := s.Store.User(ctx, rq.Actor.UserID)
	if err != nil {
		return err
	}
	var f problem.Fields
	if len(current) > 4*password.MaxLength {
		f.Add("current", "account.current_wrong")
	} else if ok, _, err := s.Gate.Verify(ctx, current, u.PasswordHash, s.params()); err != nil {
		return busy(err)
	} else if !ok {
		f.Add("current", "account.current_wrong")
	}
	if key := password.Check(next, u.Email, u.Name); key != "" {
		f.Add("new", key)
	} else if next != confirm {
		f.Add("confirm", "account.confirm_mismatch")
	}
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := s.Gate.Hash(ctx, next, s.params())
	if err != nil {
		return busy(err)
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.decide(ctx, rq, access.ManageOwnAccount, access.Resource{}, userRecord(u.ID), "password changed; other sessions ended, tokens revoked"); err != nil {
			return err
		}
		return s.Store.SetPassword(ctx, u.ID, hash, keep)
	})
}

// MaxTokenDays bounds a token's life: a forgotten token in a script should
// not stay a key to the system for years.
const MaxTokenDays = 365

// CreateToken makes an API token for the signed-in person and returns the
// bearer string, to be shown once. The token carries the roles in force
// and the organization now: whatever the account is given later, the
// token never does more.
func (s *Service) CreateToken(ctx context.Context, rq access.Request, name string, scopes []string, days int) (bearer string, tok auth.Token, err error) {
	var f problem.Fields
	name, key := text.Clean(name, 80)
	if key == "" && name == "" {
		key = text.KeyRequired
	}
	if key != "" {
		f.Add("name", key)
	}
	if len(scopes) == 0 {
		f.Add("scope", "tokens.scope_required")
	}
	for _, sc := range scopes {
		if !access.ValidScope(sc) {
			f.Add("scope", "field.choose_one")
			break
		}
	}
	if days < 1 || days > MaxTokenDays {
		f.Add("days", "tokens.days_range")
	}
	if err := f.Err(); err != nil {
		return "", tok, err
	}
	bearer, tok = auth.NewToken(rq.Actor.UserID, name, scopes, s.now(), time.Duration(days)*24*time.Hour)
	for _, r := range rq.Actor.Roles {
		tok.Roles = append(tok.Roles, string(r))
	}
	tok.OrgID = rq.Actor.OrgID
	err = s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.decide(ctx, rq, access.ManageOwnAccount, access.Resource{}, userRecord(rq.Actor.UserID), "token created"); err != nil {
			return err
		}
		if err := s.Store.CreateToken(ctx, &tok); err != nil {
			return err
		}
		return s.record(ctx, rq, "token.create", "token:"+strconv.FormatInt(tok.ID, 10), "own account",
			"scopes="+strings.Join(scopes, ",")+" roles="+strings.Join(tok.Roles, ",")+" days="+strconv.Itoa(days))
	})
	if err != nil {
		return "", auth.Token{}, err
	}
	return bearer, tok, nil
}

// RevokeToken revokes one of the signed-in person's tokens.
func (s *Service) RevokeToken(ctx context.Context, rq access.Request, tokenID int64) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.decide(ctx, rq, access.ManageOwnAccount, access.Resource{}, "token:"+strconv.FormatInt(tokenID, 10), "token revoked"); err != nil {
			return err
		}
		return s.Store.RevokeToken(ctx, rq.Actor.UserID, tokenID)
	})
}

// CreateOrganization adds an organization.
func (s *Service) CreateOrganization(ctx context.Context, rq access.Request, o *account.Organization) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if err := s.decide(ctx, rq, access.ManageOrganizations, access.Resource{}, "", "new organization"); err != nil {
			return err
		}
		if err := s.Store.CreateOrganization(ctx, o); err != nil {
			return err
		}
		return s.record(ctx, rq, "organization.create", orgRecord(o.ID), "admin", orgNote(o))
	})
}

// UpdateOrganization saves an organization; vetting it or disabling it
// changes what its people may reach, and the entry says so.
func (s *Service) UpdateOrganization(ctx context.Context, rq access.Request, o *account.Organization) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		old, err := s.Store.Organization(ctx, o.ID)
		if err != nil {
			return err
		}
		note := orgNote(o)
		if old.Vetted != o.Vetted || old.Disabled != o.Disabled {
			note = "was " + orgNote(old) + " now " + note
		}
		if err := s.decide(ctx, rq, access.ManageOrganizations, access.Resource{}, orgRecord(o.ID), note); err != nil {
			return err
		}
		return s.Store.UpdateOrganization(ctx, o)
	})
}

func orgNote(o *account.Organization) string {
	return "vetted=" + strconv.FormatBool(o.Vetted) + " disabled=" + strconv.FormatBool(o.Disabled) + " country=" + string(o.Country) + " kind=" + string(o.Kind)
}

// busy turns a password hash that waited too long into "try again in a
// moment".
func busy(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return problem.Wrap(problem.Unavailable, "error.busy", err)
	}
	return err
}
