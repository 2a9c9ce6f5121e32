package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"puente/internal/account"
	"puente/internal/demo"
)

func TestAdminManagesOrganizations(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		b := e.signIn("admin")
		tok := b.csrf("/organizations/new")
		res := b.post("/organizations", form("csrf_token", tok, "name", "Casa del Migrante Ejemplo", "country", "MX", "kind", "shelter", "city", "Ciudad Juárez", "region", "Chihuahua", "vetted", "1"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", res.StatusCode, res.body)
		}
		o := orgByName(t, e, "Casa del Migrante Ejemplo")
		if !o.Vetted || o.Country != account.MX || o.City != "Ciudad Juárez" {
			t.Errorf("created %+v", o)
		}
		res = b.post(fmt.Sprintf("/organizations/%d", o.ID), form("csrf_token", tok, "name", o.Name, "country", "MX", "kind", "shelter", "disabled", "1"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", res.StatusCode)
		}
		if got := orgByName(t, e, o.Name); !got.Disabled || got.Vetted {
			t.Errorf("after edit: disabled=%v vetted=%v, want true, false", got.Disabled, got.Vetted)
		}
		list := b.get("/organizations")
		if !strings.Contains(list.body, "Casa del Migrante Ejemplo") {
			t.Error("admin does not see the disabled organization in the list")
		}
		cw := e.signIn("caseworker")
		if strings.Contains(cw.get("/organizations").body, "Casa del Migrante Ejemplo") {
			t.Error("a caseworker sees a disabled organization")
		}
	})
}

func TestAdminManagesUsers(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		b := e.signIn("admin")
		org := orgByName(t, e, "Albergue Puerta Abierta (demo)")
		tok := b.csrf("/users/new")
		f := form("csrf_token", tok, "name", "Luis Ortega", "email", "luis@example.org", "organization_id", fmt.Sprint(org.ID), "role", "caseworker", "role", "screener", "lang", "es", "password", "short")
		res := b.post("/users", f)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "at least 12 characters") {
			t.Fatalf("short password: %d", res.StatusCode)
		}
		if !strings.Contains(res.body, `value="Luis Ortega"`) {
			t.Error("the form lost what was typed after an error")
		}
		f.Set("password", "password1234")
		if res := b.post("/users", f); !strings.Contains(res.body, "too common") {
			t.Fatalf("common password accepted: %d", res.StatusCode)
		}
		f.Set("password", "rio bravo lleva agua")
		if res := b.post("/users", f); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create user: %d\n%s", res.StatusCode, res.body)
		}
		u, err := e.db.UserByEmail(context.Background(), "luis@example.org")
		if err != nil || u.OrgID != org.ID || !u.Has(account.Screener) || u.Lang != "es" {
			t.Fatalf("created %+v, %v", u, err)
		}
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			t.Fatalf("password stored as %q", u.PasswordHash)
		}
		// The new user can sign in, then the admin disables them.
		nb := e.browser()
		ntok := nb.csrf("/login")
		if res := nb.post("/login", form("csrf_token", ntok, "email", "luis@example.org", "password", "rio bravo lleva agua")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new user sign-in: %d", res.StatusCode)
		}
		f = form("csrf_token", tok, "name", "Luis Ortega", "email", "luis@example.org", "organization_id", fmt.Sprint(org.ID), "role", "caseworker", "disabled", "1")
		if res := b.post(fmt.Sprintf("/users/%d", u.ID), f); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable user: %d\n%s", res.StatusCode, res.body)
		}
		if res := nb.get("/dashboard"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("disabled user still signed in: %d", res.StatusCode)
		}

		// The admin cannot change their own access, locking themselves
		// out or letting themselves in.
		me := e.user("admin")
		f = form("csrf_token", tok, "name", me.Name, "email", me.Email, "organization_id", fmt.Sprint(me.OrgID), "role", "analyst")
		if res := b.post(fmt.Sprintf("/users/%d", me.ID), f); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "another administrator") {
			t.Errorf("admin dropped own admin role: %d", res.StatusCode)
		}
		// Duplicate email is a clear field error.
		f = form("csrf_token", tok, "name", "Otro", "email", "LUIS@example.org", "organization_id", fmt.Sprint(org.ID), "role", "analyst", "password", "otra frase bastante larga")
		if res := b.post("/users", f); res.StatusCode != http.StatusConflict && !strings.Contains(res.body, "already has this email") {
			t.Errorf("duplicate email: %d", res.StatusCode)
		}
	})
}

