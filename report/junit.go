package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gitdrift/driftctl/drift"
)

// JUnit writes r as JUnit XML, the test report format CI systems show
// (GitLab, Jenkins, GitHub test-report actions): one <testsuite> for the
// report's stack with one <testcase> per resource (classname its type,
// name its address, or its ID when unmanaged). A resource whose status is
// in opts.FailOn has a <failure> whose text lists the attribute diffs;
// ignored resources and unknown ones driftctl does not support yet are
// <skipped>; a resource whose read failed, when unknown is not in FailOn,
// is an <error>, and so is each of the scan's errors, as a testcase of its
// own. Other resources pass. Sensitive values print as (sensitive).
func JUnit(w io.Writer, r *drift.Report, opts Options) error {
	failOn := opts.failOn()
	suite := junitSuite{Name: cmp.Or(r.Stack, "driftctl"), Time: seconds(r.Duration)}
	if !r.StartedAt.IsZero() {
		suite.Timestamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	if c := r.Commit; c != nil {
		for _, p := range [][2]string{{"commit", c.SHA}, {"ref", c.Ref}, {"author", c.Author}, {"repository", c.Repository}, {"path", c.Path}} {
			if p[1] != "" {
				suite.Properties = append(suite.Properties, junitProperty{Name: p[0], Value: p[1]})
			}
		}
	}
	for _, res := range sortedResults(r.Results) {
		tc := junitCase{ClassName: res.Type, Name: caseName(res)}
		text := junitText(res)
		switch {
		case failOn[res.Status]:
			tc.Failure = &junitProblem{Type: string(res.Status), Message: junitMessage(res), Text: text}
			suite.Failures++
		case res.Status == drift.Ignored || (res.Status == drift.Unknown && res.Unsupported):
			tc.Skipped = &junitProblem{Message: junitMessage(res)}
			suite.Skipped++
		case res.Status == drift.Unknown:
			tc.Error = &junitProblem{Type: string(res.Status), Message: junitMessage(res), Text: text}
			suite.Errors++
		case res.Status != drift.InSync:
			// Drift that --fail-on does not count: passes, and says so.
			tc.SystemOut = &junitOutput{Text: junitMessage(res) + " (not counted as a failure)\n" + text}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for _, e := range r.Errors {
		suite.Cases = append(suite.Cases, junitCase{ClassName: cmp.Or(e.Type, "scan"), Name: cmp.Or(e.Operation, "scan") + " " + e.Region,
			Error: &junitProblem{Type: "scan error", Message: errorText(e)}})
		suite.Errors++
	}
	suite.Tests = len(suite.Cases)
	suites := junitSuites{Name: "driftctl", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("writing the JUnit report: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return fmt.Errorf("writing the JUnit report: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("writing the JUnit report: %w", err)
	}
	return nil
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// junitMessage is a result's one-line verdict.
func junitMessage(res *drift.Result) string {
	var m string
	switch res.Status {
	case drift.Drifted:
		m = fmt.Sprintf("drifted: %d %s differ%s", len(res.Diffs), plural(len(res.Diffs), "attribute", "attributes"),
			plural(len(res.Diffs), "s", ""))
	case drift.Missing:
		m = "missing: in the configuration, not in the cloud"
	case drift.Unmanaged:
		m = "unmanaged: in the cloud, not in the configuration"
	default:
		m = string(res.Status)
	}
	if res.Reason != "" {
		m += ": " + res.Reason
	}
	return clean(m)
}

// junitText lists a result's facts and diffs, one a line.
func junitText(res *drift.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", clean(res.Type), clean(res.ID))
	if res.Region != "" {
		fmt.Fprintf(&b, " in %s", clean(res.Region))
	}
	b.WriteString("\n")
	if w := where(&res.DeclRange); w != "" {
		fmt.Fprintf(&b, "declared at %s\n", clean(w))
	}
	for _, d := range res.Diffs {
		want, got := diffValues(d)
		fmt.Fprintf(&b, "%s: want %s, got %s", clean(d.Path), shorten(want, 2000), shorten(got, 2000))
		if w := where(d.Range); w != "" {
			fmt.Fprintf(&b, " (%s)", clean(w))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The wire form of JUnit XML, as Jenkins and GitLab read it.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		ClassName string        `xml:"classname,attr"`
		Name      string        `xml:"name,attr"`
		Time      string        `xml:"time,attr,omitempty"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		Skipped   *junitProblem `xml:"skipped,omitempty"`
		SystemOut *junitOutput  `xml:"system-out,omitempty"`
	}
	junitOutput struct {
		Text string `xml:",cdata"`
	}
	junitProblem struct {
		Type    string `xml:"type,attr,omitempty"`
		Message string `xml:"message,attr"`
		// Text is CDATA: diffs stay readable in the file. clean has
		// escaped the control characters XML cannot hold.
		Text string `xml:",cdata"`
	}
)
