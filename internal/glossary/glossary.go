// Package glossary holds Puente's bilingual glossary of trafficking,
// smuggling and related legal terms, and a guard that finds smuggling words
// used where trafficking is meant.
//
// In border Spanish "tráfico de personas", "traficante", "coyote" and
// "pollero" mean smuggling: a paid crossing, a crime against the State.
// Trafficking is "trata de personas": exploitation, a crime against the
// person. Case notes that mix them up send people to the wrong referral and
// the wrong legal path, so the glossary explains each term in both languages
// and Scan points at the words to check.
//
// The package is pure: its only input besides its arguments is the
// embedded terms.json. Term names and meanings live there, next to the
// statutes they rest on, so that a legal reviewer reads one file; the
// interface strings of a glossary page and the guard's messages live in the
// i18n catalogs (glossary.*.json).
package glossary

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Crime is the body of law a term belongs to.
type Crime string

// The crimes a term can belong to. Each has the catalog key
// "glossary.crime.<value>".
const (
	Trafficking       Crime = "trafficking"
	Smuggling         Crime = "smuggling"
	LaborExploitation Crime = "labor_exploitation"
	Other             Crime = "other"
)

// Crimes lists the crimes in the order a glossary page shows them.
var Crimes = []Crime{Trafficking, Smuggling, LaborExploitation, Other}

// How far a citation has been checked, in the vocabulary of
// shared/screening/SOURCES.md. Each has the catalog key
// "glossary.status.<value>".
const (
	Verified   = "verified"   // read in the source or a faithful reproduction
	Secondary  = "secondary"  // read only in a third-party summary
	Unverified = "unverified" // from memory; check before relying on it
)

// Citation is one statute or treaty provision a term rests on.
type Citation struct {
	Cite   string `json:"cite"`
	Status string `json:"status"`
}

// Term is one glossary entry, in English and Spanish.
type Term struct {
	ID        string     `json:"id"`
	EN        string     `json:"en"`
	ES        string     `json:"es"`
	AlsoEN    []string   `json:"also_en,omitempty"`
	AlsoES    []string   `json:"also_es,omitempty"`
	MeaningEN string     `json:"meaning_en"`
	MeaningES string     `json:"meaning_es"`
	Crime     Crime      `json:"crime"`
	Statutes  []Citation `json:"statutes"`
	// NotConfuse holds the IDs of the terms this one is mistaken for.
	NotConfuse []string `json:"not_confuse_with"`
}

// Name returns the term in lang ("es" or anything else for English).
func (t Term) Name(lang string) string {
	if lang == "es" {
		return t.ES
	}
	return t.EN
}

// Meaning returns the plain-words meaning in lang ("es" or English).
func (t Term) Meaning(lang string) string {
	if lang == "es" {
		return t.MeaningES
	}
	return t.MeaningEN
}

//go:embed terms.json
var termsJSON []byte

var terms = func() []Term {
	ts, err := parse(termsJSON)
	if err != nil {
		panic("glossary: " + err.Error())
	}
	return ts
}()

// parse decodes and checks the glossary; a mistake in the data stops the
// program at start rather than showing a half-empty entry to a caseworker.
func parse(b []byte) ([]Term, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ts []Term
	if err := dec.Decode(&ts); err != nil {
		return nil, fmt.Errorf("decode terms: %w", err)
	}
	slices.SortFunc(ts, func(a, b Term) int { return strings.Compare(a.ID, b.ID) })
	for i, t := range ts {
		if i > 0 && ts[i-1].ID == t.ID {
			return nil, fmt.Errorf("term %q is defined twice", t.ID)
		}
		if t.ID == "" || t.EN == "" || t.ES == "" || t.MeaningEN == "" || t.MeaningES == "" {
			return nil, fmt.Errorf("term %q lacks a name or meaning in one language", t.ID)
		}
		if !slices.Contains(Crimes, t.Crime) {
			return nil, fmt.Errorf("term %q: unknown crime %q", t.ID, t.Crime)
		}
		if len(t.Statutes) == 0 {
			return nil, fmt.Errorf("term %q has no statute", t.ID)
		}
		for _, c := range t.Statutes {
			if c.Cite == "" || (c.Status != Verified && c.Status != Secondary && c.Status != Unverified) {
				return nil, fmt.Errorf("term %q: bad citation %+v", t.ID, c)
			}
		}
	}
	for _, t := range ts {
		for _, id := range t.NotConfuse {
			if _, ok := find(ts, id); !ok || id == t.ID {
				return nil, fmt.Errorf("term %q: not_confuse_with names %q, which is not another term", t.ID, id)
			}
		}
	}
	return ts, nil
}

func find(ts []Term, id string) (Term, bool) {
	i, ok := slices.BinarySearchFunc(ts, id, func(t Term, id string) int { return strings.Compare(t.ID, id) })
	if !ok {
		return Term{}, false
	}
	return ts[i], true
}

// Terms returns every glossary term, sorted by ID. The caller may modify
// the result.
func Terms() []Term {
	out := make([]Term, len(terms))
	for i, t := range terms {
		out[i] = t.clone()
	}
	return out
}

// Lookup returns the term with the given ID.
func Lookup(id string) (Term, bool) {
	t, ok := find(terms, id)
	return t.clone(), ok
}

// clone copies the slices so that callers cannot change the glossary.
func (t Term) clone() Term {
	t.AlsoEN = slices.Clone(t.AlsoEN)
	t.AlsoES = slices.Clone(t.AlsoES)
	t.Statutes = slices.Clone(t.Statutes)
	t.NotConfuse = slices.Clone(t.NotConfuse)
	return t
}
