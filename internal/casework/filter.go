package casework

import (
	"time"

	"puente/internal/keyset"
)

// Filter narrows a list of cases. OrgID or IDs must be set: a list
// never spans organizations except through consented case ids.
type Filter struct {
	OrgID        int64
	IDs          []int64 // cases of other organizations the reader has consent for
	Status       Status
	AssignedTo   int64
	Exploitation string
	NameTokens   []string // from SearchTokens; every token must match
	// After is where the previous page ended; the list starts there.
	After keyset.Cursor
	// Limit is the page size: PageSize when zero, never more than MaxPage.
	Limit int
}

// PageSize is how many cases a list shows at once unless asked otherwise,
// and MaxPage the most it shows.
const (
	PageSize = 50
	MaxPage  = 500
)

// PageLimit returns the page size f asks for, within bounds.
func (f Filter) PageLimit() int {
	switch {
	case f.Limit <= 0:
		return PageSize
	case f.Limit > MaxPage:
		return MaxPage
	}
	return f.Limit
}

// Page is one page of a case list, newest first, and where the next one
// starts (zero when this is the last).
type Page struct {
	Cases []Summary
	Next  keyset.Cursor
}

// Cursor returns where a list that ends with s continues.
func (s Summary) Cursor() keyset.Cursor { return keyset.Of(s.UpdatedAt, s.ID) }

// Summary is a line of the case list: nothing sealed.
type Summary struct {
	ID        int64
	OrgID     int64
	Status    Status
	CreatedAt time.Time
	UpdatedAt time.Time
	Profile   Profile
	Assigned  []int64
}
