package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Schemas of the Terraform language blocks, as terraform's internal/configs
// declares them. Meta-arguments are read with PartialContent; the rest of a
// resource, data or provider body is decoded with the provider's spec.
var (
	fileSchema = &hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "terraform"},
			{Type: "provider", LabelNames: []string{"name"}},
			{Type: "variable", LabelNames: []string{"name"}},
			{Type: "locals"},
			{Type: "output", LabelNames: []string{"name"}},
			{Type: "module", LabelNames: []string{"name"}},
			{Type: "resource", LabelNames: []string{"type", "name"}},
			{Type: "data", LabelNames: []string{"type", "name"}},
			{Type: "import"},
			{Type: "moved"},
			{Type: "removed"},
			{Type: "check", LabelNames: []string{"name"}},
		},
	}
	terraformSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "required_version"},
			{Name: "experiments"},
			{Name: "language"},
		},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "backend", LabelNames: []string{"type"}},
			{Type: "cloud"},
			{Type: "required_providers"},
			{Type: "provider_meta", LabelNames: []string{"provider"}},
		},
	}
	providerMetaSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "alias"},
			{Name: "version"},
		},
	}
	variableSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "type"},
			{Name: "default"},
			{Name: "description"},
			{Name: "sensitive"},
			{Name: "nullable"},
			{Name: "ephemeral"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
	}
	resourceMetaSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "count"},
			{Name: "for_each"},
			{Name: "provider"},
			{Name: "depends_on"},
		},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "lifecycle"},
			{Type: "connection"},
			{Type: "provisioner", LabelNames: []string{"type"}},
		},
	}
	lifecycleSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "create_before_destroy"},
			{Name: "prevent_destroy"},
			{Name: "ignore_changes"},
			{Name: "replace_triggered_by"},
		},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "precondition"},
			{Type: "postcondition"},
		},
	}
	movedSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "from", Required: true},
			{Name: "to", Required: true},
		},
	}
	importSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "to", Required: true},
			{Name: "id"},
			{Name: "identity"},
			{Name: "provider"},
			{Name: "for_each"},
		},
	}
)

// variable is a `variable` block.
type variable struct {
	Name        string
	Type        cty.Type
	Defaults    *typeexpr.Defaults
	Default     cty.Value // cty.NilVal when there is no default
	Description string
	Sensitive   bool
	Nullable    bool
	// ParseHCL is true when values from -var and TF_VAR_* are HCL
	// expressions rather than literal strings: Terraform parses literally
	// only for primitive types and variables without a type.
	ParseHCL bool
	// Validations are the validation blocks, checked in order.
	Validations []*validation
	DeclRange   hcl.Range
}

type local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

type providerBlock struct {
	Ref       ProviderRef
	Body      hcl.Body
	DeclRange hcl.Range
}

// resourceBlock is a `resource` or `data` block before expansion.
type resourceBlock struct {
	Data       bool
	Type, Name string
	Count      hcl.Expression // nil without count
	ForEach    hcl.Expression // nil without for_each
	Provider   ProviderRef
	// Body is what remains once meta-arguments are taken out; nil when
	// lazy holds the block's source instead (use body()).
	Body           hcl.Body
	lazy           *lazyBody
	IgnoreChanges  []string
	IgnoreAll      bool
	PreventDestroy bool
	DeclRange      hcl.Range
}

// addr is "aws_vpc.main" or "data.aws_region.current".
func (r *resourceBlock) addr() string {
	if r.Data {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// moduleCall is a `module` block.
type moduleCall struct {
	Name      string
	DeclRange hcl.Range
	// Source is the literal source ("" when it is not a literal string),
	// Version the literal version constraint.
	Source      string
	SourceRange hcl.Range
	Version     string
	Count       hcl.Expression // nil without count
	ForEach     hcl.Expression // nil without for_each
	// Providers maps the called module's provider configurations to this
	// module's: `providers = { aws = aws.west }`.
	Providers map[ProviderRef]ProviderRef
	// Inputs are the other arguments: the called module's variables.
	Inputs hcl.Attributes
	// Module is the called module, loaded with the configuration (local
	// sources, modules `terraform init` installed) or by FetchModules; nil
	// when it is not (Unread says why; remote is true when a fetch may
	// still get it).
	Module *Module
	Unread string
	remote bool
	// installed is true for a module `terraform init` installed.
	installed bool
	// pathModule is path.module inside the called module: its directory
	// relative to the root module's, "." for a fetched module (whose
	// files are read relative to it).
	pathModule string
}

// Multi reports whether the call has count or for_each.
func (mc *moduleCall) Multi() bool { return mc.Count != nil || mc.ForEach != nil }

// output is an `output` block.
type output struct {
	Name      string
	Value     hcl.Expression
	Sensitive bool
	DeclRange hcl.Range
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "value", Required: true},
		{Name: "description"},
		{Name: "sensitive"},
		{Name: "ephemeral"},
		{Name: "depends_on"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "precondition"}},
}

