package config

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// deep is how deeply the tests nest: beyond MaxNesting, and far below
// what overflows the stack, so that without the bound a test sees no
// error rather than the process dying (the CLI script runs 100,000).
const deep = 2000

func rep(s string, n int) string { return strings.Repeat(s, n) }

func bucket(expr string) string {
	return "resource \"aws_s3_bucket\" \"b\" {\n  bucket = " + expr + "\n}\n"
}

// Every kind of nesting that hcl's parser or evaluator recurses on is
// refused before parsing, with an error at the token that went too deep.
func TestNestingTooDeep(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		vars  []VarArg
		file  string // the file the error names
	}{
		{name: "parentheses", files: map[string]string{"main.tf": bucket(rep("(", deep) + `"x"` + rep(")", deep))}},
		{name: "tuples", files: map[string]string{"main.tf": bucket(rep("[", deep) + `"x"` + rep("]", deep))}},
		{name: "objects", files: map[string]string{"main.tf": bucket(rep("{a=", deep) + `"x"` + rep("}", deep))}},
		{name: "not", files: map[string]string{"main.tf": bucket(rep("!", deep) + "true")}},
		{name: "negation", files: map[string]string{"main.tf": bucket(rep("-", deep) + "1")}},
		{name: "sum", files: map[string]string{"main.tf": bucket(rep("1 + ", deep) + "1")}},
		{name: "conditionals", files: map[string]string{"main.tf": bucket(rep(`true ? "a" : `, deep) + `"b"`)}},
		{name: "indexes", files: map[string]string{"main.tf": bucket(`local.x` + rep("[local.i]", deep))}},
		{name: "interpolations", files: map[string]string{"main.tf": bucket(`"` + rep(`${"`, deep) + "x" + rep(`"}`, deep) + `"`)}},
		{name: "directives", files: map[string]string{"main.tf": bucket(`"` + rep(`%{if true}`, deep) + "x" + rep(`%{endif}`, deep) + `"`)}},
		{name: "for expressions", files: map[string]string{"main.tf": bucket(rep("[for x in ", deep) + "[1]" + rep(" : x]", deep))}},
		{name: "locals block", files: map[string]string{"main.tf": "locals {\n  a = " + rep("(", deep) + "1" + rep(")", deep) + "\n}\n"}},
		{name: "json arrays", files: map[string]string{"main.tf.json": `{"locals": {"a": ` + rep("[", deep) + "1" + rep("]", deep) + "}}"}, file: "main.tf.json"},
		{name: "json template", files: map[string]string{"main.tf.json": `{"locals": {"a": "` + rep(`${(`, 1) + rep("(", deep) + "1" + rep(")", deep) + `)}"}}`}, file: "main.tf.json"},
		{name: "json type", files: map[string]string{"main.tf.json": `{"variable": {"v": {"type": "` + rep("list(", deep) + "string" + rep(")", deep) + `"}}}`}, file: "main.tf.json"},
		{name: "tfvars", files: map[string]string{
			"main.tf":          "variable \"v\" {\n  type = any\n  default = 1\n}\n",
			"terraform.tfvars": "v = " + rep("[", deep) + rep("]", deep) + "\n",
		}, file: "terraform.tfvars"},
		{name: "var-file", files: map[string]string{
			"main.tf":       "variable \"v\" {\n  type = any\n  default = 1\n}\n",
			"x.tfvars":      "v = " + rep("(", deep) + "1" + rep(")", deep) + "\n",
			"y.tfvars.json": `{"v": "` + rep("${", deep) + rep("}", deep) + `"}`,
		}, vars: []VarArg{{File: true, Value: "x.tfvars"}}, file: "x.tfvars"},
		{name: "var", files: map[string]string{
			"main.tf": "variable \"v\" {\n  type = list(any)\n  default = []\n}\n",
		}, vars: []VarArg{{Value: "v=" + rep("[", deep) + rep("]", deep)}}, file: "-var v"},
		{name: "templatefile", files: map[string]string{
			"main.tf": bucket(`templatefile("t.tpl", {})`),
			"t.tpl":   rep("${(", 1) + rep("(", deep) + "1" + rep(")", deep) + ")}",
		}, file: "t.tpl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			vars := tt.vars
			for i, v := range vars {
				if v.File {
					vars[i].Value = filepath.Join(dir, v.Value)
				}
			}
			diags := loadAndEvaluate(dir, VarOptions{Args: vars})
			want := tt.file
			if want == "" {
				want = "main.tf"
			}
			for _, d := range diags {
				if strings.Contains(d.Summary+d.Detail, "nested too deeply") {
					// templatefile's error is the call's, naming the template.
					inDetail := strings.Contains(d.Detail, want+":1,")
					if !inDetail && (d.Subject == nil || !strings.HasSuffix(d.Subject.Filename, want) || d.Subject.Start.Line < 1) {
						t.Fatalf("the error is not located in %s: %v", want, d.Subject)
					}
					return
				}
			}
			t.Fatalf("no nesting error; diagnostics: %v", diags)
		})
	}
}

// Nesting that configurations use is accepted.
func TestNestingAccepted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cond := rep(`var.x == "a" || `, 60) + "false"
	writeFiles(t, dir, map[string]string{
		"main.tf": "variable \"x\" {\n  default = \"a\"\n}\n" +
			bucket(rep("(", 40)+`"x"`+rep(")", 40)) +
			"resource \"aws_s3_bucket\" \"c\" {\n  bucket = " + cond + " ? \"yes\" : \"no\"\n  tags = {\n" +
			rep("    k = \"${var.x}-%{if var.x == \"a\"}${upper(var.x)}%{endif}\"\n", 1) + "  }\n}\n",
	})
	if diags := loadAndEvaluate(dir, VarOptions{}); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
}

// loadAndEvaluate loads dir and evaluates it with the test schemas,
// returning every diagnostic.
func loadAndEvaluate(dir string, vars VarOptions) hcl.Diagnostics {
	m, diags := Load(dir)
	if diags.HasErrors() {
		return diags
	}
	ev, d := NewEvaluator(m, testSchemas(), vars)
	diags = append(diags, d...)
	if d.HasErrors() {
		return diags
	}
	_, d = ev.Resources(context.Background(), accountData(), &fakeResolver{ResolveFn: withID})
	return append(diags, d...)
}

func localsChain(n int) string {
	var b strings.Builder
	b.WriteString("locals {\n  a0 = \"x\"\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  a%d = local.a%d\n", i, i-1)
	}
	fmt.Fprintf(&b, "}\n%s", bucket(fmt.Sprintf("local.a%d", n-1)))
	return b.String()
}

// A chain of locals each referring to the previous one is evaluated by
// recursion: beyond MaxReferenceDepth links it is a located error, and
// the run stops evaluating.
func TestReferenceChainTooDeep(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.tf": localsChain(MaxReferenceDepth + 500)})
	diags := loadAndEvaluate(dir, VarOptions{})
	found := 0
	for _, d := range diags {
		if d.Summary == "References nested too deeply" {
			found++
			if d.Subject == nil || filepath.Base(d.Subject.Filename) != "main.tf" {
				t.Errorf("not located: %v", d.Subject)
			}
		}
	}
	if found != 1 {
		t.Fatalf("%d reference depth errors, want 1; diagnostics: %v", found, diags)
	}

	ok := t.TempDir()
	writeFiles(t, ok, map[string]string{"main.tf": localsChain(MaxReferenceDepth / 2)})
	if diags := loadAndEvaluate(ok, VarOptions{}); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
}
