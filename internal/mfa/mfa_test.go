package mfa

import (
	"fmt"
	"testing"
)

func TestRequired(t *testing.T) {
	roles := []struct {
		name     string
		roles    []string
		required bool
	}{
		{"none", nil, false},
		{"caseworker", []string{"caseworker"}, false},
		{"volunteer and caseworker", []string{"volunteer", "caseworker"}, false},
		{"admin", []string{"admin"}, true},
		{"supervisor", []string{"supervisor"}, true},
		{"caseworker and supervisor", []string{"caseworker", "supervisor"}, true},
		{"capitalized Admin", []string{"Admin"}, false}, // roles are exact keys
	}
	kinds := []struct {
		kind     string
		required bool
	}{
		{"", false},
		{"ngo", false},
		{"shelter", false},
		{"law_enforcement", true},
		{"government", true},
		{"consulate", true},
	}
	for _, r := range roles {
		for _, k := range kinds {
			want := r.required || k.required
			t.Run(fmt.Sprintf("%s/%q", r.name, k.kind), func(t *testing.T) {
				if got := Required(r.roles, k.kind); got != want {
					t.Errorf("Required(%q, %q): got %t, want %t", r.roles, k.kind, got, want)
				}
			})
		}
	}
}
