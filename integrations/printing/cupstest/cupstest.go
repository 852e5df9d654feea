// Package cupstest runs a private CUPS scheduler for a test: the real
// cupsd, lpadmin, lpstat and lp, with its queues' devices captured into
// files — a backend of the test's own writes what a printer would have
// received. make test installs cups-daemon and cups-client.
package cupstest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running private scheduler; CUPS_SERVER points the CUPS
// commands at it for the rest of the test.
type Server struct {
	dir string
}

const backend = `#!/bin/sh
# A CUPS backend that writes each job into the file its device URI names.
if [ $# -eq 0 ]; then echo 'file capture "Unknown" "Capture to a file"'; exit 0; fi
out=${DEVICE_URI#capture:}
if [ $# -ge 6 ]; then cat "$6" >> "$out"; else cat >> "$out"; fi
`

// Start runs cupsd in a folder of the test's own, until the test ends.
// The test may not run in parallel (it sets CUPS_SERVER).
func Start(t *testing.T) *Server {
	t.Helper()
	cupsd, err := exec.LookPath("cupsd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/cupsd", "/sbin/cupsd"} {
			if _, err2 := os.Stat(p); err2 == nil {
				cupsd, err = p, nil
			}
		}
	}
	if err != nil {
		t.Fatal("cupsd is missing: make test installs cups-daemon and cups-client")
	}
	dir, err := os.MkdirTemp("", "cupstest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, d := range []string{"spool", "cache", "state", "log", "run", "out", "bin/backend"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The scheduler runs jobs as its own user: it must reach the folder and write the captures.
	for _, d := range []string{dir, filepath.Join(dir, "out")} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []string{"filter", "daemon", "cgi-bin", "notifier", "monitor", "driver"} {
		if _, err := os.Stat("/usr/lib/cups/" + sub); err == nil {
			_ = os.Symlink("/usr/lib/cups/"+sub, filepath.Join(dir, "bin", sub))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/backend/capture"), []byte(backend), 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "run/cups.sock")
	conf := fmt.Sprintf(`Listen %s
LogLevel warn
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
`, sock)
	files := fmt.Sprintf(`ServerRoot %[1]s
RequestRoot %[1]s/spool
CacheDir %[1]s/cache
StateDir %[1]s/state
AccessLog %[1]s/log/access_log
ErrorLog %[1]s/log/error_log
PageLog %[1]s/log/page_log
ServerBin %[1]s/bin
DataDir /usr/share/cups
SystemGroup root
`, dir)
	if err := os.WriteFile(filepath.Join(dir, "cupsd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cups-files.conf"), []byte(files), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cupsd, "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	t.Setenv("CUPS_SERVER", sock)
	s := &Server{dir: dir}
	// The scheduler is up once it answers (up to ten seconds).
	for try := 0; ; try++ {
		if out, err := exec.Command("lpstat", "-r").CombinedOutput(); err == nil && strings.Contains(string(out), "is running") {
			break
		}
		if try == 200 {
			log, _ := os.ReadFile(filepath.Join(dir, "log/error_log"))
			t.Fatalf("the private cupsd did not start:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// AddPrinter adds a queue whose jobs are captured; raw takes data as it is
// (a label printer's queue).
func (s *Server) AddPrinter(t *testing.T, name string, raw, makeDefault bool) {
	t.Helper()
	args := []string{"-p", name, "-E", "-v", "capture:" + s.captured(name)}
	if raw {
		args = append(args, "-m", "raw")
	}
	if out, err := exec.Command("lpadmin", args...).CombinedOutput(); err != nil {
		t.Fatalf("lpadmin: %v %s", err, out)
	}
	if makeDefault {
		if out, err := exec.Command("lpadmin", "-d", name).CombinedOutput(); err != nil {
			t.Fatalf("lpadmin -d: %v %s", err, out)
		}
	}
}

func (s *Server) captured(name string) string { return filepath.Join(s.dir, "out", name+".out") }

// Printed is what the printer received, once its jobs are done (waiting up
// to ten seconds for want bytes).
func (s *Server) Printed(t *testing.T, name string, want int) []byte {
	t.Helper()
	return s.PrintedUntil(t, name, func(b []byte) bool { return len(b) >= want })
}

// Labels says a printer has received n whole ZPL labels (for
// PrintedUntil).
func Labels(n int) func([]byte) bool {
	return func(b []byte) bool { return bytes.Count(b, []byte("^XZ")) >= n }
}

// PrintedUntil is what the printer received once done says it is all
// there (waiting up to ten seconds): a job may still be being written.
func (s *Server) PrintedUntil(t *testing.T, name string, done func([]byte) bool) []byte {
	t.Helper()
	for try := 0; ; try++ { // the scheduler runs the job when it gets to it
		b, _ := os.ReadFile(s.captured(name))
		if done(b) || try == 200 {
			return b
		}
		time.Sleep(50 * time.Millisecond)
	}
}
