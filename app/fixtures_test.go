package app_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// fixtures holds databases built once per test run (a demo of 1,500 orders
// takes seconds; copying it, milliseconds) in one folder removed by TestMain.
var fixtures = &fixtureSet{built: map[string]*fixture{}}

type fixtureSet struct {
	mu    sync.Mutex
	dir   string
	built map[string]*fixture
}

type fixture struct {
	once sync.Once
	path string
	err  error
}

// get returns the database built by build under key, building it the
// first time (concurrent callers wait for that one build).
func (s *fixtureSet) get(t *testing.T, key string, build func(path string) error) string {
	t.Helper()
	s.mu.Lock()
	if s.dir == "" {
		dir, err := os.MkdirTemp("", "portolan-fixtures-")
		if err != nil {
			s.mu.Unlock()
			t.Fatal(err)
		}
		s.dir = dir
	}
	f := s.built[key]
	if f == nil {
		f = &fixture{}
		s.built[key] = f
	}
	dir := filepath.Join(s.dir, strings.NewReplacer(" ", "_", "-", "").Replace(key))
	s.mu.Unlock()
	f.once.Do(func() {
		if pgtest.OnPostgres() { // a database on the test server, copied as a template
			f.path = pgtest.Fixture(t)
			f.err = build(f.path)
			return
		}
		if f.err = os.MkdirAll(dir, 0o755); f.err == nil {
			f.path = filepath.Join(dir, "fixture.db")
			f.err = build(f.path)
		}
	})
	if f.err != nil {
		t.Fatalf("fixture %q: %v", key, f.err)
	}
	return f.path
}

// copy copies the folder of the database src (the database and what was
// written next to it, e.g. the demo's carrier invoice) into a new temporary
// folder of the test's and returns the copy's path, named name.
func (s *fixtureSet) copy(t *testing.T, src, name string) string {
	t.Helper()
	if app.IsServerAddress(src) {
		return pgtest.CopyDatabase(t, src)
	}
	dst := t.TempDir()
	entries, err := os.ReadDir(filepath.Dir(src))
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(src)
	for _, e := range entries {
		to := e.Name()
		if rest, ok := strings.CutPrefix(to, base); ok {
			to = name + rest // fixture.db-wal → name-wal
		}
		if err := copyFile(filepath.Join(filepath.Dir(src), e.Name()), filepath.Join(dst, to)); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dst, name)
}

func (s *fixtureSet) remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
