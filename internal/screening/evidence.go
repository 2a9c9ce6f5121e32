package screening

import "math/bits"

// Dimension is one of the six ILO/EC 2009 dimensions of trafficking, judged
// positive or not by the ILO combination rule, with the indicators answered
// yes that counted towards it. It is evidence, not the determination.
type Dimension struct {
	Name       string   `json:"name"`
	Positive   bool     `json:"positive"`
	Indicators []string `json:"indicators"`
}

// The six ILO dimensions, in the order the ILO lists them.
const (
	DimDeceptiveRecruitment     = "deceptive_recruitment"
	DimCoerciveRecruitment      = "coercive_recruitment"
	DimVulnerabilityRecruitment = "vulnerability_recruitment"
	DimExploitativeConditions   = "exploitative_conditions"
	DimCoercionDestination      = "coercion_destination"
	DimVulnerabilityDestination = "vulnerability_destination"
)

var iloDimensions = [...]string{
	DimDeceptiveRecruitment, DimCoerciveRecruitment, DimVulnerabilityRecruitment,
	DimExploitativeConditions, DimCoercionDestination, DimVulnerabilityDestination,
}

const numDims = len(iloDimensions)

// iloDimension returns the position of an ILO dimension, or -1 for the
// protocol's other dimensions (context, act, purpose…).
func iloDimension(name string) int {
	for i, d := range iloDimensions {
		if d == name {
			return i
		}
	}
	return -1
}

// dimMasks holds one ILO dimension's indicators by strength, for adults
// and for children.
type dimMasks struct {
	all                  idset
	strong, medium, weak [2]idset // [adult, child]
}

// positive applies the ILO/EC 2009 combination rule (WCMS_105023 p. 3, as
// transcribed in SOURCES.md): at least two strong; or one strong and one
// medium or weak; or three medium; or two medium and one weak.
func positive(strong, medium, weak int) bool {
	return strong >= 2 ||
		strong == 1 && medium+weak >= 1 ||
		medium >= 3 ||
		medium == 2 && weak >= 1
}

// evidence scores the six dimensions, with the child ratings when the person
// was a minor at the time. Only "yes" answers count.
func (p *Protocol) evidence(f *facts) []Dimension {
	out := make([]Dimension, numDims)
	age := 0
	if f.minor.yes() {
		age = 1
	}
	for d, m := range p.dims {
		yes := f.s.pres & m.all
		count := func(set idset) int { return bits.OnesCount64(uint64(yes & set)) }
		out[d] = Dimension{
			Name:       iloDimensions[d],
			Positive:   positive(count(m.strong[age]), count(m.medium[age]), count(m.weak[age])),
			Indicators: p.ids(yes),
		}
	}
	return out
}

func (m *dimMasks) add(bit idset, age int, s Strength) {
	m.all |= bit
	switch s {
	case Strong:
		m.strong[age] |= bit
	case Medium:
		m.medium[age] |= bit
	case Weak:
		m.weak[age] |= bit
	}
}
