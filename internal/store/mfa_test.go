package store_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"puente/internal/account"
	"puente/internal/auth"
	"puente/internal/mfa"
	"puente/internal/problem"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// mfaDB is a store with a keyring, which sealing TOTP secrets needs.
func mfaDB(t *testing.T, db *store.DB) (*account.User, *account.User) {
	t.Helper()
	kr, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(kr)
	org := mustOrg(t, db, "Frontera Legal", account.US)
	return mustUser(t, db, org.ID, "sup@example.org", account.Supervisor), mustUser(t, db, org.ID, "cw@example.org", account.Caseworker)
}

func newSecret(t *testing.T) string {
	t.Helper()
	e, err := mfa.Enroll("Puente", "Puente user 1")
	if err != nil {
		t.Fatal(err)
	}
	return e.Secret
}

func TestTOTPLifecycle(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		u, _ := mfaDB(t, db)
		if _, err := db.TOTP(ctx, u.ID); problem.KindOf(err) != problem.NotFound {
			t.Fatalf("TOTP before enrollment: err %v, want not found", err)
		}
		first, sec := newSecret(t), newSecret(t)
		if err := db.SavePendingTOTP(ctx, u.ID, first); err != nil {
			t.Fatal(err)
		}
		// Starting again replaces a pending secret.
		if err := db.SavePendingTOTP(ctx, u.ID, sec); err != nil {
			t.Fatalf("second pending secret: %v", err)
		}
		got, err := db.TOTP(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Secret != sec || got.Enabled() || got.LastStep != 0 {
			t.Fatalf("pending TOTP: got %+v, want the second secret, not enabled", got)
		}
		if on, err := db.TOTPEnabled(ctx, u.ID); on || err != nil {
			t.Fatalf("TOTPEnabled while pending: %t %v", on, err)
		}
		if err := db.UseTOTPStep(ctx, u.ID, 5); problem.KindOf(err) != problem.Conflict {
			t.Fatalf("UseTOTPStep on a pending secret: %v, want conflict", err)
		}

		codes, _ := mfa.NewRecoveryCodes(mfa.DefaultRecoveryCodes)
		if err := db.EnableTOTP(ctx, u.ID, 100, codes); err != nil {
			t.Fatal(err)
		}
		got, _ = db.TOTP(ctx, u.ID)
		if !got.Enabled() || got.LastStep != 100 {
			t.Fatalf("enabled TOTP: got %+v, want enabled at step 100", got)
		}
		if on, _ := db.TOTPEnabled(ctx, u.ID); !on {
			t.Fatal("TOTPEnabled is false after EnableTOTP")
		}
		if err := db.EnableTOTP(ctx, u.ID, 101, codes); problem.KindOf(err) != problem.Conflict {
			t.Errorf("enabling twice: %v, want conflict", err)
		}
		if err := db.SavePendingTOTP(ctx, u.ID, first); problem.KindOf(err) != problem.Conflict {
			t.Errorf("a pending secret over an enabled one: %v, want conflict", err)
		}
		if got, _ := db.TOTP(ctx, u.ID); got.Secret != sec {
			t.Error("a refused pending secret replaced the enabled one")
		}

		for _, c := range []struct {
			step   int64
			accept bool
		}{{100, false}, {99, false}, {101, true}, {101, false}, {103, true}, {102, false}} {
			err := db.UseTOTPStep(ctx, u.ID, c.step)
			if c.accept && err != nil || !c.accept && problem.KindOf(err) != problem.Conflict {
				t.Errorf("UseTOTPStep(%d): got %v, want accepted %t (or a conflict)", c.step, err, c.accept)
			}
		}

		if err := db.DisableTOTP(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TOTP(ctx, u.ID); problem.KindOf(err) != problem.NotFound {
			t.Errorf("TOTP after disable: %v, want not found", err)
		}
		if n, _ := db.CountRecoveryCodes(ctx, u.ID); n != 0 {
			t.Errorf("recovery codes after disable: %d, want 0", n)
		}
		if err := db.SavePendingTOTP(ctx, u.ID, first); err != nil {
			t.Errorf("enrolling again after disable: %v", err)
		}
	})
}

// TestTOTPSecretSealed reads the column itself: the secret is not there in
// the clear, and a sealed secret moved to another user does not open.
func TestTOTPSecretSealed(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		u, other := mfaDB(t, db)
		s := newSecret(t)
		if err := db.SavePendingTOTP(ctx, u.ID, s); err != nil {
			t.Fatal(err)
		}
		if err := db.SavePendingTOTP(ctx, other.ID, newSecret(t)); err != nil {
			t.Fatal(err)
		}
		// Raw SQL, with ids in the text, so it runs unchanged on both engines.
		var sealed []byte
		if err := db.SQL().QueryRow(fmt.Sprintf("SELECT secret_ct FROM user_totp WHERE user_id = %d", u.ID)).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte(s)) || bytes.Contains(bytes.ToLower(sealed), []byte(strings.ToLower(s))) {
			t.Fatal("the TOTP secret is stored in the clear")
		}
		move := fmt.Sprintf("UPDATE user_totp SET secret_ct = (SELECT secret_ct FROM user_totp WHERE user_id = %d) WHERE user_id = %d", u.ID, other.ID)
		if _, err := db.SQL().Exec(move); err != nil {
			t.Fatal(err)
		}
		if got, err := db.TOTP(ctx, other.ID); err == nil {
			t.Fatalf("another user's sealed secret opened: %q", got.Secret)
		}

		// Without the deployment's key nothing opens.
		kr, _ := secret.NewKeyring()
		db.UseKeyring(kr)
		if _, err := db.TOTP(ctx, u.ID); err == nil {
			t.Fatal("the secret opened under another keyring")
		}
	})
}

