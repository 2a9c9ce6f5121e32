package auth

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func TestSessionTimeouts(t *testing.T) {
	to := Timeouts{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}
	id, s := NewSession(7, t0, to)
	if len(id) < 43 || s.Hash != HashID(id) || strings.Contains(s.Hash, id) {
		t.Fatalf("session id %q / hash %q: id too short or stored in clear", id, s.Hash)
	}
	id2, _ := NewSession(7, t0, to)
	if id2 == id {
		t.Fatal("two sessions got the same id")
	}
	for _, tt := range []struct {
		name     string
		lastSeen time.Time
		now      time.Time
		want     bool
	}{
		{"fresh", t0, t0.Add(time.Minute), true},
		{"idle too long", t0, t0.Add(31 * time.Minute), false},
		{"active but past absolute", t0.Add(12*time.Hour - time.Minute), t0.Add(12 * time.Hour), false},
		{"active within absolute", t0.Add(11 * time.Hour), t0.Add(11*time.Hour + 10*time.Minute), true},
	} {
		s.LastSeenAt = tt.lastSeen
		if got := s.Live(tt.now, to); got != tt.want {
			t.Errorf("%s: Live = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestToken(t *testing.T) {
	bearer, tok := NewToken(3, "ci", []string{"organizations:read"}, t0, time.Hour)
	pub, sec, ok := SplitBearer(bearer)
	if !ok || pub != tok.PublicID {
		t.Fatalf("SplitBearer(%q) = %q, %q, %v", bearer, pub, sec, ok)
	}
	if !tok.Matches(sec) || tok.Matches(sec+"x") || tok.Matches("") {
		t.Fatal("Matches accepts a wrong secret or refuses the right one")
	}
	if !tok.Usable(t0.Add(time.Minute)) || tok.Usable(t0.Add(time.Hour)) {
		t.Fatal("token expiry not honored")
	}
	now := t0
	tok.RevokedAt = &now
	if tok.Usable(t0) {
		t.Fatal("revoked token is usable")
	}
	for _, bad := range []string{"", "Bearer x", "puente_short_x", "puente_" + pub, "other_" + pub + "_" + sec} {
		if _, _, ok := SplitBearer(bad); ok {
			t.Errorf("SplitBearer(%q) accepted a malformed token", bad)
		}
	}
}
