package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Override files (override.tf, NAME_override.tf and their .tf.json forms)
// change blocks of the other files rather than declaring new ones, as
// Terraform's internal/configs (module_merge.go, module_merge_body.go)
// merges them; see
// https://developer.hashicorp.com/terraform/language/files/override.
//
// A Module reads its override files first and indexes their blocks by kind
// and labels. Each block of the primary files then goes through merged
// before it is decoded: when override blocks name it, it is decoded from a
// mergedBody of its body and theirs, in the override files' lexical order,
// so that every decoder sees the merged configuration and an attribute
// written in an override file keeps that file's range. The terraform
// block's settings and local values, which are not one block each, are
// merged once the primary files are decoded (finishOverrides).

// overrideFile reports whether a file name is an override file's.
func overrideFile(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".tf")
	return base == "override" || strings.HasSuffix(base, "_override")
}

// overrides are the blocks of a module's override files.
type overrides struct {
	// blocks are the override blocks of each key (overrideKey), in the
	// order they are merged; used are the keys a primary block had.
	blocks map[string][]*hcl.Block
	used   map[string]bool
	// keys are the keys of blocks in the order first written, for
	// reporting those no primary block had in a stable order.
	keys []string
	// terraform are the terraform blocks of each override file, in file
	// order; locals its local values in the order written.
	terraform [][]*hcl.Block
	locals    []*hcl.Attribute
}

// overrideKey is what an override block must share with the block it
// overrides: its kind and labels, and a provider's alias.
func overrideKey(b *hcl.Block) string {
	key := b.Type + " " + strings.Join(b.Labels, " ")
	if b.Type == "provider" {
		key += " " + providerAlias(b.Body)
	}
	return key
}

// providerAlias is a provider block's literal alias, "" when it has none
// (decodeProvider reports one that is not a literal name).
func providerAlias(body hcl.Body) string {
	content, _, _ := body.PartialContent(providerMetaSchema)
	a, ok := content.Attributes["alias"]
	if !ok {
		return ""
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.String) {
		return ""
	}
	return v.AsString()
}

// readOverrides parses the override files names (in lexical order) and
// indexes their blocks for merged and finishOverrides.
func (m *Module) readOverrides(names []string) hcl.Diagnostics {
	if len(names) == 0 {
		return nil
	}
	o := &overrides{blocks: map[string][]*hcl.Block{}, used: map[string]bool{}}
	m.overrides = o
	var diags hcl.Diagnostics
	for _, name := range names {
		f, d := m.parseFile(name, m.files.display(name))
		diags = append(diags, d...)
		if f == nil || f.Body == nil {
			continue
		}
		m.noteReferences(f)
		content, d := f.Body.Content(fileSchema)
		diags = append(diags, d...)
		var terraform []*hcl.Block
		for _, b := range content.Blocks {
			switch b.Type {
			case "terraform":
				terraform = append(terraform, b)
			case "locals":
				attrs, d := b.Body.JustAttributes()
				diags = append(diags, d...)
				o.locals = append(o.locals, sortedAttributes(attrs)...)
			case "moved", "import":
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("Cannot override '%s' blocks", b.Type),
					Detail:   cannotOverride[b.Type],
					Subject:  b.DefRange.Ptr(),
				})
			case "check", "removed":
				// Terraform ignores them in override files too.
			default:
				diags = append(diags, checkDependsOn(b)...)
				key := overrideKey(b)
				if _, ok := o.blocks[key]; !ok {
					o.keys = append(o.keys, key)
				}
				o.blocks[key] = append(o.blocks[key], b)
			}
		}
		if terraform != nil {
			o.terraform = append(o.terraform, terraform)
		}
	}
	return diags
}

// cannotOverride are Terraform's details for blocks an override file may
// not have.
var cannotOverride = map[string]string{
	"moved":  "Records of moved objects can appear only in normal files, not in override files.",
	"import": "Import blocks can appear only in normal files, not in override files.",
}

// sortedAttributes are attrs in the order written.
func sortedAttributes(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hcl.Attribute) int { return a.Range.Start.Byte - b.Range.Start.Byte })
	return out
}

