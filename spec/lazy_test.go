package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
