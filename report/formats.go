package report

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/drift"
)

// Format names a report format, as `driftctl scan -o FORMAT` takes it.
type Format string

// The formats.
const (
	// FormatConsole is text for people (Console).
	FormatConsole Format = "console"
	// FormatJSON is the public, versioned JSON report (JSON).
	FormatJSON Format = "json"
	// FormatMarkdown is a pull-request comment (Markdown).
	FormatMarkdown Format = "markdown"
	// FormatSARIF is SARIF 2.1.0 for code scanning (SARIF).
	FormatSARIF Format = "sarif"
	// FormatJUnit is JUnit XML for CI test reports (JUnit).
	FormatJUnit Format = "junit"
	// FormatHTML is one self-contained HTML page (HTML).
	FormatHTML Format = "html"
)

// Formats returns every format Render takes, in the order help texts list
// them. The slice is the caller's own.
func Formats() []Format {
	return []Format{FormatConsole, FormatJSON, FormatMarkdown, FormatSARIF, FormatJUnit, FormatHTML}
}

// FormatNames is Formats as strings ("console", "json", ...), for flag
// completion and messages.
func FormatNames() []string {
	var names []string
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return names
}

// ParseFormat returns the format named s, or an error listing the formats.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown report format %q: expected one of %s", s, strings.Join(FormatNames(), ", "))
}

// Options are what the formats other than the report itself need.
type Options struct {
	// Console styles the console format.
	Console ConsoleOptions
	// FailOn are the statuses that fail the scan (--fail-on): JUnit makes
	// them failures, SARIF errors, Markdown and HTML say the scan failed.
	// Nil means the CLI's default, drifted and missing.
	FailOn map[drift.Status]bool
	// Version is driftctl's version, for SARIF's tool.driver.version
	// ("dev" when empty).
	Version string
}

// failOn is opts.FailOn or the default set.
func (o Options) failOn() map[drift.Status]bool {
	if o.FailOn != nil {
		return o.FailOn
	}
	return map[drift.Status]bool{drift.Drifted: true, drift.Missing: true}
}

// Render writes r to w in format f.
func Render(w io.Writer, f Format, r *drift.Report, opts Options) error {
	switch f {
	case FormatConsole:
		return Console(w, r, opts.Console)
	case FormatJSON:
		return JSON(w, r)
	case FormatMarkdown:
		return Markdown(w, r, opts)
	case FormatSARIF:
		return SARIF(w, r, opts)
	case FormatJUnit:
		return JUnit(w, r, opts)
	case FormatHTML:
		return HTML(w, r, opts)
	}
	return fmt.Errorf("rendering the report: unknown format %q", f)
}

// informationURI is driftctl's home page.
const informationURI = "https://github.com/gitdrift/driftctl"

// outcome is the one-line verdict of a report: "scan incomplete" when a
// read failed, "drift found" when a status in failOn occurs, "drift found,
// not failing" for drift that failOn does not count, else "no drift".
func outcome(r *drift.Report, failOn map[drift.Status]bool) string {
	failing, drifted := false, false
	for i := range r.Results {
		s := r.Results[i].Status
		failing = failing || failOn[s]
		drifted = drifted || s.IsDrift()
	}
	switch {
	case !r.Complete():
		return "scan incomplete"
	case failing:
		return "drift found"
	case drifted:
		return "drift found, not failing"
	}
	return "no drift"
}

// repoPath is a configuration file's path from the repository root (file
// names in ranges are relative to the stack's directory, commit.Path), or
// the file name as it is when the desired state is not from Git. ok is
// false when the file is outside the repository.
func repoPath(c *drift.Commit, file string) (p string, ok bool) {
	if c == nil {
		return path.Clean(file), !path.IsAbs(file) && !strings.HasPrefix(path.Clean(file), "../")
	}
	p = path.Join(c.Path, file)
	if path.IsAbs(file) || p == ".." || strings.HasPrefix(p, "../") {
		return file, false
	}
	return p, true
}