func decodeOutput(b *hcl.Block) (*output, hcl.Diagnostics) {
	o := &output{Name: b.Labels[0], DeclRange: b.DefRange}
	content, diags := b.Body.Content(outputSchema)
	if a, ok := content.Attributes["value"]; ok {
		o.Value = a.Expr
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, literalBool(a, &o.Sensitive)...)
	}
	return o, diags
}

type importBlock struct {
	To        string // instance address
	ToRange   hcl.Range
	ID        hcl.Expression
	DeclRange hcl.Range
}

func decodeVariable(b *hcl.Block) (*variable, hcl.Diagnostics) {
	v := &variable{Name: b.Labels[0], Type: cty.DynamicPseudoType, Nullable: true, DeclRange: b.DefRange}
	content, diags := b.Body.Content(variableSchema)
	if a, ok := content.Attributes["type"]; ok {
		ty, defaults, parseHCL, d := decodeVariableType(a.Expr)
		diags = append(diags, d...)
		v.Type, v.Defaults, v.ParseHCL = ty, defaults, parseHCL
	}
	for _, flag := range []struct {
		name string
		dst  *bool
	}{{"sensitive", &v.Sensitive}, {"nullable", &v.Nullable}} {
		if a, ok := content.Attributes[flag.name]; ok {
			diags = append(diags, literalBool(a, flag.dst)...)
		}
	}
	if a, ok := content.Attributes["description"]; ok {
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if val.Type() == cty.String && val.IsKnown() && !val.IsNull() {
			v.Description = val.AsString()
		}
	}
	if a, ok := content.Attributes["default"]; ok {
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			conv, err := convertVariable(v, val)
			switch {
			case err != nil:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("This default value is not compatible with the variable's type constraint: %s.", err),
					Subject:  a.Expr.Range().Ptr(),
				})
				// Unknown rather than missing, not to report it twice.
				v.Default = cty.UnknownVal(v.Type)
			case conv.IsNull() && !v.Nullable:
				// A null default of a non-nullable variable means "required".
			default:
				v.Default = conv
			}
		}
	}
	for _, vb := range content.Blocks {
		rule, d := decodeValidation(v.Name, vb)
		diags = append(diags, d...)
		if rule != nil {
			v.Validations = append(v.Validations, rule)
		}
	}
	return v, diags
}

// convertVariable applies the type's optional() defaults and converts.
func convertVariable(v *variable, val cty.Value) (cty.Value, error) {
	if v.Defaults != nil && !val.IsNull() {
		val = v.Defaults.Apply(val)
	}
	return convert.Convert(val, v.Type)
}

// decodeVariableType reads a type constraint. In .tf.json the constraint is
// a string holding the native-syntax expression.
func decodeVariableType(expr hcl.Expression) (cty.Type, *typeexpr.Defaults, bool, hcl.Diagnostics) {
	if _, native := expr.(hclsyntax.Expression); !native {
		val, diags := expr.Value(nil)
		if diags.HasErrors() || val.Type() != cty.String || val.IsNull() {
			return cty.DynamicPseudoType, nil, false, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid type specification",
				Detail:   "A type constraint in JSON must be a string such as \"list(string)\".",
				Subject:  expr.Range().Ptr(),
			})
		}
		if d := checkExpressionNesting([]byte(val.AsString()), expr.Range().Filename, expr.Range().Start); d.HasErrors() {
			return cty.DynamicPseudoType, nil, false, d
		}
		parsed, d := hclsyntax.ParseExpression([]byte(val.AsString()), expr.Range().Filename, expr.Range().Start)
		if d.HasErrors() {
			return cty.DynamicPseudoType, nil, false, d
		}
		expr = parsed
	}
	// "list" and "map" alone are legacy shorthands for list(any), map(any).
	switch hcl.ExprAsKeyword(expr) {
	case "list":
		return cty.List(cty.DynamicPseudoType), nil, true, nil
	case "map":
		return cty.Map(cty.DynamicPseudoType), nil, true, nil
	}
	ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(expr)
	if diags.HasErrors() {
		return cty.DynamicPseudoType, nil, false, diags
	}
	return ty, defaults, !ty.IsPrimitiveType(), diags
}

