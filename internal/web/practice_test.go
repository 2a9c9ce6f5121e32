package web

import (
	"html/template"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"puente/internal/i18n"
	"puente/internal/practice"
	"puente/internal/screening"
)

// attempt is a practice form: the vignette's answers with the given
// changes (an empty answer leaves the question not asked), and the
// trainee's readings.
func attempt(t *testing.T, b *browser, vid, us, mx string, changes ...string) url.Values {
	t.Helper()
	f := form("csrf_token", b.csrf("/practice/"+vid), "label_us", us, "label_mx", mx)
	if v, ok := practice.Lookup(vid); ok {
		for id, a := range v.Answers {
			f.Set("q_"+id, string(a))
		}
	}
	for i := 0; i+1 < len(changes); i += 2 {
		f.Set("q_"+changes[i], changes[i+1])
	}
	return f
}

// count returns the number of rows in a table.
func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func mustContain(t *testing.T, what string, res *response, status int, parts ...string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, status, res.body)
	}
	for _, p := range parts {
		if !strings.Contains(res.body, p) {
			t.Errorf("%s: the page lacks %q", what, p)
		}
	}
}

func TestPracticeListInBothLanguages(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("screener") // Spanish
	mustContain(t, "the screenings list", b.get("/screenings"), http.StatusOK, `href="/practice" id="practice-link"`)
	es := b.get("/practice")
	mustContain(t, "the Spanish list", es, http.StatusOK, `<html lang="es">`, i18n.T("es", "practice.list_title"),
		`href="/practice/P01" lang="es">Marco, de Honduras, y su hermano le pagaron 8,000 dólares a un coyote.</a>`,
		`href="/practice/P20">`, i18n.T("es", "practice.nothing_stored"))
	if strings.Contains(es.body, `id="new-vignette"`) {
		t.Error("a screener is offered to add practice cases")
	}
	b.post("/language", form("csrf_token", b.csrf("/practice"), "lang", "en", "next", "/practice"))
	mustContain(t, "the English list", b.get("/practice"), http.StatusOK, `<html lang="en">`, ">Practice</h1>",
		`href="/practice/P01" lang="en">Marco, from Honduras, and his brother paid a coyote 8,000 dollars for the trip.</a>`)
	page := b.get("/practice/P02")
	mustContain(t, "a vignette", page, http.StatusOK, "Ana from Guatemala agreed to pay 6,000 dollars",
		`name="q_FL01" value="declined"`, `name="label_mx"`, `<option value="trafficking_forced_begging"`, "Freedom and control")
	if n := len(questionRE.FindAllString(page.body, -1)); n != len(screening.Load().Indicators())*5 {
		t.Errorf("%d radios, want five for every question of the protocol", n)
	}
	b.post("/language", form("csrf_token", b.csrf("/practice"), "lang", "es", "next", "/practice"))
	es = b.get("/practice/P02")
	mustContain(t, "a vignette on a Spanish page", es, http.StatusOK,
		`<p lang="es" class="pre">Ana, de Guatemala, aceptó pagar 6,000 dólares`, "Libertad y control")
	if strings.Contains(es.body, i18n.T("es", "practice.narrative_other_language")) {
		t.Error("a shared vignette is said to be written only in another language")
	}
}

