package drift

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func TestResultsTags(t *testing.T) {
	t.Parallel()
	obj := func(tags cty.Value) cty.Value { return cty.ObjectVal(map[string]cty.Value{"tags": tags}) }
	tests := []struct {
		name          string
		desired, live cty.Value
		secrets       []string
		want          map[string]string
	}{
		{"live tags first", obj(cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("want")})), obj(cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("got")})), nil, map[string]string{"Env": "got"}},
		{"desired when not read", obj(cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("want")})), cty.NilVal, nil, map[string]string{"Env": "want"}},
		{"no tags", cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("x")}), cty.NilVal, nil, nil},
		{"null tags", obj(cty.NullVal(cty.Map(cty.String))), cty.NilVal, nil, nil},
		{"a marked value", obj(cty.MapVal(map[string]cty.Value{"Key": cty.StringVal("s3cr3t").Mark("sensitive")})), cty.NilVal, nil, map[string]string{"Key": SensitiveID}},
		{"a live value holding a secret", cty.NilVal, obj(cty.MapVal(map[string]cty.Value{"Key": cty.StringVal("x-s3cr3t-y"), "Env": cty.StringVal("prod")})), []string{"s3cr3t"}, map[string]string{"Key": SensitiveID, "Env": "prod"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Result{Type: "aws_s3_bucket", ID: "b", Status: InSync}
			res.SetValues(tt.desired, tt.live)
			rs := NewResults(1)
			rs.KeepTags()
			rs.Add(res, tt.secrets)
			if diff := cmp.Diff(tt.want, rs.Sorted()[0].Tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			// Without a filter to read them, no result keeps its tags.
			plain := NewResults(1)
			plain.Add(res, tt.secrets)
			if got := plain.Sorted()[0].Tags; got != nil {
				t.Errorf("tags kept without KeepTags: %v", got)
			}
		})
	}
}
