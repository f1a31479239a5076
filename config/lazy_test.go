package config

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// A native-syntax resource block keeps its source, not its tree, and its
// second parse gives the first one's ranges, byte offsets included.
func TestLazyBodies(t *testing.T) {
	dir := "testdata/valid-files/basic"
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	lazy := 0
	for addr, b := range m.resources {
		native := strings.HasSuffix(b.DeclRange.Filename, ".tf")
		if native && (b.lazy == nil || b.Body != nil) {
			t.Errorf("%s: a native block keeps its tree (lazy %v, Body %v)", addr, b.lazy != nil, b.Body != nil)
		}
		if !native && (b.lazy != nil || b.Body == nil) {
			t.Errorf("%s: a JSON block has no tree", addr)
		}
		if native {
			lazy++
		}
	}
	if lazy == 0 {
		t.Fatal("no native resource blocks in the test module")
	}
	rs, diags := evaluateModule(t, m, VarOptions{}, accountData(), &fakeResolver{ResolveFn: withID})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	src, err := os.ReadFile(filepath.Join(dir, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range rs {
		for path, rng := range r.Ranges {
			if filepath.Base(rng.Filename) != "main.tf" || strings.Contains(path, ".") {
				continue
			}
			at := string(src[rng.Start.Byte:])
			if !strings.HasPrefix(at, path) && !strings.HasPrefix(at, `dynamic "`+path+`"`) {
				t.Errorf("%s %s: byte %d of main.tf is %q, not the attribute", r.Address, path, rng.Start.Byte, string(src[rng.Start.Byte:min(len(src), rng.Start.Byte+20)]))
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no ranges checked")
	}
	// Diagnostics still name the block around a position.
	f := m.Files()[filepath.Join(dir, "main.tf")]
	if f == nil {
		t.Fatalf("Files() lacks main.tf: %v", keys(m.Files()))
	}
	nav, ok := f.Nav.(interface{ ContextString(int) string })
	if !ok {
		t.Fatal("main.tf's Nav does not describe positions")
	}
	off := strings.Index(string(src), "cidr_block")
	if got := nav.ContextString(off); !strings.HasPrefix(got, "resource ") {
		t.Errorf("ContextString at the first cidr_block = %q, want the resource block", got)
	}
}

// Only the resources something refers to are noted as referenced: an
// evaluation forgets the values of the others.
func TestReferencedResources(t *testing.T) {
	m, diags := Load("testdata/valid-files/basic")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if !m.isReferenced("aws_vpc.main") {
		t.Error("aws_vpc.main is referred to but not noted")
	}
	m.referencedAll = false
	unreferenced := 0
	for addr := range m.resources {
		if !m.isReferenced(addr) {
			unreferenced++
		}
	}
	if unreferenced == 0 {
		t.Error("every resource is noted as referenced")
	}
}

// An evaluation keeps of a resource's value only what references name.
func TestKeptValue(t *testing.T) {
	dir := t.TempDir()
	src := `
resource "aws_vpc" "a" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc" "b" { cidr_block = "10.1.0.0/16" }
resource "aws_vpc" "c" {
  count      = 2
  cidr_block = "10.2.0.0/16"
}
resource "aws_vpc" "unused" { cidr_block = "10.3.0.0/16" }
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.a.id
  cidr_block = "${aws_vpc.a.cidr_block}-${aws_vpc.c[0].id}"
}
locals { whole = aws_vpc.b }
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	obj := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("vpc-1"), "cidr_block": cty.StringVal("10.0.0.0/16"), "arn": cty.StringVal("arn:x")})
	attrNames := func(v cty.Value) []string {
		var names []string
		for n := range v.Type().AttributeTypes() {
			names = append(names, n)
		}
		sort.Strings(names)
		return names
	}
	if got := attrNames(m.keptValue(m.resources["aws_vpc.a"], obj)); !slices.Equal(got, []string{"cidr_block", "id"}) {
		t.Errorf("aws_vpc.a keeps %v, want the referenced cidr_block and id", got)
	}
	if got := m.keptValue(m.resources["aws_vpc.b"], obj); !got.RawEquals(obj) {
		t.Errorf("aws_vpc.b, used whole, keeps %#v", got)
	}
	if got := m.keptValue(m.resources["aws_vpc.unused"], obj); got != cty.DynamicVal {
		t.Errorf("aws_vpc.unused keeps %#v, want nothing", got)
	}
	tuple := cty.TupleVal([]cty.Value{obj, obj})
	got := m.keptValue(m.resources["aws_vpc.c"], tuple)
	if !got.Type().IsTupleType() || got.LengthInt() != 2 || !slices.Equal(attrNames(got.Index(cty.NumberIntVal(0))), []string{"id"}) {
		t.Errorf("aws_vpc.c keeps %#v, want a tuple of objects with id", got)
	}
}

// A file that changes between loading and evaluation is an error naming
// it, never a block of the new file evaluated with the old one's ranges.
func TestFileChangedDuringScan(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "main.tf")
	if err := os.WriteFile(path, []byte(`resource "aws_vpc" "a" { cidr_block = "10.0.0.0/16" }`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if err := os.WriteFile(path, []byte(`resource "aws_vpc" "a" { cidr_block = "10.9.0.0/16" }`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags = evaluateModule(t, m, VarOptions{}, accountData(), &fakeResolver{ResolveFn: withID})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "main.tf changed while it was scanned") {
		t.Fatalf("diagnostics = %v, want main.tf changed while it was scanned", diags)
	}
}

// typeDoneResolver records Resolve and TypeDone calls in order.
type typeDoneResolver struct{ fakeResolver }

func (t *typeDoneResolver) TypeDone(typ string) {
	t.mu.Lock()
	t.Called = append(t.Called, "done "+typ)
	t.mu.Unlock()
}

// Evaluate tells a TypeDoneResolver when a type's last block is
// evaluated: once per type, after its every instance was resolved.
func TestTypeDone(t *testing.T) {
	m, diags := Load("testdata/valid-files/basic")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ev, d := NewEvaluator(m, testSchemas(), VarOptions{})
	if d.HasErrors() {
		t.Fatal(d.Error())
	}
	res := &typeDoneResolver{fakeResolver{ResolveFn: withID}}
	if d := ev.Evaluate(context.Background(), accountData(), res); d.HasErrors() {
		t.Fatal(d.Error())
	}
	done := map[string]int{}
	for i, c := range res.Called {
		typ, ok := strings.CutPrefix(c, "done ")
		if !ok {
			addrType, _, _ := strings.Cut(c, ".")
			if done[addrType] > 0 {
				t.Errorf("%s resolved after its type was done (%v)", c, res.Called[:i+1])
			}
			continue
		}
		done[typ]++
	}
	for _, b := range m.resources {
		if done[b.Type] != 1 {
			t.Errorf("TypeDone(%s) called %d times, want once", b.Type, done[b.Type])
		}
	}
}
