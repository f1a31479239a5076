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
		{expr: `fileset("fs", "*.txt")`, want: strSet(".hidden.txt", "a.txt")},
		{expr: `fileset("fs", "**")`, want: strSet(".hidden.txt", "a.txt", "b.json", "sub/c.txt", "sub/deep/d.txt")},
		{expr: `fileset("fs", "**/*.txt")`, want: strSet(".hidden.txt", "a.txt", "sub/c.txt", "sub/deep/d.txt")},
		{expr: `fileset("fs/sub", "**")`, want: strSet("c.txt", "deep/d.txt")},
		{expr: `fileset("fs", "{a,b}.*")`, want: strSet("a.txt", "b.json")},
		{expr: `fileset(".", "fs/sub/*")`, want: strSet("fs/sub/c.txt")},
		{expr: `fileset("fs/sub", "../*.txt")`, want: strSet("../.hidden.txt", "../a.txt")},
		{expr: `fileset("fs/", "./sub/../*.json")`, want: strSet("b.json")},
		{expr: `fileset("fs", "a.txt")`, want: strSet("a.txt")},
		{expr: `fileset("fs", "sub")`, want: strSet()},
		{expr: `fileset("fs", "**/deep")`, want: strSet()},
		{expr: `fileset("fs", "")`, want: strSet()},
		{expr: `fileset("nope", "*")`, want: strSet()},
		{expr: `fileset("fs", "*/")`, want: strSet(".hidden.txt", "a.txt", "b.json")},
		{expr: `fileset("fs", "?.txt")`, want: strSet("a.txt")},
		{expr: `fileset("fs", "[a-b]*")`, want: strSet("a.txt", "b.json")},
		{expr: `fileset("fs", "[^a].*")`, want: strSet("b.json")},
		// Terraform's doublestar (v1) reads [!a] as "!" or "a".
		{expr: `fileset("fs", "[!a].*")`, want: strSet("a.txt")},
		{expr: `fileset("fs", "sub/*/*")`, want: strSet("sub/deep/d.txt")},
		{expr: `fileset("fs", "sub/**/d.txt")`, want: strSet("sub/deep/d.txt")},
		{expr: `fileset("fs", "[")`, wantErr: `failed to glob pattern "fs/[": syntax error in pattern`},
		// Not Terraform's: its doublestar (v1) refuses a "/" inside {},
		// "syntax error in pattern"; driftctl's (v4) matches.
		{expr: `fileset("fs", "sub/{c.txt,deep/*}")`, want: strSet("sub/c.txt", "sub/deep/d.txt")},
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
