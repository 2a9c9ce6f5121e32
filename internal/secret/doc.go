// Package secret holds the deployment's keys and the encryption built on
// them. The keyring lives in a file readable only by Puente's user (or in
// the PUENTE_KEYRING environment variable), never in the database, so a copy
// of the database or of a backup is not enough to read what it protects.
//
// The keyring has a root key, never rotated, from which purpose-specific
// keys are derived (CSRF tokens, blind indexes, audit checkpoints), and
// key-encryption keys (KEKs), rotated by "puente keys rotate", that wrap a
// data key per record. Fields are sealed under their record's data key;
// deleting the data key makes them unreadable everywhere (crypto-shredding).
package secret

// KeySize is the length of every key, in bytes.
const KeySize = 32
