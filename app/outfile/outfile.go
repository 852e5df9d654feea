// Package outfile writes the files a user asks for (PDFs, workbooks) so
// that asking for the wrong path cannot destroy anything: never over the
// open database or its journal, never over a device, a folder or anything
// else that is not a regular file, never under the wrong extension, never
// over an existing file unless told to; and whole or not at all, a failed
// write leaving no temporary file behind.
package outfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrExists is returned when the file exists and Overwrite was not given;
// the caller asks the user (the window) or names the flag that allows it.
var ErrExists = errors.New("the file exists")

// Options say what may be written.
type Options struct {
	// Ext is the extension the file must have for its format (".pdf").
	Ext string
	// Protect lists files never to write: the open database and its -wal
	// and -shm files (see DatabaseFiles).
	Protect []string
	// Overwrite replaces an existing regular file.
	Overwrite bool
}

// DatabaseFiles are an SQLite database file and its -wal and -shm files.
func DatabaseFiles(db string) []string {
	if db == "" {
		return nil
	}
	return []string{db, db + "-wal", db + "-shm"}
}

// Check says whether path may be written under o, without writing.
func Check(path string, o Options) error {
	if strings.TrimSpace(path) == "" {
		return fmt.Errorf("give the file to write")
	}
	if o.Ext != "" && !strings.EqualFold(filepath.Ext(path), o.Ext) {
		return fmt.Errorf("%s: the file must end in %s", path, o.Ext)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, p := range o.Protect {
		if same(abs, p) {
			return fmt.Errorf("%s is Portolan's database (or its journal); choose another file", path)
		}
	}
	info, err := os.Stat(path) // follows a link: what would be written
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	case !info.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (a folder, a device or the like); choose a file", path)
	case !o.Overwrite:
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	return nil
}

// same says whether abs names the file p: the same path, or (both
// existing) the same file by another name or link.
func same(abs, p string) bool {
	pa, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	if filepath.Clean(abs) == filepath.Clean(pa) {
		return true
	}
	a, err1 := os.Stat(abs)
	b, err2 := os.Stat(pa)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// Write writes data to path under o, whole or not at all: into a temporary
// file in the same folder, synced, then renamed over path.
func Write(path string, data []byte, o Options) error {
	if err := Check(path, o); err != nil {
		return err
	}
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*.part")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	return nil
}
