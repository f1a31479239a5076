package config

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/gitdrift/driftctl/config/funcs"
)

// sensitiveMark (funcs.SensitiveMark, as sensitive() sets it) marks values
// of sensitive variables while evaluating; marks are taken off (and recorded
// in Resource.SensitivePaths) before a value is handed out.
const sensitiveMark = funcs.SensitiveMark

// varValue is one assignment of a variable from outside the configuration.
type varValue struct {
	Value cty.Value
	// Range is where the value was written; nil for -var and TF_VAR_*.
	Range *hcl.Range
}

// variableValues resolves the value of every declared variable from opts
// and the module's variable files, in Terraform's precedence, applying
// defaults, type constraints and sensitivity.
func (e *Evaluator) variableValues(opts VarOptions) (map[string]cty.Value, hcl.Diagnostics) {
	m := e.mod
	raw := map[string]varValue{}
	var diags hcl.Diagnostics

	// Lowest first: TF_VAR_*, terraform.tfvars, terraform.tfvars.json,
	// *.auto.tfvars(.json) in lexical order, -var and -var-file in order.
	for _, kv := range opts.Environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "TF_VAR_") {
			continue
		}
		name = strings.TrimPrefix(name, "TF_VAR_")
		v, declared := m.variables[name]
		if !declared {
			continue // Terraform ignores environment values of undeclared variables.
		}
		pv, d := parseVarString(v, val, "TF_VAR_"+name)
		diags = append(diags, d...)
		if !d.HasErrors() {
			raw[name] = varValue{Value: pv}
		}
	}
	files := []string{"terraform.tfvars", "terraform.tfvars.json"}
	if entries, err := m.files.readDir(); err == nil {
		var auto []string
		for _, en := range entries {
			n := en.Name()
			if !en.IsDir() && (strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json")) {
				auto = append(auto, n)
			}
		}
		sort.Strings(auto)
		files = append(files, auto...)
	}
	for _, f := range files {
		if _, err := fs.Stat(m.files.fsys, f); err != nil {
			continue
		}
		diags = append(diags, m.readModuleVarFile(f, raw)...)
	}
	for _, arg := range opts.Args {
		if arg.File {
			diags = append(diags, m.readVarFile(arg.Value, raw)...)
			continue
		}
		name, val, ok := strings.Cut(arg.Value, "=")
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid -var option",
				Detail:   fmt.Sprintf("The given -var option %q is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\".", arg.Value),
			})
			continue
		}
		v, declared := m.variables[name]
		if !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("A variable named %q was assigned on the command line, but the configuration does not declare a variable of that name.", name),
			})
			continue
		}
		pv, d := parseVarString(v, val, "-var "+name)
		diags = append(diags, d...)
		if !d.HasErrors() {
			raw[name] = varValue{Value: pv}
		}
	}

	out := make(map[string]cty.Value, len(m.variables))
	for name, v := range m.variables {
		val, d := finalVariable(v, raw[name])
		diags = append(diags, d...)
		if v.Sensitive {
			val = val.Mark(sensitiveMark)
		}
		out[name] = val
	}
	e.vars = out
	diags = append(diags, e.validateVariables(context.Background(), raw)...)
	return out, diags
}

// finalVariable converts an assigned value, or falls back to the default.
func finalVariable(v *variable, in varValue) (cty.Value, hcl.Diagnostics) {
	unknown := cty.UnknownVal(v.Type)
	subject := v.DeclRange.Ptr()
	if in.Range != nil {
		subject = in.Range
	}
	if in.Value != cty.NilVal {
		val, err := convertVariable(v, in.Value)
		if err != nil {
			return unknown, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for input variable",
				Detail:   fmt.Sprintf("The value given for variable %q is unsuitable: %s.", v.Name, err),
				Subject:  subject,
			}}
		}
		if !val.IsNull() || v.Nullable {
			return val, nil
		}
	}
	if v.Default != cty.NilVal {
		return v.Default, nil
	}
	return unknown, hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "No value for required variable",
		Detail:   fmt.Sprintf("The root module input variable %q is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.", v.Name),
		Subject:  v.DeclRange.Ptr(),
	}}
}

// parseVarString reads a -var or TF_VAR_* value: literally for primitive
// types, as an HCL expression otherwise (Terraform's VariableParsingMode).
func parseVarString(v *variable, s, source string) (cty.Value, hcl.Diagnostics) {
	if !v.ParseHCL {
		return cty.StringVal(s), nil
	}
	if diags := checkExpressionNesting([]byte(s), source, hcl.InitialPos); diags.HasErrors() {
		return cty.NilVal, diags
	}
	expr, diags := hclsyntax.ParseExpression([]byte(s), source, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	return expr.Value(nil)
}

// readModuleVarFile reads a variables file of the module's directory.
func (m *Module) readModuleVarFile(name string, raw map[string]varValue) hcl.Diagnostics {
	f, diags := m.parseFile(name, m.files.display(name))
	return m.assignVarFile(f, diags, m.files.display(name), raw)
}

// readVarFile assigns the values of a .tfvars or .tfvars.json file given on
// the command line. Values must be literal: no references, no function
// calls.
func (m *Module) readVarFile(path string, raw map[string]varValue) hcl.Diagnostics {
	src, err := os.ReadFile(path)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Failed to read file", Detail: fmt.Sprintf("reading variables file %s: %v", path, err)}}
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		if diags = checkJSONNesting(src, path); !diags.HasErrors() {
			f, diags = m.parser.ParseJSON(src, path)
		}
	} else {
		if diags = checkConfigNesting(src, path); !diags.HasErrors() {
			f, diags = m.parser.ParseHCL(src, path)
		}
	}
	return m.assignVarFile(f, diags, path, raw)
}

