package auth

import (
	"strings"
	"testing"
	"time"
)

func TestLimitKeys(t *testing.T) {
	k := NewLimitKeys([]byte("limit key"))
	other := NewLimitKeys([]byte("another key"))
	for _, tt := range []struct {
		name string
		a, b string
		same bool
	}{
		{"same address", k.Address("198.51.100.7"), k.Address("198.51.100.7"), true},
		{"IPv4 mapped in IPv6", k.Address("::ffff:198.51.100.7"), k.Address("198.51.100.7"), true},
		{"neighbouring IPv4", k.Address("198.51.100.7"), k.Address("198.51.100.8"), false},
		{"one IPv6 /64", k.Address("2001:db8:1:2::1"), k.Address("2001:db8:1:2:ffff:ffff:ffff:ffff"), true},
		{"IPv6 zone", k.Address("fe80::1%eth0"), k.Address("fe80::2"), true},
		{"next IPv6 /64", k.Address("2001:db8:1:2::1"), k.Address("2001:db8:1:3::1"), false},
		{"same email", k.Account("ana@example.org"), k.Account("ana@example.org"), true},
		{"other email", k.Account("ana@example.org"), k.Account("ana@example.com"), false},
		{"other key", k.Account("ana@example.org"), other.Account("ana@example.org"), false},
		{"account and device", k.Account("x"), k.Device(k.Account("x"), ""), false},
		{"two devices", k.Device("acct:a", "d1"), k.Device("acct:a", "d2"), false},
		{"kinds do not collide", k.Address("x"), "addr:" + strings.TrimPrefix(k.Account("x"), "acct:"), false},
	} {
		if got := tt.a == tt.b; got != tt.same {
			t.Errorf("%s: %q == %q is %v, want %v", tt.name, tt.a, tt.b, got, tt.same)
		}
	}
	for _, key := range []string{k.Address("198.51.100.7"), k.Account("ana@example.org")} {
		if strings.Contains(key, "198.51") || strings.Contains(key, "ana") || len(key) > 40 {
			t.Errorf("key %q shows what it names, or is too long", key)
		}
	}
}

func TestDevices(t *testing.T) {
	d := NewDevices([]byte("device key"))
	ana, ben := "acct:ana", "acct:ben"
	exp := t0.Add(90 * 24 * time.Hour)
	cookie := d.Issue("", ana, t0, exp)
	id, ok := d.Find(cookie, ana, t0.Add(time.Hour))
	if !ok || id == "" {
		t.Fatalf("Find(%q) for its own account: %q, %v", cookie, id, ok)
	}
	if strings.Contains(cookie, "ana") {
		t.Errorf("the cookie names the account: %q", cookie)
	}
	tampered := []byte(cookie)
	tampered[3] ^= 1
	for _, tt := range []struct {
		name, cookie, account string
		at                    time.Time
	}{
		{"another account", cookie, ben, t0},
		{"expired", cookie, ana, exp},
		{"tampered", string(tampered), ana, t0},
		{"signed with another key", NewDevices([]byte("other")).Issue("", ana, t0, exp), ana, t0},
		{"empty", "", ana, t0},
		{"garbage", "x.y..z", ana, t0},
	} {
		if _, ok := d.Find(tt.cookie, tt.account, tt.at); ok {
			t.Errorf("%s: Find accepted it", tt.name)
		}
	}

	// A shared computer keeps several accounts' tokens; signing in again
	// replaces the account's own token, with a new device id.
	both := d.Issue(cookie, ben, t0, exp)
	if _, ok := d.Find(both, ana, t0); !ok {
		t.Error("Ana's token lost when Ben signed in")
	}
	if _, ok := d.Find(both, ben, t0); !ok {
		t.Error("Ben's token missing")
	}
	again := d.Issue(both, ana, t0, exp)
	if n := strings.Count(again, ".") + 1; n != 2 {
		t.Errorf("after Ana signed in again the cookie holds %d tokens, want 2: %q", n, again)
	}
	if id2, _ := d.Find(again, ana, t0); id2 == id {
		t.Error("a new sign-in kept the old device id")
	}
	full := ""
	for i := range MaxDeviceTokens + 3 {
		full = d.Issue(full, "acct:"+strings.Repeat("u", i+1), t0, exp)
	}
	if n := strings.Count(full, ".") + 1; n != MaxDeviceTokens {
		t.Errorf("cookie holds %d tokens, want at most %d", n, MaxDeviceTokens)
	}
	if _, ok := d.Find(full, "acct:u", t0); ok {
		t.Error("the oldest token was kept past the limit")
	}
	// Expired and malformed tokens are dropped when a new one is issued.
	stale := d.Issue("junk."+d.Issue("", ben, t0, t0.Add(time.Minute)), ana, t0.Add(time.Hour), exp)
	if n := strings.Count(stale, ".") + 1; n != 1 {
		t.Errorf("expired and malformed tokens kept: %q", stale)
	}
}
