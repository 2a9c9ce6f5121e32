// Package audit is Puente's tamper-evident, append-only audit log: one Entry
// for every read or write of a survivor's sensitive record, and a verifier
// that finds where someone with raw write access to the database has edited,
// deleted, inserted or reordered entries.
//
// Each entry carries the SHA-256 hash of a canonical encoding of its fields,
// including the hash of the entry before it, so every entry commits to the
// whole log before it. Verify walks the log in seq order and reports each
// place where that chain breaks, as a Problem naming the seq concerned.
//
// A hash chain has no secret in it, so on its own it cannot stop someone who
// can write the database and compute SHA-256: they can edit an entry and
// recompute the hash of every entry after it, or delete the last entries,
// and the shorter or rewritten log is again a valid chain. A signed
// Checkpoint closes that gap. It vouches, with an ed25519 signature by the
// deployment's key, for the hash of the entry at one seq; kept outside the
// database (exported, printed, mailed to a partner organization), it lets
// Verify detect any change at or before that seq. Entries after the newest
// checkpoint are vouched for by nothing but the chain, and Report says so.
//
// The package is pure: it reads entries from an iterator and does no I/O.
package audit
