// Package driftctl_test checks rules that hold across the module: which
// package may import which (DESIGN.md) and the README's code map.
package driftctl_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is the module path of this repository (go.mod).
const module = "github.com/gitdrift/driftctl"

// importRule forbids the packages under pkg to import the packages under
// any of forbidden. Paths are relative to the module root and stand for the
// package and its sub-packages: "providers" is providers, providers/aws and
// providers/aws/emulator. The rules are DESIGN.md's "must not import" column.
type importRule struct {
	// pkg is the importing package; "" is every package of the module.
	pkg       string
	forbidden []string
	// tests holds the package's _test.go files to the rule too.
	tests bool
	// testsMayImport are forbidden packages that test files may still
	// import.
	testsMayImport []string
	why            string
}

var importRules = []importRule{
	{
		pkg: "", forbidden: []string{"cmd"}, tests: true,
		why: "cmd/ holds the binaries' wiring; libraries and tests call scan/ or the package itself",
	},
	{
		pkg: "drift",
		forbidden: []string{
			"config", "state", "gitsource", "providers/aws", "scan",
			"report", "metrics", "remediate", "serve", "cmd",
		},
		tests: true,
		why:   "drift is the pure engine: it takes values and returns results, no I/O",
	},
	{
		pkg:       "providers",
		forbidden: []string{"drift", "scan", "config", "report", "metrics", "remediate", "serve"},
		tests:     true,
		why:       "providers read and change the cloud and know nothing of configuration, comparison or output",
	},
	{
		pkg: "providers/plugin/discovery",
		forbidden: []string{
			"config", "scan", "drift", "report", "metrics", "state",
			"gitsource", "modsource", "remediate", "serve", "providers/aws",
		},
		tests: true,
		why:   "discovery finds provider packages on disk from requirements it is given; it reads no configuration or state",
	},
	{
		pkg:       "providers/plugin",
		forbidden: []string{"config", "drift", "scan", "report", "metrics", "remediate", "serve"},
		tests:     true,
		why:       "the plugin client speaks the provider protocol; scan decides what to read and drift compares",
	},
	{
		pkg:       "config",
		forbidden: []string{"providers", "drift", "scan", "report", "metrics", "state", "serve", "remediate"},
		tests:     true,
		why:       "config is the Terraform language; it gets schemas and live values through interfaces",
	},
	{
		pkg: "gitsource",
		forbidden: []string{
			"config", "drift", "scan", "providers", "state",
			"report", "metrics", "remediate", "serve",
		},
		tests: true,
		why:   "gitsource is the bottom of the flow: Git only",
	},
	{
		pkg: "modsource",
		forbidden: []string{
			"config", "scan", "drift", "providers", "state",
			"report", "metrics", "remediate", "serve", "cmd",
		},
		tests: true,
		why:   "modsource fetches module packages (Git through gitsource, registries, archives); config and scan use it",
	},
	{
		pkg:       "state",
		forbidden: []string{"providers", "drift", "scan", "config"},
		tests:     true,
		// The S3 backend is tested against the local cloud (moto), which
		// the emulator starts; DESIGN.md ships the emulator for tests.
		testsMayImport: []string{"providers/aws/emulator"},
		why:            "state reads Terraform state files; matching them to the cloud is scan's",
	},
	{
		pkg:       "scan",
		forbidden: []string{"report", "metrics", "serve", "remediate"},
		tests:     true,
		why:       "scan produces a report; rendering, metrics, serving and remediation use it",
	},
	{
		pkg: "remediate", forbidden: []string{"config", "report", "metrics", "serve"}, tests: true,
		// The tests load small configurations to scan.
		testsMayImport: []string{"config"},
		why:            "remediate plans and applies from a report and a scan session; it neither reads HCL nor renders",
	},
	{
		pkg: "report", forbidden: []string{"providers/aws", "config"}, tests: true,
		why: "report renders a drift.Report only",
	},
	{
		pkg: "metrics", forbidden: []string{"providers/aws", "config"}, tests: true,
		why: "metrics collect a drift.Report and scan timings only",
	},
	{
		pkg: "genconfig",
		forbidden: []string{
			"scan", "config", "state", "gitsource", "providers/aws",
			"report", "metrics", "remediate", "serve",
		},
		tests: true,
		why:   "genconfig writes HCL from a report's live values and the types' schemas; the CLI scans and wires",
	},
}

// importEdge is one import of one file: the file's path and the imported
// package, both relative to the module root.
type importEdge struct {
	file, imp string
}

// under reports whether path is the package prefix or one of its
// sub-packages; "" holds every path.
func under(path, prefix string) bool {
	return prefix == "" || path == prefix || strings.HasPrefix(path, prefix+"/")
}

func underAny(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if under(path, p) {
			return true
		}
	}
	return false
}

// goFile is one Go file of the module and its imports of the module's own
// packages.
type goFile struct {
	path    string // relative to the module root, with slashes
	dir     string // its package directory, "" for the root
	test    bool
	imports []moduleImport
}

type moduleImport struct {
	pkg  string // relative to the module root
	line int
}

// moduleFiles parses the import clauses of every Go file of the module,
// leaving out testdata, hidden and underscore directories (which the go
// command ignores too) and nested modules.
func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	fset := token.NewFileSet()
	var files []goFile
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == "." {
				return nil
			}
			name := d.Name()
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(path)
		dir := filepath.ToSlash(filepath.Dir(path))
		if dir == "." {
			dir = ""
		}
		gf := goFile{path: rel, dir: dir, test: strings.HasSuffix(rel, "_test.go")}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			var pkg string
			switch {
			case imp == module:
				pkg = ""
			case strings.HasPrefix(imp, module+"/"):
				pkg = strings.TrimPrefix(imp, module+"/")
			default:
				continue
			}
			gf.imports = append(gf.imports, moduleImport{pkg: pkg, line: fset.Position(spec.Pos()).Line})
		}
		files = append(files, gf)
		return nil
	})
	if err != nil {
		t.Fatalf("walking the module: %v", err)
	}
	return files
}

// violations returns the imports of files that the rules forbid, with a
// message for each.
func violations(rules []importRule, files []goFile) map[importEdge]string {
	found := map[importEdge]string{}
	for _, r := range rules {
		for _, f := range files {
			if !under(f.dir, r.pkg) || (f.test && !r.tests) {
				continue
			}
			for _, imp := range f.imports {
				// An external test package (package x_test) imports x.
				if !underAny(imp.pkg, r.forbidden) || imp.pkg == f.dir {
					continue
				}
				if f.test && underAny(imp.pkg, r.testsMayImport) {
					continue
				}
				scope := r.pkg
				if scope == "" {
					scope = "any package"
				}
				found[importEdge{f.path, imp.pkg}] = f.path + ":" + strconv.Itoa(imp.line) +
					": imports " + module + "/" + imp.pkg + ", forbidden in " + scope + ": " + r.why
			}
		}
	}
	return found
}

func TestImportRules(t *testing.T) {
	files := moduleFiles(t)
	if len(files) == 0 {
		t.Fatal("found no Go files; the test must run in the module root")
	}

	for _, r := range importRules {
		if r.pkg == "" {
			continue
		}
		n := 0
		for _, f := range files {
			if under(f.dir, r.pkg) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("rule for %s: no Go files under %s/; update importRules if the package moved", r.pkg, r.pkg)
		}
	}

	found := violations(importRules, files)
	var failures []string
	for _, msg := range found {
		failures = append(failures, msg)
	}
	slices.Sort(failures)
	for _, msg := range failures {
		t.Error(msg)
	}
}