// escapePath percent-encodes each segment of a slash-separated path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// forge says how to link into a repository's web interface: the base URL
// of the project and the path segment of a file view ("blob" on GitHub,
// "-/blob" on GitLab). ok is false for a repository that is not an https
// GitHub or GitLab one (github.com, gitlab.com, or a host whose first label
// is github or gitlab, as GitHub Enterprise and self-managed GitLab are
// often named), and for a dirty working tree, whose lines may not be the
// commit's.
func forge(c *drift.Commit) (base, blob string, ok bool) {
	if c == nil || c.Dirty || c.SHA == "" {
		return "", "", false
	}
	u, err := url.Parse(c.Repository)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Host == "" {
		return "", "", false
	}
	host := strings.ToLower(u.Hostname())
	first, _, _ := strings.Cut(host, ".")
	switch {
	case host == "github.com" || first == "github":
		blob = "blob"
	case host == "gitlab.com" || first == "gitlab":
		blob = "-/blob"
	default:
		return "", "", false
	}
	p := strings.TrimSuffix(strings.TrimSuffix(u.EscapedPath(), "/"), ".git")
	if strings.Count(strings.Trim(p, "/"), "/") < 1 {
		return "", "", false
	}
	return "https://" + u.Host + p, blob, true
}

// lineURL is the web address of a line of a configuration file at the
// report's commit ("https://github.com/o/r/blob/SHA/envs/prod/main.tf#L12"),
// or "" when there is none (see forge).
func lineURL(c *drift.Commit, rg *hcl.Range) string {
	if rg == nil || rg.Filename == "" {
		return ""
	}
	base, blob, ok := forge(c)
	if !ok {
		return ""
	}
	p, ok := repoPath(c, rg.Filename)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s/%s#L%d", base, blob, url.PathEscape(c.SHA), escapePath(p), rg.Start.Line)
}

// commitURL is the web address of the report's commit, or "".
func commitURL(c *drift.Commit) string {
	base, blob, ok := forge(c)
	if !ok {
		return ""
	}
	return base + "/" + strings.TrimSuffix(blob, "blob") + "commit/" + url.PathEscape(c.SHA)
}

// where is "file:line" of a range, "" for none.
func where(rg *hcl.Range) string {
	if rg == nil || rg.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", rg.Filename, rg.Start.Line)
}

// diffRange is where a diff's attribute is written, else the resource's
// block, else nil.
func diffRange(res *drift.Result, d *drift.Diff) *hcl.Range {
	if d != nil && d.Range != nil && d.Range.Filename != "" {
		return d.Range
	}
	if res.DeclRange.Filename != "" {
		return &res.DeclRange
	}
	return nil
}

// diffValues are a diff's want and got as people read them; "(sensitive)"
// for a sensitive diff.
func diffValues(d drift.Diff) (want, got string) {
	if d.Sensitive {
		return sensitiveText, sensitiveText
	}
	return formatValue(d.Want), formatValue(d.Got)
}

// shorten cuts s to at most n bytes (on a rune boundary), ending in "…"
// when it was cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// resourceName is how a result is named in the reports: its address, else
// "TYPE ID" for an unmanaged resource.
func resourceName(res *drift.Result) string {
	if res.Address != "" {
		return res.Address
	}
	return res.Type + " " + res.ID
}

// caseName names a result in a list of every resource (JUnit's test
// cases, the HTML table, whose type is beside it): its address, else its ID.
func caseName(res *drift.Result) string {
	if res.Address != "" {
		return res.Address
	}
	return res.ID
}

// reported says whether a status gets a section of its own in the
// Markdown and SARIF reports: the statuses that need a person.
func reported(s drift.Status) bool {
	return s == drift.Drifted || s == drift.Missing || s == drift.Unmanaged || s == drift.Unknown
}
