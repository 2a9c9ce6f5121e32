package casework

import (
	"slices"
	"time"

	"puente/internal/access"
	"puente/internal/problem"
	"puente/internal/text"
)

// Consent is the survivor's informed, time-limited permission for one
// organization to see some classes of their case, for one purpose. VAWA
// (34 U.S.C. 12291(b)(2)) requires it before a victim-service provider
// shares personally identifying information; it is revocable at any moment
// and, like cooperation with police, never a condition of help.
type Consent struct {
	ID         int64          `json:"id"`
	CaseID     int64          `json:"case_id"`
	OrgID      int64          `json:"organization_id"` // the organization that may see
	Classes    []access.Class `json:"classes"`
	Purpose    string         `json:"purpose"`
	From       time.Time      `json:"valid_from"`
	Until      time.Time      `json:"valid_until"`
	GivenHow   string         `json:"given_how"` // written or verbal
	Witness    string         `json:"witness"`   // who witnessed a verbal consent
	RecordedBy int64          `json:"recorded_by"`
	RecordedAt time.Time      `json:"recorded_at"`
	RevokedAt  *time.Time     `json:"revoked_at,omitempty"`
	RevokedBy  *int64         `json:"revoked_by,omitempty"`
}

// ConsentPurposes are what a consent may be for.
var ConsentPurposes = []string{"referral", "services", "legal", "statistics"}

// ConsentForms are how consent may be given.
var ConsentForms = []string{"written", "verbal"}

// MaxConsentDuration keeps every consent reasonably time-limited, as VAWA
// asks: a year at most, renewable by asking again.
const MaxConsentDuration = 366 * 24 * time.Hour

// Normalize checks a new consent. A verbal consent needs a witness; a
// statistics consent may open only the non-identifying profile.
func (c *Consent) Normalize(now time.Time) error {
	var f problem.Fields
	if !slices.Contains(ConsentPurposes, c.Purpose) {
		f.Add("purpose", "field.choose_one")
	}
	if !slices.Contains(ConsentForms, c.GivenHow) {
		f.Add("given_how", "field.choose_one")
	}
	w, key := text.Clean(c.Witness, maxShort)
	if key != "" {
		f.Add("witness", key)
	}
	c.Witness = w
	if c.GivenHow == "verbal" && c.Witness == "" {
		f.Add("witness", "consent.witness_required")
	}
	var classes []access.Class
	for _, cl := range access.Classes {
		if slices.Contains(c.Classes, cl) {
			classes = append(classes, cl)
		}
	}
	if len(classes) != len(c.Classes) || len(classes) == 0 {
		f.Add("classes", "consent.classes_required")
	}
	if c.Purpose == "statistics" && slices.ContainsFunc(classes, func(cl access.Class) bool { return cl != access.NonIdentifying }) {
		f.Add("classes", "consent.statistics_non_identifying")
	}
	c.Classes = classes
	if c.From.IsZero() {
		c.From = now
	}
	switch {
	case c.Until.IsZero():
		f.Add("valid_until", "field.required")
	case !c.Until.After(c.From) || !c.Until.After(now):
		f.Add("valid_until", "consent.until_future")
	case c.Until.Sub(c.From) > MaxConsentDuration:
		f.Add("valid_until", "consent.too_long")
	}
	if c.OrgID <= 0 {
		f.Add("organization_id", "field.choose_one")
	}
	return f.Err()
}

// Grant is the consent as the access policy sees it.
func (c *Consent) Grant() access.Grant {
	return access.Grant{OrgID: c.OrgID, Classes: c.Classes, Purpose: c.Purpose, From: c.From, Until: c.Until, RevokedAt: c.RevokedAt}
}

// Active reports whether the consent is in force at now.
func (c *Consent) Active(now time.Time) bool { return c.Grant().Active(now) }

// GlassOpening is one emergency access to an organization's case, for the
// notice its administrators and supervisors see.
type GlassOpening struct {
	CaseID   int64
	UserID   int64
	UserName string
	OrgName  string
	Reason   string
	OpenedAt time.Time
	Until    time.Time
}
