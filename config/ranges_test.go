package config

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// TestMapBlockRanges: each block of a map of blocks has its own ranges,
// under its label, so that drift in listener.https.port points at the
// "https" block and not at the first listener.
func TestMapBlockRanges(t *testing.T) {
	t.Parallel()
	src := `listener "http" {
  port = 80
}

listener "https" {
  port = 443
}
`
	f, diags := hclsyntax.ParseConfig([]byte(src), "lb.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	spec := hcldec.ObjectSpec{
		"listener": &hcldec.BlockMapSpec{TypeName: "listener", LabelNames: []string{"name"}, Nested: hcldec.ObjectSpec{
			"port": &hcldec.AttrSpec{Name: "port", Type: cty.Number},
		}},
	}
	ranges := bodyRanges(f.Body, spec)
	for key, line := range map[string]int{
		"listener":            1,
		"listener.port":       2,
		"listener.http":       1,
		"listener.http.port":  2,
		"listener.https":      5,
		"listener.https.port": 6,
	} {
		if r, ok := ranges[key]; !ok || r.Start.Line != line {
			t.Errorf("%s at %v, want line %d", key, r, line)
		}
	}
}
