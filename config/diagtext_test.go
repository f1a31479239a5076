package config

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// The writer prints what hcl's DiagnosticTextWriter prints, block context
// and highlighting included.
func TestDiagnosticWriterAsHCL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": "variable \"x\" {\n  default = \"abc\"\n}\n" +
		"resource \"aws_vpc\" \"a\" {\n  cidr_block = \"10.0.0.0/16\"\n  colour     = \"blue\"\n}\n" +
		"resource \"aws_vpc\" \"b\" {\n  cidr_block = var.x + 1\n}\n"})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ev, _ := NewEvaluator(m, testSchemas(), VarOptions{})
	_, diags = ev.Resources(t.Context(), nil, nil)
	diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Elsewhere", Detail: "No subject."})
	if len(diags) < 3 {
		t.Fatalf("want diagnostics about colour and var.x + 1, got %v", diags)
	}
	for _, color := range []bool{false, true} {
		var got, want bytes.Buffer
		if err := NewDiagnosticWriter(&got, m.Files(), 100, color).WriteDiagnostics(diags); err != nil {
			t.Fatal(err)
		}
		_ = hcl.NewDiagnosticTextWriter(&want, m.Files(), 100, color).WriteDiagnostics(diags)
		if !color && !strings.Contains(got.String(), `with var.x as "abc".`) {
			t.Errorf("no variable values:\n%s", got.String())
		}
		if got.String() != want.String() {
			t.Errorf("color %v:\ngot:\n%s\nwant:\n%s", color, got.String(), want.String())
		}
	}
}

// Thousands of diagnostics print as the first MaxDiagnosticsShown errors
// and warnings and a line that counts the rest.
func TestLimitDiagnostics(t *testing.T) {
	t.Parallel()
	var diags hcl.Diagnostics
	for i := range 4000 {
		sev := hcl.DiagError
		if i%4 == 0 {
			sev = hcl.DiagWarning
		}
		diags = append(diags, &hcl.Diagnostic{Severity: sev, Summary: fmt.Sprintf("problem %d", i)})
	}
	shown, moreErrors, moreWarnings := LimitDiagnostics(diags, MaxDiagnosticsShown)
	if len(shown) != 2*MaxDiagnosticsShown || moreErrors != 3000-MaxDiagnosticsShown || moreWarnings != 1000-MaxDiagnosticsShown {
		t.Fatalf("shown %d, %d more errors, %d more warnings", len(shown), moreErrors, moreWarnings)
	}
	if shown[0].Summary != "problem 0" || shown[1].Summary != "problem 1" {
		t.Errorf("not the first ones in order: %s, %s", shown[0].Summary, shown[1].Summary)
	}
	if got, want := MoreDiagnostics(moreErrors, moreWarnings), "And 2980 more errors and 980 more warnings not shown."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := MoreDiagnostics(0, 0); got != "" {
		t.Errorf("nothing left out: got %q", got)
	}
	if !strings.HasPrefix(MoreDiagnostics(1, 0), "And 1 more error ") {
		t.Errorf("singular: %q", MoreDiagnostics(1, 0))
	}
}

// A diagnostic on a very long line (minified or hostile input) shows a
// window of the line around its subject, not the whole line.
func TestDiagnosticWriterCutsLongLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 50000) // two bytes a character: cuts must keep UTF-8 whole
	src := []byte("locals {\n  a = \"" + long + "\" + 1 + \"" + long + "\"\n}\n")
	f := &hcl.File{Bytes: src}
	at := bytes.Index(src, []byte("+ 1 +")) + 2
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Bad", Subject: &hcl.Range{
		Filename: "main.tf", Start: hcl.Pos{Line: 2, Column: 1, Byte: at}, End: hcl.Pos{Line: 2, Column: 2, Byte: at + 1}}}
	for _, color := range []bool{false, true} {
		var out bytes.Buffer
		if err := NewDiagnosticWriter(&out, map[string]*hcl.File{"main.tf": f}, 100, color).WriteDiagnostic(d); err != nil {
			t.Fatal(err)
		}
		if out.Len() > 2*maxSnippetLine+200 {
			t.Errorf("color=%v: %d bytes printed for one diagnostic", color, out.Len())
		}
		if !utf8.Valid(out.Bytes()) {
			t.Errorf("color=%v: the cut split a character", color)
		}
		if !strings.Contains(out.String(), "…") || !strings.Contains(out.String(), "1") {
			t.Errorf("color=%v: no marks of the cut, or the subject is not shown:\n%s", color, out.String())
		}
	}
}
