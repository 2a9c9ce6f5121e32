package web

import (
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"puente/internal/demo"
	"puente/internal/directory"
	"puente/internal/i18n"
)

// gapRowHTML returns the row of the gap table with the id of place, need
// and profile.
func gapRowHTML(t *testing.T, body, place, need, profile string) string {
	t.Helper()
	id := `id="gap-` + place + "-" + need + "-" + profile + `"`
	i := strings.Index(body, id)
	if i < 0 {
		t.Fatalf("no row %s", id)
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := i + strings.Index(body[i:], "</tr>")
	return body[start:end]
}

// TestGapReportShowsTheMensShelterGap is the gap on the demo
// directory: no shelter in El Paso takes an adult man; the one in Juárez,
// across the border, does. The page must mark the El Paso row unserved, in
// both languages, and list it before every served row.
func TestGapReportShowsTheMensShelterGap(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	tests := []struct {
		lang                            string
		unserved, across, served, label string
	}{
		{"en", "Unserved", "Only across the border", "Served", "Adult man"},
		{"es", "Sin servicio", "Solo al otro lado de la frontera", "Con servicio", "Hombre adulto"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			b.post("/language", form("csrf_token", b.csrf("/dashboard"), "lang", tt.lang, "next", "/"))
			res := b.get("/directory/gaps")
			if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `<html lang="`+tt.lang+`">`) {
				t.Fatalf("gaps in %s: %d", tt.lang, res.StatusCode)
			}
			elPaso := gapRowHTML(t, res.body, "elpaso", "emergency_shelter", "adult_man")
			for _, want := range []string{`class="gap-across_only"`, tt.unserved, tt.across, tt.label, "El Paso, TX"} {
				if !strings.Contains(elPaso, want) {
					t.Errorf("the El Paso men's shelter row lacks %q:\n%s", want, elPaso)
				}
			}
			juarez := gapRowHTML(t, res.body, "juarez", "emergency_shelter", "adult_man")
			if !strings.Contains(juarez, `class="gap-served"`) || !strings.Contains(juarez, tt.served) {
				t.Errorf("the Juárez men's shelter row is not served:\n%s", juarez)
			}
			table := res.body[strings.Index(res.body, `id="gap-table"`):]
			if first, last := strings.Index(table, `class="gap-served"`), strings.LastIndex(table, `class="gap-across_only"`); first < last {
				t.Error("a served row comes before an unserved one")
			}
			if strings.Contains(res.body, "%!") || regexp.MustCompile(`>\s*gaps\.[a-z_.]+\s*<`).MatchString(res.body) {
				t.Error("an untranslated or badly formatted message is shown")
			}
		})
	}
}

// TestGapChartIsWellFormedSVG parses every chart on the page as XML: a
// chart per city, a title and a description for screen readers, a cell
// with its own title for every need and profile.
func TestGapChartIsWellFormedSVG(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	for _, tt := range []struct {
		query         string
		charts, cells int
	}{
		{"", 2, 17 * 8},
		{"?place=laredo&place=nuevolaredo&place=tijuana&need=emergency_shelter&km=50", 1, 3 * 8},
	} {
		res := b.get("/directory/gaps" + tt.query)
		svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(res.body, -1)
		if len(svgs) != tt.charts {
			t.Fatalf("%s: got %d charts, want %d", tt.query, len(svgs), tt.charts)
		}
		for _, svg := range svgs {
			got := svgCounts(t, svg)
			want := map[string]int{"svg": 1, "title": 1 + tt.cells, "desc": 1, "rect": tt.cells}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: elements (-want +got):\n%s", tt.query, diff)
			}
		}
	}
	res := b.get("/directory/gaps")
	if !strings.Contains(res.body, "Emergency shelter · Adult man: services on this side: 0; across the border: 1. Free beds on this side: 0.") {
		t.Error("the El Paso men's shelter cell does not say there is none on this side and one across")
	}
	if strings.Contains(res.body, "<script") {
		t.Error("the page has a script")
	}
}

// svgCounts decodes svg as XML and counts its elements by name (title,
// rect, desc, svg; text and g are not counted).
func svgCounts(t *testing.T, svg string) map[string]int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	counts := map[string]int{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return counts
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%.2000s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local == "svg" && se.Name.Space != "http://www.w3.org/2000/svg" {
				t.Errorf("the chart's namespace is %q", se.Name.Space)
			}
			switch se.Name.Local {
			case "svg", "title", "desc", "rect":
				counts[se.Name.Local]++
			}
		}
	}
}

