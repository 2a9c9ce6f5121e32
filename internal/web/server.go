// Package web serves Puente's pages and JSON API. Handlers are thin: they
// read the request, ask the access policy, call the store and render. Every
// route is registered with the action it performs, and the wrapper that
// registers it checks that action before the handler runs.
package web

import (
	"context"
	"errors"
	"html/template"
	"iter"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/admin"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/casework"
	"puente/internal/directory"
	"puente/internal/interview"
	"puente/internal/mfa"
	"puente/internal/password"
	"puente/internal/screening"
	"puente/internal/secret"
	"puente/internal/signin"
	"puente/internal/store"
)

// Store is what the web layer needs from storage.
type Store interface {
	Ping(ctx context.Context) error

	CreateOrganization(ctx context.Context, o *account.Organization) error
	UpdateOrganization(ctx context.Context, o *account.Organization) error
	Organization(ctx context.Context, id int64) (*account.Organization, error)
	Organizations(ctx context.Context, f account.OrgFilter) ([]account.Organization, error)
	CountOrganizations(ctx context.Context) (int, error)

	CreateUser(ctx context.Context, u *account.User) error
	UpdateUser(ctx context.Context, u *account.User) error
	User(ctx context.Context, id int64) (*account.User, error)
	UserByEmail(ctx context.Context, email string) (*account.User, error)
	Users(ctx context.Context, f account.UserFilter) ([]account.User, error)
	CountUsers(ctx context.Context) (int, error)
	SetPassword(ctx context.Context, userID int64, hash, keep string) error
	SetLanguage(ctx context.Context, userID int64, lang string) error
	RehashPassword(ctx context.Context, userID int64, hash string) error

	// Sign-in failures and locks (sign_in_limits.go).
	SignInLocks(ctx context.Context, now time.Time, keys ...string) (map[string]time.Time, error)
	SignInFailed(ctx context.Context, now time.Time, failures ...auth.Failure) ([]string, error)
	ClearSignInFailures(ctx context.Context, key string) error
	DeleteExpiredSignInLimits(ctx context.Context, now time.Time) (int64, error)

	CreateSession(ctx context.Context, s auth.Session) error
	Session(ctx context.Context, hash string) (*auth.Session, error)
	TouchSession(ctx context.Context, hash string, at time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error)

	CreateToken(ctx context.Context, t *auth.Token) error
	TokenByPublicID(ctx context.Context, public string) (*auth.Token, error)
	Tokens(ctx context.Context, userID int64) ([]auth.Token, error)
	RevokeToken(ctx context.Context, userID, tokenID int64) error
	TouchToken(ctx context.Context, id int64, at time.Time) error

	// The second factor: TOTP secrets (sealed by the store), recovery
	// codes (hashed by the store), and sessions that have given one.
	SavePendingTOTP(ctx context.Context, userID int64, secret string) error
	EnableTOTP(ctx context.Context, userID, step int64, recoveryCodes []string) error
	TOTP(ctx context.Context, userID int64) (*mfa.TOTP, error)
	TOTPEnabled(ctx context.Context, userID int64) (bool, error)
	UseTOTPStep(ctx context.Context, userID, step int64) error
	DisableTOTP(ctx context.Context, userID int64) error
	ReplaceRecoveryCodes(ctx context.Context, userID int64, codes []string) error
	UseRecoveryCode(ctx context.Context, userID int64, code string) error
	CountRecoveryCodes(ctx context.Context, userID int64) (int, error)
	MarkSessionSecondFactor(ctx context.Context, hash string) error

	// Cases, consents and the audit log: the case service's needs, and
	// reading the log.
	casework.Store
	admin.Store
	AuditEntries(ctx context.Context, f audit.Filter) iter.Seq2[audit.Entry, error]
	AuditPage(ctx context.Context, f audit.Filter, beforeSeq int64, limit int) ([]audit.Entry, error)
	GlassOpenings(ctx context.Context, org int64, since time.Time) ([]casework.GlassOpening, error)

	// Screenings.
	CreateScreening(ctx context.Context, r *interview.Record) error
	Screening(ctx context.Context, id int64) (*interview.Record, error)
	SaveScreening(ctx context.Context, r *interview.Record) error
	Screenings(ctx context.Context, org, createdBy int64) ([]interview.Summary, error)

	// Practice vignettes an organization wrote (ui_practice.go).
	practiceStore

	// The directory, as the HSDA API serves it (hsda.go), and its version
	// (directory_cache.go).
	Listings(ctx context.Context) ([]directory.Listing, error)
	DirectoryVersion(ctx context.Context) (int64, error)

	// Referrals (ui_referrals.go): the referral service's needs.
	casework.ReferralStore

	// The directory: reading it, and keeping it.
	directory.Store
}

var _ Store = (*store.DB)(nil)

