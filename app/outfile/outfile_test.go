package outfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteCannotDestroy(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "portolan.db")
	for _, f := range DatabaseFiles(db) {
		if err := os.WriteFile(f, []byte("precious"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link.xlsx")
	if err := os.Symlink(db, link); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	protect := DatabaseFiles(db)
	for _, c := range []struct {
		path, ext, want string
	}{
		{db, "", "database"},
		{"portolan.db", "", "database"},              // the same file by a relative name
		{"./sub/../portolan.db-wal", "", "database"}, // its journal
		{db + "-shm", "", "database"},
		{link, ".xlsx", "database"}, // a link to it
		{"/dev/null", "", "not a regular file"},
		{dir, "", "not a regular file"},
		{filepath.Join(dir, "report.pdf"), ".xlsx", "must end in .xlsx"},
		{"", ".pdf", "give the file"},
	} {
		err := Write(c.path, []byte("new"), Options{Ext: c.ext, Protect: protect, Overwrite: true})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.path, err, c.want)
		}
	}
	for _, f := range DatabaseFiles(db) {
		if b, _ := os.ReadFile(f); string(b) != "precious" {
			t.Errorf("%s was changed: %q", f, b)
		}
	}

	out := filepath.Join(dir, "wave-1.PDF")
	if err := Write(out, []byte("first"), Options{Ext: ".pdf", Protect: protect}); err != nil {
		t.Fatal(err)
	}
	err := Write(out, []byte("second"), Options{Ext: ".pdf", Protect: protect})
	if !errors.Is(err, ErrExists) {
		t.Errorf("writing over a file without leave: %v", err)
	}
	if b, _ := os.ReadFile(out); !bytes.Equal(b, []byte("first")) {
		t.Errorf("the file was replaced without leave: %q", b)
	}
	if err := Write(out, []byte("second"), Options{Ext: ".pdf", Protect: protect, Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); !bytes.Equal(b, []byte("second")) {
		t.Errorf("with leave: %q", b)
	}
	if err := Write(filepath.Join(dir, "no such folder", "x.pdf"), []byte("x"), Options{Ext: ".pdf"}); err == nil {
		t.Error("a folder that does not exist")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*.part"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
