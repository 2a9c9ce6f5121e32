// Package i18n holds Puente's English and Spanish catalogs and picks the
// language for a request. Every string a person reads comes from here by
// key; a test fails when a key is missing in either language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Languages Puente speaks, default first.
var Languages = []string{"en", "es"}

// Default is the language used when nothing else decides.
const Default = "en"

// Catalogs are split by area, one file per area and language, named
// <area>.<lang>.json (core.en.json, cases.es.json …), so that features can
// add their strings without touching one shared file.
//
//go:embed catalog/*.json
var files embed.FS

var catalogs = func() map[string]map[string]string {
	out, err := load(files)
	if err != nil {
		panic("i18n: " + err.Error())
	}
	return out
}()

func load(fsys fs.FS) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		out[lang] = map[string]string{}
		names, err := fs.Glob(fsys, "catalog/*."+lang+".json")
		if err != nil || len(names) == 0 {
			return nil, fmt.Errorf("no catalog files for %s", lang)
		}
		for _, name := range names {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", path.Base(name), err)
			}
			for k, v := range m {
				if _, dup := out[lang][k]; dup {
					return nil, fmt.Errorf("%s: key %q is defined in two files", path.Base(name), k)
				}
				out[lang][k] = v
			}
		}
	}
	return out, nil
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Spanish})

// Supported reports whether lang is one of Puente's languages.
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// Match picks the best of Puente's languages for an Accept-Language header.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i]
}

// T returns the message for key in lang, formatted with args as by
// fmt.Sprintf. A missing key shows as the key itself, so it is noticed
// rather than silently blank; the catalog tests keep that from shipping.
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		msg, ok = catalogs[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether key exists in lang's catalog.
func Has(lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Keys returns the keys of lang's catalog, sorted.
func Keys(lang string) []string {
	var keys []string
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Translator is T bound to one language.
type Translator string

// T translates key into the translator's language.
func (l Translator) T(key string, args ...any) string { return T(string(l), key, args...) }

// Other returns the language that is not lang, for the switch link.
func Other(lang string) string {
	if strings.HasPrefix(lang, "es") {
		return "en"
	}
	return "es"
}
