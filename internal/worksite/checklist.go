// Package worksite holds the worksite inspection checklist: the observational
// companion of the screening protocol, for labor inspectors and outreach
// workers at farms, packing plants and construction sites.
//
// The checklist is data: signs an inspector sees, or is told by the
// employer, each with a stable id (WS01 …), wording in English and Spanish, a
// group, an ILO-style weight and the screening indicators it points to,
// embedded from checklist.yaml and parsed once by Load. Evaluate turns one
// visit's observations into a recommendation (see Level), the next steps and
// the screening questions to ask first, in private.
//
// The package is pure: it reads only its own embedded file and the
// screening protocol, and stores nothing.
package worksite

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"

	"puente/internal/screening"
)

//go:embed checklist.yaml
var checklistYAML []byte

// Weight is how strongly a sign points to forced labor or trafficking, in
// the spirit of the ILO/EC 2009 operational indicators.
type Weight string

// The weights a sign may have.
const (
	Strong Weight = "strong"
	Medium Weight = "medium"
	Weak   Weight = "weak"
)

// Weights lists the weights, strongest first.
var Weights = []Weight{Strong, Medium, Weak}

// GroupMinors is the group of signs about children: one of them seen means
// minors were seen.
const GroupMinors = "minors"

// Sign is one thing an inspector can observe.
type Sign struct {
	ID     string
	Group  string
	Weight Weight
	// Urgent marks a sign of immediate danger: confinement, guards,
	// violence, a child in hazardous work, people moved locked in.
	Urgent bool
	// Indicators are the screening indicator ids the sign points to, the
	// questions to ask each worker first, in private.
	Indicators []string
	SeenEN     string // what the inspector sees or is told
	SeenES     string
	WhyEN      string // what it means, for the report
	WhyES      string
}

// Seen returns what the inspector looks for, in lang ("es" for Spanish,
// English otherwise).
func (s Sign) Seen(lang string) string { return pick(lang, s.SeenEN, s.SeenES) }

// Why returns what the sign means, in lang.
func (s Sign) Why(lang string) string { return pick(lang, s.WhyEN, s.WhyES) }

// Group is a heading of the checklist.
type Group struct {
	ID      string
	TitleEN string
	TitleES string
}

// Title returns the group's heading in lang.
func (g Group) Title(lang string) string { return pick(lang, g.TitleEN, g.TitleES) }

// Step is one recommended next step.
type Step struct {
	ID string
	EN string
	ES string
}

// Text returns the step in lang.
func (s Step) Text(lang string) string { return pick(lang, s.EN, s.ES) }

func pick(lang, en, es string) string {
	if lang == "es" {
		return es
	}
	return en
}

// Checklist is the parsed, immutable checklist. Use Load.
type Checklist struct {
	version   string
	groups    []Group
	signs     []Sign
	stepsByID map[string]Step
	index     map[string]int // sign id -> position in signs
	order     map[string]int // screening indicator id -> position in the protocol
}

// Version is the checklist's version.
func (c *Checklist) Version() string { return c.version }

// Groups returns the groups in the order the checklist shows them.
func (c *Checklist) Groups() []Group { return slices.Clone(c.groups) }

// Signs returns every sign in checklist order: by group, then by id.
func (c *Checklist) Signs() []Sign {
	out := make([]Sign, len(c.signs))
	for i, s := range c.signs {
		out[i] = s.clone()
	}
	return out
}

// Sign returns the sign with the given id.
func (c *Checklist) Sign(id string) (Sign, bool) {
	i, ok := c.index[id]
	if !ok {
		return Sign{}, false
	}
	return c.signs[i].clone(), true
}

// clone copies the sign, so a caller cannot change the checklist.
func (s Sign) clone() Sign {
	s.Indicators = slices.Clone(s.Indicators)
	return s
}

// Step returns the step with the given id.
func (c *Checklist) Step(id string) (Step, bool) {
	s, ok := c.stepsByID[id]
	return s, ok
}

var load = sync.OnceValue(func() *Checklist {
	c, err := parse(checklistYAML, screening.Load())
	if err != nil {
		panic("worksite: embedded checklist.yaml is broken: " + err.Error())
	}
	return c
})

// Load returns the embedded checklist, parsed once. It panics only if the
// embedded file is broken, which a test rules out.
func Load() *Checklist { return load() }

type fileSign struct {
	ID         string   `yaml:"id"`
	Group      string   `yaml:"group"`
	Weight     Weight   `yaml:"weight"`
	Urgent     bool     `yaml:"urgent"`
	Indicators []string `yaml:"indicators"`
	SeenEN     string   `yaml:"seen_en"`
	SeenES     string   `yaml:"seen_es"`
	WhyEN      string   `yaml:"why_en"`
	WhyES      string   `yaml:"why_es"`
}

