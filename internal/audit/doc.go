// Package audit is Puente's tamper-evident, append-only audit log: one Entry
// for every read or write of a survivor's sensitive record, and a verifier
// that finds where someone with raw write access to the database has edited,
// deleted, inserted, reordered, forged or cut entries.
//
// Each entry carries a hash of a canonical encoding of its fields,
// including the hash of the entry before it, so every entry commits to the
// whole log before it. The hash is an HMAC-SHA256 under the chain key, which
// is derived from the deployment's keyring and never stored in the database:
// someone who can write the database but does not hold the keyring cannot
// edit an entry and re-hash the entries after it, nor append one. Entries
// written before the chain was keyed carry plain SHA-256, which anyone can
// recompute; Verify accepts them only at or before a signed checkpoint.
//
// A chain cannot show that its last entries were deleted. A signed
// Checkpoint closes that gap: it vouches, with an ed25519 signature by the
// deployment's key, for the hash of the entry at one seq. The server signs
// one every few seconds whenever the log has moved, and keeps it in the
// database and in a file beside it, and in anchors elsewhere; Verify holds
// the log against all of them, checks that the database and the file hold
// the same ones, and reports entries left uncovered for longer than the
// interval. What can be cut unseen is what was written since the last
// checkpoint.
//
// Verify walks the log in seq order and reports each place where it is
// wrong, as a Problem naming the seq concerned.
//
// The package is pure: it reads entries and checkpoints from iterators and
// does no I/O.
package audit