// TestUseTOTPStepRace sends one code from many requests at once: exactly
// one may be accepted.
func TestUseTOTPStepRace(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		u, _ := mfaDB(t, db)
		if err := db.SavePendingTOTP(ctx, u.ID, newSecret(t)); err != nil {
			t.Fatal(err)
		}
		if err := db.EnableTOTP(ctx, u.ID, 10, nil); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() { errs <- db.UseTOTPStep(ctx, u.ID, 11) })
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			switch {
			case err == nil:
				won++
			case problem.KindOf(err) != problem.Conflict:
				t.Errorf("UseTOTPStep: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d racing requests were accepted, want 1", won, n)
		}
	})
}

func TestRecoveryCodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		u, other := mfaDB(t, db)
		codes, _ := mfa.NewRecoveryCodes(mfa.DefaultRecoveryCodes)
		if err := db.SavePendingTOTP(ctx, u.ID, newSecret(t)); err != nil {
			t.Fatal(err)
		}
		if err := db.EnableTOTP(ctx, u.ID, 1, codes); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountRecoveryCodes(ctx, u.ID); n != len(codes) {
			t.Fatalf("CountRecoveryCodes: %d, want %d", n, len(codes))
		}
		var stored []string
		rows, err := db.SQL().Query(fmt.Sprintf("SELECT hash FROM recovery_codes WHERE user_id = %d", u.ID))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var h string
			rows.Scan(&h)
			stored = append(stored, h)
		}
		rows.Close()
		for _, c := range codes {
			for _, h := range stored {
				if strings.Contains(h, strings.ReplaceAll(c, "-", "")) {
					t.Fatalf("recovery code %q is stored in the clear", c)
				}
			}
		}

		if err := db.UseRecoveryCode(ctx, other.ID, codes[0]); problem.KindOf(err) != problem.NotFound {
			t.Errorf("another user's code: %v, want not found", err)
		}
		// As typed from paper: upper case, a space for the dash.
		typed := strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))
		if err := db.UseRecoveryCode(ctx, u.ID, typed); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if err := db.UseRecoveryCode(ctx, u.ID, codes[0]); problem.KindOf(err) != problem.NotFound {
			t.Errorf("second use: %v, want not found", err)
		}
		if n, _ := db.CountRecoveryCodes(ctx, u.ID); n != len(codes)-1 {
			t.Errorf("CountRecoveryCodes after one use: %d, want %d", n, len(codes)-1)
		}

		fresh, _ := mfa.NewRecoveryCodes(3)
		if err := db.ReplaceRecoveryCodes(ctx, u.ID, fresh); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountRecoveryCodes(ctx, u.ID); n != 3 {
			t.Errorf("CountRecoveryCodes after replacing: %d, want 3", n)
		}
		if err := db.UseRecoveryCode(ctx, u.ID, codes[1]); problem.KindOf(err) != problem.NotFound {
			t.Errorf("a replaced code still works: %v", err)
		}
		if err := db.UseRecoveryCode(ctx, u.ID, fresh[2]); err != nil {
			t.Errorf("a new code: %v", err)
		}
	})
}

func TestSessionSecondFactor(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		u, _ := mfaDB(t, db)
		_, s := auth.NewSession(u.ID, time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), auth.DefaultTimeouts)
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Session(ctx, s.Hash); got.SecondFactor {
			t.Fatal("a new session starts with its second factor given")
		}
		if err := db.MarkSessionSecondFactor(ctx, s.Hash); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Session(ctx, s.Hash); !got.SecondFactor {
			t.Fatal("MarkSessionSecondFactor did not stick")
		}
		if err := db.MarkSessionSecondFactor(ctx, "no-such-session"); problem.KindOf(err) != problem.NotFound {
			t.Errorf("marking a missing session: %v, want not found", err)
		}
	})
}

// TestTOTPSealedBeforeTheSealerStillOpens: a secret sealed as the store
// sealed them before secret.Sealer (AES-256-GCM under the "totp" key,
// version 1 | nonce | ciphertext, bound to "user_totp/<id>") opens as
// before: moving the code lost no one's second factor.
func TestTOTPSealedBeforeTheSealerStillOpens(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		kr, err := secret.NewKeyring()
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeyring(kr)
		org := mustOrg(t, db, "Frontera Legal", account.US)
		u := mustUser(t, db, org.ID, "cw@example.org", account.Caseworker)
		want := newSecret(t)
		block, err := aes.NewCipher(kr.Derive("totp"))
		if err != nil {
			t.Fatal(err)
		}
		aead, _ := cipher.NewGCM(block)
		old := make([]byte, 1+aead.NonceSize())
		old[0] = 1
		rand.Read(old[1:])
		old = aead.Seal(old, old[1:], []byte(want), fmt.Appendf(nil, "user_totp/%d", u.ID))
		if _, err := db.SQL().ExecContext(ctx, db.Rebind("INSERT INTO user_totp (user_id, secret_ct, enabled_at, last_step) VALUES (?, ?, NULL, 0)"), u.ID, old); err != nil {
			t.Fatal(err)
		}
		got, err := db.TOTP(ctx, u.ID)
		if err != nil || got.Secret != want {
			t.Fatalf("a secret sealed the old way: %+v, %v", got, err)
		}
	})
}
