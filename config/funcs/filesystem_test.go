package funcs

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestFilesystemFunctions(t *testing.T) {
	tests := []funcTest{
		{expr: `file("hello.txt")`, want: str("hello\n")},
		// Terraform says `no file exists at "missing.txt"; ...`.
		{expr: `file("missing.txt")`, wantErr: "reading file missing.txt: open "},
		{expr: `fileexists("hello.txt")`, want: cty.True},
		{expr: `fileexists("missing.txt")`, want: cty.False},
		{expr: `filebase64("hello.txt")`, want: str("aGVsbG8K")},
		{expr: `templatefile("greet.tpl", { names = ["a", "b"], region = "eu" })`, want: str("Hi A B from eu")},
		{expr: `templatefile("greet.tpl", "x")`, wantErr: "invalid vars value: must be a map"},
		{expr: `templatefile("missing.tpl", {})`, wantErr: "reading file missing.tpl: open "},
		{expr: `basename("a/")`, want: str("a")},
		{expr: `basename("a/b.txt")`, want: str("b.txt")},
		{expr: `dirname("a/b/")`, want: str("a/b")},
		{expr: `dirname("a/b.txt")`, want: str("a")},
		{expr: `dirname("")`, want: str(".")},
		{expr: `pathexpand("/abs")`, want: str("/abs")},
		{expr: `pathexpand("~bob/x")`, wantErr: "cannot expand user-specific home dir"},
		// Not Terraform's: its result is the home directory of whoever
		// runs Terraform, which driftctl cannot know.
		{expr: `pathexpand("~/x")`, want: cty.UnknownVal(cty.String)},
		{expr: `abspath("/a/../b")`, want: str("/b")},
		{expr: `abspath("/x/y/../z")`, want: str("/x/z")},
	}
	runFuncTests(t, tests)
}

// TestAbsPath checks abspath of a relative path: joined to the module's
// directory, or unknown for a module that has none on disk.
func TestAbsPath(t *testing.T) {
	t.Parallel()
	got, diags := eval(t, Table(dirFiles{"/stack/net"}, Options{}), `abspath("files/a.txt")`)
	if diags.HasErrors() || !got.RawEquals(str("/stack/net/files/a.txt")) {
		t.Errorf("on disk: got %#v, %v", got, diags)
	}
	got, diags = eval(t, Table(treeFiles{}, Options{}), `abspath("files/a.txt")`)
	if diags.HasErrors() || !got.RawEquals(cty.UnknownVal(cty.String)) {
		t.Errorf("in a Git tree: got %#v, %v; want unknown", got, diags)
	}
}

// treeFiles is a module with no directory on disk.
type treeFiles struct{ dirFiles }

func (treeFiles) Dir() (string, bool) { return "", false }
