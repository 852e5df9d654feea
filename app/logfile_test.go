package app_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/portolan/portolan/app"
)

// The log is the user's alone, in the configuration folder, and moved aside
// when it grows large.
func TestOpenLog(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	f, path, err := app.OpenLog()
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("first\n")
	f.Close()
	if want := filepath.Join(home, "portolan", "portolan.log"); path != want {
		t.Errorf("log at %s, want %s", path, want)
	}
	st, _ := os.Stat(path)
	dir, _ := os.Stat(filepath.Dir(path))
	if st.Mode().Perm() != 0o600 || dir.Mode().Perm() != 0o700 {
		t.Errorf("log %v in %v; want owner-only", st.Mode().Perm(), dir.Mode().Perm())
	}
	os.WriteFile(path, make([]byte, 6<<20), 0o600)
	f, _, err = app.OpenLog()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if old, err := os.Stat(path + ".1"); err != nil || old.Size() != 6<<20 {
		t.Errorf("the large log was not moved aside: %v", err)
	}
	if st, _ := os.Stat(path); st.Size() != 0 {
		t.Errorf("a new log of %d bytes", st.Size())
	}
}