func TestGapReportCSV(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("analyst")
	res := b.get("/directory/gaps.csv")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("CSV: %d\n%s", res.StatusCode, res.body)
	}
	if got := res.Header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if got := res.Header.Get("Content-Disposition"); got != `attachment; filename="puente-gaps-2026-11-21.csv"` {
		t.Errorf("Content-Disposition %q", got)
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The columns are the export's contract: spelled out here, so that a
	// change to them is a change to this test too.
	wantHeader := []string{"place", "place_name", "country", "area", "need", "profile", "status",
		"services_here", "beds_free_here", "beds_unknown_here", "full_here",
		"services_across", "beds_free_across", "beds_unknown_across", "full_across"}
	if diff := cmp.Diff(wantHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if got, want := len(rows)-1, len(directory.BorderCities)*17*len(directory.GapProfiles); got != want {
		t.Errorf("got %d rows, want %d: every place, need and profile", got, want)
	}
	wantGap := []string{"elpaso", "El Paso, TX", "US", "US-48141", "emergency_shelter", "adult_man", "across_only", "0", "0", "0", "0", "1", "6", "0", "0"}
	if !containsRow(rows, wantGap) {
		t.Errorf("no row %v", wantGap)
	}
	if rows[1][6] != directory.GapNone {
		t.Errorf("the first row is %v, want one with no service on either side", rows[1])
	}

	res = b.get("/directory/gaps.csv?place=juarez&need=emergency_shelter")
	rows, err = csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil || len(rows) != 1+8 {
		t.Fatalf("filtered CSV: %d rows, %v", len(rows), err)
	}
	if !containsRow(rows, []string{"juarez", "Ciudad Juárez, Chih.", "MX", "MX-08037", "emergency_shelter", "adult_man", "served", "1", "6", "0", "0", "0", "0", "0", "0"}) {
		t.Errorf("the Juárez men's shelter row is missing:\n%s", res.body)
	}
}

func containsRow(rows [][]string, want []string) bool {
	for _, r := range rows {
		if cmp.Equal(r, want) {
			return true
		}
	}
	return false
}

func TestGapReportRefusesBadFiltersAndStrangers(t *testing.T) {
	e := sqliteEnv(t)
	anon := e.browser()
	for _, path := range []string{"/directory/gaps", "/directory/gaps.csv"} {
		res := anon.get(path)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
			t.Errorf("anonymous %s: %d %q, want a redirect to sign in", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	b := e.signIn("caseworker")
	for _, path := range []string{
		"/directory/gaps?place=atlantis", "/directory/gaps?need=flying_carpet", "/directory/gaps?km=7",
		"/directory/gaps.csv?place=atlantis", "/directory/gaps.csv?km=-1",
	} {
		if res := b.get(path); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", path, res.StatusCode)
		}
	}
}

// TestGapReportKeepsPlacesSecret: the report is counts. No address of the
// demo directory, confidential or not, and no organization's or service's
// name reaches the report (all ten cities) or the CSV.
func TestGapReportKeepsPlacesSecret(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	all := "/directory/gaps?place=elpaso&place=juarez&place=mcallen&place=reynosa&place=sandiego&place=tijuana&place=laredo&place=nuevolaredo&place=nogalesaz&place=nogalesson"
	page, csvFile := b.get(all), b.get("/directory/gaps.csv")
	// The header names the user's own organization; the report is below it.
	main := page.body[strings.Index(page.body, `<main id="main">`):]
	confidential := 0
	for _, l := range demo.Listings(e.clock.Now()) {
		var secrets []string
		for _, a := range l.Location.Addresses {
			secrets = append(secrets, a.Address1)
		}
		if l.Location.Confidential {
			confidential++
		}
		secrets = append(secrets, l.Organization.Name, l.Service.Name)
		for _, s := range secrets {
			if s == "" {
				continue
			}
			if strings.Contains(main, s) || strings.Contains(csvFile.body, s) {
				t.Errorf("%q (confidential: %t) appears in the gap report", s, l.Location.Confidential)
			}
		}
	}
	if confidential == 0 {
		t.Fatal("the demo has no confidential location: the test proves nothing")
	}
}

func TestGapReportIsLinked(t *testing.T) {
	e := sqliteEnv(t)
	if res := e.signIn("caseworker").get("/directory/match"); !strings.Contains(res.body, `href="/directory/gaps"`) {
		t.Error("Find services does not link to the gap report")
	}
	if res := e.signIn("analyst").get("/dashboard"); !strings.Contains(res.body, `href="/directory/gaps"`) {
		t.Error("the analyst's dashboard does not link to the gap report")
	}
}

// TestGapKeysExist checks the keys the gap page builds at run time: each
// profile's label and short label, and each status.
func TestGapKeysExist(t *testing.T) {
	var keys []string
	for _, p := range directory.GapProfiles {
		keys = append(keys, "gaps.profile."+p.ID, "gaps.profile_short."+p.ID)
	}
	for _, s := range []string{directory.GapNone, directory.GapAcrossOnly, directory.GapServed} {
		keys = append(keys, "gaps.status."+s)
	}
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("key %q missing in %s", k, lang)
			}
		}
	}
}
