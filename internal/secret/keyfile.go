package secret

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyringEnvVar names the environment variable that may hold the keyring's
// text instead of a file, for hosts where secrets come from the
// environment. A keyring read from it is never written to disk.
const KeyringEnvVar = "PUENTE_KEYRING"

// LoadOrCreateKeyring returns the keyring from PUENTE_KEYRING if that is
// set, without touching the disk. Otherwise it reads path, creating the file
// with a new keyring and mode 0600 when it does not exist (created is then
// true). It refuses a file that other users could read or write, since
// whoever reads it can read every record.
func LoadOrCreateKeyring(path string) (kr *Keyring, created bool, err error) {
	if text, ok := os.LookupEnv(KeyringEnvVar); ok {
		kr, err := ParseKeyring(text)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", KeyringEnvVar, err)
		}
		kr.fromEnv = true
		return kr, false, nil
	}
	kr, err = readKeyringFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return kr, false, err
	}
	kr, err = createKeyringFile(path)
	return kr, err == nil, err
}

func readKeyringFile(path string) (*Keyring, error) {
	// Stat the open file rather than the path, so the mode checked is that
	// of the file read.
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyring file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("keyring file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("keyring file %s has mode %v: other users could read or change it; run chmod 600 %s", path, perm, path)
	}
	text, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("keyring file: %w", err)
	}
	kr, err := ParseKeyring(string(text))
	if err != nil {
		return nil, fmt.Errorf("keyring file %s: %w", path, err)
	}
	kr.path = path
	return kr, nil
}

// createKeyringFile writes a new keyring to path with O_EXCL, so that two
// processes starting at once cannot both create one and overwrite each
// other's keys.
func createKeyringFile(path string) (*Keyring, error) {
	kr, err := NewKeyring()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create keyring file: %w", err)
	}
	if err := writeAndSync(f, kr.Marshal()); err != nil {
		os.Remove(path) // ours, by O_EXCL, and incomplete
		return nil, fmt.Errorf("create keyring file: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("create keyring file: %w", err)
	}
	kr.path = path
	return kr, nil
}

// Save writes the keyring to path atomically: to a temporary file with mode
// 0600 in the same directory, synced, then renamed over path, then the
// directory synced. A crash midway leaves the old file or the new one,
// never a torn one: losing this file loses every record. Reload reads path
// from then on. Save refuses a keyring loaded from PUENTE_KEYRING, since
// the next start would read the variable and not the file.
func (k *Keyring) Save(path string) error {
	k.mu.RLock()
	fromEnv := k.fromEnv
	k.mu.RUnlock()
	if fromEnv {
		return fmt.Errorf("save keyring: it was loaded from %s, which a file would not change; update %s with the output of Marshal instead", KeyringEnvVar, KeyringEnvVar)
	}
	if err := writeFileAtomic(path, k.Marshal()); err != nil {
		return fmt.Errorf("save keyring: %w", err)
	}
	k.mu.Lock()
	k.path = path
	k.mu.Unlock()
	return nil
}

func writeFileAtomic(path, text string) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if err := writeAndSync(f, text); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeAndSync writes text to f, syncs it and closes it.
func writeAndSync(f *os.File, text string) error {
	_, err := f.WriteString(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a file's creation or renaming in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Reload re-reads the keyring from the file it was loaded from or last
// saved to, picking up KEKs that another process rotated in or retired. It
// does nothing for a keyring from PUENTE_KEYRING or one never saved. It
// replaces the KEKs in memory with the file's, so a KEK added by Rotate and
// not yet saved is lost. It refuses a file with another root key, since
// every key derived from the root (CSRF, blind indexes, audit signing)
// would silently change.
func (k *Keyring) Reload() error {
	k.mu.RLock()
	path := k.path
	k.mu.RUnlock()
	if path == "" {
		return nil
	}
	fresh, err := readKeyringFile(path)
	if err != nil {
		return fmt.Errorf("reload keyring: %w", err)
	}
	if !hmac.Equal(fresh.root[:], k.root[:]) {
		return fmt.Errorf("reload keyring: %s now has another root key; refusing it, since every derived key would change", path)
	}
	k.mu.Lock()
	k.keks = fresh.keks
	k.mu.Unlock()
	return nil
}