// TestRolesSeeOnlyTheirPages walks every demo role over the admin pages.
func TestRolesSeeOnlyTheirPages(t *testing.T) {
	e := sqliteEnv(t)
	pages := []string{"/organizations/new", "/users/new", "/users/1", "/organizations/1", "/users", "/organizations", "/dashboard", "/account", "/account/tokens"}
	allowed := map[string][]string{
		"admin":      pages,
		"supervisor": {"/users", "/organizations", "/dashboard", "/account", "/account/tokens"},
	}
	for _, l := range demo.Logins() {
		local := strings.Split(l.Email, "@")[0]
		b := e.signIn(local)
		ok := allowed[local]
		if l.Role == account.Supervisor {
			ok = allowed["supervisor"]
		}
		if ok == nil {
			ok = []string{"/organizations", "/dashboard", "/account", "/account/tokens"}
		}
		for _, p := range pages {
			res := b.get(p)
			want := http.StatusForbidden
			if contains(ok, p) {
				want = http.StatusOK
			}
			if res.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", local, p, res.StatusCode, want)
			}
		}
		tok := b.csrf("/dashboard")
		res := b.post("/organizations", form("csrf_token", tok, "name", "By "+local, "country", "US", "kind", "ngo"))
		if local != "admin" && res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST /organizations: %d, want 403", local, res.StatusCode)
		}
	}
}

func TestSupervisorSeesOnlyOwnTeam(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("supervisor")
	other := orgByName(t, e, "Bayside Survivors Collective (demo)")
	res := b.get(fmt.Sprintf("/users?org=%d", other.ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("users: %d", res.StatusCode)
	}
	if strings.Contains(res.body, "analyst@") || !strings.Contains(res.body, "caseworker@") {
		t.Error("supervisor's user list is not limited to their organization")
	}
}

func TestHostileInputInForms(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	tok := b.csrf("/organizations/new")
	before, _ := e.db.Organizations(context.Background(), account.OrgFilter{WithDisabled: true})
	for _, tt := range []struct {
		name, value, want string
	}{
		{"markup", `<script>alert("x")</script>`, "cannot contain the characters &lt; or &gt;"},
		{"control", "Casa\x00Nueva", "line breaks or invisible control characters"},
		{"too long", strings.Repeat("a", 121), "This is too long."},
		{"empty", "   ", "This field is required."},
		{"bad utf-8", "Casa \xff", "could not be read"},
	} {
		res := b.post("/organizations", form("csrf_token", tok, "name", tt.value, "country", "US", "kind", "ngo"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, tt.want) {
			t.Errorf("%s: status %d, want 422 with %q", tt.name, res.StatusCode, tt.want)
		}
		if strings.Contains(res.body, "<script>alert") {
			t.Errorf("%s: markup echoed unescaped", tt.name)
		}
	}
	for field, value := range map[string]string{"country": "XX", "kind": "cartel"} {
		f := form("csrf_token", tok, "name", "Casa Válida", "country", "US", "kind", "ngo")
		f.Set(field, value)
		if res := b.post("/organizations", f); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Choose one of the options") {
			t.Errorf("bad %s: %d", field, res.StatusCode)
		}
	}
	after, _ := e.db.Organizations(context.Background(), account.OrgFilter{WithDisabled: true})
	if len(after) != len(before) {
		t.Fatalf("invalid forms created organizations: %d → %d", len(before), len(after))
	}
	// SQL metacharacters are just text: stored as typed, shown escaped.
	sqlName := `O'Brien & Hijos"; DROP TABLE users;--`
	if res := b.post("/organizations", form("csrf_token", tok, "name", sqlName, "country", "US", "kind", "ngo")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apostrophes refused: %d\n%s", res.StatusCode, res.body)
	}
	if list := b.get("/organizations"); !strings.Contains(list.body, "O&#39;Brien &amp; Hijos&#34;; DROP TABLE users;--") {
		t.Error("name with SQL metacharacters not shown escaped")
	}
	if n, err := e.db.CountUsers(context.Background()); err != nil || n != len(demo.Logins()) {
		t.Fatalf("users table after SQL-looking input: %d, %v", n, err)
	}
}

func TestOversizedForm(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("admin")
	tok := b.csrf("/organizations/new")
	res := b.post("/organizations", form("csrf_token", tok, "name", strings.Repeat("x", maxFormBytes), "country", "US", "kind", "ngo"))
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "too large") {
		t.Fatalf("oversized form: %d", res.StatusCode)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
