package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/audit"
	"puente/internal/i18n"
)

// registerAudit declares the audit log's pages.
func (s *Server) registerAudit() {
	s.handle("GET /audit", access.AuditRead, s.auditLog)
}

// auditPageSize is how many entries one page of the log shows.
const auditPageSize = 100

// The record filter takes the form the log writes, kind:number, and no free
// text: what an admin types there is copied into the log's own audit.read
// entry, which can never be edited, and a survivor's name must not end up
// there by mistake.
const maxRecordFilter = 64

var recordFilter = regexp.MustCompile(`^[a-z][a-z_]*:[0-9]+$`)

// auditQuery is the page's filter as typed, to show back in the form, and
// as understood, to read the log with.
type auditQuery struct {
	User, Record, From, To string
	Before                 int64
	filter                 audit.Filter
}

// parseAuditQuery reads the filter. users is who may be chosen; a user id
// not among them is refused like any other bad value.
func parseAuditQuery(v url.Values, users map[int64]*account.User) (auditQuery, formErrors) {
	q := auditQuery{User: v.Get("user"), Record: strings.TrimSpace(v.Get("record")), From: v.Get("from"), To: v.Get("to")}
	errs := formErrors{}
	if q.User != "" {
		id, err := strconv.ParseInt(q.User, 10, 64)
		if err != nil || users[id] == nil {
			errs["user"] = "field.choose_one"
		}
		q.filter.ActorID = id
	}
	switch {
	case q.Record == "":
	case len(q.Record) > maxRecordFilter:
		errs["record"] = "field.too_long"
	case !recordFilter.MatchString(q.Record):
		errs["record"] = "audit.field.record"
	default:
		q.filter.Record = q.Record
	}
	q.filter.Since = parseDay(q.From, "from", errs)
	if until := parseDay(q.To, "to", errs); !until.IsZero() {
		q.filter.Until = until.AddDate(0, 0, 1) // the whole of the last day
		if !q.filter.Until.After(q.filter.Since) {
			errs["to"] = "audit.field.range"
		}
	}
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			errs["before"] = "audit.field.before"
		}
		q.Before = n
	}
	return q, errs
}

// parseDay reads a date as year-month-day, at midnight UTC.
func parseDay(s, field string, errs formErrors) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		errs[field] = "field.date"
	}
	return t
}

// reason describes the filter for the audit.read entry in codes that hold
// nothing but ids and dates; for a refused filter, only the names of the
// refused fields, as their values were not checked.
func (q auditQuery) reason(errs formErrors) string {
	if len(errs) > 0 {
		var bad []string
		for _, f := range []string{"user", "record", "from", "to", "before"} {
			if errs[f] != "" {
				bad = append(bad, f)
			}
		}
		return "invalid=" + strings.Join(bad, ",")
	}
	var parts []string
	for _, p := range [][2]string{{"user", q.User}, {"record", q.Record}, {"from", q.From}, {"to", q.To}} {
		if p[1] != "" {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	if q.Before > 0 {
		parts = append(parts, "before="+strconv.FormatInt(q.Before, 10))
	}
	if len(parts) == 0 {
		return "filter=none"
	}
	return strings.Join(parts, " ")
}

// url links to this filter's page of entries before seq, or to its newest
// entries when seq is 0.
func (q auditQuery) url(before int64) string {
	v := url.Values{}
	for _, p := range [][2]string{{"user", q.User}, {"record", q.Record}, {"from", q.From}, {"to", q.To}} {
		if p[1] != "" {
			v.Set(p[0], p[1])
		}
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if len(v) == 0 {
		return "/audit"
	}
	return "/audit?" + v.Encode()
}

type auditLogData struct {
	Query    auditQuery
	Errs     formErrors
	Status   auditStatus
	Users    []account.User
	UserID   int64 // the chosen user, to select in the form
	Rows     []auditRow
	PageSize int
	Older    string // link to the next page, empty on the last
	Newest   string // link back to the first page, empty on it
	Searched bool   // the filter was valid, so Rows is the answer to it
}

// auditLog shows the audit log to an administrator, newest first. Reading
// the log is itself recorded first, and the page fails if that record
// cannot be written. Refusals of non-admins happen in handle, before this
// runs, and are not written to the log.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	ctx, st, rq := r.Context(), stateOf(r), caseRequest(r)
	users, err := s.admin.Users(ctx, rq, account.UserFilter{})
	if err != nil {
		return err
	}
	byID := make(map[int64]*account.User, len(users))
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	q, errs := parseAuditQuery(r.URL.Query(), byID)
	if err := s.journal.Opened(ctx, rq, q.reason(errs)); err != nil {
		return err
	}
	d := auditLogData{Query: q, Errs: errs, Users: users, UserID: q.filter.ActorID, PageSize: auditPageSize}
	if d.Status, err = s.verifyAudit(ctx, rq); err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "audit.html", "audit.title", d)
	}
	entries, err := s.journal.Page(ctx, rq, q.filter, q.Before, auditPageSize+1)
	if err != nil {
		return err
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		d.Older = q.url(entries[len(entries)-1].Seq)
	}
	if q.Before > 0 {
		d.Newest = q.url(0)
	}
	if d.Rows, err = s.auditRows(ctx, rq, st.lang, entries, byID); err != nil {
		return err
	}
	d.Searched = true
	return s.render(w, r, http.StatusOK, "audit.html", "audit.title", d)
}

