package i18n

import (
	"testing"
	"testing/fstest"
)

func TestLoadRefusesDuplicateKeys(t *testing.T) {
	fsys := fstest.MapFS{
		"catalog/a.en.json": {Data: []byte(`{"x": "1"}`)},
		"catalog/b.en.json": {Data: []byte(`{"x": "2"}`)},
		"catalog/a.es.json": {Data: []byte(`{"x": "1"}`)},
	}
	if _, err := load(fsys); err == nil {
		t.Fatal("a key defined in two files was accepted")
	}
}

func TestMatch(t *testing.T) {
	for header, want := range map[string]string{
		"":                        "en",
		"es-MX,es;q=0.9,en;q=0.8": "es",
		"en-US,en;q=0.9":          "en",
		"fr-FR,fr;q=0.9":          "en",
		"fr-FR,es;q=0.5":          "es",
		"*":                       "en",
		"garbage;;;q=xyz":         "en",
	} {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestFormatting(t *testing.T) {
	if got := T("es", "dashboard.welcome", "Ana"); got != "Le damos la bienvenida, Ana." {
		t.Errorf("T = %q", got)
	}
	if got := T("es", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key shows %q, want the key", got)
	}
}
