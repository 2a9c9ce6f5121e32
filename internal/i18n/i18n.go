// Package i18n holds Puente's English and Spanish catalogs and picks the
// language for a request. Every string a person reads comes from here by
// key; a test fails when a key is missing in either language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
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

//go:embed catalog/*.json
var files embed.FS

var catalogs = func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		b, err := files.ReadFile(path.Join("catalog", lang+".json"))
		if err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", lang, err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}()

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
