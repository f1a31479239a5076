package report

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/gitdrift/driftctl/drift"
)

// junitOut is JUnit XML as CI systems read it.
type junitOut struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			ClassName string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Type    string `xml:"type,attr"`
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitGolden(t *testing.T) {
	t.Parallel()
	golden(t, "report.junit.golden.xml", []byte(renderString(t, FormatJUnit, githubReport(), Options{})))
}

func TestJUnitCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		report *drift.Report
		failOn map[drift.Status]bool
	}{
		{"default fail-on", sampleReport(), nil},
		{"fail on everything", sampleReport(), map[drift.Status]bool{drift.Drifted: true, drift.Missing: true, drift.Unmanaged: true, drift.Unknown: true}},
		{"fail on nothing", sampleReport(), map[drift.Status]bool{}},
		{"in sync", inSyncReport(), nil},
		{"empty", &drift.Report{}, nil},
		{"hostile", hostileReport(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := renderString(t, FormatJUnit, tt.report, Options{FailOn: tt.failOn})
			if !strings.HasPrefix(out, xml.Header) {
				t.Errorf("no XML declaration: %.80s", out)
			}
			var got junitOut
			if err := xml.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("parsing the JUnit XML back: %v\n%s", err, out)
			}
			failOn := Options{FailOn: tt.failOn}.failOn()
			var failures, skipped, errors int
			for _, res := range tt.report.Results {
				switch {
				case failOn[res.Status]:
					failures++
				case res.Status == drift.Ignored || (res.Status == drift.Unknown && res.Unsupported):
					skipped++
				case res.Status == drift.Unknown:
					errors++
				}
			}
			errors += len(tt.report.Errors)
			tests := len(tt.report.Results) + len(tt.report.Errors)
			if len(got.Suites) != 1 {
				t.Fatalf("%d test suites, want 1 (the stack)", len(got.Suites))
			}
			s := got.Suites[0]
			if got.Tests != tests || s.Tests != tests || len(s.Cases) != tests {
				t.Errorf("tests = %d (suite %d, %d testcases), want %d", got.Tests, s.Tests, len(s.Cases), tests)
			}
			var cf, cs, ce int
			for _, c := range s.Cases {
				if c.Failure != nil {
					cf++
					if c.Failure.Type == string(drift.Drifted) && !strings.Contains(c.Failure.Text, "want ") {
						t.Errorf("%s: the failure does not list the diffs: %q", c.Name, c.Failure.Text)
					}
				}
				if c.Skipped != nil {
					cs++
				}
				if c.Error != nil {
					ce++
				}
			}
			if got.Failures != failures || s.Failures != failures || cf != failures {
				t.Errorf("failures = %d (suite %d, %d elements), want %d", got.Failures, s.Failures, cf, failures)
			}
			if got.Skipped != skipped || s.Skipped != skipped || cs != skipped {
				t.Errorf("skipped = %d (suite %d, %d elements), want %d", got.Skipped, s.Skipped, cs, skipped)
			}
			if got.Errors != errors || s.Errors != errors || ce != errors {
				t.Errorf("errors = %d (suite %d, %d elements), want %d", got.Errors, s.Errors, ce, errors)
			}
			if strings.Contains(out, secret) {
				t.Error("the JUnit report prints the secret")
			}
		})
	}
}

func TestJUnitNames(t *testing.T) {
	t.Parallel()
	var got junitOut
	if err := xml.Unmarshal([]byte(renderString(t, FormatJUnit, sampleReport(), Options{})), &got); err != nil {
		t.Fatal(err)
	}
	s := got.Suites[0]
	if s.Name != "prod-network" {
		t.Errorf("suite %q, want the stack prod-network", s.Name)
	}
	names := map[string]string{}
	for _, c := range s.Cases {
		names[c.Name] = c.ClassName
	}
	for name, class := range map[string]string{"aws_security_group.web": "aws_security_group", "vpc-0999": "aws_vpc", `aws_instance.web["a"]`: "aws_instance"} {
		if names[name] != class {
			t.Errorf("testcase %q has classname %q, want %q (all: %v)", name, names[name], class, names)
		}
	}
}
