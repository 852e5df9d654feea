package localeenv_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	_ "fyne.io/fyne/v2/widget" // Fyne's packages parse the locale at start, as in the real program

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/cli"
	"github.com/portolan/portolan/ui/localeenv"
)

// TestMain runs the command line instead of the tests when asked to: the
// test binary is then the program as main builds it (this package first,
// then Fyne), run as a script or cron job would run it.
func TestMain(m *testing.M) {
	if os.Getenv("PORTOLAN_LOCALE_TEST_RUN") == "1" {
		os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr, app.Options{}, nil))
	}
	os.Exit(m.Run())
}

// A command writes nothing on stderr under any usual locale setting, and
// its output on stdout.
func TestCommandIsQuietUnderEveryLocale(t *testing.T) {
	db := filepath.Join(t.TempDir(), "quiet.db")
	// The demo as of a day whose billing history starts on a weekend (no
	// exchange rate on that day) writes its summary and nothing else.
	demo := exec.Command(os.Args[0], "--db", db, "demo", "--orders", "300", "--as-of", "2026-11-26")
	demo.Env = []string{"PORTOLAN_LOCALE_TEST_RUN=1", "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
	var demoErr bytes.Buffer
	demo.Stderr = &demoErr
	if out, err := demo.Output(); err != nil || demoErr.Len() != 0 || !bytes.Contains(out, []byte("Loaded the demo data set with 300 orders")) {
		t.Fatalf("demo: %v\nstdout %s\nstderr %s", err, out, demoErr.String())
	}
	for _, lang := range []string{"", "C", "C.UTF-8", "POSIX", "en_US.UTF-8"} {
		t.Run("LANG="+lang, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "--db", db, "orders", "list")
			cmd.Env = []string{"PORTOLAN_LOCALE_TEST_RUN=1", "HOME=" + t.TempDir()}
			if lang != "" {
				cmd.Env = append(cmd.Env, "LANG="+lang)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("orders list: %v\n%s", err, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr under LANG=%q:\n%s", lang, stderr.String())
			}
			if !bytes.HasPrefix(stdout.Bytes(), []byte("NUMBER")) {
				t.Errorf("stdout %q, want the orders table", stdout.String())
			}
		})
	}
}

func TestQuietSetsLanguageOnlyForCAndPOSIX(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string // LANGUAGE afterwards
	}{
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
		{map[string]string{"LANG": "POSIX.UTF-8"}, "en"},
		{map[string]string{"LC_ALL": "C.utf8", "LANG": "de_DE.UTF-8"}, "en"},
		{map[string]string{"LANG": "C"}, ""},     // Fyne reads plain C itself
		{map[string]string{"LANG": "POSIX"}, ""}, // likewise
		{map[string]string{}, ""},
		{map[string]string{"LANG": "de_DE.UTF-8"}, ""},
		{map[string]string{"LC_ALL": "ja_JP.UTF-8", "LANG": "C.UTF-8"}, ""},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr"}, "fr"},
	} {
		env := map[string]string{}
		for k, v := range tt.env {
			env[k] = v
		}
		localeenv.Quiet(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
		if env["LANGUAGE"] != tt.want {
			t.Errorf("%v: LANGUAGE %q, want %q", tt.env, env["LANGUAGE"], tt.want)
		}
	}
}
