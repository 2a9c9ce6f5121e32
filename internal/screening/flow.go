package screening

// Next returns the questions to show next in a step-by-step interview,
// given the answers so far, or nothing when the interview is complete.
//
// The age question comes first and alone. Then the opening (gate) questions
// of every module, asked of everyone. Then, one module at a time in protocol
// order, the remaining questions of each module opened by a "yes" to one of
// its opens_on questions. Any answer, "declined" included, counts as given:
// a question is never asked twice, and "unknown" or "declined" opens nothing.
func (p *Protocol) Next(answers Answers) []Indicator {
	if _, ok := answers["CTX01"]; !ok {
		return []Indicator{p.indicators[p.index["CTX01"]]}
	}
	var gates []Indicator
	for _, m := range p.modules {
		for _, id := range m.Gates {
			if _, ok := answers[id]; !ok {
				gates = append(gates, p.indicators[p.index[id]])
			}
		}
	}
	if len(gates) > 0 {
		return gates
	}
	for _, m := range p.modules {
		if !opened(m, answers) {
			continue
		}
		var next []Indicator
		for _, id := range m.Indicators {
			if _, ok := answers[id]; !ok {
				next = append(next, p.indicators[p.index[id]])
			}
		}
		if len(next) > 0 {
			return next
		}
	}
	return nil
}

func opened(m Module, answers Answers) bool {
	for _, id := range m.OpensOn {
		if answers[id] == Yes {
			return true
		}
	}
	return false
}

// NextShort is Next for the short form used at first contact: the short-form
// questions not yet answered, the age question first and alone.
func (p *Protocol) NextShort(answers Answers) []Indicator {
	if _, ok := answers["CTX01"]; !ok {
		return []Indicator{p.indicators[p.index["CTX01"]]}
	}
	var next []Indicator
	for _, ind := range p.indicators {
		if _, ok := answers[ind.ID]; !ok && ind.ShortForm {
			next = append(next, ind)
		}
	}
	return next
}
