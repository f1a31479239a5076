package ignore

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/gitdrift/driftctl/drift"
)

// GenerateOptions say which results Generate writes rules for.
type GenerateOptions struct {
	// ExcludeChanged, ExcludeMissing and ExcludeUnmanaged leave out the
	// drifted, missing and unmanaged results (snyk/driftctl's
	// --exclude-changed, --exclude-missing, --exclude-unmanaged).
	ExcludeChanged, ExcludeMissing, ExcludeUnmanaged bool
	// Header is a comment line written first ("" for none).
	Header string
}

// Generate writes an ignore file whose rules ignore the drifted, missing
// and unmanaged results of a report, one rule per resource, grouped as
// snyk/driftctl groups them. A rule names the cloud ID, escaped (see
// Escape), so that it matches that resource alone; a resource whose ID is
// sensitive, unknown or cannot be written on a line (surrounding spaces,
// control characters) is named by its Terraform address, and an
// unmanaged one, which has none, is left out with a comment that says why
// without showing the ID. It returns the number of rules written.
func Generate(w io.Writer, results []drift.Result, opts GenerateOptions) (int, error) {
	groups := []struct {
		status  drift.Status
		skip    bool
		comment string
	}{
		{drift.Unmanaged, opts.ExcludeUnmanaged, "# Resources not covered by IaC"},
		{drift.Missing, opts.ExcludeMissing, "# Missing resources"},
		{drift.Drifted, opts.ExcludeChanged, "# Changed resources"},
	}
	var b strings.Builder
	if opts.Header != "" {
		fmt.Fprintf(&b, "# %s\n", oneLine(opts.Header))
	}
	n := 0
	seen := map[string]bool{}
	for _, g := range groups {
		if g.skip {
			continue
		}
		var lines []string
		for i := range results {
			r := &results[i]
			if r.Status != g.status {
				continue
			}
			line := ruleFor(r)
			if seen[line] {
				continue
			}
			seen[line] = true
			lines = append(lines, line)
			if !strings.HasPrefix(line, "#") {
				n++
			}
		}
		if len(lines) > 0 {
			b.WriteString(g.comment + "\n")
			b.WriteString(strings.Join(lines, "\n") + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return n, err
}

// ruleFor is the rule that ignores r alone, or a comment saying why there
// is none.
func ruleFor(r *drift.Result) string {
	if r.ID != "" && !r.IDSensitive && writable(r.ID) && writable(r.Type) {
		return r.Type + "." + Escape(r.ID)
	}
	if r.Address != "" && writable(r.Address) {
		typ, rest, _ := strings.Cut(r.Address, ".")
		return typ + "." + Escape(rest)
	}
	why := "its ID is sensitive"
	if !r.IDSensitive {
		why = "its ID cannot be written as a rule"
	}
	where := ""
	if r.Region != "" {
		where = " in " + oneLine(r.Region)
	}
	return fmt.Sprintf("# an unmanaged %s%s is left out: %s", oneLine(r.Type), where, why)
}

// writable reports whether s can be written in a rule: no control
// characters, no surrounding spaces.
func writable(s string) bool {
	if s == "" || strings.TrimSpace(s) != s {
		return false
	}
	return strings.IndexFunc(s, unicode.IsControl) < 0
}

// oneLine keeps s on one comment line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
