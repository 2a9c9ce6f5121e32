package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"puente/internal/interview"
	"puente/internal/screening"
)

type vignette struct {
	ID       string            `json:"id"`
	Age      int               `json:"age"`
	Answers  screening.Answers `json:"answers"`
	Expected map[string]string `json:"expected"`
}

func sharedVignette(t *testing.T, id string) vignette {
	t.Helper()
	b, err := os.ReadFile("../../../shared/screening/vignettes.json")
	if err != nil {
		t.Skipf("shared vignettes not found: %v", err)
	}
	var all []vignette
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	for _, v := range all {
		if v.ID == id {
			return v
		}
	}
	t.Fatalf("no vignette %s", id)
	return vignette{}
}

var questionRE = regexp.MustCompile(`name="q_([A-Z]+[0-9]+)"`)

// runInterview answers, page by page, every question the interview asks,
// from the vignette's answers ("unknown" where it has none), as a screener
// would, and returns the screening's id.
func runInterview(t *testing.T, b *browser, v vignette) int64 {
	t.Helper()
	tok := b.csrf("/screenings/new")
	res := b.post("/screenings", form("csrf_token", tok, "form", "full", "language", "es"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d\n%s", res.StatusCode, res.body)
	}
	var id int64
	fmt.Sscanf(res.Header.Get("Location"), "/screenings/%d", &id)
	path := fmt.Sprintf("/screenings/%d", id)
	for step := 0; ; step++ {
		page := b.get(path)
		ids := questionRE.FindAllStringSubmatch(page.body, -1)
		if len(ids) == 0 || step > 30 {
			break
		}
		f := form("csrf_token", csrfRE.FindStringSubmatch(page.body)[1], "age", fmt.Sprint(v.Age))
		seen := map[string]bool{}
		for _, m := range ids {
			if seen[m[1]] {
				continue
			}
			seen[m[1]] = true
			a := v.Answers[m[1]]
			if a == "" {
				a = screening.Unknown
			}
			f.Set("q_"+m[1], string(a))
		}
		if res := b.post(path, f); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("step %d: %d\n%s", step, res.StatusCode, res.body)
		}
	}
	tok = b.csrf(path)
	if res := b.post(path+"/complete", form("csrf_token", tok)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d", res.StatusCode)
	}
	return id
}

func TestScreeningInterviewReachesTheDetermination(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		v := sharedVignette(t, "P02") // labor trafficking under both laws
		b := e.signIn("screener")     // Albergue Puerta Abierta, Spanish
		id := runInterview(t, b, v)
		page := b.get(fmt.Sprintf("/screenings/%d/result", id))
		if page.StatusCode != http.StatusOK {
			t.Fatalf("result: %d", page.StatusCode)
		}
		rec, err := e.db.Screening(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range []screening.Jurisdiction{"us", "mx"} {
			got := rec.Results[j].Determination
			if string(got) != v.Expected[string(j)] {
				t.Errorf("%s after the interview: %s, want %s (answers asked: %d)", j, got, v.Expected[string(j)], len(rec.Answers))
			}
		}
		if !strings.Contains(page.body, "Trata de personas con fines de explotación laboral") || !strings.Contains(page.body, "22 U.S.C.") {
			t.Error("the Spanish result page lacks the determination or its law")
		}
		// Stored sealed: the answers are not in the table in clear.
		var raw []byte
		e.db.SQL().QueryRow(e.db.Rebind("SELECT answers_ct FROM screenings WHERE id = ?"), id).Scan(&raw)
		if strings.Contains(string(raw), "CTX01") {
			t.Error("answers stored in clear")
		}
		// Open a case from it.
		tok := b.csrf(fmt.Sprintf("/screenings/%d/result", id))
		res := b.post(fmt.Sprintf("/screenings/%d/open-case", id), form("csrf_token", tok))
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/cases/") {
			t.Fatalf("open case: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), res.body)
		}
		rec, _ = e.db.Screening(t.Context(), id)
		if rec.CaseID == nil {
			t.Fatal("the screening is not attached to the new case")
		}
	})
}

