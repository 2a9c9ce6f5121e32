package directory

import (
	"slices"
	"strconv"
	"strings"

	"puente/internal/account"
	"puente/internal/htcds"
	"puente/internal/problem"
)

// Profile is what the matcher knows of the survivor: enough to decide
// which doors are open, nothing that names the person. Every field may be
// left empty; an unknown never shuts a service out, it only asks the
// caseworker to confirm (a "directory.reason.check_*" reason).
type Profile struct {
	Age     *int   `json:"age,omitempty"`
	AgeBand string `json:"age_band,omitempty"` // htcds.AgeBands, when the exact age is not known
	Gender  string `json:"gender,omitempty"`   // htcds.Genders
	// Exploitation holds the forms (labor, sex) or the casework
	// ExploitationTypes the person suffered.
	Exploitation []string `json:"exploitation,omitempty"`
	// Languages are ISO 639 codes, the one the person is most at ease in
	// first.
	Languages []string `json:"languages,omitempty"`
	Location  *Point   `json:"location,omitempty"`
	// Country is the side of the border the person is on now; a match says
	// it crosses the border only when this is known.
	Country account.Country `json:"country,omitempty"`
	Area    string          `json:"area,omitempty"` // county or municipio code, "US-48141"
	// ImmigrationStatus is documented, undocumented or unknown.
	ImmigrationStatus string `json:"immigration_status,omitempty"`
	Side              string `json:"side,omitempty"` // side of the border preferred: US, MX, either
	// Accessible asks for step-free access.
	Accessible bool     `json:"accessible,omitempty"`
	Needs      []string `json:"needs"` // htcds.Needs
}

// Normalize cleans the profile in place and reports every field that
// breaks a rule. Match does not need it (it treats anything it does not
// know as unknown) but a form or the API should tell the caseworker.
func (p *Profile) Normalize() error {
	var f problem.Fields
	age(&f, "age", p.Age)
	optional(&f, "age_band", &p.AgeBand, htcds.AgeBands)
	optional(&f, "gender", &p.Gender, htcds.Genders)
	for _, e := range p.Exploitation {
		if exploitationBits(e) == 0 {
			f.Add("exploitation", "field.choose_one")
			break
		}
	}
	p.Languages = languages(&f, "languages", p.Languages)
	if p.Location != nil && !p.Location.Valid() {
		f.Add("location", "field.out_of_range")
	}
	p.Country = account.Country(strings.ToUpper(strings.TrimSpace(string(p.Country))))
	if p.Country != "" && !slices.Contains(account.Countries, p.Country) {
		f.Add("country", "field.choose_one")
	}
	if p.Area = strings.ToUpper(strings.TrimSpace(p.Area)); p.Area != "" && !areaCode.MatchString(p.Area) {
		f.Add("area", "directory.area_code")
	}
	optional(&f, "immigration_status", &p.ImmigrationStatus, ImmigrationStatuses)
	optional(&f, "side", &p.Side, Sides)
	p.Needs = f.SomeOf("needs", p.Needs, htcds.Needs)
	if len(p.Needs) == 0 {
		f.Add("needs", "field.required")
	}
	return f.Err()
}

func optional(f *problem.Fields, field string, v *string, choices []string) {
	if *v = strings.TrimSpace(*v); *v != "" && !slices.Contains(choices, *v) {
		f.Add(field, "field.choose_one")
	}
}

// Exploitation bits. A service that takes any form takes all three.
const (
	exploitLabor uint8 = 1 << iota
	exploitSex
	exploitOther
	exploitAny = exploitLabor | exploitSex | exploitOther
)

// exploitationOf maps the casework ExploitationTypes, and the forms
// themselves, to bits. Forced criminal activity, begging and child
// soldiering are forced labor or services under US and Mexican law. A
// forced marriage usually means both domestic servitude and sexual
// exploitation, so services for either form take it. Organ removal and
// "other" fit neither, and only services that take any form take them.
var exploitationOf = map[string]uint8{
	Labor: exploitLabor, Sex: exploitSex, AnyExploitation: exploitAny,
	"forced_labor": exploitLabor, "domestic_servitude": exploitLabor, "forced_criminal_activity": exploitLabor,
	"forced_begging": exploitLabor, "child_soldiering": exploitLabor, "sexual_exploitation": exploitSex,
	"forced_marriage": exploitLabor | exploitSex, "organ_removal": exploitOther, "other": exploitOther,
}

func exploitationBits(s string) uint8 { return exploitationOf[s] }

// ExploitationForm returns the form (labor or sex) a casework exploitation
// type belongs to, the form itself for a form, or "" when it belongs to
// neither or both.
func ExploitationForm(s string) string {
	switch exploitationOf[s] {
	case exploitLabor:
		return Labor
	case exploitSex:
		return Sex
	case exploitAny:
		return AnyExploitation
	}
	return ""
}

// Gender bits, in the order of ServedGenders.
var genderBit = map[string]uint8{
	"woman": 1, "girl": 1, "man": 2, "boy": 2, "transgender_woman": 4, "transgender_man": 8, "non_binary": 16,
}

// needBit maps each of htcds.Needs to its bit.
var needBit = func() map[string]uint32 {
	m := make(map[string]uint32, len(htcds.Needs))
	for i, n := range htcds.Needs {
		m[n] = 1 << i
	}
	return m
}()

// Needs that take a bed: a full shelter does not meet them.
var (
	shelterNeed = needBit["emergency_shelter"]
	bedNeeds    = shelterNeed | needBit["housing"]
)

func needMask(needs []string) uint32 {
	var m uint32
	for _, n := range needs {
		m |= needBit[n]
	}
	return m
}

// needNames lists the needs in m in the order of htcds.Needs.
func needNames(m uint32) []string {
	var out []string
	for i, n := range htcds.Needs {
		if m&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// ageRange is what the profile says of the person's age: an exact age, a
// band, a child (a girl or a boy of unknown age), or nothing.
func (p *Profile) ageRange() (lo, hi int, exact, known bool) {
	switch {
	case p.Age != nil:
		return *p.Age, *p.Age, true, true
	case p.AgeBand != "" && p.AgeBand != "unknown":
		lo, hi, ok := parseBand(p.AgeBand)
		return lo, hi, false, ok
	case p.Gender == "girl" || p.Gender == "boy":
		return 0, 17, false, true
	}
	return 0, maxAge, false, false
}

// parseBand reads a casework age band: "15-17" or "50+".
func parseBand(b string) (lo, hi int, ok bool) {
	if s, found := strings.CutSuffix(b, "+"); found {
		lo, err := strconv.Atoi(s)
		return lo, maxAge, err == nil
	}
	l, h, found := strings.Cut(b, "-")
	lo, err1 := strconv.Atoi(l)
	hi, err2 := strconv.Atoi(h)
	return lo, hi, found && err1 == nil && err2 == nil && lo <= hi
}
