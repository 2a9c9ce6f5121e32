package store

import (
	"context"
	"database/sql"

	"puente/internal/problem"
)

// SealLegacy seals what earlier versions kept in the clear: the witness of
// a verbal consent and the reason for a break-the-glass access (under the
// case's key), and an interpreter's language (with the screening's sealed
// answers). It empties each clear column in the transaction that seals
// it, and does nothing once everything is sealed. The server runs it at
// start, after migrating; it needs the keyring.
func (db *DB) SealLegacy(ctx context.Context) (sealed int, err error) {
	if err := db.requireKeys(); err != nil {
		return 0, err
	}
	for _, step := range []func(context.Context) (int, error){db.sealLegacyWitnesses, db.sealLegacyGlass, db.sealLegacyInterpreters} {
		n, err := step(ctx)
		sealed += n
		if err != nil {
			return sealed, err
		}
	}
	return sealed, nil
}

// legacyRow is a row with a clear value to seal.
type legacyRow struct {
	id, caseID int64
	plain      string
}

func (db *DB) legacyRows(ctx context.Context, query string) ([]legacyRow, error) {
	var out []legacyRow
	err := db.scanRows(ctx, query, nil, func(rows *sql.Rows) error {
		var r legacyRow
		if err := rows.Scan(&r.id, &r.caseID, &r.plain); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

func (db *DB) sealLegacyWitnesses(ctx context.Context) (int, error) {
	rows, err := db.legacyRows(ctx, "SELECT id, case_id, witness FROM consents WHERE witness <> ''")
	if err != nil {
		return 0, err
	}
	for i, r := range rows {
		err := db.tx(ctx, func(q queryer) error {
			sealed, err := db.sealForCase(ctx, q, r.caseID, witnessAAD(r.id), r.plain)
			if isKeyGone(err) {
				sealed, err = nil, nil // the survivor's data was destroyed: drop the name with it
			}
			if err != nil {
				return err
			}
			_, err = q.ExecContext(ctx, "UPDATE consents SET witness = '', witness_ct = ? WHERE id = ?", sealed, r.id)
			return translate(err)
		})
		if err != nil {
			return i, err
		}
	}
	return len(rows), nil
}

func (db *DB) sealLegacyGlass(ctx context.Context) (int, error) {
	rows, err := db.legacyRows(ctx, "SELECT id, case_id, reason FROM break_glass WHERE reason <> ''")
	if err != nil {
		return 0, err
	}
	for i, r := range rows {
		err := db.tx(ctx, func(q queryer) error {
			sealed, err := db.sealForCase(ctx, q, r.caseID, glassAAD(r.id), r.plain)
			if isKeyGone(err) {
				sealed, err = nil, nil
			}
			if err != nil {
				return err
			}
			_, err = q.ExecContext(ctx, "UPDATE break_glass SET reason = '', reason_ct = ? WHERE id = ?", sealed, r.id)
			return translate(err)
		})
		if err != nil {
			return i, err
		}
	}
	return len(rows), nil
}

func (db *DB) sealLegacyInterpreters(ctx context.Context) (int, error) {
	rows, err := db.legacyRows(ctx, "SELECT id, 0, interpreter_language FROM screenings WHERE interpreter_language <> ''")
	if err != nil {
		return 0, err
	}
	for i, r := range rows {
		err := db.tx(ctx, func(q queryer) error {
			rec, err := db.Screening(ctx, r.id)
			if err != nil {
				return err
			}
			if _, err := q.ExecContext(ctx, "UPDATE screenings SET interpreter_language = '' WHERE id = ?", r.id); err != nil {
				return translate(err)
			}
			return db.sealScreening(ctx, q, rec)
		})
		if err != nil {
			return i, err
		}
	}
	return len(rows), nil
}

// isKeyGone reports whether err says a data key no longer exists.
func isKeyGone(err error) bool { return problem.Is(err, problem.NotFound) }
