package signin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"puente/internal/account"
	"puente/internal/auth"
	"puente/internal/demo"
	"puente/internal/password"
	"puente/internal/problem"
	"puente/internal/secret"
	"puente/internal/signin"
	"puente/internal/store/storetest"
)

// flaky is the real store whose user and organization lookups fail as a
// database does for a moment, or find nothing, as for a deleted account.
type flaky struct {
	signin.Store
	userErr, orgErr error
}

func (f flaky) User(ctx context.Context, id int64) (*account.User, error) {
	if f.userErr != nil {
		return nil, f.userErr
	}
	return f.Store.User(ctx, id)
}

func (f flaky) Organization(ctx context.Context, id int64) (*account.Organization, error) {
	if f.orgErr != nil {
		return nil, f.orgErr
	}
	return f.Store.Organization(ctx, id)
}

// TestResumeTellsAFailureFromSignedOut: a session whose user cannot be
// loaded because the database failed is an error (the person sees "try
// again"), not a signed-out visitor sent to the sign-in page; a session of
// an account that is gone is nobody's.
func TestResumeTellsAFailureFromSignedOut(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	db := storetest.SQLite(t)
	kr, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(kr)
	fast := password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Seed(ctx, db, func(pw string) (string, error) { return password.Hash(pw, fast) }, now); err != nil {
		t.Fatal(err)
	}
	u, err := db.UserByEmail(ctx, "caseworker@"+demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	cookie := "a-session-cookie-value-of-enough-length-0123456789"
	if err := db.CreateSession(ctx, auth.Session{Hash: auth.HashID(cookie), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(8 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	resume := func(st signin.Store) (*signin.Current, bool, error) {
		return (&signin.Service{Store: st, Now: func() time.Time { return now }}).Resume(ctx, cookie)
	}
	if cur, _, err := resume(db); err != nil || cur == nil || cur.User.ID != u.ID || cur.Org == nil {
		t.Fatalf("a live session: %+v, %v", cur, err)
	}
	broken := errors.New("disk I/O error")
	for name, st := range map[string]signin.Store{
		"user":         flaky{Store: db, userErr: broken},
		"organization": flaky{Store: db, orgErr: broken},
	} {
		if cur, gone, err := resume(st); !errors.Is(err, broken) || cur != nil || gone {
			t.Errorf("loading the %s fails: %+v, gone %v, err %v; want the error", name, cur, gone, err)
		}
	}
	gone := problem.New(problem.NotFound, "error.not_found")
	if cur, _, err := resume(flaky{Store: db, userErr: gone}); err != nil || cur != nil {
		t.Errorf("a deleted account's session: %+v, %v; want nobody, no error", cur, err)
	}
}
