package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"puente/internal/demo"
	"puente/internal/i18n"
)

// TestDirectoryList shows every active service by city to anyone signed
// in, with whom it takes and its beds, and the filters narrow it. No
// confidential place is on it, for anyone.
func TestDirectoryList(t *testing.T) {
	e := sqliteEnv(t)
	var secrets []string
	for _, l := range demo.Listings(e.clock.Now()) {
		if l.Location.Confidential {
			secrets = append(secrets, l.Location.Addresses[0].Address1, fmt.Sprintf("%.4f", *l.Location.Latitude), fmt.Sprintf("%.4f", *l.Location.Longitude))
		}
	}
	for _, who := range []string{"caseworker", "admin", "screener"} {
		b := e.signIn(who)
		res := b.get("/directory")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", who, res.StatusCode)
		}
		for _, s := range secrets {
			if strings.Contains(res.body, s) {
				t.Errorf("%s: the directory shows a confidential place: %s", who, s)
			}
		}
		if strings.Contains(res.body, "<script") {
			t.Errorf("%s: the page has a script", who)
		}
	}
	b := e.signIn("caseworker")
	res := b.get("/directory")
	sal, _ := e.listing(menShelter)
	item := section(res.body, "listing-"+sal)
	item = item[:strings.Index(item, "</li>")]
	for _, want := range []string{menShelter, "Casa Hombres de Paso (demo)", "Emergency shelter", "Man · 18 and older", "6 of 40 beds free"} {
		if !strings.Contains(item, want) {
			t.Errorf("the men's shelter lacks %q:\n%s", want, item)
		}
	}
	staleSal, _ := e.listing("Refugio para mujeres (demo)")
	if stale := section(res.body, "listing-"+staleSal); !strings.Contains(stale[:strings.Index(stale, "</li>")], "Old count: call first") {
		t.Error("the five-day-old count is not marked")
	}
	confSal, _ := e.listing(refugioJuarez)
	if conf := section(res.body, "listing-"+confSal); !strings.Contains(conf[:strings.Index(conf, "</li>")], "Area: Ciudad Juárez, Chihuahua") {
		t.Error("the confidential shelter does not show its area")
	}
	if strings.Contains(res.body, `/directory/services/`+sal+`/edit`) || strings.Contains(res.body, "/directory/services/new") {
		t.Error("a caseworker is offered to edit the directory")
	}

	mx := b.get("/directory?country=MX&need=emergency_shelter")
	if strings.Contains(mx.body, "LGBTQ+ shelter (demo)") || !strings.Contains(mx.body, menShelter) || strings.Contains(mx.body, laborJuarez) {
		t.Error("the country and need filters do not narrow the list")
	}
	city := b.get("/directory?city=" + url.QueryEscape("US/El Paso, TX"))
	if strings.Contains(city.body, menShelter) || !strings.Contains(city.body, pasoSeguro) {
		t.Error("the city filter does not narrow the list")
	}
}

// TestDirectoryPagesInBothLanguages renders every new page in English and
// Spanish and looks for keys left untranslated or arguments misplaced.
func TestDirectoryPagesInBothLanguages(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	sal, _ := e.listing(pasoSeguro)
	pages := []string{"/dashboard", "/directory", "/directory?country=MX&need=emergency_shelter", "/directory/services/new",
		"/directory/services/" + sal + "/edit", "/directory/services/" + sal + "/availability"}
	untranslated := regexp.MustCompile(`>\s*((?:[a-z_]+\.)+[a-z_]+)\s*<`)
	for _, lang := range i18n.Languages {
		b.post("/language", csrfForm(b.csrf("/dashboard"), "lang", lang, "next", "/"))
		for _, p := range pages {
			res := b.get(p)
			if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s in %s: %d", p, lang, res.StatusCode)
			}
			for _, m := range untranslated.FindAllStringSubmatch(res.body, -1) {
				t.Errorf("%s in %s shows the key %q", p, lang, m[1])
			}
			if strings.Contains(res.body, "%!") {
				t.Errorf("%s in %s has a formatting mistake", p, lang)
			}
		}
		del := b.post("/directory/services/"+sal+"/delete", csrfForm(b.csrf("/dashboard")))
		if strings.Contains(del.body, "%!") || untranslated.MatchString(del.body) {
			t.Errorf("the delete page in %s has an untranslated key", lang)
		}
	}
}
