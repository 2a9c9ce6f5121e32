package screening

// The rules are written in three-valued (Kleene) logic: a fact is true,
// false or unknown, and each unknown carries the questions whose answers
// could settle it. AND is false as soon as one side is false and OR is true
// as soon as one side is true, so an unknown that cannot change the outcome
// never reaches the list of questions to ask.

type tri uint8

const (
	triUnknown tri = iota
	triFalse
	triTrue
)

// val is a three-valued fact with the questions that would decide it when
// it is unknown.
type val struct {
	t    tri
	miss idset
}

var (
	vTrue  = val{t: triTrue}
	vFalse = val{t: triFalse}
)

func (v val) yes() bool     { return v.t == triTrue }
func (v val) unknown() bool { return v.t == triUnknown }

func and(vs ...val) val {
	out := vTrue
	for _, v := range vs {
		switch v.t {
		case triFalse:
			return vFalse
		case triUnknown:
			out.t = triUnknown
			out.miss |= v.miss
		}
	}
	return out
}

func or(vs ...val) val {
	out := vFalse
	for _, v := range vs {
		switch v.t {
		case triTrue:
			return vTrue
		case triUnknown:
			out.t = triUnknown
			out.miss |= v.miss
		}
	}
	return out
}

// element applies the screening convention to a group of indicators: present
// when any of yesSrc is present, absent when none is and any of noSrc was
// answered against it, unknown otherwise, in which case the unanswered
// questions of ask would decide.
func (s *sheet) element(yesSrc, noSrc, ask idset) val {
	switch {
	case s.pres&yesSrc != 0:
		return vTrue
	case s.abs&noSrc != 0:
		return vFalse
	}
	return val{t: triUnknown, miss: ask &^ s.answered()}
}
