// Package practice is the training mode of the screening: a trainee reads a
// case vignette, records the answers as an interviewer would, gives their
// own reading of the law, and is shown where they and the engine differ and
// why. Nothing here is a screening of a real person, and the package keeps
// nothing: it is pure, with no HTTP and no SQL, like the engine it grades
// against.
//
// The vignettes are the project's shared reference cases, embedded from
// vignettes.json (a copy of shared/screening/vignettes.json with the
// narratives and reasoning translated into Spanish, whose engine results a
// test checks against their expected determinations), and any an
// organization adds, passed in as values.
package practice

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"puente/internal/problem"
	"puente/internal/screening"
	"puente/internal/text"
)

//go:embed vignettes.json
var vignettesJSON []byte

// Vignette is a case for practice: a story in English and, when written,
// in Spanish, the person's age, the answers an interviewer should record,
// and the determination its author expects under each law with their
// reasoning, which the shared vignettes give in English and Spanish.
type Vignette struct {
	ID          string                                     `json:"id"`
	Title       string                                     `json:"title,omitempty"` // optional; the first sentence serves otherwise
	NarrativeEN string                                     `json:"narrative_en"`
	NarrativeES string                                     `json:"narrative_es,omitempty"`
	Age         *int                                       `json:"age"`
	Answers     screening.Answers                          `json:"answers"`
	Expected    map[screening.Jurisdiction]screening.Label `json:"expected"`
	Reasoning   string                                     `json:"reasoning"`              // English in the shared vignettes
	ReasoningES string                                     `json:"reasoning_es,omitempty"` // its Spanish translation, when written
}

// Jurisdictions are the laws a trainee gives a reading under, in the order
// feedback shows them: the two the vignettes are written for.
var Jurisdictions = []screening.Jurisdiction{screening.US, screening.MX}

var shared = sync.OnceValue(func() []Vignette {
	var vs []Vignette
	dec := json.NewDecoder(bytes.NewReader(vignettesJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&vs); err != nil {
		panic("practice: embedded vignettes.json is broken: " + err.Error())
	}
	return vs
})

// Vignettes returns the shared vignettes, in file order. The caller may
// change what it gets without touching the embedded set.
func Vignettes() []Vignette {
	vs := slices.Clone(shared())
	for i := range vs {
		vs[i] = vs[i].clone()
	}
	return vs
}

// Lookup returns the shared vignette with the given id.
func Lookup(id string) (Vignette, bool) {
	for _, v := range shared() {
		if v.ID == id {
			return v.clone(), true
		}
	}
	return Vignette{}, false
}

func (v Vignette) clone() Vignette {
	v.Answers = maps.Clone(v.Answers)
	v.Expected = maps.Clone(v.Expected)
	if v.Age != nil {
		a := *v.Age
		v.Age = &a
	}
	return v
}

// Narrative returns the story in lang ("es" or "en") and the language it is
// actually in: a vignette written only in English is shown in English.
func (v Vignette) Narrative(lang string) (text, in string) {
	if lang == "es" && strings.TrimSpace(v.NarrativeES) != "" {
		return v.NarrativeES, "es"
	}
	if strings.TrimSpace(v.NarrativeEN) == "" {
		return v.NarrativeES, "es"
	}
	return v.NarrativeEN, "en"
}

// ReasoningIn returns the author's reasoning in lang ("es" or "en") and
// the language it is actually in: the Spanish translation on a Spanish page
// when there is one, else Reasoning. Reasoning is English in the shared
// vignettes; an organization writes its own in whichever language it
// chooses, so for those in is empty when the text is Reasoning.
func (v Vignette) ReasoningIn(lang string) (text, in string) {
	if strings.TrimSpace(v.ReasoningES) != "" && (lang == "es" || strings.TrimSpace(v.Reasoning) == "") {
		return v.ReasoningES, "es"
	}
	if _, own := ParseOrgVignetteID(v.ID); own {
		return v.Reasoning, ""
	}
	return v.Reasoning, "en"
}

// titleRunes bounds a title drawn from the narrative, so a long first
// sentence still fits a list.
const titleRunes = 90

// Heading is the vignette's short title in lang: its Title when it has one,
// else the first sentence of its narrative, cut at a word when long.
func (v Vignette) Heading(lang string) string {
	if t := strings.TrimSpace(v.Title); t != "" {
		return t
	}
	text, _ := v.Narrative(lang)
	return shorten(firstSentence(strings.TrimSpace(text)), titleRunes)
}

// firstSentence ends at the first '.', '?' or '!' followed by a space, so
// that "8,000" or "22-year-old" does not cut it.
func firstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if strings.IndexByte(".?!", s[i]) >= 0 && s[i+1] == ' ' {
			return s[:i+1]
		}
	}
	return s
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// The longest title and texts Normalize accepts, in characters.
const (
	MaxTitle = 120
	MaxText  = 4000
)

// Normalize cleans a vignette an organization wrote, in place, before it is
// kept or graded, and reports every field that breaks a rule: the title and
// texts follow Puente's free-text rules (package text) within MaxTitle and
// MaxText; the narrative is written in at least one language; the age is
// one the engine accepts; there is at least one answer and every answer is
// valid; and one of the nine determinations is expected under each of
// Jurisdictions. Each field comes with a translation key; an answer's
// field is its indicator id.
func (v *Vignette) Normalize(p *screening.Protocol) error {
	var f problem.Fields
	clean := func(field string, s *string, max int, multiline bool) {
		cleanFn := text.Clean
		if multiline {
			cleanFn = text.CleanMultiline
		}
		c, key := cleanFn(*s, max)
		if key != "" {
			f.Add(field, key)
			return
		}
		*s = c
	}
	clean("title", &v.Title, MaxTitle, false)
	clean("narrative_en", &v.NarrativeEN, MaxText, true)
	clean("narrative_es", &v.NarrativeES, MaxText, true)
	clean("reasoning", &v.Reasoning, MaxText, true)
	clean("reasoning_es", &v.ReasoningES, MaxText, true)
	if v.NarrativeEN == "" && v.NarrativeES == "" {
		f.Add("narrative", "practice.narrative_required")
	}
	if len(v.Answers) == 0 {
		f.Add("answers", "practice.answers_required")
	}
	var ve *screening.ValidationError
	if errors.As(p.Validate(screening.Input{ID: v.ID, Age: v.Age, Answers: v.Answers}), &ve) {
		for _, pr := range ve.Problems {
			f.Add(pr.ID, "screening."+pr.Reason)
		}
	}
	for _, j := range Jurisdictions {
		if !slices.Contains(screening.Labels, v.Expected[j]) {
			f.Add("expected_"+string(j), "practice.expected_required")
		}
	}
	return f.Err()
}

// OrgVignette is a vignette an organization added for its own trainees.
// Its Vignette.ID is OrgVignetteID(ID), so it never collides with a shared
// one.
type OrgVignette struct {
	ID        int64
	OrgID     int64
	CreatedBy int64
	CreatedAt time.Time
	Vignette  Vignette
}

const orgPrefix = "org-"

// OrgVignetteID is the vignette id of an organization's vignette stored
// under id.
func OrgVignetteID(id int64) string { return orgPrefix + strconv.FormatInt(id, 10) }

// ParseOrgVignetteID reports the stored id of an organization's vignette
// id, and whether vid names one.
func ParseOrgVignetteID(vid string) (int64, bool) {
	s, ok := strings.CutPrefix(vid, orgPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}
