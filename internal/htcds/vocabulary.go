// Package htcds holds the case vocabulary Puente shares across its parts:
// the values of the Human Trafficking Case Data Standard it records, needs
// and referrals match on, and statistics count. It is data, nothing else.
package htcds

// The vocabularies below follow the Human Trafficking Case Data Standard
// (HTCDS 2.0, IOM/Polaris) and the CTDC codebook built on it, so that
// Puente's de-identified counts can be compared with theirs. Values are
// stable identifiers; people read them through the i18n catalogs.

// Gender as the person states it.
var Genders = []string{"woman", "man", "girl", "boy", "transgender_woman", "transgender_man", "non_binary", "other", "not_stated"}

// VictimStatuses is who the person is to the case, per HTCDS: a possible
// victim still being assessed, an identified victim, or not a victim.
var VictimStatuses = []string{"possible", "identified", "not_a_victim"}

// Exploitation types (HTCDS "type of exploitation").
var ExploitationTypes = []string{
	"forced_labor", "sexual_exploitation", "domestic_servitude", "forced_criminal_activity",
	"forced_begging", "forced_marriage", "organ_removal", "child_soldiering", "other",
}

// LaborIndustries (HTCDS "type of labour"), for forced labor.
var LaborIndustries = []string{
	"agriculture", "aquafarming_fishing", "begging", "construction", "domestic_work", "hospitality",
	"manufacturing", "mining_drilling", "peddling", "transportation", "care_work", "cleaning",
	"food_processing", "landscaping", "restaurant", "other",
}

// MeansOfControl (HTCDS "means of control").
var MeansOfControl = []string{
	"debt_bondage", "takes_earnings", "restricts_financial_access", "threats", "threats_of_law_enforcement",
	"psychological_abuse", "physical_abuse", "sexual_abuse", "false_promises", "psychoactive_substances",
	"restricts_movement", "restricts_medical_care", "excessive_working_hours", "withholds_documents",
	"withholds_necessities", "threats_to_family", "other",
}

// EventStages are the stages of a trafficking situation.
var EventStages = []string{"recruitment", "transit", "exploitation", "exit"}

// PerpetratorRoles (HTCDS trafficker roles). A smuggler is listed so a case
// can record one without calling them a trafficker.
var PerpetratorRoles = []string{"recruiter", "transporter", "smuggler", "exploiter", "facilitator", "buyer", "other"}

// PerpetratorRelations (HTCDS "recruiter relation").
var PerpetratorRelations = []string{"intimate_partner", "family", "friend", "employer", "recruitment_agency", "stranger", "other"}

// Needs a survivor may have, shared with the referral directory.
var Needs = []string{
	"emergency_shelter", "housing", "legal_immigration", "legal_labor_claims", "legal_criminal",
	"medical", "mental_health", "labor_rights", "wage_recovery", "consular_help", "repatriation",
	"interpretation", "child_protection", "food_clothing", "safety_planning", "education_training", "employment",
}

// ReliefKinds are the immigration relief paths a survivor may pursue.
var ReliefKinds = []string{"t_visa", "u_visa", "continued_presence", "asylum", "sijs", "mx_humanitarian_visitor", "other"}

// ReliefStatuses track an application.
var ReliefStatuses = []string{"considering", "applied", "granted", "denied", "withdrawn"}

// CooperationChoices record the survivor's own decision about working with
// police or prosecutors. It is never required and never a condition of
// help, and "not_asked" is a complete, valid answer.
var CooperationChoices = []string{"not_asked", "undecided", "declined", "cooperating", "stopped"}

// CloseReasons explain why a case closed.
var CloseReasons = []string{"goals_met", "survivor_declined_services", "lost_contact", "transferred", "not_trafficking", "moved_away", "deceased", "other"}

// AgeBands group ages so that counts and other organizations see a band,
// never a birth date.
var AgeBands = []string{"0-11", "12-14", "15-17", "18-24", "25-34", "35-49", "50+", "unknown"}

// AgeBand returns the band for an age in years; a negative age is unknown.
func AgeBand(age int) string {
	switch {
	case age < 0:
		return "unknown"
	case age <= 11:
		return "0-11"
	case age <= 14:
		return "12-14"
	case age <= 17:
		return "15-17"
	case age <= 24:
		return "18-24"
	case age <= 34:
		return "25-34"
	case age <= 49:
		return "35-49"
	default:
		return "50+"
	}
}
