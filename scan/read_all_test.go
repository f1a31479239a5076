package scan

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// TestReadAll: a scan asks the provider only for the optional+computed
// attributes the configuration writes, a ReadAll scan (gen-import) for
// every one; either way the unmanaged resources keep their live values,
// and the result says each configuration's default_tags and the resource
// blocks, those of count = 0 too.
func TestReadAll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		readAll bool
		// wantAll: the read's Attributes is nil (every attribute).
		wantAll bool
	}{
		{name: "scan", readAll: false, wantAll: false},
		{name: "gen-import", readAll: true, wantAll: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := testSchema()
			var mu sync.Mutex
			var asked [][]string
			f := &fakeFactory{schema: s, tags: map[string]string{"Team": "core"}, live: map[string][]*providers.Live{"test_thing": {
				live(t, s, "t-a", map[string]cty.Value{"name": cty.StringVal("a")}),
				live(t, s, "t-b", map[string]cty.Value{"name": cty.StringVal("b"), "size": cty.NumberIntVal(3)}),
			}}, onRead: func(req providers.ReadRequest) {
				mu.Lock()
				defer mu.Unlock()
				asked = append(asked, req.Attributes)
			}}
			dir := writeModule(t, `
resource "test_thing" "a" {
  name = "a"
  tags = { Team = "core" }
}

resource "test_thing" "none" {
  count = 0
  name  = "none"
}
`)
			res, err := Run(context.Background(), f, Options{Location: dir, Unmanaged: true, ReadAll: tt.readAll, States: []string{writeState(t, "test_thing.a", "t-a")}})
			if err != nil {
				t.Fatal(err)
			}
			if len(asked) != 1 || (asked[0] == nil) != tt.wantAll {
				t.Errorf("reads asked for attributes %q, want every attribute: %v", asked, tt.wantAll)
			}
			var unmanaged []drift.Result
			for _, r := range res.Report.Results {
				if r.Status == drift.Unmanaged {
					unmanaged = append(unmanaged, r)
				}
			}
			if len(unmanaged) != 1 || unmanaged[0].ID != "t-b" {
				t.Fatalf("unmanaged = %+v, want t-b alone", unmanaged)
			}
			if got := unmanaged[0].LiveValue(); got == cty.NilVal || !got.GetAttr("size").RawEquals(cty.NumberIntVal(3)) {
				t.Errorf("t-b's live value = %#v, want its attributes (size 3)", got)
			}
			if diff := cmp.Diff([]string{"test_thing.a", "test_thing.none"}, res.Resources); diff != "" {
				t.Errorf("Resources (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]map[string]string{"test": {"Team": "core"}}, res.DefaultTags); diff != "" {
				t.Errorf("DefaultTags (-want +got):\n%s", diff)
			}
		})
	}
}