// auditStatus is what checking the whole chain found.
type auditStatus struct {
	OK       bool
	Entries  int64
	Last     int64
	Problems []auditProblem
	Omitted  int64
	Count    int64 // problems found, listed or not
}

type auditProblem struct {
	Seq    int64
	Kind   string // translation key
	Detail string // the verifier's own words, in English
}

// verifyAudit checks the hash chain of the whole log. It streams the log,
// so memory stays flat, but the time grows with the log. Checkpoints live
// outside the database, with the command line, so this checks the chain
// alone; the page says so.
func (s *Server) verifyAudit(ctx context.Context, rq access.Request) (auditStatus, error) {
	rep, err := s.journal.Check(ctx, rq)
	if err != nil {
		return auditStatus{}, err
	}
	st := auditStatus{OK: rep.OK(), Entries: rep.Entries, Last: rep.Last.Seq, Omitted: rep.Omitted, Count: int64(len(rep.Problems)) + rep.Omitted}
	for _, p := range rep.Problems {
		st.Problems = append(st.Problems, auditProblem{Seq: p.Seq, Kind: "audit.problem." + p.Kind.String(), Detail: p.Detail})
	}
	return st, nil
}

// auditRow is one entry as the page shows it: names instead of ids, and
// labels in the reader's language next to the codes.
type auditRow struct {
	Seq       int64
	At        string
	UserID    int64  // the actor, when they are a known user
	Who       string // the person's name, empty for the system or an anonymous caller
	WhoKey    string // translation key used when Who is empty
	Roles     string
	Org       string
	Action    string // the code
	Label     string // its translation, empty when there is none
	Record    string
	Decision  string
	Reason    string
	RequestID string
}

func (s *Server) auditRows(ctx context.Context, rq access.Request, lang string, entries []audit.Entry, users map[int64]*account.User) ([]auditRow, error) {
	orgName, err := s.admin.OrgNames(ctx, rq)
	if err != nil {
		return nil, err
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{
			Seq: e.Seq, At: e.At.UTC().Format(time.DateTime) + " UTC", Roles: roleLabels(lang, e.Roles),
			Org: orgName[e.OrgID], Action: e.Action, Record: e.Record, Decision: string(e.Decision),
			Reason: e.Reason, RequestID: e.RequestID,
		}
		if key := "audit.action." + e.Action; i18n.Has(lang, key) {
			rows[i].Label = i18n.T(lang, key)
		}
		switch u := users[e.ActorID]; {
		case u != nil:
			rows[i].UserID, rows[i].Who = u.ID, u.Name
		case e.ActorID != 0:
			rows[i].Who = "#" + strconv.FormatInt(e.ActorID, 10)
		case e.Roles != "":
			// The command line and the demo seed act as the operator.
			rows[i].WhoKey = "audit.who.system"
		default:
			rows[i].WhoKey = "audit.who.anonymous"
		}
	}
	return rows, nil
}

// roleLabels translates the roles an entry names: account roles, and the
// command line's "operator", which is no account's role. Any other is kept
// as written.
func roleLabels(lang, roles string) string {
	if roles == "" {
		return ""
	}
	out := strings.Split(roles, ",")
	for i, r := range out {
		for _, key := range []string{"role." + r, "audit.role." + r} {
			if i18n.Has(lang, key) {
				out[i] = i18n.T(lang, key)
				break
			}
		}
	}
	return strings.Join(out, ", ")
}
