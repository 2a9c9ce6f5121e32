package store

import (
	"context"
	"slices"
)

// rewrapBatch bounds each transaction of a rotation, so a server using the
// same database waits for at most one short batch.
const rewrapBatch = 200

// RewrapDataKeys re-encrypts every data key under the keyring's active
// key-encryption key, in small transactions, and returns how many changed.
// It is safe to run while the server serves: a data key is readable under
// its old KEK until its row is rewritten, and under the new one after.
func (db *DB) RewrapDataKeys(ctx context.Context) (int, error) {
	if err := db.requireKeys(); err != nil {
		return 0, err
	}
	active := db.keys.ActiveKEK()
	changed := 0
	for {
		n := 0
		err := db.tx(ctx, func(q queryer) error {
			rows, err := q.QueryContext(ctx, "SELECT subject, wrapped FROM data_keys WHERE kek_id <> ? ORDER BY subject LIMIT ?", active, rewrapBatch)
			if err != nil {
				return translate(err)
			}
			type row struct {
				subject string
				wrapped []byte
			}
			var batch []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.subject, &r.wrapped); err != nil {
					rows.Close()
					return translate(err)
				}
				batch = append(batch, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return translate(err)
			}
			for _, r := range batch {
				out, _, err := db.keys.Rewrap(r.wrapped, r.subject)
				if err != nil {
					return err
				}
				if _, err := q.ExecContext(ctx, "UPDATE data_keys SET wrapped = ?, kek_id = ? WHERE subject = ?", out, active, r.subject); err != nil {
					return translate(err)
				}
			}
			n = len(batch)
			return nil
		})
		if err != nil {
			return changed, err
		}
		changed += n
		if n < rewrapBatch {
			return changed, nil
		}
	}
}

// KEKsInUse lists the key-encryption keys that still wrap a data key.
func (db *DB) KEKsInUse(ctx context.Context) ([]string, error) {
	rows, err := db.q(ctx).QueryContext(ctx, "SELECT DISTINCT kek_id FROM data_keys")
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, translate(err)
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out, translate(rows.Err())
}
