package funcs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// The family tests (collection_test.go, string_test.go, ...) check results
// against Terraform v1.11: each expectation was printed by
// `echo 'EXPR' | terraform console` in a directory holding testFileSet,
// unless its comment says otherwise. An empty want is an error whose
// message contains wantErr; where driftctl's message is not Terraform's
// word for word, a comment says so.
type funcTest struct {
	expr    string
	want    cty.Value
	wantErr string
}

// testFileSet are the files the file functions of the tests read.
var testFileSet = map[string]string{
	"hello.txt": "hello\n",
	"greet.tpl": "Hi %{ for n in names }${upper(n)} %{ endfor }from ${region}",
	// Globbed by fileset in filesystem_test.go.
	"fs/a.txt":          "a",
	"fs/b.json":         "{}",
	"fs/.hidden.txt":    "h",
	"fs/sub/c.txt":      "c",
	"fs/sub/deep/d.txt": "d",
	// Keys of crypto_test.go.
	"rsa.pem":       rsaKey,
	"ed25519.pem":   ed25519Key,
	"truncated.pem": "-----BEGIN RSA PRIVATE KEY-----\nMAMCAQ==\n-----END RSA PRIVATE KEY-----\n",
	"notrsa.pem":    "-----BEGIN RSA PRIVATE KEY-----\naGVsbG8gd29ybGQ=\n-----END RSA PRIVATE KEY-----\n",
}

// dirFiles reads files relative to dir, or absolute, anywhere.
type dirFiles struct{ dir string }

func (d dirFiles) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(d.dir, p)
}

func (d dirFiles) ReadFile(p string) ([]byte, error)       { return os.ReadFile(d.path(p)) }
func (d dirFiles) Stat(p string) (fs.FileInfo, error)      { return os.Stat(d.path(p)) }
func (d dirFiles) ReadDir(p string) ([]fs.DirEntry, error) { return os.ReadDir(d.path(p)) }
func (d dirFiles) Name(p string) string                    { return d.path(p) }
func (d dirFiles) Dir() (string, bool)                     { return d.dir, true }

// testDir is a directory holding testFileSet.
func testDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range testFileSet {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func eval(t *testing.T, funcs map[string]function.Function, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return expr.Value(&hcl.EvalContext{Functions: funcs})
}

// runFuncTests evaluates each test's expression with Table over testDir.
func runFuncTests(t *testing.T, tests []funcTest) {
	t.Helper()
	t.Parallel()
	funcs := Table(dirFiles{testDir(t)}, Options{})
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, diags := eval(t, funcs, tt.expr)
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
					t.Errorf("got %#v, %v; want error containing %q", got, diags, tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if !got.RawEquals(tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

var (
	str = cty.StringVal
	num = cty.NumberIntVal
)

func strList(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	return cty.ListVal(strVals(ss))
}

func strSet(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	return cty.SetVal(strVals(ss))
}

func strTuple(ss ...string) cty.Value { return cty.TupleVal(strVals(ss)) }

func strVals(ss []string) []cty.Value {
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = str(s)
	}
	return vs
}

// TestTable checks what Table adds to the functions: core:: names and the
// functions driftctl leaves unknown.
// None of these is Terraform's output.
func TestTable(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	tests := []funcTest{
		{expr: `core::upper("a")`, want: str("A")},
		{expr: `core::cidrhost("10.0.0.0/24", 1)`, want: str("10.0.0.1")},
		// Known only when Terraform applies.
		{expr: `timestamp()`, want: cty.UnknownVal(cty.String)},
		{expr: `plantimestamp()`, want: cty.UnknownVal(cty.String)},
		{expr: `uuid()`, want: cty.UnknownVal(cty.String)},
	}
	funcs := Table(dirFiles{dir}, Options{})
	for _, tt := range tests {
		got, diags := eval(t, funcs, tt.expr)
		if tt.wantErr != "" {
			if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
				t.Errorf("%s: got %#v, %v; want error containing %q", tt.expr, got, diags, tt.wantErr)
			}
			continue
		}
		if diags.HasErrors() || !got.RawEquals(tt.want) {
			t.Errorf("%s: got %#v, %v; want %#v", tt.expr, got, diags, tt.want)
		}
	}
}

// TestTableOptions checks that Outside, CheckTemplate and Wrap reach the
// functions that use them.
func TestTableOptions(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	refused := errors.New("refused")
	files := refusingFiles{dirFiles{dir}, refused}
	var calls []string
	opts := Options{
		Outside: refused,
		CheckTemplate: func(src []byte, filename string) hcl.Diagnostics {
			if strings.Contains(string(src), "upper") {
				return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "checked " + filepath.Base(filename)}}
			}
			return nil
		},
		Wrap: func(f function.Function) function.Function {
			return function.New(&function.Spec{
				Params:   f.Params(),
				VarParam: f.VarParam(),
				Type:     f.ReturnTypeForValues,
				Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
					calls = append(calls, "called")
					return f.Call(args)
				},
			})
		},
	}
	funcs := Table(files, opts)
	if _, diags := eval(t, funcs, `fileexists("secret.txt")`); !diags.HasErrors() || !strings.Contains(diags.Error(), "checking file secret.txt: refused") {
		t.Errorf("fileexists of a refused path: got %v, want the error of Outside", diags)
	}
	if _, diags := eval(t, funcs, `fileset("secret.txt", "*")`); !diags.HasErrors() || !strings.Contains(diags.Error(), `failed to glob pattern "secret.txt/*": refused`) {
		t.Errorf("fileset of a refused path: got %v, want the error of Outside", diags)
	}
	if got, diags := eval(t, funcs, `fileexists("missing.txt")`); diags.HasErrors() || !got.RawEquals(cty.False) {
		t.Errorf("fileexists of a missing file: got %#v, %v; want false", got, diags)
	}
	if _, diags := eval(t, funcs, `templatefile("greet.tpl", {names = [], region = "x"})`); !diags.HasErrors() || !strings.Contains(diags.Error(), "checked greet.tpl") {
		t.Errorf("templatefile: got %v, want the error of CheckTemplate", diags)
	}
	if err := os.WriteFile(filepath.Join(dir, "t.tpl"), []byte(`${lower("A")}`), 0o644); err != nil {
		t.Fatal(err)
	}
	calls = nil
	got, diags := eval(t, funcs, `templatefile("t.tpl", {})`)
	if diags.HasErrors() || !got.RawEquals(str("a")) {
		t.Fatalf("templatefile: got %#v, %v", got, diags)
	}
	// templatefile itself and lower inside the template are wrapped (a
	// function may be called more than once: for its type, then its value).
	if len(calls) < 2 {
		t.Errorf("Wrap: %d wrapped calls, want templatefile's and lower's", len(calls))
	}
	// A template cannot call templatefile, as in Terraform.
	if err := os.WriteFile(filepath.Join(dir, "self.tpl"), []byte(`${templatefile("t.tpl", {})}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, diags := eval(t, funcs, `templatefile("self.tpl", {})`); !diags.HasErrors() || !strings.Contains(diags.Error(), "templatefile") {
		t.Errorf("templatefile in a template: got %v, want an error", diags)
	}
}

// refusingFiles refuses secret.txt with err.
type refusingFiles struct {
	dirFiles
	err error
}

func (r refusingFiles) Stat(p string) (fs.FileInfo, error) {
	if p == "secret.txt" {
		return nil, r.err
	}
	return r.dirFiles.Stat(p)
}
