// Package signin is how a person proves who they are to Puente: a password
// checked under limits that reveal nothing, sessions, the second factor and
// its enrollment, and API tokens. It knows nothing of HTTP: the web layer
// gives it what a request carries (the keys an attempt counts against, a
// cookie's value, a bearer string) and turns its answers into cookies,
// redirects and pages. Every check that reaches an account, or finds none,
// is in the audit log by user id (0 for none), in the transaction of what
// it records; attempts a lock turns away before that are not, so a flood
// cannot fill the log.
package signin

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/password"
	"puente/internal/problem"
)

// Store is what signing in needs from storage.
type Store interface {
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e *audit.Entry) error

	User(ctx context.Context, id int64) (*account.User, error)
	UserByEmail(ctx context.Context, email string) (*account.User, error)
	Organization(ctx context.Context, id int64) (*account.Organization, error)
	RehashPassword(ctx context.Context, userID int64, hash string) error
	SetLanguage(ctx context.Context, userID int64, lang string) error

	CreateSession(ctx context.Context, s auth.Session) error
	Session(ctx context.Context, hash string) (*auth.Session, error)
	TouchSession(ctx context.Context, hash string, at time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error)
	MarkSessionSecondFactor(ctx context.Context, hash string) error

	TokenByPublicID(ctx context.Context, public string) (*auth.Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error

	secondFactorStore
	limitStore
}

// Service signs people in.
type Service struct {
	Store    Store
	Now      func() time.Time
	Password password.Params
	Timeouts auth.Timeouts
	// Gate bounds the password hashes running at once (nil: unbounded).
	Gate *password.Gate

	turns auth.KeyLocks // attempts that share a key take turns (see Turn)
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

func (s *Service) timeouts() auth.Timeouts {
	if s.Timeouts == (auth.Timeouts{}) {
		return auth.DefaultTimeouts
	}
	return s.Timeouts
}

// record appends an entry about u (nil for an unknown caller). It names the
// user by id only: an entry never holds an email, a name, a code or a secret.
func (s *Service) record(ctx context.Context, u *account.User, action string, d audit.Decision, reason, requestID string) error {
	e := &audit.Entry{At: s.now(), Action: action, Decision: d, Reason: reason, RequestID: requestID}
	if u != nil {
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = string(r)
		}
		e.ActorID, e.OrgID, e.Roles = u.ID, u.OrgID, strings.Join(roles, ",")
		e.Record = "user:" + strconv.FormatInt(u.ID, 10)
	}
	return s.Store.AppendAudit(ctx, e)
}

// organization loads u's organization; one that is gone is nil, which the
// policy treats as not vetted. Any other failure is an error, not a
// quieter answer.
func (s *Service) organization(ctx context.Context, u *account.User) (*account.Organization, error) {
	o, err := s.Store.Organization(ctx, u.OrgID)
	if problem.Is(err, problem.NotFound) {
		return nil, nil
	}
	return o, err
}

// PasswordResult is what a password check decided.
type PasswordResult struct {
	// Refused is "" when the password was right, else the message to
	// show: login.failed, or the message of the lock that refused the
	// attempt or that this failure started.
	Refused string
	User    *account.User
	Org     *account.Organization
	// SecondFactor says the account has one: the sign-in completes with
	// the code. Without one, the sign-in is complete.
	SecondFactor bool
}

