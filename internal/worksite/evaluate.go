package worksite

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"puente/internal/problem"
)

// Site is the kind of workplace visited.
type Site string

// The kinds of site the checklist is written for.
const (
	Agriculture  Site = "agriculture"  // fields, orchards, greenhouses
	Packing      Site = "packing"      // packing and processing plants
	Construction Site = "construction" // building sites
	OtherSite    Site = "other"
)

// Sites lists the kinds of site, in the order a form offers them.
var Sites = []Site{Agriculture, Packing, Construction, OtherSite}

// Value is what the inspector records for one sign.
type Value string

// The three values. NotChecked is not NotSeen: a sign nobody looked for
// says nothing either way.
const (
	Seen       Value = "seen"
	NotSeen    Value = "not_seen"
	NotChecked Value = "not_checked"
)

// Values lists the values, in the order a form offers them.
var Values = []Value{Seen, NotSeen, NotChecked}

// MaxWorkers is the largest number of workers seen that Validate accepts.
const MaxWorkers = 10000

// Observation is one visit: the kind of site, what was recorded for each
// sign (an absent id was not checked), the number of workers seen if
// counted, and whether people who appear to be under 18 were seen. It
// holds no names: the checklist is about the place, not the people.
type Observation struct {
	Site       Site
	Signs      map[string]Value
	Workers    *int
	MinorsSeen bool
}

// Level is the recommendation, from least to most pressing.
type Level string

// The four levels. The rule that picks one is Evaluate's.
const (
	NoSigns            Level = "no_signs"
	SomeSigns          Level = "some_signs"
	InterviewPrivately Level = "interview_privately"
	UrgentReferral     Level = "urgent_referral"
)

// Levels lists the levels, least pressing first.
var Levels = []Level{NoSigns, SomeSigns, InterviewPrivately, UrgentReferral}

// Assessment is what Evaluate makes of an Observation.
type Assessment struct {
	Level Level
	// Because lists the ids of the seen signs that decided the level: the
	// urgent ones, else the strong ones, else the medium ones, else all.
	Because []string
	// Seen lists the signs seen, in checklist order.
	Seen []Sign
	// Minors is true when minors were seen, or a sign about children was.
	Minors bool
	// NotChecked lists the ids of the signs not checked, in checklist order.
	NotChecked []string
	// Steps are the recommended next steps, most pressing first.
	Steps []Step
	// AskFirst lists the screening indicator ids the seen signs point to,
	// in protocol order: the questions to ask each worker first, in private.
	AskFirst []string
}

// The steps each level recommends, in order. child_protection and
// check_remaining are added when they apply (see steps).
var levelSteps = map[Level][]string{
	UrgentReferral:     {"emergency", "report_today", "interview_privately", "interpreter", "never_in_front", "no_raid", "refer"},
	InterviewPrivately: {"interview_privately", "interpreter", "never_in_front", "no_raid", "report", "refer"},
	SomeSigns:          {"follow_up", "never_in_front", "no_raid", "refer", "leave_information"},
	NoSigns:            {"leave_information"},
}

// allSteps is every step the rules may name; parse checks the file has each.
var allSteps = append(slices.Concat(levelSteps[UrgentReferral], levelSteps[InterviewPrivately], levelSteps[SomeSigns]),
	"child_protection", "check_remaining")

// Evaluate turns an observation into a recommendation:
//
//   - urgent_referral when any urgent sign is seen (immediate danger, locked
//     housing or guards, a child in hazardous work, people moved locked in);
//   - interview_privately when at least one strong sign, or two medium
//     signs, are seen;
//   - some_signs when anything else is seen, minors included: children at a
//     worksite call for child protection on their own;
//   - no_signs when nothing is.
//
// Evaluate reads only what Validate accepts: an unknown id or a value other
// than the three counts as not checked, so call Validate first.
func (c *Checklist) Evaluate(obs Observation) Assessment {
	a := Assessment{Minors: obs.MinorsSeen}
	for _, s := range c.signs {
		switch obs.Signs[s.ID] {
		case Seen:
			a.Seen = append(a.Seen, s.clone())
			a.Minors = a.Minors || s.Group == GroupMinors
		case NotSeen:
		default:
			a.NotChecked = append(a.NotChecked, s.ID)
		}
	}
	a.Level, a.Because = level(a.Seen, a.Minors)
	a.Steps = c.steps(a)
	a.AskFirst = c.askFirst(a)
	return a
}