func TestPracticeAgreementAndDisagreement(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("supervisor") // English
	t.Run("answered as the vignette, with the right readings", func(t *testing.T) {
		res := b.post("/practice/P02", attempt(t, b, "P02", "trafficking_labor", "trafficking_labor"))
		mustContain(t, "feedback", res, http.StatusOK, `id="all-agree"`, `class="flash" id="verdict-us"`, `class="flash" id="verdict-mx"`,
			`id="answers-match"`, `<p class="pre" lang="en">Smuggling became trafficking`, "22 U.S.C.", i18n.T("en", "practice.nothing_stored"))
		if strings.Contains(res.body, `class="alert"`) {
			t.Error("a disagreement where everything agrees")
		}
	})
	t.Run("one key indicator answered differently", func(t *testing.T) {
		res := b.post("/practice/P06", attempt(t, b, "P06", "trafficking_sex", "trafficking_sex", "PU01", "no"))
		mustContain(t, "feedback", res, http.StatusOK, `id="answer-PU01" class="diff-different"`, "<td>Yes</td>", "<td>No</td>",
			`id="element-us-purpose"`, `id="element-mx-purpose"`, template.HTMLEscapeString(i18n.T("en", "practice.other_result")),
			"Not trafficking (another crime, or none found)")
		if strings.Contains(res.body, `id="all-agree"`) {
			t.Error("agreement shown with an answer recorded differently")
		}
		row := regexp.MustCompile(`(?s)<tr id="element-us-purpose">.*?</tr>`).FindString(res.body)
		if !strings.Contains(row, "Found <code>PU01</code>") || !strings.Contains(row, "Not found") {
			t.Errorf("the purpose element's difference is not shown: %q", row)
		}
	})
	t.Run("the wrong reading, with the reason", func(t *testing.T) {
		res := b.post("/practice/P10", attempt(t, b, "P10", "trafficking_labor", "labor_exploitation_not_trafficking"))
		mustContain(t, "feedback", res, http.StatusOK, `class="alert" id="verdict-us"`, i18n.T("en", "practice.reason.not_established"),
			`class="flash" id="verdict-mx"`, i18n.T("en", "practice.decisive_title"), "<td>Means (force, fraud, coercion …)</td><td>Not found</td>")
	})
	t.Run("US and Mexico diverge, in Spanish", func(t *testing.T) {
		b.post("/language", form("csrf_token", b.csrf("/practice"), "lang", "es", "next", "/practice"))
		defer b.post("/language", form("csrf_token", b.csrf("/practice"), "lang", "en", "next", "/practice"))
		res := b.post("/practice/P14", attempt(t, b, "P14", "trafficking_labor", "trafficking_labor"))
		mustContain(t, "feedback", res, http.StatusOK, `class="flash" id="verdict-us"`, `class="alert" id="verdict-mx"`,
			i18n.T("es", "practice.reason.other_form"), "Las dos leyes encuentran trata de personas, en formas distintas.",
			`<dd id="engine-mx"><span class="badge">Trata de personas (otra forma de explotación)</span>`,
			`<p class="pre" lang="es">EE. UU.: trabajo obtenido mediante fuerza y restricción de la libertad (18 U.S.C. 1589; 7102(11)(B))`)
		if strings.Contains(res.body, "US: labor obtained by force") {
			t.Error("the Spanish page shows the English reasoning")
		}
	})
	t.Run("no reading given", func(t *testing.T) {
		res := b.post("/practice/P01", attempt(t, b, "P01", "", "smuggling_only"))
		mustContain(t, "feedback", res, http.StatusOK, `class="alert" id="verdict-us"`, i18n.T("en", "practice.reason.none_chosen"))
	})
}

func TestPracticeRefusesBadInput(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("screener") // Spanish
	for _, path := range []string{"/practice/P99", "/practice/org-999", "/practice/org-x"} {
		mustContain(t, "GET "+path, b.get(path), http.StatusNotFound, i18n.T("es", "practice.not_found"))
	}
	mustContain(t, "POST to an unknown vignette", b.post("/practice/P99", attempt(t, b, "P02", "", "")), http.StatusNotFound)
	for _, tc := range []struct {
		name, field, value, key string
	}{
		{"an unknown question", "q_ZZ99", "yes", "screening.unknown_indicator"},
		{"an unknown answer", "q_SM01", "maybe", "screening.invalid_answer"},
		{"an unknown determination", "label_mx", "trafficking_maybe", "practice.label_invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := attempt(t, b, "P02", "trafficking_labor", "trafficking_labor")
			f.Set(tc.field, tc.value)
			name := strings.TrimPrefix(tc.field, "q_")
			res := b.post("/practice/P02", f)
			mustContain(t, tc.name, res, http.StatusUnprocessableEntity, "<code>"+name+"</code>: "+i18n.T("es", tc.key),
				`name="q_ACT01" value="yes" checked`) // what was recorded is kept
		})
	}
}

func TestPracticeStoresNothing(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		b := e.signIn("screener")
		f := attempt(t, b, "P02", "trafficking_labor", "smuggling_only", "DR08", "no")
		screenings, audits := e.count("screenings"), e.count("audit_log")
		b.get("/practice")
		b.get("/practice/P02")
		mustContain(t, "feedback", b.post("/practice/P02", f), http.StatusOK)
		b.post("/practice/P02", form("csrf_token", f.Get("csrf_token"), "q_ZZ99", "yes"))
		if got := e.count("screenings"); got != screenings {
			t.Errorf("practice stored %d screenings", got-screenings)
		}
		if got := e.count("audit_log"); got != audits {
			t.Errorf("practice wrote %d audit entries", got-audits)
		}
		if got := e.count("practice_vignettes"); got != 0 {
			t.Errorf("practice stored %d vignettes", got)
		}
	})
}

