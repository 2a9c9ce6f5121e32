package practice

import (
	"errors"
	"maps"
	"slices"

	"puente/internal/screening"
)

// Feedback is the grading of one practice attempt.
type Feedback struct {
	Vignette Vignette
	// Verdicts holds one reading per law of Jurisdictions, in that order.
	Verdicts []Verdict
	// Answers lists, in protocol order, the indicators the trainee recorded
	// differently from the vignette.
	Answers []AnswerDiff
	// Problems lists the trainee's answers (and the age) the engine refused:
	// unknown indicators and values other than yes, no, unknown and
	// declined. They are left out of the grading.
	Problems []screening.Problem
}

// Agrees reports whether the attempt matches the vignette throughout: the
// same answers recorded and the engine's determination chosen under every
// law.
func (f Feedback) Agrees() bool {
	if len(f.Answers) > 0 || len(f.Problems) > 0 {
		return false
	}
	for _, v := range f.Verdicts {
		if !v.ChosenAgrees() || !v.RecordedAgrees() {
			return false
		}
	}
	return true
}

// DiffKind says how a recorded answer differs from the vignette's.
type DiffKind string

// The ways an answer can differ.
const (
	Different DiffKind = "different" // both recorded an answer, not the same one
	Missed    DiffKind = "missed"    // the vignette records an answer, the trainee none
	Added     DiffKind = "added"     // the trainee recorded an answer the vignette does not have
)

// AnswerDiff is one indicator the trainee recorded differently. An empty
// answer means none was recorded.
type AnswerDiff struct {
	ID       string
	Kind     DiffKind
	Vignette screening.Answer
	Trainee  screening.Answer
	// Elements names the legal elements the engine counted this indicator
	// in, on either set of answers and under any of Jurisdictions: the
	// differences that can change a determination.
	Elements []string
}

// ElementDiff is a legal element the engine found differently on the
// trainee's answers than on the vignette's: with another status, or with the
// same status through other indicators. An element a law does not name for
// that determination has an empty Status.
type ElementDiff struct {
	Name     string
	Vignette screening.Element
	Trainee  screening.Element
}

// Reason says why the trainee's own determination differs from the
// engine's on the vignette's answers; each is the suffix of a translation
// key.
type Reason string

// The reasons. Decisive lists the elements each one points to.
const (
	Agreed          Reason = ""
	NoneChosen      Reason = "none_chosen"      // no determination given
	NotEstablished  Reason = "not_established"  // trafficking chosen; an element is not found or still open
	ElementsPresent Reason = "elements_present" // no trafficking chosen; every element required is found
	OtherForm       Reason = "other_form"       // trafficking under both, for a different purpose
	Undecidable     Reason = "undecidable"      // a determination chosen where an element is still open
	Decidable       Reason = "decidable"        // "not enough information" chosen where the answers decide
	OtherOutcome    Reason = "other_outcome"    // neither trafficking, but a different outcome: see the explanation
)

// Verdict is one law's reading of the vignette: the author's, the
// engine's on the vignette's answers and on the trainee's, and the
// trainee's own.
type Verdict struct {
	Jurisdiction screening.Jurisdiction
	Expected     screening.Label  // the vignette author's; empty when none was given
	Engine       screening.Result // on the vignette's answers
	Recorded     screening.Result // on the answers the trainee recorded
	Chosen       screening.Label  // the trainee's own; empty when none was given
	Reason       Reason
	// Decisive are the elements of Engine that separate Chosen from the
	// engine's determination.
	Decisive []screening.Element
	// Elements are the legal elements Recorded finds differently from Engine.
	Elements []ElementDiff
}

// ChosenAgrees reports whether the trainee chose the engine's
// determination on the vignette's answers.
func (v Verdict) ChosenAgrees() bool { return v.Chosen != "" && v.Chosen == v.Engine.Determination }

// RecordedAgrees reports whether the trainee's answers lead the engine to
// the same determination as the vignette's.
func (v Verdict) RecordedAgrees() bool { return v.Recorded.Determination == v.Engine.Determination }

// EngineAgrees reports whether the engine reaches the vignette author's
// expected determination (true when the author gave none).
func (v Verdict) EngineAgrees() bool { return v.Expected == "" || v.Expected == v.Engine.Determination }

// Explanation is the engine's explanation of its determination on the
// vignette's answers, in lang.
func (v Verdict) Explanation(lang string) string {
	if lang == "es" {
		return v.Engine.ExplanationES
	}
	return v.Engine.ExplanationEN
}

// Divergence explains, in lang, why the US and Mexican determinations on
// the vignette's answers differ; empty when they agree.
func (v Verdict) Divergence(lang string) string {
	d := v.Engine.Divergence
	switch {
	case d == nil:
		return ""
	case lang == "es":
		return d.ES
	}
	return d.EN
}

