package screening

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed protocol.yaml
var protocolYAML []byte

// Strength is an ILO/EC 2009 rating of how strongly an indicator points to
// trafficking: strong, medium or weak; "n/a" for structural questions that
// are not ILO items.
type Strength string

// The strengths an indicator may have.
const (
	Strong        Strength = "strong"
	Medium        Strength = "medium"
	Weak          Strength = "weak"
	NotApplicable Strength = "n/a"
)

// Indicator is one screening question with its stable id. A "yes" always
// means the fact the indicator names; for counter-indicators (Counter) that
// fact points away from trafficking.
type Indicator struct {
	ID            string   `json:"id"`
	Module        string   `json:"module"`
	Dimension     string   `json:"dimension"`
	Strength      Strength `json:"strength"`
	StrengthChild Strength `json:"strength_child"`
	ShortForm     bool     `json:"short_form"`
	Counter       bool     `json:"counter"`
	QuestionEN    string   `json:"question_en"`
	QuestionES    string   `json:"question_es"`
	Source        string   `json:"source"`
}

// Question returns the question in lang ("es" for Spanish, English
// otherwise).
func (ind Indicator) Question(lang string) string {
	if lang == "es" {
		return ind.QuestionES
	}
	return ind.QuestionEN
}

// Module is a group of questions shown together. Its gates are asked of
// everyone once the age question is answered; its other questions are shown
// only after a "yes" to one of OpensOn.
type Module struct {
	ID         string   `json:"id"`
	TitleEN    string   `json:"title_en"`
	TitleES    string   `json:"title_es"`
	Gates      []string `json:"gates"`
	OpensOn    []string `json:"opens_on"`
	Indicators []string `json:"indicators"` // every indicator of the module, in protocol order
}

// Protocol is the parsed, immutable screening protocol. Use Load.
type Protocol struct {
	version    string
	rules      []string
	indicators []Indicator
	modules    []Module
	index      map[string]int // id -> position in indicators (and bit in an idset)
	groups     [numGroups]idset
	dims       [numDims]dimMasks
}

// Version is the protocol's version, recorded in every Result.
func (p *Protocol) Version() string { return p.version }

// InterviewerRules returns the rules every interviewer follows, in English.
func (p *Protocol) InterviewerRules() []string { return slices.Clone(p.rules) }

// Indicators returns every indicator in protocol order.
func (p *Protocol) Indicators() []Indicator { return slices.Clone(p.indicators) }

// Indicator returns the indicator with the given id.
func (p *Protocol) Indicator(id string) (Indicator, bool) {
	i, ok := p.index[id]
	if !ok {
		return Indicator{}, false
	}
	return p.indicators[i], true
}

// Modules returns the interview modules in the order they are shown.
func (p *Protocol) Modules() []Module {
	out := slices.Clone(p.modules)
	for i := range out {
		out[i].Gates = slices.Clone(out[i].Gates)
		out[i].OpensOn = slices.Clone(out[i].OpensOn)
		out[i].Indicators = slices.Clone(out[i].Indicators)
	}
	return out
}

// ShortForm returns the questions of the short form for first contact, the
// age question first.
func (p *Protocol) ShortForm() []Indicator {
	var out []Indicator
	for _, ind := range p.indicators {
		if ind.ShortForm {
			out = append(out, ind)
		}
	}
	return out
}

var load = sync.OnceValue(func() *Protocol {
	p, err := parse(protocolYAML)
	if err != nil {
		panic("screening: embedded protocol.yaml is broken: " + err.Error())
	}
	return p
})

// Load returns the embedded protocol, parsed once. It panics only if the
// embedded file is broken, which a test rules out.
func Load() *Protocol { return load() }

type fileIndicator struct {
	ID            string   `yaml:"id"`
	Module        string   `yaml:"module"`
	Dimension     string   `yaml:"dimension"`
	Strength      Strength `yaml:"strength"`
	StrengthChild Strength `yaml:"strength_child"`
	ShortForm     bool     `yaml:"short_form"`
	Counter       bool     `yaml:"counter"`
	QuestionEN    string   `yaml:"question_en"`
	QuestionES    string   `yaml:"question_es"`
	Source        string   `yaml:"source"`
}

type fileModule struct {
	ID      string   `yaml:"id"`
	TitleEN string   `yaml:"title_en"`
	TitleES string   `yaml:"title_es"`
	Gates   []string `yaml:"gates"`
	OpensOn []string `yaml:"opens_on"`
}

