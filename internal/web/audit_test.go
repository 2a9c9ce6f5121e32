package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/i18n"
)

var (
	entryRE = regexp.MustCompile(`<tr class="decision-[a-z_]+" id="entry-(\d+)">`)
	olderRE = regexp.MustCompile(`<a href="([^"]+)" id="older-entries"`)
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}`)
)

// shownSeqs lists the entries a page of the log shows, in order.
func shownSeqs(body string) []int64 {
	var out []int64
	for _, m := range entryRE.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

// logged lists the entries matching f, newest first, as the page should.
func (e *env) logged(f audit.Filter) ([]int64, []audit.Entry) {
	e.t.Helper()
	var seqs []int64
	var entries []audit.Entry
	for a, err := range e.db.AuditEntries(context.Background(), f) {
		if err != nil {
			e.t.Fatal(err)
		}
		seqs, entries = append(seqs, a.Seq), append(entries, a)
	}
	slices.Reverse(seqs)
	slices.Reverse(entries)
	return seqs, entries
}

// appendAudit adds n entries about record, an hour apart from at.
func (e *env) appendAudit(n int, record string, at time.Time) {
	e.t.Helper()
	for i := range n {
		a := &audit.Entry{At: at.Add(time.Duration(i) * time.Hour), ActorID: e.user("supervisor").ID, Roles: "supervisor", OrgID: e.user("supervisor").OrgID,
			Action: "case.read", Record: record, Decision: audit.Allow, Reason: "supervisor of the owning organization", RequestID: fmt.Sprint("T", i)}
		if err := e.db.AppendAudit(context.Background(), a); err != nil {
			e.t.Fatal(err)
		}
	}
}

func TestAuditLogShowsEntriesNewestFirst(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	res := b.get("/audit")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /audit: %d\n%s", res.StatusCode, res.body)
	}
	want, entries := e.logged(audit.Filter{})
	if diff := cmp.Diff(want, shownSeqs(res.body)); diff != "" {
		t.Errorf("entries shown (-want +got):\n%s", diff)
	}
	if entries[0].Action != "audit.read" {
		t.Errorf("newest entry is %q, want this view's audit.read", entries[0].Action)
	}
	for _, s := range []string{
		fmt.Sprintf("Chain intact through entry %d (%d entries checked).", entries[0].Seq, len(entries)),
		"Created a case<br><code>case.create</code>",
		"Read the audit log<br><code>audit.read</code>",
		"Carmen Gestora (demo)", "Frontera Esperanza Legal Aid (demo)", "Caseworker",
		"System", // the demo seed, run as the operator
		`<a href="/audit?record=case%3a1"><code>case:1</code></a>`, // a link to filter by the record
	} {
		if !strings.Contains(res.body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if strings.Contains(res.body, `id="older-entries"`) || strings.Contains(res.body, `id="newest-entries"`) {
		t.Error("a log shorter than a page has paging links")
	}
}

func TestAuditLogFilters(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	b.get("/audit") // so the admin has an entry of their own
	// At 22:00 and 23:00 on 1 October, and at midnight on the 2nd.
	e.appendAudit(3, "case:3", time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	cw, admin, sup := e.user("caseworker").ID, e.user("admin").ID, e.user("supervisor").ID
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name, query string
		filter      audit.Filter
	}{
		{"record", "record=case:3", audit.Filter{Record: "case:3"}},
		{"record with spaces around it", "record=+case:3+", audit.Filter{Record: "case:3"}},
		{"user", fmt.Sprintf("user=%d", cw), audit.Filter{ActorID: cw}},
		{"admin, this view included", fmt.Sprintf("user=%d", admin), audit.Filter{ActorID: admin}},
		{"one day", "from=2026-10-01&to=2026-10-01", audit.Filter{Since: day(1), Until: day(2)}},
		{"from only", "from=2026-10-02", audit.Filter{Since: day(2)}},
		{"to only", "to=2026-10-01", audit.Filter{Until: day(2)}},
		{"all together", fmt.Sprintf("user=%d&record=case:3&from=2026-10-01&to=2026-10-02", sup), audit.Filter{ActorID: sup, Record: "case:3", Since: day(1), Until: day(3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := b.get("/audit?" + tt.query)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", res.StatusCode, res.body)
			}
			// The view is logged before the log is read, so the page can
			// show its own audit.read entry.
			want, _ := e.logged(tt.filter)
			if len(want) == 0 {
				t.Fatal("the test's filter matches nothing")
			}
			if diff := cmp.Diff(want, shownSeqs(res.body)); diff != "" {
				t.Errorf("entries shown (-want +got):\n%s", diff)
			}
		})
	}
	if res := b.get("/audit?record=case:999"); !strings.Contains(res.body, "No entries match this filter.") || len(shownSeqs(res.body)) != 0 {
		t.Error("a filter that matches nothing does not say so")
	}
	if res := b.get(fmt.Sprintf("/audit?user=%d", cw)); !strings.Contains(res.body, fmt.Sprintf(`<option value="%d" selected>`, cw)) {
		t.Error("the chosen person is not selected in the filter")
	}
}

func TestAuditLogPages(t *testing.T) {
	e := sqliteEnv(t)
	e.appendAudit(150, "case:7", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	b := e.signIn("admin")
	for _, query := range []string{"", "?record=case:7"} {
		res := b.get("/audit" + query)
		var f audit.Filter
		if query != "" {
			f.Record = "case:7"
		}
		all, _ := e.logged(f)
		var got []int64
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			seqs := shownSeqs(res.body)
			if len(seqs) > auditPageSize {
				t.Fatalf("a page shows %d entries", len(seqs))
			}
			got = append(got, seqs...)
			m := olderRE.FindStringSubmatch(res.body)
			if m == nil {
				break
			}
			if len(seqs) != auditPageSize {
				t.Errorf("a page that is not the last shows %d entries", len(seqs))
			}
			next := html.UnescapeString(m[1])
			if u, _ := url.Parse(next); u.Query().Get("record") != f.Record {
				t.Errorf("older link %q loses the filter", next)
			}
			res = b.get(next)
			if !strings.Contains(res.body, `id="newest-entries"`) {
				t.Error("a later page has no link back to the newest entries")
			}
		}
		// Later pages' own audit.read entries are newer than the first
		// page: the pages together show the log as it was at the first.
		if diff := cmp.Diff(all, got); diff != "" {
			t.Errorf("%q: entries over all pages (-want +got):\n%s", query, diff)
		}
	}
}

func TestAuditLogIsForAdminsOnly(t *testing.T) {
	e := sqliteEnv(t)
	before := e.auditReads()
	for _, who := range []string{"caseworker", "supervisor", "analyst"} {
		if res := e.signIn(who).get("/audit"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET /audit: %d, want 403", who, res.StatusCode)
		}
	}
	if res := e.browser().get("/audit"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous GET /audit: %d, want a redirect to sign in", res.StatusCode)
	}
	// Each signed-in refusal is recorded as a denied audit.read; the
	// anonymous one is not, so probes cannot fill the append-only log.
	got := e.auditReads()
	if len(got) != len(before)+3 {
		t.Fatalf("refused views added %d audit.read entries, want 3", len(got)-len(before))
	}
	for _, entry := range got[:len(got)-len(before)] { // newest first
		if entry.Decision != "deny" {
			t.Errorf("refused view recorded as %q", entry.Decision)
		}
	}
}

func TestAuditLogRefusesBadFilters(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	tests := []struct {
		name, query, want, reason string
	}{
		{"user not a number", "user=abc", "Choose one of the options offered.", "invalid=user"},
		{"unknown user", "user=99999", "Choose one of the options offered.", "invalid=user"},
		{"record too long", "record=case:" + strings.Repeat("1", 60), "This is too long.", "invalid=record"},
		{"record as free text", "record=" + url.QueryEscape("Rosa Ficticia"), "Enter a record as a kind and a number, for example case:42.", "invalid=record"},
		{"markup in record", "record=" + url.QueryEscape("<b>case:1</b>"), "Enter a record as a kind and a number", "invalid=record"},
		{"malformed date", "from=2026-13-01", "Enter a real date as year-month-day", "invalid=from"},
		{"date in another form", "to=21/11/2026", "Enter a real date as year-month-day", "invalid=to"},
		{"dates the wrong way round", "from=2026-11-02&to=2026-11-01", "The end date is before the start date.", "invalid=to"},
		{"bad page", "before=abc", "This page link is not valid.", "invalid=before"},
		{"several", "user=x&record=x&from=x", "Choose one of the options offered.", "invalid=user,record,from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := b.get("/audit?" + tt.query)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", res.StatusCode)
			}
			for _, s := range []string{tt.want, "Please correct the fields marked below.", "Correct the filter to see the entries.", "Chain intact through entry"} {
				if !strings.Contains(res.body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			if strings.Contains(res.body, `<table class="audit">`) || strings.Contains(res.body, "<b>case") {
				t.Error("the page shows entries, or echoes markup, for a refused filter")
			}
			reads := e.auditReads()
			if got := reads[len(reads)-1].Reason; got != "admin; "+tt.reason {
				t.Errorf("audit.read reason %q, want %q", got, "admin; "+tt.reason)
			}
		})
	}
}

// auditReads lists the audit.read entries, oldest first.
func (e *env) auditReads() []audit.Entry {
	_, entries := e.logged(audit.Filter{})
	var out []audit.Entry
	for _, a := range slices.Backward(entries) {
		if a.Action == string(access.AuditRead) {
			out = append(out, a)
		}
	}
	return out
}

func TestEachAuditViewIsAudited(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	admin := e.user("admin")
	for i, query := range []string{"", "?record=case:4", fmt.Sprintf("?user=%d&record=case:4&from=2026-11-01&to=2026-11-21&before=300", admin.ID)} {
		b.get("/audit" + query)
		reads := e.auditReads()
		if len(reads) != i+1 {
			t.Fatalf("after %d views: %d audit.read entries", i+1, len(reads))
		}
		got := reads[i]
		want := []string{"admin; filter=none", "admin; record=case:4", fmt.Sprintf("admin; user=%d record=case:4 from=2026-11-01 to=2026-11-21 before=300", admin.ID)}[i]
		if got.ActorID != admin.ID || got.OrgID != admin.OrgID || got.Roles != "admin" || got.Decision != audit.Allow || got.Reason != want || got.Record != "" {
			t.Errorf("view %d logged %+v, want admin's read with reason %q", i, got, want)
		}
		if !e.loggedRef(got.RequestID, "GET /audit") {
			t.Errorf("request id %q is not the reference the server logged for the view", got.RequestID)
		}
	}
}

// loggedRef reports whether the server logged a request on route with ref.
func (e *env) loggedRef(ref, route string) bool {
	for line := range strings.Lines(e.logs.String()) {
		var rec struct{ Ref, Route string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Ref == ref && rec.Route == route {
			return true
		}
	}
	return false
}

func TestAuditLogShowsNoEmailOutsideTheFilter(t *testing.T) {
	e := sqliteEnv(t)
	body := e.signIn("admin").get("/audit").body
	start, end := strings.Index(body, `<select id="filter-user"`), strings.Index(body, "</select>")
	if start < 0 || end < start {
		t.Fatal("no user filter on the page")
	}
	if !strings.Contains(body[start:end], "caseworker@demo.puente.test") {
		t.Error("the user filter does not show emails to tell people apart")
	}
	if m := emailRE.FindAllString(body[:start]+body[end:], -1); m != nil {
		t.Errorf("emails outside the user filter: %q", m)
	}
}

func TestAuditLogFlagsBreakGlass(t *testing.T) {
	e := sqliteEnv(t)
	sup := e.user("supervisor")
	if err := e.db.AppendAudit(context.Background(), &audit.Entry{ActorID: sup.ID, Roles: "supervisor", OrgID: sup.OrgID, Action: "case.read",
		Record: "case:2", Decision: audit.BreakGlass, Reason: "break-the-glass", RequestID: "GLASS"}); err != nil {
		t.Fatal(err)
	}
	body := e.signIn("admin").get("/audit").body
	row := regexp.MustCompile(`(?s)<tr class="decision-break_glass" id="entry-\d+">.*?</tr>`).FindString(body)
	if !strings.Contains(row, "⚠ Emergency access") || !strings.Contains(row, "GLASS") {
		t.Errorf("break-the-glass row not flagged: %q", row)
	}
}

func TestAuditLogReportsTampering(t *testing.T) {
	e := sqliteEnv(t)
	for _, q := range []string{"DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 7"} {
		if _, err := e.db.SQL().ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	res := e.signIn("admin").get("/audit")
	for _, s := range []string{"The log has been altered. Problems found: 1.", "Entry 7 was edited", `class="panel audit-status broken"`} {
		if !strings.Contains(res.body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if strings.Contains(res.body, "Chain intact") {
		t.Error("a tampered log is reported intact")
	}
}

func TestAuditLogInSpanish(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	tok := b.csrf("/dashboard")
	b.post("/language", form("csrf_token", tok, "lang", "es", "next", "/audit"))
	res := b.get("/audit?record=case:1")
	if !strings.Contains(res.body, `<html lang="es">`) {
		t.Fatal("page not in Spanish")
	}
	for _, s := range []string{"Registro de auditoría", "Cadena íntegra hasta la entrada", "Creó un caso<br><code>case.create</code>",
		"Gestor/a de casos", "Hora (UTC)", "Permitido", "Cualquier persona", "Las fechas están en UTC"} {
		if !strings.Contains(res.body, s) {
			t.Errorf("Spanish page lacks %q", s)
		}
	}
	if res := b.get("/audit?from=ayer"); !strings.Contains(res.body, "Corrija el filtro para ver las entradas.") {
		t.Error("Spanish field errors missing")
	}
	// Codes are shown as codes, in <code>; anything else that looks like a
	// key was left untranslated.
	body := regexp.MustCompile(`<code>[^<]*</code>`).ReplaceAllString(b.get("/audit").body, "")
	for _, key := range regexp.MustCompile(`>\s*((?:[a-z_]+\.)+[a-z_]+)\s*<`).FindAllStringSubmatch(body, -1) {
		t.Errorf("untranslated key %q", key[1])
	}
}

// TestAuditLabelsExist covers the keys the page builds at run time: the
// actions Puente writes to the log, its decisions, and the verifier's kinds.
func TestAuditLabelsExist(t *testing.T) {
	var keys []string
	for _, a := range []access.Action{access.CaseCreate, access.CaseList, access.CaseRead, access.CaseUpdate, access.CaseMove,
		access.CaseAssign, access.CaseDelete, access.ConsentEdit, access.BreakGlass, access.AuditRead, "demo.seed", "keys.rotate"} {
		keys = append(keys, "audit.action."+string(a))
	}
	for _, d := range []audit.Decision{audit.Allow, audit.Deny, audit.BreakGlass} {
		keys = append(keys, "audit.decision."+string(d))
	}
	for k := audit.Edited; k <= audit.BadCheckpoint; k++ {
		keys = append(keys, "audit.problem."+k.String())
	}
	keys = append(keys, "audit.who.system", "audit.who.anonymous", "audit.role.operator")
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

// TestEverySensitivePageLeavesOneEntry opens the pages that read survivors'
// records, as the people who use them, and counts what each request adds
// to the audit log: exactly one entry, so that the log reads as what
// happened, one line per thing a person did.
func TestEverySensitivePageLeavesOneEntry(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		id := strconv.FormatInt(orgCasesB(t, e, "supervisor")[0].ID, 10)
		for _, tc := range []struct{ who, method, path string }{
			{"supervisor", http.MethodGet, "/cases/" + id}, // consents, referrals, staff and all
			{"caseworker", http.MethodGet, "/cases/" + id},
			{"caseworker", http.MethodGet, "/cases"},
			{"caseworker", http.MethodGet, "/cases?status=identified"},
			{"supervisor", http.MethodGet, "/referrals"},
		} {
			b := e.signIn(tc.who)
			before, _ := e.logged(audit.Filter{})
			res := b.do(tc.method, tc.path, nil, "")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s %s as %s: %d", tc.method, tc.path, tc.who, res.StatusCode)
			}
			after, entries := e.logged(audit.Filter{})
			if len(after)-len(before) != 1 {
				t.Errorf("%s %s as %s left %d entries: %+v", tc.method, tc.path, tc.who, len(after)-len(before), entries[:len(after)-len(before)])
			}
		}
	})
}
