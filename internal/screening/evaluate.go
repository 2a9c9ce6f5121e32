package screening

import "slices"

// Evaluate validates the input and determines it under one jurisdiction.
func (p *Protocol) Evaluate(in Input, j Jurisdiction) (Result, error) {
	s, err := p.check(in, j)
	if err != nil {
		return Result{}, err
	}
	f := p.facts(s)
	return p.result(&f, j, judge(&f, j), p.evidence(&f)), nil
}

// EvaluateAll validates the input and determines it under each of js (every
// jurisdiction when js is empty). When both the US and Mexico are asked for
// and their determinations differ, both results carry a Divergence that
// explains why.
func (p *Protocol) EvaluateAll(in Input, js ...Jurisdiction) (map[Jurisdiction]Result, error) {
	if len(js) == 0 {
		js = Jurisdictions
	}
	s, err := p.check(in, js...)
	if err != nil {
		return nil, err
	}
	f := p.facts(s)
	judged := make(map[Jurisdiction]judgment, len(js))
	for _, j := range js {
		judged[j] = judge(&f, j)
	}
	evidence := p.evidence(&f) // the same under every law
	out := make(map[Jurisdiction]Result, len(judged))
	for j, jd := range judged {
		out[j] = p.result(&f, j, jd, slices.Clone(evidence))
	}
	us, okUS := judged[US]
	mx, okMX := judged[MX]
	if !okUS || !okMX {
		return out, nil
	}
	if d := divergence(&f, us, mx); d != nil {
		for _, j := range []Jurisdiction{US, MX} {
			r := out[j]
			r.Divergence = d
			out[j] = r
		}
	}
	return out, nil
}

// check validates the input and the jurisdictions together, so that one
// error lists every problem, and returns the sheet the rules read.
func (p *Protocol) check(in Input, js ...Jurisdiction) (sheet, error) {
	s, probs := p.read(in)
	for _, j := range js {
		if rulesFor(j) == nil {
			probs = append(probs, Problem{ID: "jurisdiction", Value: string(j), Reason: ReasonUnknownJurisdiction})
		}
	}
	if len(probs) > 0 {
		return sheet{}, &ValidationError{Problems: probs}
	}
	return s, nil
}

func (p *Protocol) result(f *facts, j Jurisdiction, jd judgment, evidence []Dimension) Result {
	elems := p.elements(f, j, jd)
	cites := p.citations(f, j, jd)
	missing := p.ids(jd.missing)
	en, es := explain(f, j, jd, elems, cites, missing)
	return Result{
		Determination:   jd.label,
		Elements:        elems,
		Citations:       cites,
		ExplanationEN:   en,
		ExplanationES:   es,
		Missing:         missing,
		Evidence:        evidence,
		ProtocolVersion: p.version,
	}
}
