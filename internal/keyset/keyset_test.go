package keyset

import (
	"testing"
	"time"
)

func TestCursorRoundTrip(t *testing.T) {
	c := Of(time.Date(2026, 12, 4, 17, 30, 0, 123456000, time.UTC), 42)
	got, err := Parse(c.String())
	if err != nil || got != c {
		t.Fatalf("Parse(%q) = %v, %v; want %v", c.String(), got, err, c)
	}
	if z, err := Parse(""); err != nil || !z.IsZero() || z.String() != "" {
		t.Fatalf("empty cursor: %v %v", z, err)
	}
}

func TestParseRefusesWhatItDidNotWrite(t *testing.T) {
	for _, s := range []string{"x", "1", "1.", ".1", "1.0", "1.-3", "-5.3", "1.2.3", "9999999999999999999.1", "1.1 OR 1=1"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestBeforeOrdersNewestFirst(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Of(t0, 10)
	cases := []struct {
		at   time.Time
		id   int64
		want bool
	}{
		{t0.Add(-time.Microsecond), 99, true}, // older
		{t0, 9, true},                         // same time, smaller id
		{t0, 10, false},                       // the cursor's own row
		{t0, 11, false},
		{t0.Add(time.Microsecond), 1, false}, // newer
	}
	for _, tc := range cases {
		if got := c.Before(tc.at, tc.id); got != tc.want {
			t.Errorf("Before(%v, %d) = %v, want %v", tc.at, tc.id, got, tc.want)
		}
	}
	if !(Cursor{}).Before(t0, 1) {
		t.Error("the start of the list must hold every row")
	}
}
