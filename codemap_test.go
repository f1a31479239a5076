package driftctl_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCodeMapMatchesTheTree: the README's code map lists every package of
// the module, once, and no package that is gone.
func TestCodeMapMatchesTheTree(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "### Code map")
	if !ok {
		t.Fatal("README.md has no \"### Code map\" section")
	}
	section, _, _ = strings.Cut(section, "\n#")
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")
	var mapped []string
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		mapped = append(mapped, m[1])
	}
	var packages []string
	for _, f := range moduleFiles(t) {
		if f.dir != "" && !slices.Contains(packages, f.dir) {
			packages = append(packages, f.dir)
		}
	}
	for _, p := range packages {
		if !slices.Contains(mapped, p) {
			t.Errorf("package %s is not in the README's code map", p)
		}
	}
	seen := map[string]bool{}
	for _, m := range mapped {
		if !slices.Contains(packages, m) {
			t.Errorf("the README's code map lists %s, which is not a package", m)
		}
		if seen[m] {
			t.Errorf("the README's code map lists %s twice", m)
		}
		seen[m] = true
	}
}