type fileGroup struct {
	ID      string `yaml:"id"`
	TitleEN string `yaml:"title_en"`
	TitleES string `yaml:"title_es"`
}

type fileStep struct {
	ID string `yaml:"id"`
	EN string `yaml:"en"`
	ES string `yaml:"es"`
}

type file struct {
	Version string      `yaml:"version"`
	Groups  []fileGroup `yaml:"groups"`
	Signs   []fileSign  `yaml:"signs"`
	Steps   []fileStep  `yaml:"steps"`
}

var signID = regexp.MustCompile(`^WS[0-9]{2}$`)

// parse reads a checklist file and checks everything Evaluate relies on
// against the screening protocol p, reporting every problem rather than
// the first.
func parse(data []byte, p *screening.Protocol) (*Checklist, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt field must not silently drop a sign's wording
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse checklist: %w", err)
	}
	c := &Checklist{version: f.Version, stepsByID: map[string]Step{}, index: map[string]int{}, order: map[string]int{}}
	for i, ind := range p.Indicators() {
		c.order[ind.ID] = i
	}
	var errs []error
	if f.Version == "" {
		errs = append(errs, errors.New("no version"))
	}
	errs = append(errs, c.readGroupsAndSigns(f, p)...)
	errs = append(errs, c.readSteps(f)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// readGroupsAndSigns keeps the signs in checklist order: group order, then
// id, whatever the file's order.
func (c *Checklist) readGroupsAndSigns(f file, p *screening.Protocol) []error {
	var errs []error
	signsIn := map[string]int{} // group id -> number of signs
	pos := map[string]int{}     // group id -> position
	for _, g := range f.Groups {
		if _, dup := pos[g.ID]; dup || g.ID == "" || g.TitleEN == "" || g.TitleES == "" {
			errs = append(errs, fmt.Errorf("group %q: missing or duplicate id, or a title missing", g.ID))
		}
		pos[g.ID] = len(c.groups)
		c.groups = append(c.groups, Group(g))
	}
	for _, fs := range f.Signs {
		errs = append(errs, checkSign(fs, pos, p)...)
		if slices.ContainsFunc(c.signs, func(s Sign) bool { return s.ID == fs.ID }) {
			errs = append(errs, fmt.Errorf("sign %s: duplicate id", fs.ID))
			continue
		}
		signsIn[fs.Group]++
		c.signs = append(c.signs, Sign(fs))
	}
	for _, g := range c.groups {
		if signsIn[g.ID] == 0 {
			errs = append(errs, fmt.Errorf("group %s: no signs", g.ID))
		}
	}
	slices.SortFunc(c.signs, func(a, b Sign) int {
		return cmp.Or(cmp.Compare(pos[a.Group], pos[b.Group]), cmp.Compare(a.ID, b.ID))
	})
	for i, s := range c.signs {
		c.index[s.ID] = i
	}
	return errs
}

// readSteps checks that every step the rules name is in the file.
func (c *Checklist) readSteps(f file) []error {
	var errs []error
	for _, s := range f.Steps {
		if _, dup := c.stepsByID[s.ID]; dup || s.EN == "" || s.ES == "" {
			errs = append(errs, fmt.Errorf("step %q: duplicate, or a language missing", s.ID))
		}
		c.stepsByID[s.ID] = Step(s)
	}
	for _, id := range allSteps {
		if _, ok := c.stepsByID[id]; !ok {
			errs = append(errs, fmt.Errorf("step %s: used by the rules but not in the file", id))
		}
	}
	return errs
}

func checkSign(fs fileSign, groups map[string]int, p *screening.Protocol) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("sign %s: "+format, append([]any{fs.ID}, args...)...))
	}
	if !signID.MatchString(fs.ID) {
		bad("id must be WS and two digits")
	}
	if _, ok := groups[fs.Group]; !ok {
		bad("unknown group %q", fs.Group)
	}
	if !slices.Contains(Weights, fs.Weight) {
		bad("weight %q", fs.Weight)
	}
	if fs.Urgent && fs.Weight != Strong {
		bad("an urgent sign must be strong")
	}
	if fs.SeenEN == "" || fs.SeenES == "" || fs.WhyEN == "" || fs.WhyES == "" {
		bad("wording is missing in English or Spanish")
	}
	if len(fs.Indicators) == 0 {
		bad("points to no screening indicator")
	}
	for _, id := range fs.Indicators {
		if _, ok := p.Indicator(id); !ok {
			bad("screening indicator %s is not in the protocol", id)
		}
	}
	return errs
}
