package directory

import "github.com/google/uuid"

// salNamespace is the UUID namespace of service-at-location ids. It is a
// random UUID fixed for good: changing it would orphan every bed count.
var salNamespace = uuid.UUID{0x6f, 0x1c, 0x3e, 0x52, 0x9a, 0x47, 0x4b, 0x0d, 0xb2, 0x85, 0x1e, 0x7c, 0x44, 0xd9, 0x0a, 0x63}

// ServiceAtLocationID returns the id of the listing of a service at a
// location: a name-based UUID (RFC 9562, version 5) of the two ids, so that
// a match's ServiceID and LocationID name the listing to update or delete
// without a look-up. A service with no location has locationID "".
func ServiceAtLocationID(serviceID, locationID string) string {
	// Ids are cleaned text and hold no NUL, so the pair reads one way only.
	return uuid.NewSHA1(salNamespace, []byte(serviceID+"\x00"+locationID)).String()
}

// Filter narrows the directory's own pages.
type Filter struct {
	// MemberID keeps only what the Puente member organization runs; 0
	// keeps everything.
	MemberID int64
}
