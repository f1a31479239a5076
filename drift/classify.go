package drift

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// ClassifyOptions are what the configuration says about comparing one
// resource, beyond the two values.
type ClassifyOptions struct {
	// Ranges and AttributeSyntax are as in DiffOptions.
	Ranges          map[string]hcl.Range
	AttributeSyntax []string
	// SensitivePaths are the parts of the configuration that come from
	// sensitive variables: their diffs are sensitive too.
	SensitivePaths []string
	// IgnoreChanges are the lifecycle.ignore_changes paths; IgnoreAll is
	// `ignore_changes = all`.
	IgnoreChanges []string
	IgnoreAll     bool
}

// Classification is the outcome of comparing a desired resource with the
// live resource it matched.
type Classification struct {
	Status Status
	// Reason says why the status is Ignored or Unknown.
	Reason string
	// Diffs are the differences of a Drifted resource.
	Diffs []Diff
}

// Classify compares a matched resource's desired configuration (default
// tags merged) with its live attributes: Drifted with the diffs that
// lifecycle.ignore_changes does not cover, Ignored when it covers every
// one, InSync when there are none, Unknown when they cannot be compared.
func Classify(schema *providers.Schema, desired, live cty.Value, opts ClassifyOptions) Classification {
	diffs, err := Compare(schema, desired, live, DiffOptions{Ranges: opts.Ranges, AttributeSyntax: opts.AttributeSyntax})
	if err != nil {
		return Classification{Status: Unknown, Reason: err.Error()}
	}
	var kept, ignored []Diff
	for _, d := range diffs {
		if coveredBy(d.Path, opts.SensitivePaths) {
			// A value from a sensitive variable is as secret as a
			// sensitive attribute.
			d.Sensitive = true
		}
		if opts.IgnoreAll || coveredBy(d.Path, opts.IgnoreChanges) {
			ignored = append(ignored, d)
		} else {
			kept = append(kept, d)
		}
	}
	switch {
	case len(kept) > 0:
		return Classification{Status: Drifted, Diffs: kept}
	case len(ignored) > 0:
		paths := make([]string, len(ignored))
		for i, d := range ignored {
			paths[i] = d.Path
		}
		return Classification{Status: Ignored, Reason: "lifecycle.ignore_changes covers the changes to " + strings.Join(paths, ", ")}
	default:
		return Classification{Status: InSync}
	}
}

// coveredBy reports whether path is one of prefixes or inside one of them
// ("tags" covers "tags.Env", "config" covers "config[0].status").
func coveredBy(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}
