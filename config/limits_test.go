package config

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// evaluateWithLimits loads main.tf and evaluates it under limits.
func evaluateWithLimits(t *testing.T, main string, limits Limits) hcl.Diagnostics {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": main})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ev, d := NewEvaluator(m, testSchemas(), VarOptions{}, WithLimits(limits))
	if d.HasErrors() {
		t.Fatal(d.Error())
	}
	_, d = ev.Resources(context.Background(), accountData(), &fakeResolver{ResolveFn: withID})
	return d
}

// findError returns the error with summary, checking that it is located
// on line of main.tf and that its text says want.
func findError(t *testing.T, diags hcl.Diagnostics, summary string, line int, want string) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != hcl.DiagError || !strings.Contains(d.Summary, summary) {
			continue
		}
		if d.Subject == nil || filepath.Base(d.Subject.Filename) != "main.tf" || d.Subject.Start.Line != line {
			t.Fatalf("%s: not at main.tf:%d: %v", summary, line, d.Subject)
		}
		if !strings.Contains(d.Detail, want) {
			t.Fatalf("%s: the detail %q does not say %q", summary, d.Detail, want)
		}
		return
	}
	t.Fatalf("no %q error; diagnostics: %v", summary, diags)
}

func doubling(n int) string {
	var b strings.Builder
	b.WriteString("locals {\n  a0 = \"x\"\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  a%d = \"${local.a%d}${local.a%d}\"\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "}\n%s", bucket(fmt.Sprintf("local.a%d", n)))
	return b.String()
}

func TestLimits(t *testing.T) {
	t.Parallel()
	small := Limits{MaxInstances: 5, MaxValueBytes: 1 << 20}
	tests := []struct {
		name    string
		main    string
		limits  Limits
		summary string
		line    int
		want    string
	}{
		{name: "count", main: "resource \"aws_s3_bucket\" \"b\" {\n  count  = 100000000\n  bucket = \"x\"\n}\n",
			summary: "Too many instances", line: 2, want: "count argument asks for 100000000 instances; driftctl evaluates at most 10000"},
		{name: "count over a set limit", main: "resource \"aws_s3_bucket\" \"b\" {\n  count  = 6\n  bucket = \"x\"\n}\n", limits: small,
			summary: "Too many instances", line: 2, want: "at most 5 instances"},
		{name: "for_each", main: "resource \"aws_s3_bucket\" \"b\" {\n  for_each = toset([for i in range(6) : tostring(i)])\n  bucket   = each.key\n}\n", limits: small,
			summary: "Too many instances", line: 2, want: "for_each argument asks for 6 instances"},
		// 2^39 bytes without a limit; the 21st local is over 1 MiB.
		{name: "doubling local", main: doubling(39), limits: small,
			summary: "Value too large", line: 23, want: "The value of local.a21 is larger than 1048576 bytes"},
		{name: "function result", main: "locals {\n  s = \"" + strings.Repeat("x", 2000) + "\"\n  j = join(\"\", [for i in range(1000) : local.s])\n}\n" + bucket("local.j"), limits: small,
			summary: "Error in function call", line: 3, want: `Call to function "join" failed: its result is larger than 1048576 bytes`},
		{name: "resource value", main: "locals {\n  s = \"" + strings.Repeat("x", 2000) + "\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n  tags   = { for i in range(1000) : \"k${i}\" => local.s }\n}\n", limits: small,
			summary: "Value too large", line: 4, want: "The value of aws_s3_bucket.b is larger than 1048576 bytes"},
		{name: "jsondecode depth", main: "locals {\n  j = jsondecode(\"" + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + "\")\n}\n" + bucket("tostring(length(local.j))"),
			summary: "Invalid function argument", line: 2, want: "nests arrays and objects more than 256 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findError(t, evaluateWithLimits(t, tt.main, tt.limits), tt.summary, tt.line, tt.want)
		})
	}
}

// Within the limits, nothing changes: values and instances up to them
// are evaluated.
func TestWithinLimits(t *testing.T) {
	t.Parallel()
	main := "resource \"aws_s3_bucket\" \"c\" {\n  count  = 5\n  bucket = join(\"\", [for i in range(100) : \"" + strings.Repeat("x", 100) + "\"])\n}\n" + doubling(10)
	if diags := evaluateWithLimits(t, main, Limits{MaxInstances: 5, MaxValueBytes: 1 << 20}); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
}
