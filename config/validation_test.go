package config

import (
	"strings"
	"testing"
)

// TestVariableValidation checks validation blocks as Terraform v1.11's
// `terraform plan` does (outputs compared by hand): a false condition is
// "Invalid value for variable" with the rule's error_message and where the
// rule is, an unknown one is skipped, a non-bool or null one is an error.
func TestVariableValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tf   string
		vars []string
		// want are the summaries and detail fragments, "" for no error.
		want []string
	}{
		{
			name: "passes",
			tf:   `variable "x" { validation { condition = length(var.x) > 3; error_message = "short." } }`,
			vars: []string{"x=abcd"},
		},
		{
			name: "fails with a template message and the condition's place",
			tf: `variable "x" {
  validation {
    condition     = length(var.x) > 3
    error_message = "x must be longer than 3, got ${var.x}."
  }
}`,
			vars: []string{"x=ab"},
			want: []string{"Invalid value for variable", "x must be longer than 3, got ab.", "main.tf:3,21-38."},
		},
		{
			name: "second rule fails",
			tf: `variable "x" {
  validation {
    condition     = var.x != ""
    error_message = "empty."
  }
  validation {
    condition     = can(regex("^[a-z]+$", var.x))
    error_message = "lower-case letters only."
  }
}`,
			vars: []string{"x=AB"},
			want: []string{"Invalid value for variable", "lower-case letters only."},
		},
		{
			name: "refers to another variable and a local",
			tf: `variable "x" { default = 2 }
locals { min = 5 }
variable "y" {
  default = 3
  validation {
    condition     = var.y > local.min + var.x
    error_message = "y too small."
  }
}`,
			want: []string{"Invalid value for variable", "y too small."},
		},
		{
			name: "unknown is skipped",
			tf: `resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
locals { id = aws_vpc.v.id }
variable "y" {
  default = "x"
  validation {
    condition     = var.y == local.id
    error_message = "never."
  }
}`,
		},
		{
			name: "not a bool",
			tf:   `variable "q" { default = 1; validation { condition = var.q == 1 ? "yes" : "no"; error_message = "q." } }`,
			want: []string{"Invalid variable validation result", "a bool is required"},
		},
		{
			name: "null",
			tf:   `variable "d" { default = "x"; validation { condition = var.d == "x" ? null : true; error_message = "d." } }`,
			want: []string{"Invalid variable validation result", "not null"},
		},
		{
			name: "condition fails to evaluate",
			tf: `variable "c" {
  type    = string
  default = null
  validation {
    condition     = length(var.c) > 5
    error_message = "c."
  }
}`,
			want: []string{"Invalid function argument", "must not be null"},
		},
		{
			name: "a number as message",
			tf:   `variable "e" { default = "x"; validation { condition = var.e == "y"; error_message = 5 } }`,
			want: []string{"Invalid value for variable", "5\n\nThis was checked"},
		},
		{
			name: "a null message",
			tf:   `variable "e" { default = "x"; validation { condition = var.e == "y"; error_message = null } }`,
			want: []string{"Invalid value for variable", "Failed to evaluate condition error message.", "Invalid error message"},
		},
		{
			name: "must refer to itself",
			tf:   `variable "q" { default = 1; validation { condition = 1 == 1; error_message = "q." } }`,
			want: []string{"Invalid variable validation condition", "must refer to var.q"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			// One-line cases: "; " separates arguments, blocks open and close on
			// their own lines.
			tf := strings.NewReplacer("; ", "\n", "{ ", "{\n", " }", "\n}").Replace(tt.tf)
			writeFiles(t, dir, map[string]string{"main.tf": tf})
			m, diags := Load(dir)
			var args []VarArg
			for _, v := range tt.vars {
				args = append(args, VarArg{Value: v})
			}
			if !diags.HasErrors() {
				_, d := NewEvaluator(m, testSchemas(), VarOptions{Args: args})
				diags = append(diags, d...)
			}
			out := renderDiagnostics(t, m, diags)
			if len(tt.want) == 0 {
				if diags.HasErrors() {
					t.Fatalf("unexpected errors:\n%s", out)
				}
				return
			}
			if !diags.HasErrors() {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("diagnostics lack %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestSensitiveVariableValidation: a failed rule of a sensitive variable
// never shows its value (Terraform v1.11 shows it in the message and in
// the expression's context).
func TestSensitiveVariableValidation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": `
variable "pw" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.pw) > 12
    error_message = "pw too short: ${var.pw}."
  }
  validation {
    condition     = var.pw != "hunter2"
    error_message = "not that one."
  }
}`})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, diags = NewEvaluator(m, testSchemas(), VarOptions{Args: []VarArg{{Value: "pw=hunter2"}}})
	out := renderDiagnostics(t, m, diags)
	if strings.Contains(out, "hunter2") {
		t.Errorf("the diagnostics show the sensitive value:\n%s", out)
	}
	for _, w := range []string{"Invalid value for variable", "The error message included a sensitive value", "not that one."} {
		if !strings.Contains(out, w) {
			t.Errorf("diagnostics lack %q:\n%s", w, out)
		}
	}
}