// Config is what a Server is built from.
type Config struct {
	Store    Store
	Keys     *secret.Keyring
	Logger   *slog.Logger
	Version  string
	Demo     bool // show the demo-data banner on every page
	Timeouts auth.Timeouts
	Password password.Params
	// TrustProxy makes the server believe X-Forwarded-Proto and
	// X-Forwarded-For, for deployments behind a TLS-terminating proxy.
	TrustProxy bool
	// TrustedProxies is how many proxies stand in front of the server,
	// each appending the address it saw to X-Forwarded-For; the server
	// believes only the entry the outermost one wrote. Zero behind a proxy
	// means one.
	TrustedProxies int
	// ExitURL is where the quick-exit control sends a person: a neutral
	// page that gives nothing away to someone looking over their shoulder.
	ExitURL string
	Now     func() time.Time
}

// Server is Puente's HTTP server.
type Server struct {
	cfg        Config
	store      Store
	log        *slog.Logger
	now        func() time.Time
	csrfKey    []byte
	chainKey   []byte // checks the audit log's keyed chain
	mux        *http.ServeMux
	routes     []Route
	pages      map[string]*template.Template // one parsed set per language
	cases      *casework.Service
	admin      *admin.Service
	signin     *signin.Service
	dir        *directory.Keeper
	referrals  *casework.Referrals
	protocol   *screening.Protocol
	interviews *interview.Service
	metrics    *metrics
	registry   *prometheus.Registry
	limitKeys  auth.LimitKeys
	devices    auth.Devices
	// crossOrigin rejects state-changing requests that a browser marks
	// as coming from another site, before the CSRF token is even read.
	crossOrigin *http.CrossOriginProtection
	// deletions counts survivors' data deleted since the keys were last
	// rotated; the serve loop rotates them so older backups lose the data too.
	deletions atomic.Int64
}

// DeletionPending reports whether a survivor's data was deleted since the
// last key rotation.
func (s *Server) DeletionPending() bool { return s.deletions.Load() > 0 }

// DeletionDone records that the keys were rotated after the deletions.
func (s *Server) DeletionDone() { s.deletions.Store(0) }

// Request body limits. A form is a few fields; an API body a record.
const (
	maxFormBytes = 64 << 10
	maxJSONBytes = 1 << 20
)

// New builds a server from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Keys == nil {
		return nil, errors.New("web: Store and Keys are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeouts == (auth.Timeouts{}) {
		cfg.Timeouts = auth.DefaultTimeouts
	}
	if cfg.ExitURL == "" {
		cfg.ExitURL = "https://www.google.com/search?q=weather"
	}
	if cfg.Password == (password.Params{}) {
		cfg.Password = password.Default
	}
	switch {
	case !cfg.TrustProxy:
		cfg.TrustedProxies = 0
	case cfg.TrustedProxies < 1:
		cfg.TrustedProxies = 1
	}
	s := &Server{
		cfg:       cfg,
		store:     cfg.Store,
		log:       cfg.Logger,
		now:       cfg.Now,
		csrfKey:   cfg.Keys.Derive("csrf"),
		chainKey:  cfg.Keys.Derive(audit.ChainKeyPurpose),
		mux:       http.NewServeMux(),
		registry:  prometheus.NewRegistry(),
		limitKeys: auth.NewLimitKeys(cfg.Keys.Derive("sign-in-limits")),
		devices:   auth.NewDevices(cfg.Keys.Derive("device-cookie")),

		crossOrigin: http.NewCrossOriginProtection(),
	}
	s.metrics = newMetrics(s.registry)
	s.cases = &casework.Service{Store: cfg.Store, Now: cfg.Now}
	s.admin = &admin.Service{Store: cfg.Store, Now: cfg.Now, Password: cfg.Password}
	s.dir = &directory.Keeper{Store: cfg.Store, Now: cfg.Now}
	s.signin = &signin.Service{Store: cfg.Store, Now: cfg.Now, Password: cfg.Password, Timeouts: cfg.Timeouts}
	s.referrals = &casework.Referrals{Store: cfg.Store, Now: cfg.Now}
	s.protocol = screening.Load()
	s.interviews = &interview.Service{Store: cfg.Store, Protocol: s.protocol, Now: cfg.Now}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.register()
	return s, nil
}

// Handler returns the server's root handler with all middleware applied.
func (s *Server) Handler() http.Handler {
	return s.withState(s.recoverPanics(s.securityHeaders(s.authenticate(s.mux))))
}

// Sweep deletes expired sessions and sign-in counts and expires referrals
// nobody answered in time; serve calls it periodically.
func (s *Server) Sweep(ctx context.Context) {
	n, err := s.signin.Sweep(ctx)
	if err != nil {
		s.log.Error("sweep sessions and sign-in limits", "err", err)
	} else if n > 0 {
		s.log.Info("swept expired sessions", "count", n)
	}
	if n, err := s.referrals.Expire(ctx); err != nil {
		s.log.Error("expire referrals", "err", err)
	} else if n > 0 {
		s.log.Info("expired unanswered referrals", "count", n)
	}
}

// Route is one registered pattern and the action it performs.
type Route struct {
	Pattern string
	Action  access.Action
	API     bool
}

// Routes lists every registered route, for tests and the OpenAPI check.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }
