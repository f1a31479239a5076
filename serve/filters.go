package serve

import (
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift/filter"
)

// decodeStackFilters reads driftignore, filter, only_managed and
// only_unmanaged, the stack's equivalents of scan's --driftignore,
// --filter, --only-managed and --only-unmanaged. A relative driftignore
// is relative to base, the configuration file's directory; without it
// the stack's own .driftignore (at its path in the repository, or in its
// directory) is read at each scan.
func decodeStackFilters(st *StackConfig, attrs hcl.Attributes, base string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if a, ok := attrs["driftignore"]; ok {
		d := stringAttr(attrs, "driftignore", &st.DriftIgnore)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if !filepath.IsAbs(st.DriftIgnore) {
				st.DriftIgnore = filepath.Join(base, st.DriftIgnore)
			}
			if _, err := os.Stat(st.DriftIgnore); err != nil {
				diags = append(diags, errorAt(a.Expr.Range(), "Cannot read driftignore", err.Error()))
			}
		}
	}
	var expr string
	diags = append(diags, stringAttr(attrs, "filter", &expr)...)
	var only [2]bool
	for i, name := range []string{"only_managed", "only_unmanaged"} {
		if a, ok := attrs[name]; ok {
			v, d := attrValue(a, cty.Bool)
			diags = append(diags, d...)
			if !d.HasErrors() && !v.IsNull() {
				only[i] = v.True()
			}
		}
	}
	f, err := filter.New(expr, only[0], only[1])
	if err != nil {
		subject := st.DeclRange
		if a, ok := attrs["filter"]; ok && expr != "" {
			subject = a.Expr.Range()
		}
		return append(diags, errorAt(subject, "Invalid filter", err.Error()))
	}
	if f.Active() {
		st.Filter = f
	}
	return diags
}