// CheckPassword checks a sign-in's password. email is the normalized
// address typed, "" when what was typed was not one. Every failure a
// guesser could learn from looks the same: an unknown email, a wrong
// password and a disabled account give one message, take about the same
// time, and count the same way against the same kind of key, so the locks
// that follow reveal nothing either.
func (s *Service) CheckPassword(ctx context.Context, email, pw string, k Keys, requestID string) (res PasswordResult, err error) {
	defer s.Turn(k)()
	if lock, err := s.Lock(ctx, k); err != nil || lock != "" {
		return PasswordResult{Refused: lock}, err
	}
	if email == "" || len(pw) == 0 || len(pw) > 4*password.MaxLength {
		// Not a guess at any account's password: it counts against the
		// address alone, and is not audited.
		k.Account, k.Device = "", ""
		return s.refused(ctx, nil, k, "", requestID)
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if problem.Is(err, problem.NotFound) {
		if _, _, err := s.Gate.Verify(ctx, pw, password.DummyHash(s.params()), s.params()); err != nil {
			return res, busy(err)
		}
		return s.refused(ctx, nil, k, "unknown account", requestID)
	} else if err != nil {
		return res, err
	}
	ok, rehash, err := s.Gate.Verify(ctx, pw, u.PasswordHash, s.params())
	switch {
	case err != nil:
		return res, busy(err)
	case !ok:
		return s.refused(ctx, u, k, "wrong password", requestID)
	case u.Disabled:
		return s.refused(ctx, u, k, "disabled account", requestID)
	}
	var newHash string
	if rehash {
		if newHash, err = s.Gate.Hash(ctx, pw, s.params()); err != nil {
			return res, busy(err)
		}
	}
	err = s.Store.Atomic(ctx, func(ctx context.Context) error {
		if newHash != "" {
			if err := s.Store.RehashPassword(ctx, u.ID, newHash); err != nil {
				return err
			}
		}
		on, err := s.Store.TOTPEnabled(ctx, u.ID)
		if err != nil {
			return err
		}
		res = PasswordResult{User: u, SecondFactor: on}
		reason := "password"
		if on {
			reason = "password; second factor next"
		} else if err := s.trusted(ctx, k); err != nil {
			// With a second factor, the browser's failures are forgotten
			// only when the code is right.
			return err
		}
		return s.record(ctx, u, "auth.sign_in", audit.Allow, reason, requestID)
	})
	if err != nil {
		return res, err
	}
	res.Org, err = s.organization(ctx, u)
	return res, err
}

// refused records a refused sign-in (unless reason is empty), counts it,
// and answers with the one generic message or with the message of the
// lock this failure started. u is nil for an email with no account.
func (s *Service) refused(ctx context.Context, u *account.User, k Keys, reason, requestID string) (PasswordResult, error) {
	res := PasswordResult{Refused: "login.failed"}
	err := s.Store.Atomic(ctx, func(ctx context.Context) error {
		if reason != "" {
			if err := s.record(ctx, u, "auth.sign_in", audit.Deny, reason, requestID); err != nil {
				return err
			}
		}
		lock, err := s.countFailure(ctx, u, k, requestID)
		if lock != "" {
			res.Refused = lock
		}
		return err
	})
	return res, err
}

// StartSession starts a new session for u and returns its id for the
// cookie. old, the hash of whatever session the browser had, is ended: an
// id planted before sign-in is useless. A user with no language yet keeps
// lang, the one they signed in with.
func (s *Service) StartSession(ctx context.Context, u *account.User, old, lang string) (string, error) {
	id, sess := auth.NewSession(u.ID, s.now(), s.timeouts())
	err := s.Store.Atomic(ctx, func(ctx context.Context) error {
		if old != "" {
			if err := s.Store.DeleteSession(ctx, old); err != nil {
				return err
			}
		}
		if err := s.Store.CreateSession(ctx, sess); err != nil {
			return err
		}
		if u.Lang == "" && lang != "" {
			return s.Store.SetLanguage(ctx, u.ID, lang)
		}
		return nil
	})
	return id, err
}

// Current is a live session and who it is for.
type Current struct {
	Session *auth.Session
	User    *account.User
	Org     *account.Organization
	// SecondFactor says the user has one; Session.SecondFactor whether
	// this session has given it.
	SecondFactor bool
}

// Resume finds the live session of a session cookie's value. A session past
// its time is ended; gone reports that, so the cookie can be cleared. A
// session of a disabled or deleted user is nobody's: both are nil.
func (s *Service) Resume(ctx context.Context, cookie string) (cur *Current, gone bool, err error) {
	sess, err := s.Store.Session(ctx, auth.HashID(cookie))
	if problem.Is(err, problem.NotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	now := s.now()
	if !sess.Live(now, s.timeouts()) {
		return nil, true, s.Store.DeleteSession(ctx, sess.Hash)
	}
	u, err := s.Store.User(ctx, sess.UserID)
	if problem.Is(err, problem.NotFound) {
		return nil, false, nil
	} else if err != nil {
		// Not "signed out": a database that fails for a moment must not
		// send everyone to the sign-in page.
		return nil, false, err
	}
	if u.Disabled {
		return nil, false, nil
	}
	on, err := s.Store.TOTPEnabled(ctx, u.ID)
	if err != nil {
		return nil, false, err
	}
	// Last-seen is written at most once a minute: the idle timeout
	// needs no finer grain.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.Store.TouchSession(ctx, sess.Hash, now); err != nil {
			return nil, false, err
		}
	}
	org, err := s.organization(ctx, u)
	if err != nil {
		return nil, false, err
	}
	return &Current{Session: sess, User: u, Org: org, SecondFactor: on}, false, nil
}