func literalBool(a *hcl.Attribute, dst *bool) hcl.Diagnostics {
	val, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return diags
	}
	b, err := convert.Convert(val, cty.Bool)
	if err != nil || b.IsNull() || !b.IsKnown() {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + a.Name + " value",
			Detail:   fmt.Sprintf("%s must be a literal true or false.", a.Name),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	*dst = b.True()
	return diags
}

func decodeResource(b *hcl.Block) (*resourceBlock, hcl.Diagnostics) {
	r := &resourceBlock{Data: b.Type == "data", Type: b.Labels[0], Name: b.Labels[1], DeclRange: b.DefRange}
	content, remain, diags := b.Body.PartialContent(resourceMetaSchema)
	r.Body = remain
	r.Provider = ProviderRef{Name: strings.SplitN(r.Type, "_", 2)[0]}
	if a, ok := content.Attributes["count"]; ok {
		r.Count = a.Expr
	}
	if a, ok := content.Attributes["for_each"]; ok {
		r.ForEach = a.Expr
		if r.Count != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  `Invalid combination of "count" and "for_each"`,
				Detail:   `The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used.`,
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if a, ok := content.Attributes["provider"]; ok {
		ref, d := parseProviderRef(a.Expr)
		diags = append(diags, d...)
		if !d.HasErrors() {
			r.Provider = ref
		}
	}
	for _, lb := range content.Blocks {
		if lb.Type != "lifecycle" {
			continue
		}
		diags = append(diags, r.decodeLifecycle(lb)...)
	}
	return r, diags
}

func (r *resourceBlock) decodeLifecycle(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(lifecycleSchema)
	if r.Data {
		for _, name := range []string{"create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"} {
			if a, ok := content.Attributes[name]; ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Unsupported argument",
					Detail:   fmt.Sprintf("A data source's lifecycle block does not accept %q.", name),
					Subject:  a.NameRange.Ptr(),
				})
			}
		}
		return diags
	}
	if a, ok := content.Attributes["prevent_destroy"]; ok {
		diags = append(diags, literalBool(a, &r.PreventDestroy)...)
	}
	if a, ok := content.Attributes["create_before_destroy"]; ok {
		var ignored bool
		diags = append(diags, literalBool(a, &ignored)...)
	}
	a, ok := content.Attributes["ignore_changes"]
	if !ok {
		return diags
	}
	if hcl.ExprAsKeyword(a.Expr) == "all" {
		r.IgnoreAll = true
		return diags
	}
	exprs, d := hcl.ExprList(a.Expr)
	diags = append(diags, d...)
	for _, e := range exprs {
		if hcl.ExprAsKeyword(e) == "all" {
			r.IgnoreAll = true
			continue
		}
		trav, d := hcl.RelTraversalForExpr(e)
		if d.HasErrors() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid ignore_changes entry",
				Detail:   "Each entry must be an attribute path such as tags or tags[\"Name\"].",
				Subject:  e.Range().Ptr(),
			})
			continue
		}
		r.IgnoreChanges = append(r.IgnoreChanges, traversalPath(trav))
	}
	return diags
}

// traversalPath renders tags["Name"] as "tags.Name", the form of
// Resource.Ranges keys.
func traversalPath(trav hcl.Traversal) string {
	var parts []string
	for _, step := range trav {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		case hcl.TraverseIndex:
			parts = append(parts, keyString(s.Key))
		}
	}
	return strings.Join(parts, ".")
}

func keyString(k cty.Value) string {
	if k.IsNull() || !k.IsKnown() {
		return "*"
	}
	if k.Type() == cty.Number {
		return k.AsBigFloat().Text('f', -1)
	}
	if s, err := convert.Convert(k, cty.String); err == nil {
		return s.AsString()
	}
	return "*"
}