// checkDependsOn reports depends_on in an override block: Terraform does
// not let it be overridden, "likely to cause confusing misbehavior".
// (Terraform 1.11 checks a module call's base block instead, so that any
// override of a module call with depends_on fails: a slip this does not
// copy.)
func checkDependsOn(b *hcl.Block) hcl.Diagnostics {
	switch b.Type {
	case "resource", "data", "module", "output":
	default:
		return nil
	}
	content, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "depends_on"}}})
	a, ok := content.Attributes["depends_on"]
	if !ok {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unsupported override",
		Detail:   "The depends_on argument may not be overridden.",
		Subject:  a.Expr.Range().Ptr(),
	}}
}

// merged returns the block of a primary file that decodeFile decodes: b
// itself, or b with the bodies of the override blocks of its kind and
// labels merged in. A merged block's body is kept in memory, never parsed
// again (lazyBodyOf knows it from b's).
func (m *Module) merged(b *hcl.Block) *hcl.Block {
	if m.overrides == nil || b.Type == "terraform" || b.Type == "locals" {
		return b
	}
	key := overrideKey(b)
	obs := m.overrides.blocks[key]
	if len(obs) == 0 {
		return b
	}
	m.overrides.used[key] = true
	out := *b
	out.Body = mergeBlocks(b.Body, obs)
	return &out
}

// mergeBlocks merges the bodies of override blocks into body, in order.
func mergeBlocks(body hcl.Body, obs []*hcl.Block) hcl.Body {
	rules := kindRules[obs[0].Type]
	for _, ob := range obs {
		body = &mergedBody{base: body, override: ob.Body, rules: rules}
	}
	return body
}

// finishOverrides merges what is not merged block by block, once the
// primary files are decoded: the terraform block's settings and local
// values; then it adds a default provider configuration that only an
// override file writes, and reports the override blocks that no primary
// block had.
func (m *Module) finishOverrides() hcl.Diagnostics {
	o := m.overrides
	if o == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, blocks := range o.terraform {
		diags = append(diags, m.overrideTerraform(blocks)...)
	}
	for _, a := range o.locals {
		l, ok := m.locals[a.Name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing base local value definition to override",
				Detail:   fmt.Sprintf("There is no local value named %q. An override file can only override a local value that was already defined in a primary configuration file.", a.Name),
				Subject:  a.Range.Ptr(),
			})
			continue
		}
		// A local value is one expression: the override's replaces it,
		// range and all, as Terraform's Local.merge does.
		l.Expr, l.DeclRange = a.Expr, a.Range
	}
	for _, key := range o.keys {
		if o.used[key] {
			continue
		}
		obs := o.blocks[key]
		first := obs[0]
		if first.Type == "provider" && providerAlias(first.Body) == "" {
			// Terraform lets an override file configure a default
			// provider that no primary file does: an absent provider
			// block is an empty one.
			body := obs[0].Body
			if len(obs) > 1 {
				body = mergeBlocks(body, obs[1:])
			}
			pb := *first
			pb.Body = body
			p, d := decodeProvider(&pb)
			diags = append(diags, d...)
			m.providers = append(m.providers, p)
			continue
		}
		diags = append(diags, missingBase(first))
	}
	m.overrides = nil // the merged bodies hold what is still needed
	return diags
}