// EndSession ends a session (hash, "" for none) and, when u is not nil,
// records the sign-out with reason.
func (s *Service) EndSession(ctx context.Context, hash string, u *account.User, reason, requestID string) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if hash != "" {
			if err := s.Store.DeleteSession(ctx, hash); err != nil {
				return err
			}
		}
		if u == nil {
			return nil
		}
		return s.record(ctx, u, "auth.sign_out", audit.Allow, reason, requestID)
	})
}

// SetLanguage remembers the language a person chose.
func (s *Service) SetLanguage(ctx context.Context, userID int64, lang string) error {
	return s.Store.SetLanguage(ctx, userID, lang)
}

// Token is a caller of the API: the token, its account and organization,
// and the actor it may act as.
type Token struct {
	Token *auth.Token
	User  *account.User
	Org   *account.Organization
	Actor access.Actor
}

// Authenticate checks a bearer token. It does no more than the account
// could when it was made, nor more than the account can now: a token of
// an account that moved to another organization, or is disabled, fails,
// and so does one whose account must have a second factor it has not set
// up. Every failure is the one "unauthorized".
func (s *Service) Authenticate(ctx context.Context, bearer string) (*Token, error) {
	unauthorized := problem.New(problem.Unauthorized, "error.token")
	public, secret, ok := auth.SplitBearer(strings.TrimSpace(bearer))
	if !ok {
		return nil, unauthorized
	}
	tok, err := s.Store.TokenByPublicID(ctx, public)
	if problem.Is(err, problem.NotFound) {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !tok.Matches(secret) || !tok.Usable(now) {
		return nil, unauthorized
	}
	u, err := s.Store.User(ctx, tok.UserID)
	if problem.Is(err, problem.NotFound) {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	if u.Disabled || u.OrgID != tok.OrgID {
		return nil, unauthorized
	}
	org, err := s.organization(ctx, u)
	if err != nil {
		return nil, err
	}
	if Required(u, org) {
		on, err := s.Store.TOTPEnabled(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if !on {
			return nil, unauthorized
		}
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > time.Minute {
		if err := s.Store.TouchToken(ctx, tok.ID, now); err != nil {
			return nil, err
		}
	}
	a := access.ActorFor(u, org)
	a.Roles = tokenRoles(a.Roles, tok.Roles)
	a.Token, a.Scopes = true, tok.Scopes
	return &Token{Token: tok, User: u, Org: org, Actor: a}, nil
}

// tokenRoles keeps of the roles in force those the token was made with.
func tokenRoles(inForce []account.Role, made []string) []account.Role {
	var out []account.Role
	for _, r := range inForce {
		for _, m := range made {
			if string(r) == m {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Sweep deletes sessions past their time and sign-in limits that lapsed.
func (s *Service) Sweep(ctx context.Context) (sessions int64, err error) {
	now := s.now()
	if sessions, err = s.Store.DeleteExpiredSessions(ctx, now, s.timeouts().Idle); err != nil {
		return 0, err
	}
	_, err = s.Store.DeleteExpiredSignInLimits(ctx, now)
	return sessions, err
}

// busy turns a password check that waited too long into "try again in a
// moment".
func busy(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return problem.Wrap(problem.Unavailable, "error.busy", err)
	}
	return err
}
