package screening

// Jurisdiction is a body of law a determination is made under.
type Jurisdiction string

// The jurisdictions the engine knows.
const (
	US Jurisdiction = "us" // TVPA, 22 U.S.C. 7102; 18 U.S.C. 1589, 1591; 8 U.S.C. 1324
	MX Jurisdiction = "mx" // LGPSEDMTP 2012 (Arts. 10, 12, 13, 21, 22, 24, 25, 26–31); Ley de Migración Art. 159
	UN Jurisdiction = "un" // Palermo Trafficking Protocol Art. 3; Smuggling of Migrants Protocol Art. 3
)

// Jurisdictions lists every jurisdiction, in the order results are shown.
var Jurisdictions = []Jurisdiction{US, MX, UN}

// Label is a determination.
type Label string

// The nine determinations.
const (
	TraffickingSex                  Label = "trafficking_sex"
	TraffickingLabor                Label = "trafficking_labor"
	TraffickingForcedCriminality    Label = "trafficking_forced_criminality"
	TraffickingForcedBegging        Label = "trafficking_forced_begging"
	TraffickingOther                Label = "trafficking_other"
	SmugglingOnly                   Label = "smuggling_only"
	LaborExploitationNotTrafficking Label = "labor_exploitation_not_trafficking"
	// NotTraffickingOtherCrime is also the determination when the answers
	// settle that there is no trafficking and show nothing else (no
	// smuggling, no labor exploitation): the nine labels have no "nothing
	// found", and the explanation says which case it is.
	NotTraffickingOtherCrime Label = "not_trafficking_other_crime"
	InsufficientInformation  Label = "insufficient_information"
)

// Labels lists the nine determinations.
var Labels = []Label{
	TraffickingSex, TraffickingLabor, TraffickingForcedCriminality, TraffickingForcedBegging, TraffickingOther,
	SmugglingOnly, LaborExploitationNotTrafficking, NotTraffickingOtherCrime, InsufficientInformation,
}

// Trafficking reports whether the label is one of the five trafficking
// determinations.
func (l Label) Trafficking() bool {
	switch l {
	case TraffickingSex, TraffickingLabor, TraffickingForcedCriminality, TraffickingForcedBegging, TraffickingOther:
		return true
	}
	return false
}

// Element names.
const (
	ElementAct     = "act"
	ElementMeans   = "means"
	ElementPurpose = "purpose"
	ElementAge     = "age"
)

// Element statuses. For the age element, present means the person was under
// 18 at the time and absent that they were not.
const (
	StatusPresent     = "present"
	StatusAbsent      = "absent"
	StatusUnknown     = "unknown"
	StatusNotRequired = "not_required"
)

// Element is one legal element of the determination (act, means, purpose,
// age) with the indicators answered that found it.
type Element struct {
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Indicators []string `json:"indicators"`
	Note       string   `json:"note,omitempty"`
}

// Divergence explains, in English and Spanish, why the US and Mexican
// determinations differ. Code names the difference for machines:
// means_adults (Mexico's art. 21 needs no means), minor_labor (nor for
// children, while US labor trafficking has no age exception), vulnerability
// (a means in Mexico, not in the US), minor_criminality and minor_begging
// (no means for children in Mexico), deception (enough for forced begging in
// Mexico), forms (forms of exploitation only Mexico lists), fraud_servitude
// (US fraud for debt bondage), open_elements (one law decides, the other
// lacks an answer) or other.
type Divergence struct {
	Code string `json:"code"`
	EN   string `json:"en"`
	ES   string `json:"es"`
}

// Result is the determination under one jurisdiction.
//
// Missing lists the indicators whose answers would decide when the
// determination is insufficient_information. For other determinations it is
// usually empty, but it also lists questions that could still change a
// borderline result: an unanswered form of exploitation ranked before the
// one found, or CTX01 when the person was taken for an adult from their age
// now and being a minor at the time would change the outcome.
type Result struct {
	Determination   Label       `json:"determination"`
	Elements        []Element   `json:"elements"`
	Citations       []string    `json:"citations"`
	ExplanationEN   string      `json:"explanation_en"`
	ExplanationES   string      `json:"explanation_es"`
	Missing         []string    `json:"missing"`
	Divergence      *Divergence `json:"divergence,omitempty"`
	Evidence        []Dimension `json:"evidence"`
	ProtocolVersion string      `json:"protocol_version"`
}