// missingBase is Terraform's error for an override block that overrides
// nothing.
func missingBase(b *hcl.Block) *hcl.Diagnostic {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Subject: b.DefRange.Ptr()}
	name := b.Labels[len(b.Labels)-1]
	switch b.Type {
	case "resource":
		d.Summary = "Missing resource to override"
		d.Detail = fmt.Sprintf("There is no %s resource named %q. An override file can only override a resource block defined in a primary configuration file.", b.Labels[0], name)
	case "data":
		d.Summary = "Missing data resource to override"
		d.Detail = fmt.Sprintf("There is no %s data resource named %q. An override file can only override a data block defined in a primary configuration file.", b.Labels[0], name)
	case "variable":
		d.Summary = "Missing base variable declaration to override"
		d.Detail = fmt.Sprintf("There is no variable named %q. An override file can only override a variable that was already declared in a primary configuration file.", name)
	case "output":
		d.Summary = "Missing base output definition to override"
		d.Detail = fmt.Sprintf("There is no output named %q. An override file can only override an output that was already defined in a primary configuration file.", name)
	case "module":
		d.Summary = "Missing module call to override"
		d.Detail = fmt.Sprintf("There is no module call named %q. An override file can only override a module call that was defined in a primary configuration file.", name)
	case "provider":
		d.Summary = "Missing base provider configuration for override"
		d.Detail = fmt.Sprintf("There is no %s provider configuration with the alias %q. An override file can only override an aliased provider configuration that was already defined in a primary configuration file.", name, providerAlias(b.Body))
	}
	return d
}

// overrideTerraform merges the terraform blocks of one override file: a
// backend or cloud block replaces the module's, whichever it was; each
// required_providers entry replaces the entry of its name whole.
// required_version is not read.
func (m *Module) overrideTerraform(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	replaced := false
	for _, b := range blocks {
		content, _, _ := b.Body.PartialContent(terraformSchema)
		for _, bb := range content.Blocks {
			switch bb.Type {
			case "backend", "cloud":
				// A second one in the same file is the duplicate that
				// decodeTerraform reports.
				if !replaced {
					m.Backend, replaced = nil, true
				}
			case "required_providers":
				attrs, _ := bb.Body.JustAttributes()
				for name := range attrs {
					delete(m.providerTypes, name)
					delete(m.requiredProviders, name)
				}
			}
		}
	}
	for _, b := range blocks {
		diags = append(diags, m.decodeTerraform(b)...)
	}
	return diags
}

// blockRule is how a mergedBody merges the attribute or nested blocks of
// one name; the default, replaceAll, is Terraform's MergeBodies.
type blockRule int

const (
	// replaceAll: an override's attribute replaces the base's, and any
	// override block of a type (or dynamic block of that type) replaces
	// every base block of it.
	replaceAll blockRule = iota
	// mergeArguments: the override's blocks of the type are merged into
	// the base's argument by argument (a resource's lifecycle).
	mergeArguments
	// keepBase: the override's are ignored, as Terraform's merge ignores
	// a variable's validation blocks and an output's preconditions.
	keepBase
)

// kindRules are the rules of each overridable block kind, after Terraform's
// Resource.merge, Variable.merge and Output.merge.
var kindRules = map[string]map[string]blockRule{
	"resource": {"lifecycle": mergeArguments},
	"data":     {"lifecycle": mergeArguments},
	"variable": {"validation": keepBase},
	"output":   {"precondition": keepBase},
}

// lifecycleRules: Resource.merge takes create_before_destroy,
// prevent_destroy and ignore_changes from the override and keeps the
// base's conditions and replace_triggered_by. (It also keeps a base's
// ignore_changes = all under an override's list, a side effect of keeping
// IgnoreAllChanges in a separate field; here the override's list wins.)
var lifecycleRules = map[string]blockRule{
	"precondition":         keepBase,
	"postcondition":        keepBase,
	"replace_triggered_by": keepBase,
}

// mergedBody is a body with an override body merged in: attributes by
// name, nested blocks by type, as rules say. It works on native and JSON
// bodies alike, in any mix.
type mergedBody struct {
	base, override hcl.Body
	rules          map[string]blockRule
}

var dynamicSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "dynamic", LabelNames: []string{"type"}}}}

// Content requires of the merged body what schema requires: a required
// attribute may come from either body.
func (b *mergedBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	optional := optionalSchema(schema)
	base, diags := b.base.Content(optional)
	over, d := b.override.Content(optional)
	diags = append(diags, d...)
	content := b.merge(base, over, schema)
	for _, a := range schema.Attributes {
		if _, ok := content.Attributes[a.Name]; a.Required && !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing required argument",
				Detail:   fmt.Sprintf("The argument %q is required, but no definition was found.", a.Name),
				Subject:  b.MissingItemRange().Ptr(),
			})
		}
	}
	return content, diags
}

