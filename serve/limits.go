package serve

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/state"
)

// decodeStackLimits reads allow_empty, max_instances, max_value_bytes and
// workspace, the stack's equivalents of --allow-empty, --max-instances,
// --max-value-bytes and --workspace.
func decodeStackLimits(st *StackConfig, attrs hcl.Attributes) hcl.Diagnostics {
	diags := stringAttr(attrs, "workspace", &st.Workspace)
	if a, ok := attrs["workspace"]; ok && !diags.HasErrors() && !state.ValidWorkspace(st.Workspace) {
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid workspace", "A workspace's name holds letters, digits and - _ . ~ only."))
	}
	if a, ok := attrs["allow_empty"]; ok {
		v, d := attrValue(a, cty.Bool)
		diags = append(diags, d...)
		if !d.HasErrors() && !v.IsNull() {
			st.AllowEmpty = v.True()
		}
	}
	for _, lim := range []struct {
		name string
		dst  *int
	}{{"max_instances", &st.Limits.MaxInstances}, {"max_value_bytes", &st.Limits.MaxValueBytes}} {
		a, ok := attrs[lim.name]
		if !ok {
			continue
		}
		v, d := attrValue(a, cty.Number)
		diags = append(diags, d...)
		if d.HasErrors() || v.IsNull() {
			continue
		}
		n, acc := v.AsBigFloat().Int64()
		if acc != 0 || n < 1 || n > 1<<40 {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid "+lim.name, fmt.Sprintf("%s is a whole number, 1 or more.", lim.name)))
			continue
		}
		*lim.dst = int(n)
	}
	return diags
}