// Grade compares a trainee's attempt at v with the vignette and the engine
// p (the embedded protocol when nil): the answers recorded, the engine's
// determinations on both sets of answers against the expected ones, and the
// trainee's own determination under each law against the engine's on the
// vignette's answers, with the elements that make the difference. Both
// sets of answers are evaluated at the vignette's age. Answers the engine
// refuses are reported and left out; a label that is not one of the nine
// counts as none chosen. Grade never fails.
func Grade(v Vignette, trainee screening.Answers, traineeLabels map[screening.Jurisdiction]screening.Label, p *screening.Protocol) Feedback {
	if p == nil {
		p = screening.Load()
	}
	want, _, wantAnswers := evaluate(p, v.ID, v.Age, v.Answers)
	got, problems, gotAnswers := evaluate(p, v.ID, v.Age, trainee)
	fb := Feedback{Vignette: v, Problems: problems}
	for _, j := range Jurisdictions {
		vd := Verdict{Jurisdiction: j, Expected: v.Expected[j], Engine: want[j], Recorded: got[j]}
		if l := traineeLabels[j]; slices.Contains(screening.Labels, l) {
			vd.Chosen = l
		}
		vd.Reason, vd.Decisive = reasonFor(vd.Chosen, vd.Engine)
		vd.Elements = elementDiffs(vd.Engine.Elements, vd.Recorded.Elements)
		fb.Verdicts = append(fb.Verdicts, vd)
	}
	fb.Answers = answerDiffs(p, wantAnswers, gotAnswers, fb.Verdicts)
	return fb
}

// evaluate runs the engine under Jurisdictions. Answers it refuses, and an
// age out of range, are left out and reported, so that a practice attempt
// is always graded; it returns the answers it evaluated.
func evaluate(p *screening.Protocol, id string, age *int, answers screening.Answers) (map[screening.Jurisdiction]screening.Result, []screening.Problem, screening.Answers) {
	in := screening.Input{ID: id, Age: age, Answers: answers}
	res, err := p.EvaluateAll(in, Jurisdictions...)
	var ve *screening.ValidationError
	if !errors.As(err, &ve) {
		return res, nil, answers
	}
	in.Answers = maps.Clone(answers)
	for _, pr := range ve.Problems {
		if pr.ID == "age" && pr.Reason == screening.ReasonInvalidAge {
			in.Age = nil
			continue
		}
		delete(in.Answers, pr.ID)
	}
	res, err = p.EvaluateAll(in, Jurisdictions...)
	if err != nil { // cannot happen: every problem was removed
		res = map[screening.Jurisdiction]screening.Result{}
	}
	return res, ve.Problems, in.Answers
}

// reasonFor says why chosen differs from the engine's determination, and
// which of its elements show it.
func reasonFor(chosen screening.Label, engine screening.Result) (Reason, []screening.Element) {
	got := engine.Determination
	els := engine.Elements
	switch {
	case chosen == got:
		return Agreed, nil
	case chosen == "":
		return NoneChosen, nil
	case got == screening.InsufficientInformation:
		return Undecidable, pick(els, func(e screening.Element) bool { return e.Status == screening.StatusUnknown })
	case chosen == screening.InsufficientInformation:
		return Decidable, pick(els, func(e screening.Element) bool {
			return e.Status == screening.StatusPresent || e.Status == screening.StatusAbsent
		})
	case chosen.Trafficking() && got.Trafficking():
		return OtherForm, pick(els, func(e screening.Element) bool { return e.Name == screening.ElementPurpose })
	case chosen.Trafficking():
		// Being an adult is not a missing element: age only ever adds.
		return NotEstablished, pick(els, func(e screening.Element) bool {
			return e.Name != screening.ElementAge && (e.Status == screening.StatusAbsent || e.Status == screening.StatusUnknown)
		})
	case got.Trafficking():
		return ElementsPresent, pick(els, func(e screening.Element) bool { return e.Status == screening.StatusPresent })
	}
	return OtherOutcome, nil
}

func pick(els []screening.Element, keep func(screening.Element) bool) []screening.Element {
	var out []screening.Element
	for _, e := range els {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// elementDiffs lists the elements whose status or indicators differ
// between the two results, in the order the vignette's result gives them,
// then any only the trainee's names.
func elementDiffs(want, got []screening.Element) []ElementDiff {
	find := func(els []screening.Element, name string) screening.Element {
		for _, e := range els {
			if e.Name == name {
				return e
			}
		}
		return screening.Element{Name: name}
	}
	var out []ElementDiff
	for _, w := range want {
		if g := find(got, w.Name); g.Status != w.Status || !sameSet(g.Indicators, w.Indicators) {
			out = append(out, ElementDiff{Name: w.Name, Vignette: w, Trainee: g})
		}
	}
	for _, g := range got {
		if w := find(want, g.Name); w.Status == "" && g.Status != "" {
			out = append(out, ElementDiff{Name: g.Name, Vignette: w, Trainee: g})
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) })
}

// answerDiffs lists, in protocol order, the indicators answered
// differently, each with the elements it counted in.
func answerDiffs(p *screening.Protocol, want, got screening.Answers, verdicts []Verdict) []AnswerDiff {
	counted := map[string][]string{}
	for _, vd := range verdicts {
		for _, e := range slices.Concat(vd.Engine.Elements, vd.Recorded.Elements) {
			for _, id := range e.Indicators {
				if !slices.Contains(counted[id], e.Name) {
					counted[id] = append(counted[id], e.Name)
				}
			}
		}
	}
	var out []AnswerDiff
	for _, ind := range p.Indicators() {
		w, g := want[ind.ID], got[ind.ID]
		if w == g {
			continue
		}
		d := AnswerDiff{ID: ind.ID, Kind: Different, Vignette: w, Trainee: g, Elements: counted[ind.ID]}
		switch {
		case w == "":
			d.Kind = Added
		case g == "":
			d.Kind = Missed
		}
		out = append(out, d)
	}
	return out
}