// PartialContent's remain is the merge of both bodies' remains.
func (b *mergedBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	optional := optionalSchema(schema)
	base, baseRemain, diags := b.base.PartialContent(optional)
	over, overRemain, d := b.override.PartialContent(optional)
	diags = append(diags, d...)
	return b.merge(base, over, schema), &mergedBody{base: baseRemain, override: overRemain, rules: b.rules}, diags
}

// JustAttributes is both bodies' attributes, the override's first.
func (b *mergedBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	attrs, diags := b.base.JustAttributes()
	over, d := b.override.JustAttributes()
	diags = append(diags, d...)
	out := make(hcl.Attributes, len(attrs)+len(over))
	for name, a := range attrs {
		out[name] = a
	}
	for name, a := range over {
		if b.rules[name] != keepBase || out[name] == nil {
			out[name] = a
		}
	}
	return out, diags
}

// MissingItemRange is the base body's: the block being overridden.
func (b *mergedBody) MissingItemRange() hcl.Range { return b.base.MissingItemRange() }

// merge merges the base's and the override's content for schema.
func (b *mergedBody) merge(base, over *hcl.BodyContent, schema *hcl.BodySchema) *hcl.BodyContent {
	out := &hcl.BodyContent{
		Attributes:       make(hcl.Attributes, len(base.Attributes)+len(over.Attributes)),
		MissingItemRange: base.MissingItemRange,
	}
	for name, a := range base.Attributes {
		out.Attributes[name] = a
	}
	for name, a := range over.Attributes {
		if b.rules[name] != keepBase || out.Attributes[name] == nil {
			out.Attributes[name] = a
		}
	}

	// The block types the override writes, a dynamic block by its label
	// (which a schema without dynamic does not show).
	written := map[string]bool{}
	for _, blk := range over.Blocks {
		written[blockName(blk.Type, blk.Labels)] = true
	}
	if !schemaHasBlock(schema, "dynamic") {
		if dyn, _, _ := b.override.PartialContent(dynamicSchema); dyn != nil {
			for _, blk := range dyn.Blocks {
				written[blockName(blk.Type, blk.Labels)] = true
			}
		}
	}
	var merging map[string][]*hcl.Block
	for _, blk := range base.Blocks {
		name := blockName(blk.Type, blk.Labels)
		switch {
		case !written[name] || b.rules[name] == keepBase:
			out.Blocks = append(out.Blocks, blk)
		case b.rules[name] == mergeArguments && blk.Type == name:
			if merging == nil {
				merging = map[string][]*hcl.Block{}
			}
			merging[name] = append(merging[name], blk)
		}
	}
	for _, blk := range over.Blocks {
		name := blockName(blk.Type, blk.Labels)
		switch {
		case b.rules[name] == keepBase:
		case len(merging[name]) > 0 && blk.Type == name:
			merging[name] = append(merging[name], blk)
		default:
			out.Blocks = append(out.Blocks, blk)
		}
	}
	for _, blocks := range merging {
		// One block: the first base block with the others' arguments
		// merged in, in order.
		first := *blocks[0]
		for _, next := range blocks[1:] {
			first.Body = &mergedBody{base: first.Body, override: next.Body, rules: lifecycleRules}
		}
		out.Blocks = append(out.Blocks, &first)
	}
	return out
}

// optionalSchema is schema with no attribute required: either body may
// give a required attribute.
func optionalSchema(schema *hcl.BodySchema) *hcl.BodySchema {
	out := &hcl.BodySchema{Attributes: make([]hcl.AttributeSchema, len(schema.Attributes)), Blocks: schema.Blocks}
	for i, a := range schema.Attributes {
		a.Required = false
		out.Attributes[i] = a
	}
	return out
}

func schemaHasBlock(schema *hcl.BodySchema, typ string) bool {
	for _, b := range schema.Blocks {
		if b.Type == typ {
			return true
		}
	}
	return false
}
