package store_test

import (
	"fmt"
	"testing"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// benchEngines runs a benchmark on SQLite and, when configured, PostgreSQL.
func benchEngines(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

func benchCaseEnv(b *testing.B, db *store.DB) *caseEnv {
	kr, err := secret.NewKeyring()
	if err != nil {
		b.Fatal(err)
	}
	db.UseKeyring(kr)
	e := &caseEnv{db: db, kr: kr}
	e.own = mustOrg(b, db, "Frontera Legal", "US")
	e.worker = mustUser(b, db, e.own.ID, "worker@example.org", "caseworker")
	return e
}

// BenchmarkCaseCreate measures recording a case: a new data key, four
// sealed classes, the name index, in one transaction.
func BenchmarkCaseCreate(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		e := benchCaseEnv(b, db)
		b.ReportAllocs()
		for b.Loop() {
			if err := db.CreateCase(ctx, sampleCase(e)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCaseReadAll measures loading a case with every class decrypted.
func BenchmarkCaseReadAll(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		e := benchCaseEnv(b, db)
		c := sampleCase(e)
		if err := db.CreateCase(ctx, c); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			got, err := db.Case(ctx, c.ID, access.Classes)
			if err != nil || got.Identity == nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSealCase isolates the cryptography of a case: unwrap its data
// key, then seal and open its four sensitive classes.
func BenchmarkSealCase(b *testing.B) {
	kr, _ := secret.NewKeyring()
	_, wrapped, _ := kr.NewDataKey("case/1")
	parts := [][]byte{[]byte(`{"given_names":"José Ángel","family_names":"Núñez Ortiz","aliases":["El Chepe"],"phone":"+52 656 000 0000"}`),
		[]byte(`{"address":"Calle Ficticia 123","city":"El Paso","shelter":"Casa Segura"}`),
		[]byte(`{"status":"undocumented","relief":[{"kind":"t_visa","status":"considering"}],"cooperation":"undecided"}`),
		[]byte(`{"events":[{"stage":"exploitation","place":"El Paso","date":"2026-10","description":"Unpaid for two weeks, beaten."}],"notes":"Needs a shelter that takes men."}`)}
	b.ReportAllocs()
	for b.Loop() {
		dk, err := kr.Unwrap(wrapped, "case/1")
		if err != nil {
			b.Fatal(err)
		}
		for i, p := range parts {
			aad := fmt.Sprintf("cases/%d/1", i)
			if _, err := dk.Open(dk.Seal(p, aad), aad); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkAuditAppend reports audit appends per second: each one a
// transaction that reads the chain's end and inserts the next entry.
func BenchmarkAuditAppend(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		keyed(b, db)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			e := &audit.Entry{ActorID: 7, Roles: "caseworker", OrgID: 1, Action: "case.read", Record: "case:1", Decision: audit.Allow, Reason: "assigned caseworker", RequestID: fmt.Sprint(i)}
			if err := db.AppendAudit(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	})
}

// BenchmarkListings10k reads a directory of 10,000 listings whole, as the
// Find services page, the gap report and the referral form do to build
// their matching index.
func BenchmarkListings10k(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		kr, err := secret.NewKeyring()
		if err != nil {
			b.Fatal(err)
		}
		db.UseKeyring(kr)
		for i := range 10_000 {
			l := fullListing()
			l.Service.ID, l.Location.ID = fmt.Sprintf("svc-%d", i), fmt.Sprintf("loc-%d", i)
			l.Location.Confidential = i%10 == 0
			if err := db.SaveListing(ctx, &l); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for b.Loop() {
			ls, err := db.Listings(ctx)
			if err != nil || len(ls) != 10_000 {
				b.Fatalf("%d listings, %v", len(ls), err)
			}
		}
	})
}
