package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"puente/internal/access"
	"puente/internal/casework"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// tableText reads every row of every table as text, the way someone with a
// copy of the database would, on either engine.
func tableText(t *testing.T, db *store.DB) string {
	t.Helper()
	var tables []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if db.Engine() == store.Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if !slices.Contains(tables, "cases") {
		t.Fatalf("tables %v: the scan would miss the cases", tables)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.SQL().Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					b.Write(bs)
				} else {
					fmt.Fprint(&b, v)
				}
				b.WriteByte('|')
			}
		}
		rows.Close()
	}
	return b.String()
}

// TestNoCanaryInAnyTable writes cases with canary values and reads every
// table back raw: no canary may appear, on SQLite or PostgreSQL. (The web
// tests also scan SQLite's files, its WAL, a backup copy and the logs.)
func TestNoCanaryInAnyTable(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		c := sampleCase(e)
		c.Identity.GivenNames, c.Identity.FamilyNames = "CanaryGivenQ7", "CanaryFamilyQ7"
		c.Location.Shelter = "CanaryShelterQ7"
		c.Immigration.Status = "CanaryStatusQ7"
		c.Narrative.Notes = "CanaryNotesQ7"
		if err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		c.Narrative.Notes = "CanaryNotesUpdatedQ7"
		if err := db.UpdateCase(ctx, c, []access.Class{access.Narrative}); err != nil {
			t.Fatal(err)
		}
		text := tableText(t, db)
		if !strings.Contains(text, "forced_labor") {
			t.Fatal("the scan does not see the clear profile: it is not reading the data")
		}
		for _, canary := range []string{"CanaryGivenQ7", "CanaryFamilyQ7", "CanaryShelterQ7", "CanaryStatusQ7", "CanaryNotes", "canarygivenq7"} {
			if strings.Contains(text, canary) {
				t.Errorf("%s found in the tables", canary)
			}
		}
	})
}

// TestShreddedCaseStaysUnreadableInOldBackups copies a case's stored bytes
// (what a backup holds), deletes the case, rotates the key-encryption key
// as "puente keys rotate" does, and shows the copy no longer opens, while
// the other cases still do.
func TestShreddedCaseStaysUnreadableInOldBackups(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newCaseEnv(t, db)
		gone, kept := sampleCase(e), sampleCase(e)
		for _, c := range []*casework.Case{gone, kept} {
			if err := db.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		var wrapped, sealed []byte
		subject := fmt.Sprintf("case/%d", gone.ID)
		db.SQL().QueryRow(db.Rebind("SELECT wrapped FROM data_keys WHERE subject = ?"), subject).Scan(&wrapped)
		db.SQL().QueryRow(db.Rebind("SELECT identity_ct FROM cases WHERE id = ?"), gone.ID).Scan(&sealed)
		open := func() error {
			dk, err := e.kr.Unwrap(wrapped, subject)
			if err != nil {
				return err
			}
			_, err = dk.Open(sealed, fmt.Sprintf("cases/identity/%d", gone.ID))
			return err
		}
		if err := open(); err != nil {
			t.Fatalf("the backup copy does not open before deletion (%v): the test could not fail", err)
		}
		if err := db.DeleteCase(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		e.kr.Rotate()
		if _, err := db.RewrapDataKeys(ctx); err != nil {
			t.Fatal(err)
		}
		inUse, _ := db.KEKsInUse(ctx)
		if retired := e.kr.Retire(func(k string) bool { return slices.Contains(inUse, k) }); len(retired) != 1 {
			t.Fatalf("retired %v, want the old key", retired)
		}
		if err := open(); err == nil {
			t.Fatal("the deleted survivor's data opens from the old copy")
		}
		if got, err := db.Case(ctx, kept.ID, access.Classes); err != nil || got.Identity == nil {
			t.Fatalf("the other case after rotation: %v", err)
		}
	})
}
