// Package localeenv lets Fyne read the C and POSIX locales quietly. Import it
// (blank) from main only: its init runs before Fyne's, which parses the
// locale while the program starts.
//
// Fyne takes the locale from LC_ALL, LC_MESSAGES or LANG and, when that is
// "C.UTF-8" (the usual value on servers, in containers and in cron), fails
// to parse "C" and logs three lines of "Fyne error" on stderr — before any
// command runs. Those locales mean "no language chosen", which Fyne shows as
// English; so, only for them and only when LANGUAGE is unset, LANGUAGE is
// set to "en", which is what Fyne would have chosen. Every other locale,
// and so the window's language and formats, stays as the user set it.
package localeenv

import (
	"os"
	"strings"
)

func init() { Quiet(os.Getenv, os.Setenv) }

// Quiet sets LANGUAGE=en when the locale in force is C or POSIX with a
// codeset (C.UTF-8, POSIX.UTF-8) and LANGUAGE is unset.
func Quiet(getenv func(string) string, setenv func(string, string) error) {
	if getenv("LANGUAGE") != "" {
		return
	}
	loc := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(v); loc != "" {
			break
		}
	}
	lang, _, _ := strings.Cut(loc, ".")
	lang, _, _ = strings.Cut(lang, "@")
	if lang != loc && (lang == "C" || lang == "POSIX") {
		_ = setenv("LANGUAGE", "en")
	}
}
