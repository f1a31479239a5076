package funcs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// stringPredicate is startswith, endswith or strcontains: f(str, x).
func stringPredicate(f func(s, x string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "x", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// replaceFunc is Terraform's replace: a substring wrapped in slashes is a
// regular expression.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "str", Type: cty.String},
		{Name: "substr", Type: cty.String},
		{Name: "replace", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		str, sub, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
		if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
			re, err := regexp.Compile(sub[1 : len(sub)-1])
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(re.ReplaceAllString(str, repl)), nil
		}
		return cty.StringVal(strings.ReplaceAll(str, sub, repl)), nil
	},
})

// templateStringFunc is Terraform's templatestring(template, vars) (1.9+):
// the template a string from elsewhere holds, rendered as templatefile
// renders a file's, with funcs. As in Terraform, the template argument must
// be a reference to that string (local.tpl, var.tpls["a"]), not a
// template written in place; check, if not nil, accepts its source first.
func templateStringFunc(check func(src []byte, filename string) hcl.Diagnostics, funcs map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			// The expression, unevaluated, so its form can be checked.
			{Name: "template", Type: customdecode.ExpressionClosureType},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			closure := customdecode.ExpressionClosureFromVal(args[0])
			if err := checkTemplateStringExpr(closure.Expression); err != nil {
				return cty.NilVal, err
			}
			tmpl, diags := closure.Value()
			if diags.HasErrors() {
				return cty.NilVal, function.NewArgErrorf(0, "invalid template expression: %s", diags.Error())
			}
			if !tmpl.IsKnown() {
				return cty.UnknownVal(cty.String), nil
			}
			// Exactly a string, as in Terraform: a number or a bool would
			// be a template without any template sequence.
			if tmpl.Type() != cty.String || tmpl.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "invalid template value: a string is required")
			}
			tmpl, marks := tmpl.Unmark()
			const filename = "<templatestring argument>"
			src := []byte(tmpl.AsString())
			if check != nil {
				if diags := check(src, filename); diags.HasErrors() {
					return cty.NilVal, function.NewArgErrorf(0, "invalid template: %s", diags.Error())
				}
			}
			expr, diags := hclsyntax.ParseTemplate(src, filename, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.NilVal, function.NewArgErrorf(0, "invalid template: %s", diags.Error())
			}
			if err := checkTemplateVars(expr, args[1]); err != nil {
				return cty.NilVal, err
			}
			val, err := renderTemplate(expr, args[1], funcs)
			if err != nil {
				return cty.NilVal, err
			}
			if val.IsNull() {
				return cty.NilVal, hcl.Diagnostics{{
					Severity: hcl.DiagError,
					Summary:  "Template result is null",
					Detail:   "The result of the template is null, which is not a valid result for a templatestring call.",
					Subject:  expr.Range().Ptr(),
				}}
			}
			val, err = convert.Convert(val, cty.String)
			if err != nil {
				return cty.NilVal, fmt.Errorf("invalid template result: %s", err)
			}
			return val.WithMarks(marks), nil
		},
	})
}

// checkTemplateStringExpr is Terraform's check of templatestring's first
// argument: a reference (with indexes, attributes or a splat), never a
// template written in place, which needs no templatestring.
func checkTemplateStringExpr(expr hcl.Expression) error {
	switch e := expr.(type) {
	case *hclsyntax.TemplateWrapExpr:
		return function.NewArgErrorf(0, "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere; to treat the inner expression as template syntax, write the reference expression directly without any template interpolation syntax")
	case *hclsyntax.TemplateExpr:
		if len(e.Parts) == 1 {
			if _, ok := e.Parts[0].(*hclsyntax.LiteralValueExpr); ok {
				return function.NewArgErrorf(0, "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal template; consider using a template string expression instead")
			}
		}
		return function.NewArgErrorf(0, "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere; to render an inline template, consider using a plain template string expression")
	}
	if !isReference(expr) {
		return function.NewArgErrorf(0, "invalid template expression: must be a direct reference to a single string from elsewhere, containing valid Terraform template syntax")
	}
	return nil
}

// isReference is whether expr is a reference, possibly indexed or
// splatted, as templatestring's template must be.
func isReference(expr hcl.Expression) bool {
	switch e := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		return true
	case *hclsyntax.RelativeTraversalExpr:
		return isReference(e.Source)
	case *hclsyntax.IndexExpr:
		return isReference(e.Collection)
	case *hclsyntax.SplatExpr:
		return isReference(e.Source)
	}
	return false
}

// checkTemplateVars is Terraform's check of templatestring's vars: names
// a template can refer to, and one for every variable the template
// refers to, so that the error names the vars argument.
func checkTemplateVars(expr hcl.Expression, vars cty.Value) error {
	ty := vars.Type()
	if !(ty.IsMapType() || ty.IsObjectType()) {
		return function.NewArgErrorf(1, "invalid vars value: must be a map")
	}
	for it := vars.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		if !hclsyntax.ValidIdentifier(k.AsString()) {
			return function.NewArgErrorf(1, "invalid template variable name %q: must start with a letter, followed by zero or more letters, digits, and underscores", k.AsString())
		}
	}
	for _, t := range expr.Variables() {
		name := t.RootName()
		has := ty.IsObjectType() && ty.HasAttribute(name) || ty.IsMapType() && vars.HasIndex(cty.StringVal(name)).True()
		if !has {
			return function.NewArgErrorf(1, "vars map does not contain key %q, referenced at %s", name, t[0].SourceRange())
		}
	}
	return nil
}
