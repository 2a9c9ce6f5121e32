// Package keyset pages a list that shows newest first without OFFSET: a
// page ends at a cursor, the (time, id) of its last row, and the next page
// is the rows strictly before it. The database walks an index from there
// and stops after one page, so the thousandth page costs what the first
// does, and rows written between two pages neither repeat nor vanish.
package keyset

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Cursor is where a page ended: the time and id of its last row. The zero
// Cursor is the start of the list.
type Cursor struct {
	At time.Time
	ID int64
}

// IsZero reports whether c is the start of the list.
func (c Cursor) IsZero() bool { return c.ID == 0 }

// Of returns the cursor of a row.
func Of(at time.Time, id int64) Cursor { return Cursor{At: at, ID: id} }

// Before reports whether a row at (at, id) comes after c in a list sorted
// newest first, that is, whether it belongs to a page that starts at c.
func (c Cursor) Before(at time.Time, id int64) bool {
	if c.IsZero() {
		return true
	}
	return at.Before(c.At) || (at.Equal(c.At) && id < c.ID)
}

// String encodes c for a URL: microseconds since 1970, a dot, the id.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)
}

// ErrCursor is returned for a cursor this package did not write.
var ErrCursor = errors.New("keyset: not a page cursor")

// Parse decodes a cursor written by String; "" is the start of the list.
func Parse(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	at, id, ok := strings.Cut(s, ".")
	if !ok {
		return Cursor{}, ErrCursor
	}
	us, err := strconv.ParseInt(at, 10, 64)
	if err != nil || us < 0 {
		return Cursor{}, ErrCursor
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return Cursor{}, ErrCursor
	}
	return Cursor{At: time.UnixMicro(us).UTC(), ID: n}, nil
}
