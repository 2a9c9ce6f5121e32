package web

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/directory"
	"puente/internal/i18n"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	en, es := i18n.Keys("en"), i18n.Keys("es")
	for _, k := range en {
		if !i18n.Has("es", k) {
			t.Errorf("key %q is missing in Spanish", k)
		}
	}
	for _, k := range es {
		if !i18n.Has("en", k) {
			t.Errorf("key %q is missing in English", k)
		}
	}
	for _, k := range es {
		if i18n.T("es", k) == "" {
			t.Errorf("Spanish %q is empty", k)
		}
	}
}

// TestEveryUsedKeyExists reads the templates and the Go sources for the keys
// they name, and the enumerations whose keys are built at run time.
func TestEveryUsedKeyExists(t *testing.T) {
	var used []string
	tmplKey := regexp.MustCompile(`\bt "([a-z_.]+)"`)
	fs.WalkDir(templateFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFiles.ReadFile(path)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") && !strings.HasSuffix(m[1], "_") {
				used = append(used, m[1])
			}
		}
		return nil
	})
	goKey := regexp.MustCompile(`"((?:account|case|consent|directory|error|field|gaps|login|orgs|password|tokens|users)\.[a-z_]+)"`)
	filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".html") && !strings.HasSuffix(m[1], ".json") && !slices.Contains(access.Actions, access.Action(m[1])) {
				used = append(used, m[1])
			}
		}
		return nil
	})
	flashKey := regexp.MustCompile(`redirect\(w, r, "[^"]*", "([a-z_]+)"\)`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range flashKey.FindAllStringSubmatch(string(b), -1) {
			used = append(used, "flash."+m[1])
		}
	}
	for _, r := range account.Roles {
		used = append(used, "role."+string(r))
	}
	for _, k := range account.OrgKinds {
		used = append(used, "org_kind."+string(k))
	}
	for _, c := range account.Countries {
		used = append(used, "country."+string(c))
	}
	for s := range access.Scopes {
		used = append(used, "scope."+s)
	}
	for _, l := range i18n.Languages {
		used = append(used, "lang.switch_to_"+l, "lang.name_"+l)
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for _, k := range used {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("key %q is used but missing in %s", k, lang)
			}
		}
	}
}

// TestSpanishNeverSaysTraficoForTrafficking guards the one mistake that
// turns a trafficking question into a smuggling one.
func TestSpanishNeverSaysTraficoForTrafficking(t *testing.T) {
	for _, k := range i18n.Keys("es") {
		msg := strings.ToLower(i18n.T("es", k))
		if strings.Contains(msg, "tráfico") && !strings.Contains(msg, "trata") {
			t.Errorf("%s uses tráfico without distinguishing it from trata: %q", k, msg)
		}
	}
}

func TestLanguageNegotiationAndSwitch(t *testing.T) {
	e := sqliteEnv(t)
	b := e.browser()
	b.header.Set("Accept-Language", "es-MX,es;q=0.9")
	res := b.get("/login")
	if !strings.Contains(res.body, `<html lang="es">`) || !strings.Contains(res.body, "Iniciar sesión") {
		t.Fatal("Accept-Language es-MX did not give Spanish")
	}
	b.header.Set("Accept-Language", "fr-CA")
	if res := b.get("/login"); !strings.Contains(res.body, `<html lang="en">`) {
		t.Fatal("an unsupported language did not fall back to English")
	}

	// Switching on the sign-in page sticks for this browser...
	tok := b.csrf("/login")
	res = b.post("/language", form("csrf_token", tok, "lang", "es", "next", "/login"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("switch language: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := b.get("/login"); !strings.Contains(res.body, "Iniciar sesión") {
		t.Fatal("language switch not kept")
	}
	if res := b.post("/language", form("csrf_token", tok, "lang", "fr", "next", "/login")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Ese idioma no está disponible.") {
		t.Fatalf("unknown language: %d", res.StatusCode)
	}

	// ...and a signed-in user's choice is remembered on every device.
	a := e.signIn("analyst")
	tok = a.csrf("/dashboard")
	a.post("/language", form("csrf_token", tok, "lang", "es", "next", "/dashboard"))
	if u := e.user("analyst"); u.Lang != "es" {
		t.Fatalf("user language = %q, want es", u.Lang)
	}
	other := e.signIn("analyst")
	delete(other.cookies, "puente_lang")
	delete(other.cookies, "__Host-puente_lang")
	if res := other.get("/dashboard"); !strings.Contains(res.body, "Panel principal") {
		t.Fatal("the user's language was not remembered on a new device")
	}
}

func TestEveryPageInBothLanguages(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	pages := []string{"/dashboard", "/organizations", "/organizations/new", "/organizations/1", "/users", "/users/new", "/users/1", "/account", "/account/tokens", "/directory/gaps", "/no-such-page"}
	for _, lang := range i18n.Languages {
		tok := b.csrf("/dashboard")
		b.post("/language", form("csrf_token", tok, "lang", lang, "next", "/"))
		for _, p := range pages {
			res := b.get(p)
			if !strings.Contains(res.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s in %s: page not in that language", p, lang)
			}
			for _, key := range regexp.MustCompile(`>\s*((?:[a-z_]+\.)+[a-z_]+)\s*<`).FindAllStringSubmatch(res.body, -1) {
				t.Errorf("%s in %s shows an untranslated key %q", p, lang, key[1])
			}
		}
	}
}

// TestDirectoryKeysExist checks the translation keys the matcher can emit,
// which are built inside the directory package.
func TestDirectoryKeysExist(t *testing.T) {
	for _, k := range directory.Keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("directory key %q missing in %s", k, lang)
			}
		}
	}
}
