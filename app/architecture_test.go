package app_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type goPackage struct {
	ImportPath string
	Standard   bool
	Deps       []string
	Imports    []string
}

func listPackages(t *testing.T, pattern string) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", pattern)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func isStandard(t *testing.T, path string) bool {
	// Standard-library import paths have no dot in their first element.
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// TestDependencyDirection enforces ui → app → domain ← integrations: domain
// imports only the standard library (domaintest, its test helper, imports
// domain), ui never reaches integrations (not even
// through another package) nor database/sql nor Fyne's app package, and
// integrations never import each other's packages, app or ui.
func TestDependencyDirection(t *testing.T) {
	t.Parallel()
	const mod = "github.com/portolan/portolan/"
	for _, p := range listPackages(t, "./domain/...") {
		for _, dep := range p.Deps {
			if !isStandard(t, dep) && dep != mod+"domain" {
				t.Errorf("%s depends on %s; domain may import only the standard library (and its own packages domain)", p.ImportPath, dep)
			}
		}
	}
	if len(listPackages(t, "./domain/...")) == 0 {
		t.Fatal("no domain packages found")
	}
	for _, p := range listPackages(t, "./ui/...") {
		for _, dep := range p.Deps {
			switch {
			case strings.HasPrefix(dep, mod+"integrations"):
				t.Errorf("%s depends on %s; ui must not reach integrations", p.ImportPath, dep)
			case dep == "database/sql":
				t.Errorf("%s depends on database/sql", p.ImportPath)
			case dep == "fyne.io/fyne/v2/app":
				t.Errorf("%s imports fyne.io/fyne/v2/app; only main creates the Fyne app", p.ImportPath)
			}
		}
	}
	for _, p := range listPackages(t, "./integrations/...") {
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, mod+"app") || strings.HasPrefix(imp, mod+"ui") {
				t.Errorf("%s imports %s", p.ImportPath, imp)
			}
			// Shared plumbing lives in integrations/**/internal; adapters do not import each other.
			if strings.HasPrefix(imp, mod+"integrations") && !strings.HasPrefix(p.ImportPath, imp) && !strings.Contains(imp, "/internal/") {
				t.Errorf("adapter %s imports adapter %s", p.ImportPath, imp)
			}
		}
	}
	for _, p := range listPackages(t, "./app/...") {
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, mod+"ui") || strings.HasPrefix(imp, "fyne.io/") {
				t.Errorf("%s imports %s; app must not know the window", p.ImportPath, imp)
			}
		}
	}
}

// TestAdaptersOnlyInTheCompositionRoot: the services reach the world through
// ports handed in by Open; only the composition root (app/app.go, and the
// sandbox's wiring in app/sandbox.go) imports an adapter — not the services,
// not the command line (app/cli), not the demo generator (app/demo). main
// imports the locale fix before Fyne.
func TestAdaptersOnlyInTheCompositionRoot(t *testing.T) {
	root := map[string]bool{"app.go": true, "sandbox.go": true}
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || root[path] {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, "github.com/portolan/portolan/integrations") {
				t.Errorf("app/%s imports the adapter %s; hand the service a port from Open instead", filepath.ToSlash(path), p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 15 {
		t.Fatalf("only %d files checked", checked)
	}
	main := listPackages(t, ".")
	if len(main) != 1 || !slices.Contains(main[0].Imports, "github.com/portolan/portolan/ui/localeenv") {
		t.Error("main does not import ui/localeenv: commands would print Fyne's locale errors under LANG=C.UTF-8")
	}
}