// Move is a moved block: the state's resource, resource instance or
// module (instance) at From is the configuration's at To. Both are
// relative to the module the block is written in; Module is that module's
// call address without keys (module.net), "" for the root module.
type Move struct {
	From, To  string
	Module    string
	DeclRange hcl.Range
}

// decodeMoved reads a moved block between two resources, two resource
// instances, two modules or two module instances.
func decodeMoved(b *hcl.Block) (*Move, hcl.Diagnostics) {
	content, diags := b.Body.Content(movedSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	mv := &Move{DeclRange: b.DefRange}
	for _, end := range []struct {
		name string
		dst  *string
	}{{"from", &mv.From}, {"to", &mv.To}} {
		a := content.Attributes[end.name]
		trav, d := hcl.AbsTraversalForExpr(a.Expr)
		addr, ok := traversalAddress(trav, true)
		if d.HasErrors() || !ok {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid moved address",
				Detail:   fmt.Sprintf("The %q argument must be a resource, resource instance, module or module instance address such as aws_instance.web, aws_subnet.private[\"a\"] or module.net.", end.name),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
		*end.dst = addr
	}
	return mv, diags
}

func decodeImport(b *hcl.Block) (*importBlock, hcl.Diagnostics) {
	content, diags := b.Body.Content(importSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	if a, ok := content.Attributes["for_each"]; ok {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Import blocks with for_each are not yet supported",
			Detail:   "This import block is ignored.",
			Subject:  a.NameRange.Ptr(),
		})
	}
	to := content.Attributes["to"]
	trav, d := hcl.AbsTraversalForExpr(to.Expr)
	addr, ok := traversalAddress(trav, false)
	if d.HasErrors() || !ok {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid import address",
			Detail:   `The "to" argument must be a resource instance address such as aws_instance.web, aws_subnet.private["a"] or module.net.aws_vpc.main.`,
			Subject:  to.Expr.Range().Ptr(),
		})
	}
	idAttr, ok := content.Attributes["id"]
	if !ok {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Import blocks without id are not yet supported",
			Detail:   "This import block is ignored.",
			Subject:  b.DefRange.Ptr(),
		})
	}
	return &importBlock{To: addr, ToRange: to.Expr.Range(), ID: idAttr.Expr, DeclRange: b.DefRange}, diags
}

// traversalAddress renders a traversal as an address: module calls
// (module.NAME, each with an optional key) then TYPE.NAME with an
// optional key; with modules, the module calls alone are one too.
func traversalAddress(trav hcl.Traversal, modules bool) (string, bool) {
	var b strings.Builder
	i := 0
	step := func() bool {
		if i == 0 {
			b.WriteString(trav.RootName())
		} else {
			a, ok := trav[i].(hcl.TraverseAttr)
			if !ok {
				return false
			}
			b.WriteString("." + a.Name)
		}
		i++
		return true
	}
	name := func() bool {
		if i >= len(trav) {
			return false
		}
		a, ok := trav[i].(hcl.TraverseAttr)
		if !ok {
			return false
		}
		b.WriteString("." + a.Name)
		i++
		if i < len(trav) {
			if idx, ok := trav[i].(hcl.TraverseIndex); ok {
				b.WriteString(instanceKey(idx.Key))
				i++
			}
		}
		return true
	}
	isModule := func() bool {
		if i == 0 {
			return trav.RootName() == "module"
		}
		a, ok := trav[i].(hcl.TraverseAttr)
		return ok && a.Name == "module"
	}
	if len(trav) == 0 {
		return "", false
	}
	calls := 0
	for i < len(trav) && isModule() {
		if !step() || !name() {
			return "", false
		}
		calls++
	}
	if i == len(trav) {
		return b.String(), modules && calls > 0
	}
	if !step() || !name() || i != len(trav) {
		return "", false
	}
	return b.String(), true
}

// instanceKey is the [0] or ["a"] suffix of an instance address.
func instanceKey(k cty.Value) string {
	switch {
	case k == cty.NilVal:
		return ""
	case !k.IsKnown():
		return "[*]"
	case k.Type() == cty.Number:
		return "[" + k.AsBigFloat().Text('f', -1) + "]"
	case k.Type() == cty.String:
		return "[" + strconv.Quote(k.AsString()) + "]"
	}
	return "[?]"
}
