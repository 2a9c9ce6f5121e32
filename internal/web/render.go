package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/i18n"
	"puente/internal/problem"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// parseTemplates parses every page once per language, with t bound to that
// language's catalog, so rendering needs no per-request template work.
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, lang := range i18n.Languages {
		tr := i18n.Translator(lang)
		funcs := template.FuncMap{
			"t":       tr.T,
			"role":    func(r account.Role) string { return tr.T("role." + string(r)) },
			"orgKind": func(k account.OrgKind) string { return tr.T("org_kind." + string(k)) },
			"country": func(c account.Country) string { return tr.T("country." + string(c)) },
			"date":    func(t time.Time) string { return formatDate(lang, t) },
			"datetime": func(t time.Time) string {
				return formatDate(lang, t) + " " + t.UTC().Format("15:04") + " UTC"
			},
			"has":       func(u *account.User, r account.Role) bool { return u != nil && u.Has(r) },
			"contains":  func(list []string, s string) bool { return slices.Contains(list, s) },
			"inRoles":   func(list []account.Role, r account.Role) bool { return slices.Contains(list, r) },
			"inClasses": func(list []access.Class, c string) bool { return slices.Contains(list, access.Class(c)) },
			"inIDs":     func(list []int64, id int64) bool { return slices.Contains(list, id) },
			"add":       func(a, b int) int { return a + b },
		}
		root := template.New("").Funcs(funcs)
		for _, n := range names {
			b, err := templateFiles.ReadFile(n)
			if err != nil {
				return nil, err
			}
			if _, err := root.New(path.Base(n)).Parse(string(b)); err != nil {
				return nil, fmt.Errorf("parse %s: %w", n, err)
			}
		}
		out[lang] = root
	}
	return out, nil
}

// assetVersion is a short hash of the embedded stylesheet.
var assetVersion = func() string {
	b, err := staticFiles.ReadFile("static/puente.css")
	if err != nil {
		return "0"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}()

var monthsES = []string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}

func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	if lang == "es" {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsES[t.Month()-1], t.Year())
	}
	return t.Format("Jan 2, 2006")
}

// page is what every template receives.
type page struct {
	Lang      string
	OtherLang string
	Title     string // translation key
	User      *account.User
	Org       *account.Organization // the user's organization, for the header
	CSRF      string
	Demo      bool
	Path      string // where the language switch returns to
	Ref       string
	Flash     string // translation key of a one-line confirmation
	Error     *problem.Error
	Version   string
	// AssetVersion changes whenever the stylesheet does, so browsers that
	// cached the old one for a day fetch the new one at once.
	AssetVersion string
	Data         any
}

// render writes the named page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) error {
	st := stateOf(r)
	p := &page{
		Lang: st.lang, OtherLang: i18n.Other(st.lang), Title: title, User: st.user,
		CSRF: s.csrfToken(w, st), Demo: s.cfg.Demo, Path: r.URL.RequestURI(), Ref: st.ref,
		Version: s.cfg.Version, AssetVersion: assetVersion, Data: data,
	}
	if r.Method != http.MethodGet {
		p.Path = r.URL.Path
	}
	p.Org = st.org
	if f := r.URL.Query().Get("done"); f != "" && i18n.Has("en", "flash."+f) {
		p.Flash = "flash." + f
	}
	if pe, ok := data.(interface{ problem() *problem.Error }); ok {
		p.Error = pe.problem()
	}
	var buf bytes.Buffer
	if err := s.pages[st.lang].ExecuteTemplate(&buf, name, p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", st.lang)
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// statusOf maps a problem kind to its HTTP status, once, here.
func statusOf(k problem.Kind) int {
	switch k {
	case problem.Invalid:
		return http.StatusUnprocessableEntity
	case problem.NotFound:
		return http.StatusNotFound
	case problem.Forbidden:
		return http.StatusForbidden
	case problem.Unauthorized:
		return http.StatusUnauthorized
	case problem.Conflict:
		return http.StatusConflict
	case problem.TooMany:
		return http.StatusTooManyRequests
	case problem.Unavailable:
		return http.StatusServiceUnavailable
	case problem.TooLarge:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// fail reports err to the person in their language, with a reference id,
// and logs the cause under the same id. Internal errors show nothing of
// their cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	if r.Context().Err() != nil {
		// The person closed the page, or the server is stopping: nobody
		// reads an answer, and nothing failed on Puente's side. The log
		// says so with nginx's 499, "client closed request".
		s.log.Info("request abandoned", "ref", st.ref, "route", st.route, "err", err)
		w.WriteHeader(statusClientClosed)
		return
	}
	pe := problem.As(err)
	status := statusOf(pe.Kind)
	if pe.Kind == problem.Unavailable || pe.Kind == problem.TooMany {
		w.Header().Set("Retry-After", "2")
	}
	if status >= 500 && pe.Kind != problem.Unavailable {
		s.log.Error("request failed", "ref", st.ref, "route", st.route, "err", err)
	} else {
		s.log.Info("request refused", "ref", st.ref, "route", st.route, "kind", pe.Kind.String(), "key", pe.Key)
	}
	if isAPI(r) {
		s.writeJSON(w, status, apiError(st, pe))
		return
	}
	if rerr := s.render(w, r, status, "error.html", "error.title", errorPage{pe}); rerr != nil {
		s.log.Error("render error page", "ref", st.ref, "err", rerr)
		http.Error(w, i18n.T(st.lang, "error.internal")+" ("+st.ref+")", status)
	}
}

// statusClientClosed is the status logged for a request its client gave up
// on before it was answered.
const statusClientClosed = 499

type errorPage struct{ err *problem.Error }

func (e errorPage) problem() *problem.Error { return e.err }

// apiErrorBody is the JSON shape of every API error.
type apiErrorBody struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	Reference string          `json:"reference"`
	Fields    []apiFieldError `json:"fields,omitempty"`
}

type apiFieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func apiError(st *state, pe *problem.Error) apiErrorBody {
	key := pe.Key
	if pe.Kind == problem.Internal {
		key = "error.internal"
	}
	body := apiErrorBody{Error: apiErrorDetail{Code: pe.Kind.String(), Message: i18n.T(st.lang, key), Reference: st.ref}}
	for _, f := range pe.Fields {
		body.Error.Fields = append(body.Error.Fields, apiFieldError{Field: f.Field, Code: f.Key, Message: i18n.T(st.lang, f.Key)})
	}
	return body
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// redirect sends the browser on after a form, with an optional flash key.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "done=" + url.QueryEscape(flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