type file struct {
	Version          string          `yaml:"version"`
	AnswerValues     []Answer        `yaml:"answer_values"`
	InterviewerRules []string        `yaml:"interviewer_rules"`
	Modules          []fileModule    `yaml:"modules"`
	Indicators       []fileIndicator `yaml:"indicators"`
}

var dimensions = map[string]bool{
	"context": true, "smuggling": true, "act": true, "purpose": true, "counter": true,
	"deceptive_recruitment": true, "coercive_recruitment": true, "vulnerability_recruitment": true,
	"exploitative_conditions": true, "coercion_destination": true, "vulnerability_destination": true,
}

// parse reads a protocol file and checks everything the engine relies on,
// reporting every problem rather than the first.
func parse(data []byte) (*Protocol, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt field must not silently drop a question
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse protocol: %w", err)
	}
	p := &Protocol{version: f.Version, rules: f.InterviewerRules, index: make(map[string]int, len(f.Indicators))}
	var errs []error
	if f.Version == "" {
		errs = append(errs, errors.New("no version"))
	}
	if !slices.Equal(f.AnswerValues, answerValues) {
		errs = append(errs, fmt.Errorf("answer values %v, want %v", f.AnswerValues, answerValues))
	}
	if len(f.Indicators) > 64 {
		errs = append(errs, fmt.Errorf("%d indicators; the engine holds at most 64", len(f.Indicators)))
	}
	modules := map[string]int{}
	for _, m := range f.Modules {
		if _, dup := modules[m.ID]; dup || m.ID == "" {
			errs = append(errs, fmt.Errorf("module %q: missing or duplicate id", m.ID))
		}
		modules[m.ID] = len(p.modules)
		p.modules = append(p.modules, Module{ID: m.ID, TitleEN: m.TitleEN, TitleES: m.TitleES, Gates: m.Gates, OpensOn: m.OpensOn})
	}
	for _, fi := range f.Indicators {
		errs = append(errs, checkIndicator(fi, modules)...)
		if _, dup := p.index[fi.ID]; dup {
			errs = append(errs, fmt.Errorf("indicator %s: duplicate id", fi.ID))
			continue
		}
		if fi.StrengthChild == "" {
			fi.StrengthChild = fi.Strength
		}
		p.index[fi.ID] = len(p.indicators)
		p.indicators = append(p.indicators, Indicator(fi))
		if m, ok := modules[fi.Module]; ok {
			p.modules[m].Indicators = append(p.modules[m].Indicators, fi.ID)
		}
	}
	for _, m := range p.modules {
		for _, id := range slices.Concat(m.Gates, m.OpensOn) {
			if _, ok := p.index[id]; !ok {
				errs = append(errs, fmt.Errorf("module %s: unknown indicator %s", m.ID, id))
			}
		}
		for _, id := range m.Gates {
			if !slices.Contains(m.Indicators, id) {
				errs = append(errs, fmt.Errorf("module %s: gate %s belongs to another module", m.ID, id))
			}
		}
	}
	if len(p.modules) == 0 || !slices.Equal(p.modules[0].Gates, []string{"CTX01"}) {
		errs = append(errs, errors.New("the first module must be age, with CTX01 as its only gate"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := p.compile(); err != nil {
		return nil, err
	}
	return p, nil
}

func checkIndicator(fi fileIndicator, modules map[string]int) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("indicator %s: "+format, append([]any{fi.ID}, args...)...))
	}
	if fi.ID == "" {
		bad("no id")
	}
	if _, ok := modules[fi.Module]; !ok {
		bad("unknown module %q", fi.Module)
	}
	if !dimensions[fi.Dimension] {
		bad("unknown dimension %q", fi.Dimension)
	}
	if fi.QuestionEN == "" || fi.QuestionES == "" {
		bad("a question is missing in English or Spanish")
	}
	ilo := iloDimension(fi.Dimension) >= 0
	for i, s := range []Strength{fi.Strength, fi.StrengthChild} {
		switch {
		case s == "" && i == 1: // strength_child defaults to strength
		case s == "" && !ilo:
		case s == Strong || s == Medium || s == Weak:
			if !ilo {
				bad("strength %q on a non-ILO question", s)
			}
		case s == NotApplicable && !ilo:
		default:
			bad("strength %q", s)
		}
	}
	return errs
}
