package account

import (
	"slices"
	"testing"

	"puente/internal/problem"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Ana.Perez@Example.ORG ": "ana.perez@example.org",
		"ana@example":             "",
		"Ana <ana@example.org>":   "",
		"":                        "",
		"ana@@example.org":        "",
		"<script>@example.org":    "",
	} {
		got, key := NormalizeEmail(in)
		if got != want || (want == "" && key == "") {
			t.Errorf("NormalizeEmail(%q) = %q, %q; want %q", in, got, key, want)
		}
	}
}

func TestOrganizationNormalize(t *testing.T) {
	o := Organization{Name: "  Casa del Migrante ", Country: "mx", Kind: Shelter}
	if err := o.Normalize(); err != nil || o.Name != "Casa del Migrante" || o.Country != MX {
		t.Fatalf("Normalize = %v, %+v", err, o)
	}
	bad := Organization{Name: "", Country: "CA", Kind: "cartel"}
	pe := problem.As(bad.Normalize())
	var fields []string
	for _, f := range pe.Fields {
		fields = append(fields, f.Field)
	}
	if !slices.Equal(fields, []string{"name", "country", "kind"}) {
		t.Errorf("invalid fields %v", fields)
	}
}

func TestUserNormalize(t *testing.T) {
	u := User{OrgID: 1, Email: "A@Example.org", Name: "Ana", Roles: []Role{Screener, Admin, Screener}}
	if err := u.Normalize(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.Roles, []Role{Admin, Screener}) || u.Email != "a@example.org" {
		t.Errorf("after Normalize: %+v", u)
	}
	if !u.Has(Admin) || u.Has(Analyst) {
		t.Error("Has is wrong")
	}
	bad := User{Email: "x", Name: "<b>", Lang: "fr", Roles: []Role{"root"}}
	if n := len(problem.As(bad.Normalize()).Fields); n != 5 {
		t.Errorf("a user wrong in five ways reports %d fields", n)
	}
}
