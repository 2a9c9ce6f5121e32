// Package storetest gives tests a real, migrated database on each engine.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"puente/internal/store"
)

// PostgresEnv names the environment variable holding a PostgreSQL DSN for
// tests. When it is empty PostgreSQL tests are skipped, unless
// PUENTE_REQUIRE_POSTGRES is set, as CI does, in which case they fail.
const PostgresEnv = "PUENTE_TEST_POSTGRES"

// ForEachEngine runs fn once against a fresh, migrated SQLite database and,
// when PUENTE_TEST_POSTGRES is set, once against a fresh PostgreSQL schema
// that is dropped afterwards. It is the one way tests get a database, so
// every storage test runs unchanged on both engines.
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated SQLite database in a temporary file.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return openTest(t, filepath.Join(t.TempDir(), "puente.db"))
}

// Postgres returns a migrated PostgreSQL database in a schema of its
// own, or skips the test when no PostgreSQL is configured.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return openTest(t, PostgresDSN(t))
}

// PostgresDSN creates an empty PostgreSQL schema, dropped after the test,
// and returns a DSN whose connections use it, for tests that open the
// database the way the puente command does; it skips the test when no
// PostgreSQL is configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		if os.Getenv("PUENTE_REQUIRE_POSTGRES") != "" {
			t.Fatalf("%s is empty but PUENTE_REQUIRE_POSTGRES is set", PostgresEnv)
		}
		t.Skipf("PostgreSQL tests skipped: set %s to a DSN to run them", PostgresEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	admin := openRaw(t, dsn)
	if _, err := admin.SQL().Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.SQL().Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openRaw(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	return db
}

func openTest(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db := openRaw(t, dsn)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}
