// Package directory holds the services directory: organizations, the
// services they offer and the places they offer them, modelled on Open
// Referral HSDS 3.0, with the structured eligibility that decides who a
// service will take; and the matcher that turns a survivor's needs and
// profile into a ranked, explained list of referrals.
//
// The point of the structure is the person most directories fail: a man
// beaten and unpaid by an employer is turned away by every shelter that
// takes only women or only sex-trafficking victims. Every service here says
// whom it takes, and the matcher says why each candidate was or was not
// offered, so a caseworker never has to find out by calling.
//
// The package knows nothing of SQL or HTTP. Field names follow HSDS 3.0
// where HSDS has the field; what HSDS leaves to free text or to attributes
// (genders, forms of exploitation, needs, beds) is a typed field here and
// becomes an HSDS attribute on export.
package directory

import (
	"time"

	"puente/internal/account"
)

// Service statuses, as in HSDS 3.0 service.status.
const (
	StatusActive          = "active"
	StatusInactive        = "inactive"
	StatusDefunct         = "defunct"
	StatusTemporaryClosed = "temporarily closed"
)

// ServiceStatuses lists the HSDS service statuses.
var ServiceStatuses = []string{StatusActive, StatusInactive, StatusDefunct, StatusTemporaryClosed}

// Location types, as in HSDS 3.0 location.location_type.
const (
	Physical = "physical"
	Postal   = "postal"
	Virtual  = "virtual"
)

// LocationTypes lists the HSDS location types.
var LocationTypes = []string{Physical, Postal, Virtual}

// Forms of exploitation a service takes. Casework records the finer HTCDS
// types; ExploitationForm maps them onto these.
const (
	Labor           = "labor"
	Sex             = "sex"
	AnyExploitation = "any"
)

// ExploitationForms lists the forms a service can declare.
var ExploitationForms = []string{Labor, Sex, AnyExploitation}

// Costs lists what a service may charge: nothing, a sliding scale, or a fee.
// An empty cost is unknown.
var Costs = []string{"free", "sliding", "fee"}

// ServedGenders lists the genders a service can say it takes. They are
// htcds.Genders values; "girl" and "boy" are accepted on input as
// "woman" and "man", because age is said by the age range.
//
// A service that takes transgender women lists "transgender_woman" as well
// as "woman", so that a survivor is never sent to a door that turns her
// away: the directory records what the service does, not what it should do.
var ServedGenders = []string{"woman", "man", "transgender_woman", "transgender_man", "non_binary"}

// Immigration statuses a profile may carry. Status is coarse on purpose: the
// matcher needs to know only whether a service's status requirement shuts
// the person out.
var ImmigrationStatuses = []string{"documented", "undocumented", "unknown"}

// Sides lists the sides of the border a survivor may prefer.
var Sides = []string{"US", "MX", "either"}

// Organization is an HSDS organization: an NGO, shelter, clinic, consulate
// or agency that delivers services. It need not be a Puente member.
type Organization struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	AlternateName string `json:"alternate_name,omitempty"`
	Description   string `json:"description"`
	Email         string `json:"email,omitempty"`
	Website       string `json:"website,omitempty"`
	// MemberID is the Puente organization that runs this one's services,
	// 0 when none does. A member works referrals in its own queue and keeps
	// its own bed counts; any other service is reached by phone. It is
	// Puente's, not HSDS's, and is never exported.
	MemberID int64 `json:"-"`
}

// Service is an HSDS service: what an organization does for people, with
// the needs it meets and whom it takes.
type Service struct {
	ID                     string      `json:"id"`
	OrganizationID         string      `json:"organization_id"`
	Name                   string      `json:"name"`
	AlternateName          string      `json:"alternate_name,omitempty"`
	Description            string      `json:"description,omitempty"`
	URL                    string      `json:"url,omitempty"`
	Email                  string      `json:"email,omitempty"`
	Status                 string      `json:"status"`
	InterpretationServices string      `json:"interpretation_services,omitempty"`
	ApplicationProcess     string      `json:"application_process,omitempty"`
	FeesDescription        string      `json:"fees_description,omitempty"`
	EligibilityDescription string      `json:"eligibility_description,omitempty"`
	Alert                  string      `json:"alert,omitempty"`
	AssuredDate            string      `json:"assured_date,omitempty"` // YYYY-MM-DD
	LastModified           time.Time   `json:"last_modified,omitzero"`
	Needs                  []string    `json:"needs"` // htcds.Needs it meets
	Eligibility            Eligibility `json:"eligibility"`
}

