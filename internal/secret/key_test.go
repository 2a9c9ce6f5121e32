package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreate(t *testing.T) {
	t.Setenv(EnvVar, "")
	os.Unsetenv(EnvVar)
	path := filepath.Join(t.TempDir(), "puente.key")
	k1, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate: created=%v err=%v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %v, want 0600", got)
	}
	k2, created, err := LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created=%v err=%v", created, err)
	}
	if k1.String() != k2.String() {
		t.Error("reloaded key differs from the one created")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreate(path); err == nil {
		t.Error("a world-readable key file was accepted")
	}
}

func TestEnvOverridesFile(t *testing.T) {
	k, _ := Generate()
	t.Setenv(EnvVar, k.String())
	got, created, err := LoadOrCreate(filepath.Join(t.TempDir(), "none.key"))
	if err != nil || created || got.String() != k.String() {
		t.Fatalf("LoadOrCreate with %s set: %v %v %v", EnvVar, got, created, err)
	}
	t.Setenv(EnvVar, "not base64")
	if _, _, err := LoadOrCreate(filepath.Join(t.TempDir(), "none.key")); err == nil {
		t.Error("a malformed key in the environment was accepted")
	}
}

func TestDeriveSeparatesPurposes(t *testing.T) {
	k, _ := Generate()
	a, b := k.Derive("session"), k.Derive("csrf")
	if bytes.Equal(a, b) || len(a) != KeySize {
		t.Fatal("derived keys for two purposes are equal or the wrong size")
	}
	if !bytes.Equal(a, k.Derive("session")) {
		t.Fatal("Derive is not deterministic")
	}
}