func TestScreeningKeepsAnswersAcrossLanguagesAndOnlyForItsInterviewer(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("screener")
	tok := b.csrf("/screenings/new")
	res := b.post("/screenings", form("csrf_token", tok, "interpreter", "1"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("interpreter without a language: %d", res.StatusCode)
	}
	res = b.post("/screenings", form("csrf_token", tok, "interpreter", "1", "interpreter_language", "mam", "language", "es"))
	path := res.Header.Get("Location")
	page := b.get(path)
	f := form("csrf_token", csrfRE.FindStringSubmatch(page.body)[1], "q_CTX01", "no", "age", "30", "notes", "Pagó a un coyote; luego lo obligaron a trabajar sin pago.")
	if res := b.post(path, f); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", res.StatusCode)
	}
	b.post("/language", form("csrf_token", b.csrf("/dashboard"), "lang", "en", "next", path))
	page = b.get(path)
	if !strings.Contains(page.body, "Did you or your family pay someone") && !strings.Contains(page.body, `name="q_SM01"`) {
		t.Error("after switching to English the interview did not go on from where it was")
	}
	if res := b.post(path, form("csrf_token", b.csrf(path), "q_SM01", "maybe")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "answers.SM01") {
		t.Fatalf("a bad answer value: %d", res.StatusCode)
	}
	if res := b.post(path, form("csrf_token", b.csrf(path), "q_ZZ99", "yes")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "answers.ZZ99") {
		t.Fatalf("an unknown indicator: %d", res.StatusCode)
	}
	b.post(path+"/complete", form("csrf_token", b.csrf(path)))
	result := b.get(path + "/result")
	if !strings.Contains(result.body, `id="guard"`) || !strings.Contains(result.body, "coyote") {
		t.Error("the terminology guard did not flag the smuggling word used with exploitation")
	}
	other := e.signIn("caseworker") // another organization
	if res := other.get(path); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another organization reading the screening: %d", res.StatusCode)
	}
	colleague := e.signIn("caseworker.juarez") // same organization, not the interviewer
	if res := colleague.get(path); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a colleague who did not run it: %d", res.StatusCode)
	}
	if res := e.signIn("supervisor.juarez").get(path + "/result"); res.StatusCode != http.StatusOK {
		t.Fatalf("the organization's supervisor: %d", res.StatusCode)
	}
}

func TestScreeningEvaluateAPI(t *testing.T) {
	e := sqliteEnv(t)
	tok := e.token("screener", "screenings:read")
	v := sharedVignette(t, "P14")
	status, body := e.api(tok, "POST", "/api/v1/screenings/evaluate", map[string]any{"id": v.ID, "age": v.Age, "answers": v.Answers})
	if status != http.StatusOK {
		t.Fatalf("evaluate: %d %v", status, body)
	}
	for j, want := range v.Expected {
		got := body[j].(map[string]any)["determination"]
		if got != want {
			t.Errorf("%s: %v, want %s", j, got, want)
		}
	}
	if _, ok := body["un"]; !ok {
		t.Error("no UN result")
	}
	status, body = e.api(tok, "POST", "/api/v1/screenings/evaluate", map[string]any{"answers": map[string]string{"SM01": "maybe", "XX01": "yes"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "answers.SM01") || !strings.Contains(fmt.Sprint(body), "answers.XX01") {
		t.Fatalf("bad answers: %d %v", status, body)
	}
}

// TestScreeningListPagesWithRows: the screenings list with rows in it (it
// once answered 500 as soon as it had one), fifty a page, newest first,
// every screening on exactly one page, for the interviewer (their own) and
// for the supervisor (everyone's in the organization), and a page link
// that is not one is a clear error.
func TestScreeningListPagesWithRows(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		screener, sup := e.user("screener"), e.user("supervisor.juarez")
		if screener.OrgID != sup.OrgID {
			t.Fatal("the demo screener and supervisor.juarez are no longer in one organization")
		}
		mine := map[string]bool{}
		for i := range 70 {
			by := screener.ID
			if i%7 == 0 {
				by = sup.ID
			}
			r := &interview.Record{OrgID: screener.OrgID, CreatedBy: by, Status: interview.InProgress, Form: interview.FullForm, Language: "es"}
			if err := e.db.CreateScreening(t.Context(), r); err != nil {
				t.Fatal(err)
			}
			if by == screener.ID {
				mine[strconv.FormatInt(r.ID, 10)] = true
			}
			if i%2 == 0 {
				e.clock.Add(time.Second) // and some updated in the same instant
			}
		}
		linkRE := regexp.MustCompile(`<a href="/screenings/(\d+)">#`)
		for _, who := range []struct {
			local string
			want  int
		}{{"screener", len(mine)}, {"supervisor.juarez", 70}} {
			b := e.signIn(who.local)
			seen := map[string]bool{}
			path, pages := "/screenings", 0
			for path != "" {
				if pages++; pages > 5 {
					t.Fatalf("%s: the list does not end", who.local)
				}
				res := b.get(path)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s %s: %d\n%s", who.local, path, res.StatusCode, res.body)
				}
				ids := linkRE.FindAllStringSubmatch(res.body, -1)
				if len(ids) == 0 || len(ids) > interview.PageSize {
					t.Fatalf("%s %s: %d screenings on the page", who.local, path, len(ids))
				}
				for _, m := range ids {
					if seen[m[1]] {
						t.Fatalf("%s: screening %s on two pages", who.local, m[1])
					}
					if who.local == "screener" && !mine[m[1]] {
						t.Fatalf("the screener's list shows screening %s, someone else's", m[1])
					}
					seen[m[1]] = true
				}
				path = ""
				if m := regexp.MustCompile(`href="([^"]+)" id="older-screenings"`).FindStringSubmatch(res.body); m != nil {
					path = html.UnescapeString(m[1])
					if !strings.Contains(res.body, "Entrevistas anteriores") {
						t.Errorf("%s: the link to older screenings is not in Spanish", who.local)
					}
				}
			}
			if pages < 2 || len(seen) != who.want {
				t.Errorf("%s: %d pages, %d screenings; want %d", who.local, pages, len(seen), who.want)
			}
		}
		b := e.signIn("screener")
		if res := b.get("/screenings?after=not-a-page"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a made-up page link: %d", res.StatusCode)
		}
	})
}
