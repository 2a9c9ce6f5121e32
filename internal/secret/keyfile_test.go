package secret

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unsetKeyringEnv makes sure PUENTE_KEYRING is unset for the test and
// restored afterwards.
func unsetKeyringEnv(t *testing.T) {
	t.Helper()
	t.Setenv(KeyringEnvVar, "")
	os.Unsetenv(KeyringEnvVar)
}

func TestLoadOrCreateKeyringCreatesFile(t *testing.T) {
	unsetKeyringEnv(t)
	path := filepath.Join(t.TempDir(), "puente.keyring")
	kr, created, err := LoadOrCreateKeyring(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreateKeyring = created %v, %v; want true, nil", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("keyring file mode = %v, want -rw-------", got)
	}
	again, created, err := LoadOrCreateKeyring(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreateKeyring = created %v, %v; want false, nil", created, err)
	}
	if diff := cmp.Diff(kr.Marshal(), again.Marshal()); diff != "" {
		t.Errorf("reloaded keyring (-want +got):\n%s", diff)
	}
	if got := kr.ActiveKEK(); got != "k1" {
		t.Errorf("ActiveKEK of a new keyring = %q, want k1", got)
	}
}

func TestLoadOrCreateKeyringChecksMode(t *testing.T) {
	unsetKeyringEnv(t)
	for _, tc := range []struct {
		mode   fs.FileMode
		wantOK bool
	}{
		{0o600, true},
		{0o400, true},
		{0o640, false},
		{0o620, false},
		{0o604, false},
		{0o602, false},
		{0o644, false},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "puente.keyring")
			if err := os.WriteFile(path, []byte(newTestKeyring(t).Marshal()), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadOrCreateKeyring(path)
			if tc.wantOK && err != nil {
				t.Errorf("mode %v refused: %v", tc.mode, err)
			}
			if !tc.wantOK && (err == nil || !strings.Contains(err.Error(), "run chmod 600")) {
				t.Errorf("mode %v: error = %v, want one that says to run chmod 600", tc.mode, err)
			}
		})
	}
}

func TestLoadOrCreateKeyringReportsBadFile(t *testing.T) {
	unsetKeyringEnv(t)
	path := filepath.Join(t.TempDir(), "puente.keyring")
	if err := os.WriteFile(path, []byte("puente-keyring 1\nroot x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadOrCreateKeyring(path)
	if want := "keyring file " + path + ": parse keyring: line 2: root: key is not valid base64"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestKeyringFromEnv(t *testing.T) {
	want := newTestKeyring(t)
	t.Setenv(KeyringEnvVar, want.Marshal())
	path := filepath.Join(t.TempDir(), "puente.keyring")
	kr, created, err := LoadOrCreateKeyring(path)
	if err != nil || created {
		t.Fatalf("LoadOrCreateKeyring = created %v, %v; want false, nil", created, err)
	}
	if diff := cmp.Diff(want.Marshal(), kr.Marshal()); diff != "" {
		t.Errorf("keyring from %s (-want +got):\n%s", KeyringEnvVar, diff)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("keyring file was touched although %s is set: stat error = %v", KeyringEnvVar, err)
	}
	kr.Rotate()
	err = kr.Save(path)
	if err == nil || !strings.Contains(err.Error(), "update "+KeyringEnvVar+" with the output of Marshal") {
		t.Errorf("Save of a keyring from %s: error = %v, want one that says to update the variable", KeyringEnvVar, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Save wrote a file for a keyring from %s: stat error = %v", KeyringEnvVar, err)
	}
	if err := kr.Reload(); err != nil {
		t.Errorf("Reload of a keyring from %s = %v, want nil", KeyringEnvVar, err)
	}

	t.Setenv(KeyringEnvVar, "not a keyring")
	if _, _, err := LoadOrCreateKeyring(path); err == nil || !strings.HasPrefix(err.Error(), KeyringEnvVar+": ") {
		t.Errorf("malformed %s: error = %v, want one naming the variable", KeyringEnvVar, err)
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "puente.keyring")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	kr := newTestKeyring(t)
	kr.Rotate()
	if err := kr.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(kr.Marshal(), string(b)); diff != "" {
		t.Errorf("saved file (-want +got):\n%s", diff)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("saved file mode = %v, want -rw-------", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after Save, want 1 (no temporary file left)", len(entries))
	}
}

// TestReloadPicksUpRotation simulates `puente keys rotate` running beside
// the server: another process rotates and saves, then writes a record under
// the new KEK, which the server must read without restarting.
func TestReloadPicksUpRotation(t *testing.T) {
	unsetKeyringEnv(t)
	path := filepath.Join(t.TempDir(), "puente.keyring")
	server, _, err := LoadOrCreateKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	cli, _, err := LoadOrCreateKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := cli.Rotate(); got != "k2" {
		t.Fatalf("Rotate = %q, want k2", got)
	}
	if err := cli.Save(path); err != nil {
		t.Fatal(err)
	}
	dk, wrapped, err := cli.NewDataKey("case/7")
	if err != nil {
		t.Fatal(err)
	}
	sealed := dk.SealString("Ana", "people/name/7")

	if got := server.ActiveKEK(); got != "k1" {
		t.Fatalf("server ActiveKEK before reload = %q, want k1", got)
	}
	again, err := server.Unwrap(wrapped, "case/7")
	if err != nil {
		t.Fatalf("server Unwrap of a key under the new KEK: %v", err)
	}
	if got, err := again.OpenString(sealed, "people/name/7"); err != nil || got != "Ana" {
		t.Errorf("OpenString = %q, %v; want Ana, nil", got, err)
	}
	if got := server.ActiveKEK(); got != "k2" {
		t.Errorf("server ActiveKEK after reload = %q, want k2", got)
	}
}

func TestReloadRefusesAnotherRoot(t *testing.T) {
	unsetKeyringEnv(t)
	path := filepath.Join(t.TempDir(), "puente.keyring")
	server, _, err := LoadOrCreateKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := newTestKeyring(t).Save(path); err != nil {
		t.Fatal(err)
	}
	err = server.Reload()
	if err == nil || !strings.Contains(err.Error(), "another root key") {
		t.Errorf("Reload of a file with another root: error = %v, want a refusal", err)
	}
	other := newTestKeyring(t)
	other.Rotate()
	_, underK2, _ := other.NewDataKey("case/1")
	_, err = server.Unwrap(underK2, "case/1")
	if !errors.Is(err, ErrUnknownKEK) || !strings.Contains(err.Error(), "another root key") {
		t.Errorf("Unwrap when reload fails: error = %v, want %v with the reload's reason", err, ErrUnknownKEK)
	}
}