func TestPracticeNeedsAScreeningRole(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("hotline")
	tok := b.csrf("/dashboard")
	for _, res := range []*response{
		b.get("/practice"), b.get("/practice/P02"), b.get("/practice/vignettes/new"),
		b.post("/practice/P02", form("csrf_token", tok, "q_SM01", "yes")),
		b.post("/practice/vignettes", form("csrf_token", tok, "narrative_en", "x")),
	} {
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s as a hotline operator: %d, want 403", res.Request.Method, res.Request.URL.Path, res.StatusCode)
		}
	}
	if res := e.browser().get("/practice"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("practice without signing in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestPracticeOrganizationVignettes(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		screener := e.signIn("screener") // Albergue Puerta Abierta
		if res := screener.get("/practice/vignettes/new"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a screener opening the form: %d", res.StatusCode)
		}
		if res := screener.post("/practice/vignettes", form("csrf_token", screener.csrf("/practice"), "narrative_es", "x")); res.StatusCode != http.StatusForbidden {
			t.Errorf("a screener adding a vignette: %d", res.StatusCode)
		}
		sup := e.signIn("supervisor.juarez") // the same organization
		mustContain(t, "the supervisor's list", sup.get("/practice"), http.StatusOK, `id="new-vignette"`, i18n.T("es", "practice.own_none"))
		tok := sup.csrf("/practice/vignettes/new")
		bad := sup.post("/practice/vignettes", form("csrf_token", tok, "age", "200", "q_PU08", "maybe", "expected_us", "trafficking_labor"))
		mustContain(t, "an invalid vignette", bad, http.StatusUnprocessableEntity,
			"<code>narrative</code>", "<code>PU08</code>", "<code>age</code>", "<code>expected_mx</code>", i18n.T("es", "practice.expected_required"),
			`<option value="trafficking_labor" selected>`)
		narrative := "Una jornalera de Oaxaca trabaja en un campo de Chihuahua. El capataz guarda su credencial y le dice que no puede irse hasta pagar el viaje."
		res := sup.post("/practice/vignettes", form("csrf_token", tok, "narrative_es", narrative, "age", "24",
			"q_ACT01", "yes", "q_PU08", "yes", "q_CD02", "yes", "q_EX01", "yes", "q_FL01", "no",
			"expected_us", "trafficking_labor", "expected_mx", "trafficking_labor", "reasoning", "Retención de documentos y deuda como medios."))
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/practice/org-") {
			t.Fatalf("add a vignette: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), res.body)
		}
		path := res.Header.Get("Location")
		mustContain(t, "the list after adding", screener.get("/practice"), http.StatusOK,
			`href="`+path+`" lang="es">Una jornalera de Oaxaca trabaja en un campo de Chihuahua.</a>`)
		mustContain(t, "the new vignette", screener.get(path), http.StatusOK, narrative)
		f := form("csrf_token", screener.csrf(path), "q_ACT01", "yes", "q_PU08", "yes", "q_CD02", "yes", "q_EX01", "yes", "q_FL01", "no",
			"label_us", "labor_exploitation_not_trafficking", "label_mx", "trafficking_labor")
		mustContain(t, "feedback on it", screener.post(path, f), http.StatusOK, `class="alert" id="verdict-us"`, `class="flash" id="verdict-mx"`,
			`<p class="pre">Retención de documentos y deuda como medios.</p>`, `id="answers-match"`)
		screener.post("/language", form("csrf_token", screener.csrf("/practice"), "lang", "en", "next", "/practice"))
		mustContain(t, "a vignette written only in Spanish, on an English page", screener.get(path), http.StatusOK,
			i18n.T("en", "practice.narrative_other_language"), `<p lang="es" class="pre">`+narrative)
		if res := e.signIn("caseworker").get(path); res.StatusCode != http.StatusNotFound { // another organization
			t.Errorf("another organization opening the vignette: %d", res.StatusCode)
		}
	})
}

// TestPracticeKeysExist checks the keys the practice pages build at run
// time, which TestEveryUsedKeyExists cannot see.
func TestPracticeKeysExist(t *testing.T) {
	var keys []string
	for _, r := range []practice.Reason{practice.NoneChosen, practice.NotEstablished, practice.ElementsPresent, practice.OtherForm,
		practice.Undecidable, practice.Decidable, practice.OtherOutcome} {
		keys = append(keys, "practice.reason."+string(r))
	}
	for _, k := range []practice.DiffKind{practice.Different, practice.Missed, practice.Added} {
		keys = append(keys, "practice.diff."+string(k))
	}
	src, err := os.ReadFile("ui_practice.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := os.ReadFile("ui_practice_new.go")
	pkg, _ := os.ReadFile("../practice/vignette.go")
	for _, m := range regexp.MustCompile(`"(practice\.[a-z_]+)"`).FindAllStringSubmatch(string(src)+string(more)+string(pkg), -1) {
		keys = append(keys, m[1])
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("key %q is missing in %s", k, lang)
			}
		}
	}
}
