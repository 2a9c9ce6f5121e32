package screening

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"puente/internal/problem"
)

// Answer is one answer to an indicator: yes, no, unknown or declined.
type Answer string

// The four answers. Declined is always allowed and never pressed; neither
// Unknown nor Declined counts as yes or as no.
const (
	Yes      Answer = "yes"
	No       Answer = "no"
	Unknown  Answer = "unknown"
	Declined Answer = "declined"
)

var answerValues = []Answer{Yes, No, Unknown, Declined}

// Answers maps indicator ids to answers. An id that is absent was not asked.
type Answers map[string]Answer

// Input is one person's screening: an id chosen by the caller (never a
// name), the age in years now if known, and the answers.
type Input struct {
	ID      string  `json:"id"`
	Age     *int    `json:"age,omitempty"`
	Answers Answers `json:"answers"`
}

// MaxAge is the oldest age Validate accepts.
const MaxAge = 120

// Problem is one thing wrong with an Input: the indicator id (or "age", or
// "jurisdiction"), the value given, and a reason code that doubles as the
// suffix of a translation key ("screening.invalid_answer", …).
type Problem struct {
	ID     string `json:"id"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// The reasons a Problem may give.
const (
	ReasonUnknownIndicator    = "unknown_indicator"
	ReasonInvalidAnswer       = "invalid_answer"
	ReasonInvalidAge          = "invalid_age"
	ReasonUnknownJurisdiction = "unknown_jurisdiction"
)

// ValidationError lists every problem found in an Input, sorted by id.
type ValidationError struct {
	Problems []Problem `json:"problems"`
}

// Error lists every problem, for logs and tests; users see translated
// messages through Unwrap.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, pr := range e.Problems {
		parts[i] = fmt.Sprintf("%s=%q (%s)", pr.ID, pr.Value, pr.Reason)
	}
	return "screening: invalid input: " + strings.Join(parts, ", ")
}

// Unwrap exposes the error in Puente's one error vocabulary, so the edge can
// map it to a status and translated messages like any other invalid input.
func (e *ValidationError) Unwrap() error {
	var f problem.Fields
	for _, pr := range e.Problems {
		f.Add(pr.ID, "screening."+pr.Reason)
	}
	return &problem.Error{Kind: problem.Invalid, Key: "screening.invalid", Fields: f}
}

// Validate reports every unknown indicator id, every answer that is not one
// of the four values, and an age outside 0..MaxAge, each with its id. It
// returns nil or a *ValidationError.
func (p *Protocol) Validate(in Input) error {
	if _, probs := p.read(in); len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}

// read validates an input and, when it is valid, turns it into a sheet, in
// one pass over the answers.
func (p *Protocol) read(in Input) (sheet, []Problem) {
	var s sheet
	var probs []Problem
	counter := p.groups[gCounter]
	for id, a := range in.Answers {
		i, ok := p.index[id]
		if !ok {
			probs = append(probs, Problem{ID: id, Value: string(a), Reason: ReasonUnknownIndicator})
			continue
		}
		bit := idset(1) << i
		switch a {
		case Unknown, Declined:
			s.unk |= bit
		case Yes, No:
			if (a == Yes) != (counter&bit != 0) {
				s.pres |= bit
			} else {
				s.abs |= bit
			}
		default:
			probs = append(probs, Problem{ID: id, Value: string(a), Reason: ReasonInvalidAnswer})
		}
	}
	if in.Age != nil && (*in.Age < 0 || *in.Age > MaxAge) {
		probs = append(probs, Problem{ID: "age", Value: strconv.Itoa(*in.Age), Reason: ReasonInvalidAge})
	}
	slices.SortFunc(probs, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Value, b.Value))
	})
	s.age = in.Age
	return s, probs
}

// idset is a set of indicators, one bit per position in the protocol.
type idset uint64

// sheet is a validated Input in the form the rules read. pres and abs hold
// the indicators whose fact is present or absent: for ordinary indicators
// that is yes and no, for counter-indicators (FL01: "could you have left
// freely?") it is the other way round, so that every rule reads "present"
// the same way. unk holds explicit unknown and declined answers.
type sheet struct {
	pres, abs, unk idset
	age            *int
}

// answered is the set of indicators answered yes or no.
func (s *sheet) answered() idset { return s.pres | s.abs }

// ids lists the indicators in set, in protocol order; never nil, so that
// JSON shows an empty list.
func (p *Protocol) ids(set idset) []string {
	out := make([]string, 0, bits.OnesCount64(uint64(set)))
	for set != 0 {
		i := bits.TrailingZeros64(uint64(set))
		out = append(out, p.indicators[i].ID)
		set &^= 1 << i
	}
	return out
}
