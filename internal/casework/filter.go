package casework

import "time"

// Filter narrows a list of cases. OrgID or IDs must be set: a list
// never spans organizations except through consented case ids.
type Filter struct {
	OrgID        int64
	IDs          []int64 // cases of other organizations the reader has consent for
	Status       Status
	AssignedTo   int64
	Exploitation string
	NameTokens   []string // from SearchTokens; every token must match
	Limit        int
}

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
