package web

import (
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"puente/internal/access"
	"puente/internal/problem"
)

// handlerFunc is a handler that returns its failure instead of writing it,
// so errors are rendered in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// register declares every route. Each names the action it performs; handle
// refuses the request unless the access policy allows that action.
func (s *Server) register() {
	s.handle("GET /{$}", access.Public, s.home)
	s.handle("GET /login", access.Public, s.loginPage)
	s.handle("POST /login", access.Public, s.login)
	s.handle("POST /logout", access.SignedIn, s.logout)
	s.handle("POST /language", access.Public, s.setLanguage)
	s.handle("GET /dashboard", access.SignedIn, s.dashboard)
	s.handle("GET /exit", access.Public, s.quickExit)

	s.handle("GET /account", access.ManageOwnAccount, s.accountPage)
	s.handle("POST /account/password", access.ManageOwnAccount, s.changePassword)
	s.handle("GET /account/tokens", access.ManageOwnAccount, s.tokensPage)
	s.handle("POST /account/tokens", access.ManageOwnAccount, s.createToken)
	s.handle("POST /account/tokens/{id}/revoke", access.ManageOwnAccount, s.revokeToken)

	s.handle("GET /organizations", access.ViewOrganizations, s.orgList)
	s.handle("GET /organizations/new", access.ManageOrganizations, s.orgNew)
	s.handle("POST /organizations", access.ManageOrganizations, s.orgCreate)
	s.handle("GET /organizations/{id}", access.ManageOrganizations, s.orgEdit)
	s.handle("POST /organizations/{id}", access.ManageOrganizations, s.orgUpdate)

	s.handle("GET /users", access.ViewUsers, s.userList)
	s.handle("GET /users/new", access.ManageUsers, s.userNew)
	s.handle("POST /users", access.ManageUsers, s.userCreate)
	s.handle("GET /users/{id}", access.ManageUsers, s.userEdit)
	s.handle("POST /users/{id}", access.ManageUsers, s.userUpdate)
	s.handle("POST /users/{id}/confirm", access.ConfirmMembership, s.userConfirm)
	s.handle("POST /users/{id}/refuse", access.ConfirmMembership, s.userRefuse)

	s.handle("GET /api/v1/openapi.json", access.Public, s.apiOpenAPI)
	s.handle("GET /api/v1/me", access.SignedIn, s.apiMe)
	s.handle("GET /api/v1/organizations", access.ViewOrganizations, s.apiOrgList)
	s.handle("POST /api/v1/organizations", access.ManageOrganizations, s.apiOrgCreate)
	s.handle("GET /api/v1/organizations/{id}", access.ViewOrganizations, s.apiOrgGet)
	s.handle("PATCH /api/v1/organizations/{id}", access.ManageOrganizations, s.apiOrgUpdate)
	s.handle("GET /api/v1/users", access.ViewUsers, s.apiUserList)
	s.handle("POST /api/v1/users", access.ManageUsers, s.apiUserCreate)
	s.handle("GET /api/v1/users/{id}", access.ViewUsers, s.apiUserGet)
	s.handle("PATCH /api/v1/users/{id}", access.ManageUsers, s.apiUserUpdate)

	s.registerCases()
	s.registerHSDA()
	s.registerDirectory()
	s.registerReferrals()
	s.registerGaps()
	s.registerDirectoryEdit()
	s.registerDirectoryMembers()
	s.registerGlossary()
	s.registerScreeningAPI()
	s.registerScreenings()
	s.registerWorksite()
	s.registerPractice()

	s.handle("GET /healthz", access.Public, s.healthz)
	s.handle("GET /readyz", access.Public, s.readyz)
	static, _ := fs.Sub(staticFiles, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	s.handle("GET /static/", access.Public, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(w, r)
		return nil
	})
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, problem.New(problem.NotFound, "error.not_found"))
	})
	s.registerAudit()
	s.registerMFA()
}

// handle registers h for pattern behind the access policy and, for
// state-changing browser requests, behind the CSRF check.
func (s *Server) handle(pattern string, act access.Action, h handlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	api := strings.HasPrefix(path, "/api/")
	s.routes = append(s.routes, Route{Pattern: pattern, Action: act, API: api})
	unsafe := method != http.MethodGet && method != http.MethodHead
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		st := stateOf(r)
		st.route = pattern
		if !s.allowed(st, pattern, act) {
			s.auditDenial(r, st, act)
			s.deny(w, r, st)
			return
		}
		if unsafe && !api {
			if err := s.crossOrigin.Check(r); err != nil {
				s.fail(w, r, problem.Wrap(problem.Forbidden, "error.csrf", err))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.fail(w, r, formError(err))
				return
			}
			if !s.validCSRF(st, r.PostForm.Get("csrf_token")) {
				s.fail(w, r, problem.New(problem.Forbidden, "error.csrf"))
				return
			}
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// sensitiveActions are those whose refusal at the route is itself worth an
// audit entry: someone reaching for survivors' data or the audit log.
var sensitiveActions = map[access.Action]bool{
	access.CaseList: true, access.CaseSearch: true, access.CaseRead: true, access.CaseCreate: true, access.CaseUpdate: true, access.CaseMove: true,
	access.CaseAssign: true, access.CaseDelete: true, access.ConsentEdit: true, access.BreakGlass: true, access.AuditRead: true,
	access.ReferralRead: true, access.ReferralSend: true, access.ReferralRespond: true, access.LocationReveal: true,
	access.DirectoryEdit: true, access.AvailabilityUpdate: true,
}

// auditDenial records a route-level refusal of a sensitive action by a
// signed-in actor. Anonymous probes are not recorded: they would let anyone
// fill the append-only log, and the request log has them.
func (s *Server) auditDenial(r *http.Request, st *state, act access.Action) {
	if !sensitiveActions[act] || st.actor.UserID == 0 {
		return
	}
	record := ""
	if id, err := strconv.ParseInt(r.PathValue("id"), 10, 64); err == nil && id > 0 {
		switch {
		case strings.Contains(st.route, "/cases/"):
			record = "case:" + strconv.FormatInt(id, 10)
		case strings.Contains(st.route, "/referrals/"):
			record = "referral:" + strconv.FormatInt(id, 10)
		}
	}
	d := access.Decide(st.actor, act, access.Resource{})
	if err := s.journal.Refused(r.Context(), caseRequest(r), act, record, d); err != nil {
		s.log.Error("audit denial", "ref", st.ref, "err", err)
	}
}

// deny answers a request the policy refused: a person who is not signed in
// is sent to sign in; anyone else is told they may not.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, st *state) {
	if s.secondFactorRedirect(w, r, st) {
		return
	}
	if st.user == nil {
		if isAPI(r) {
			s.fail(w, r, problem.New(problem.Unauthorized, "error.unauthorized"))
			return
		}
		target := "/login"
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			target += "?next=" + urlQueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	s.fail(w, r, problem.New(problem.Forbidden, "error.forbidden"))
}

func formError(err error) error {
	if isTooLarge(err) {
		return problem.Wrap(problem.TooLarge, "error.too_large", err)
	}
	return problem.Wrap(problem.Invalid, "error.bad_form", err)
}
