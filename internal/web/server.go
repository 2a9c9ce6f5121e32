// Package web serves Puente's pages and JSON API. Handlers are thin: they
// read the request, ask the access policy, call the store and render. Every
// route is registered with the action it performs, and the wrapper that
// registers it checks that action before the handler runs.
package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"puente/internal/access"
	"puente/internal/admin"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/casework"
	"puente/internal/directory"
	"puente/internal/interview"
	"puente/internal/password"
	"puente/internal/practice"
	"puente/internal/screening"
	"puente/internal/secret"
	"puente/internal/signin"
)

// Services are the only way the pages and the API reach data: each
// decides through the access policy, fetches, and audits in one
// transaction. The web layer holds no store (a test fails if it imports
// one); it reads requests, calls these, and renders.
type Services struct {
	Cases      *casework.Service
	Referrals  *casework.Referrals
	Screenings *interview.Service
	Admin      *admin.Service
	SignIn     *signin.Service
	Directory  *directory.Keeper
	Practice   *practice.Library
	Audit      *audit.Log
	// Ready reports whether the data can be reached, for /readyz.
	Ready func(ctx context.Context) error
}

// complete reports whether every service is there.
func (sv Services) complete() bool {
	return sv.Cases != nil && sv.Referrals != nil && sv.Screenings != nil && sv.Admin != nil && sv.SignIn != nil &&
		sv.Directory != nil && sv.Practice != nil && sv.Audit != nil && sv.Ready != nil
}

// Config is what a Server is built from.
type Config struct {
	Services Services
	// Keys derives the keys the web layer itself uses: for CSRF tokens,
	// sign-in limit keys and device cookies.
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
	// Anonymous bounds the requests of no one signed in (shed.go); the
	// zero value takes the defaults.
	Anonymous AnonymousLimits
	// Staff bounds the requests of signed-in people (shed.go); the zero
	// value takes the defaults.
	Staff StaffLimits
	Now   func() time.Time
}

// Server is Puente's HTTP server.
type Server struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	csrfKey []byte
	mux     *http.ServeMux
	routes  []Route
	pages   map[string]*template.Template // one parsed set per language
	cases   *casework.Service
	admin   *admin.Service
	signin  *signin.Service
	dir     *directory.Keeper
	// anonRate and anonSlots bound requests from no one signed in (shed.go).
	anonRate   *auth.Throttle
	anonSlots  chan struct{}
	staffSlots chan struct{}
	signInRate *auth.Throttle
	practice   *practice.Library
	journal    *audit.Log
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
	if !cfg.Services.complete() || cfg.Keys == nil {
		return nil, errors.New("web: every service and Keys are required")
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
		log:       cfg.Logger,
		now:       cfg.Now,
		csrfKey:   cfg.Keys.Derive("csrf"),
		mux:       http.NewServeMux(),
		registry:  prometheus.NewRegistry(),
		limitKeys: auth.NewLimitKeys(cfg.Keys.Derive("sign-in-limits")),
		devices:   auth.NewDevices(cfg.Keys.Derive("device-cookie")),

		crossOrigin: http.NewCrossOriginProtection(),
		anonRate:    auth.NewThrottle(cfg.Anonymous.orDefaults().Burst, cfg.Anonymous.orDefaults().Every),
		anonSlots:   make(chan struct{}, cfg.Anonymous.orDefaults().InFlight),
		staffSlots:  make(chan struct{}, cfg.Staff.orDefaults().InFlight),
		signInRate:  auth.NewThrottle(cfg.Anonymous.orDefaults().SignInBurst, cfg.Anonymous.orDefaults().SignInEvery),
	}
	s.metrics = newMetrics(s.registry)
	sv := cfg.Services
	s.cases, s.referrals, s.interviews, s.admin = sv.Cases, sv.Referrals, sv.Screenings, sv.Admin
	s.signin, s.dir, s.practice, s.journal = sv.SignIn, sv.Directory, sv.Practice, sv.Audit
	s.protocol = sv.Screenings.Protocol
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
	return s.withState(s.compress(s.recoverPanics(s.securityHeaders(s.authenticate(s.shed(s.mux))))))
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