func (m *Module) assignVarFile(f *hcl.File, diags hcl.Diagnostics, path string, raw map[string]varValue) hcl.Diagnostics {
	if f == nil || diags.HasErrors() {
		if f == nil && len(diags) == 0 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Failed to read variables file", Detail: path})
		}
		return diags
	}
	attrs, d := f.Body.JustAttributes()
	diags = append(diags, d...)
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		a := attrs[name]
		if _, declared := m.variables[name]; !declared {
			// Terraform warns rather than fails for variable files.
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The file %s assigns a value to %q, which the configuration does not declare.", path, name),
				Subject:  a.NameRange.Ptr(),
			})
			continue
		}
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		raw[name] = varValue{Value: val, Range: a.Expr.Range().Ptr()}
	}
	return diags
}

// validation is a variable's `validation` block.
type validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

// decodeValidation reads a validation block. As in Terraform v1.11 the
// condition must refer to the variable itself; it may also refer to other
// variables and to locals.
func decodeValidation(name string, b *hcl.Block) (*validation, hcl.Diagnostics) {
	content, diags := b.Body.Content(validationSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	rule := &validation{
		Condition:    content.Attributes["condition"].Expr,
		ErrorMessage: content.Attributes["error_message"].Expr,
		DeclRange:    b.DefRange,
	}
	self := false
	for _, t := range rule.Condition.Variables() {
		if t.RootName() != "var" || len(t) < 2 {
			continue
		}
		if a, ok := t[1].(hcl.TraverseAttr); ok && a.Name == name {
			self = true
		}
	}
	if !self {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable validation condition",
			Detail:   fmt.Sprintf("The condition for variable %q must refer to var.%s in order to test incoming values.", name, name),
			Subject:  rule.Condition.Range().Ptr(),
		})
	}
	return rule, diags
}

// validateVariables checks every variable's validation rules against its
// value, as Terraform v1.11 does: a condition that is not known is skipped,
// one that fails to evaluate or is not a bool is an error, and a false one
// is "Invalid value for variable" with the rule's error_message. Conditions
// may refer to other variables and locals; what refers to resources or
// data sources is not known here, so skipped.
func (e *Evaluator) validateVariables(ctx context.Context, values map[string]varValue) hcl.Diagnostics {
	r := e.newRun(ctx)
	r.static = true
	for _, name := range slices.Sorted(maps.Keys(e.mod.variables)) {
		v := e.mod.variables[name]
		for _, rule := range v.Validations {
			r.checkValidation(r.rootScope(), v, rule, values[name].Range)
		}
	}
	return r.diags
}

func (r *run) checkValidation(sc *scope, v *variable, rule *validation, valueRange *hcl.Range) {
	ectx, _ := r.evalContext(sc, rule.Condition.Variables(), false, false)
	result, diags := rule.Condition.Value(ectx)
	r.diags = append(r.diags, diags...)
	if diags.HasErrors() {
		return
	}
	result, _ = result.UnmarkDeep()
	if !result.IsKnown() {
		return
	}
	invalid := func(detail string) {
		r.diags = append(r.diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Invalid variable validation result",
			Detail:      detail,
			Subject:     rule.Condition.Range().Ptr(),
			Expression:  rule.Condition,
			EvalContext: ectx,
		})
	}
	if result.IsNull() {
		invalid("Validation condition expression must return either true or false, not null.")
		return
	}
	ok, err := convert.Convert(result, cty.Bool)
	if err != nil {
		invalid(fmt.Sprintf("Invalid validation condition result value: %s.", err))
		return
	}
	if ok.True() {
		return
	}
	subject := v.DeclRange.Ptr()
	if valueRange != nil {
		subject = valueRange
	}
	r.diags = append(r.diags, &hcl.Diagnostic{
		Severity:    hcl.DiagError,
		Summary:     "Invalid value for variable",
		Detail:      fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s.", r.validationMessage(sc, rule), rule.Condition.Range().String()),
		Subject:     subject,
		Expression:  rule.Condition,
		EvalContext: ectx,
	})
}

// validationMessage evaluates a failed rule's error_message; one that
// would show a sensitive value is not shown, as in Terraform.
func (r *run) validationMessage(sc *scope, rule *validation) string {
	const failed = "Failed to evaluate condition error message."
	ectx, _ := r.evalContext(sc, rule.ErrorMessage.Variables(), false, false)
	msg, diags := rule.ErrorMessage.Value(ectx)
	r.diags = append(r.diags, diags...)
	if diags.HasErrors() {
		return failed
	}
	if msg.IsMarked() || msg.ContainsMarked() {
		return "The error message included a sensitive value, so it will not be displayed."
	}
	if !msg.IsKnown() {
		return "The error message is not known yet."
	}
	s, err := convert.Convert(msg, cty.String)
	if err != nil || s.IsNull() {
		detail := "The error message must be a string, not null."
		if err != nil {
			detail = fmt.Sprintf("Unsuitable value for error message: %s.", err)
		}
		r.diags = append(r.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid error message",
			Detail:   detail,
			Subject:  rule.ErrorMessage.Range().Ptr(),
		})
		return failed
	}
	return s.AsString()
}