// level is the rule Evaluate documents, and the signs that decided it.
func level(seen []Sign, minors bool) (Level, []string) {
	var urgent, strong, medium, all []string
	for _, s := range seen {
		all = append(all, s.ID)
		if s.Urgent {
			urgent = append(urgent, s.ID)
		}
		switch s.Weight {
		case Strong:
			strong = append(strong, s.ID)
		case Medium:
			medium = append(medium, s.ID)
		}
	}
	switch {
	case len(urgent) > 0:
		return UrgentReferral, urgent
	case len(strong) > 0:
		return InterviewPrivately, strong
	case len(medium) >= 2:
		return InterviewPrivately, medium
	case len(all) > 0 || minors:
		return SomeSigns, all
	}
	return NoSigns, nil
}

// steps lists the level's steps, with child protection as soon as the
// emergency and the report are dealt with, and a reminder of what was not
// checked last.
func (c *Checklist) steps(a Assessment) []Step {
	ids := slices.Clone(levelSteps[a.Level])
	if a.Minors {
		at := 0
		if a.Level == UrgentReferral {
			at = 2 // after emergency and report_today
		}
		ids = slices.Insert(ids, at, "child_protection")
	}
	if len(a.NotChecked) > 0 {
		ids = append(ids, "check_remaining")
	}
	out := make([]Step, len(ids))
	for i, id := range ids {
		out[i] = c.stepsByID[id]
	}
	return out
}

// askFirst is the union of the seen signs' screening indicators, with the
// age question when minors were seen, in protocol order.
func (c *Checklist) askFirst(a Assessment) []string {
	set := map[string]bool{}
	for _, s := range a.Seen {
		for _, id := range s.Indicators {
			set[id] = true
		}
	}
	if a.Minors {
		set["CTX01"] = true
	}
	return slices.SortedFunc(maps.Keys(set), func(x, y string) int { return cmp.Compare(c.order[x], c.order[y]) })
}

// Problem is one thing wrong with an Observation: the field ("site",
// "workers", or "signs." and the sign id), the value given, and a reason
// code that doubles as the suffix of a translation key
// ("worksite.unknown_sign", …).
type Problem struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// The reasons a Problem may give.
const (
	ReasonUnknownSign    = "unknown_sign"
	ReasonInvalidValue   = "invalid_value"
	ReasonInvalidSite    = "invalid_site"
	ReasonInvalidWorkers = "invalid_workers"
)

// Reasons lists every reason, for tests that check each has a message.
var Reasons = []string{ReasonUnknownSign, ReasonInvalidValue, ReasonInvalidSite, ReasonInvalidWorkers}

// ValidationError lists every problem found in an Observation, sorted by
// field.
type ValidationError struct {
	Problems []Problem `json:"problems"`
}

// Error lists every problem, for logs and tests; users see translated
// messages through Unwrap.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, pr := range e.Problems {
		parts[i] = fmt.Sprintf("%s=%q (%s)", pr.Field, pr.Value, pr.Reason)
	}
	return "worksite: invalid observation: " + strings.Join(parts, ", ")
}

// Unwrap exposes the error in Puente's one error vocabulary, so the edge can
// map it to a status and translated messages like any other invalid input.
func (e *ValidationError) Unwrap() error {
	var f problem.Fields
	for _, pr := range e.Problems {
		f.Add(pr.Field, "worksite."+pr.Reason)
	}
	return &problem.Error{Kind: problem.Invalid, Key: "worksite.invalid", Fields: f}
}

// maxValueShown bounds a refused value as Error repeats it: input is not
// trusted to be short.
const maxValueShown = 40

// Validate reports a missing or unknown site, a number of workers outside
// 0..MaxWorkers, every unknown sign id and every value that is not one of
// the three, each naming its field. It returns nil or a *ValidationError.
func (c *Checklist) Validate(obs Observation) error {
	var probs []Problem
	add := func(field, value, reason string) {
		if len(value) > maxValueShown {
			value = strings.ToValidUTF8(value[:maxValueShown], "") + "…"
		}
		probs = append(probs, Problem{Field: field, Value: value, Reason: reason})
	}
	if !slices.Contains(Sites, obs.Site) {
		add("site", string(obs.Site), ReasonInvalidSite)
	}
	if w := obs.Workers; w != nil && (*w < 0 || *w > MaxWorkers) {
		add("workers", fmt.Sprint(*w), ReasonInvalidWorkers)
	}
	for id, v := range obs.Signs {
		switch _, known := c.index[id]; {
		case !known:
			add("signs."+id, string(v), ReasonUnknownSign)
		case !slices.Contains(Values, v):
			add("signs."+id, string(v), ReasonInvalidValue)
		}
	}
	if len(probs) == 0 {
		return nil
	}
	slices.SortFunc(probs, func(x, y Problem) int { return cmp.Compare(x.Field, y.Field) })
	return &ValidationError{Problems: probs}
}