// Eligibility is whom a service takes and on what terms: what HSDS keeps in
// eligibility_description, minimum_age, maximum_age, languages,
// service_areas, cost_options and accessibility, held as typed values so
// that matching needs no reading of prose.
type Eligibility struct {
	Genders []string `json:"genders,omitempty"` // ServedGenders; empty takes everyone
	MinAge  *int     `json:"minimum_age,omitempty"`
	MaxAge  *int     `json:"maximum_age,omitempty"`
	// Exploitation is the form of trafficking the service takes: labor,
	// sex or any.
	Exploitation              string `json:"exploitation"`
	ImmigrationStatusRequired bool   `json:"immigration_status_required"`
	// Languages are ISO 639-1 or 639-3 codes spoken by staff, Indigenous
	// languages included (mam, quc, mix, nah, tzo, zap …).
	Languages []string `json:"languages,omitempty"`
	// Interpretation says the service arranges interpreters for languages
	// its staff do not speak, so a language gap does not shut a person out.
	Interpretation bool            `json:"interpretation"`
	Country        account.Country `json:"country"` // where the service is delivered
	AreaServed     Area            `json:"area_served"`
	Cost           string          `json:"cost,omitempty"` // Costs; empty is unknown
	Accessible     bool            `json:"accessible"`     // step-free access for wheelchair users
	// Beds is the capacity; BedsAvailable the free beds when last counted,
	// at AvailabilityUpdatedAt. A count older than StaleAfter is unknown.
	Beds                  int       `json:"beds,omitempty"`
	BedsAvailable         *int      `json:"beds_available,omitempty"`
	AvailabilityUpdatedAt time.Time `json:"availability_updated_at,omitzero"`
}

// Area is where a service takes people from: a list of county or
// municipio codes, a radius around its location, both (a person must be in
// both), or neither (anyone in reach).
//
// Codes carry their country, because US county FIPS codes and Mexican
// INEGI cvegeo codes are both five digits and overlap: "US-48141" is El Paso
// County, Texas; "MX-08037" is Juárez, Chihuahua.
type Area struct {
	Codes    []string `json:"codes,omitempty"`
	RadiusKm float64  `json:"radius_km,omitempty"`
}

// Location is an HSDS location: a place where services are delivered, or a
// virtual one (a phone line, a website).
type Location struct {
	ID             string    `json:"id"`
	LocationType   string    `json:"location_type"`
	URL            string    `json:"url,omitempty"`
	OrganizationID string    `json:"organization_id,omitempty"`
	Name           string    `json:"name,omitempty"`
	AlternateName  string    `json:"alternate_name,omitempty"`
	Description    string    `json:"description,omitempty"`
	Transportation string    `json:"transportation,omitempty"`
	Latitude       *float64  `json:"latitude,omitempty"`
	Longitude      *float64  `json:"longitude,omitempty"`
	Addresses      []Address `json:"addresses,omitempty"`
	// Confidential hides the address and coordinates from everyone but
	// the place's own staff and, through an accepted referral, the
	// referring caseworker: a shelter's address in the wrong hands can get
	// a survivor killed. The matcher never outputs either for a
	// confidential location, only an area about 10 km across.
	Confidential bool `json:"confidential"`
	// Custodian is the Puente member whose staff may read a confidential
	// place: the one that ran the listing when the place was typed in, 0
	// for none. Whoever types a place in again sets it; linking the
	// listing's organization to another member never moves it.
	Custodian int64 `json:"-"`
}

// Address is an HSDS address.
type Address struct {
	Attention     string `json:"attention,omitempty"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Country       string `json:"country"` // ISO 3166-1 alpha-2
	AddressType   string `json:"address_type"`
}

// ServiceAtLocation is the HSDS link between a service and a place it is
// delivered.
type ServiceAtLocation struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id"`
	LocationID  string `json:"location_id"`
	Description string `json:"description,omitempty"`
}

// Listing is one service at one location, with its organization: the row
// the matcher ranks, as a store would produce it by joining HSDS's
// service_at_location with the three tables. A service delivered nowhere in
// particular (a hotline, a remote legal consultation) has a zero or a
// virtual Location.
type Listing struct {
	Organization Organization `json:"organization"`
	Service      Service      `json:"service"`
	Location     Location     `json:"location"`
}
