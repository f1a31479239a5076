package config

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// redactedText replaces a sensitive value in an error, as Terraform
// prints one.
const redactedText = "(sensitive value)"

// secrets are the string forms of sensitive values, longest first, that
// an error or diagnostic must not contain.
type secrets []string

// sensitiveStrings collects the string forms of every sensitive part of v:
// strings and numbers marked sensitive, or inside a marked collection
// (map keys included). Booleans are left out: "true" and "false" say
// nothing secret and appear in many messages.
func sensitiveStrings(v cty.Value, inherited bool, out *secrets) {
	if v == cty.NilVal {
		return
	}
	v, marks := v.Unmark()
	_, marked := marks[sensitiveMark]
	sens := inherited || marked
	if !v.IsKnown() || v.IsNull() {
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		if sens {
			out.add(v.AsString())
		}
	case ty == cty.Number:
		if sens {
			f := v.AsBigFloat()
			out.add(f.Text('f', -1))
			out.add(f.Text('g', -1))
			out.add(f.String())
		}
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if sens && ty.IsMapType() {
				out.add(k.AsString())
			}
			sensitiveStrings(e, sens, out)
		}
	case ty.IsCollectionType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			sensitiveStrings(e, sens, out)
		}
	}
}

// add records s and the forms an error may quote it in (Go-quoted, JSON).
func (s *secrets) add(v string) {
	if v == "" {
		return
	}
	forms := []string{v}
	if q := strconv.Quote(v); len(q) > 2 {
		forms = append(forms, q[1:len(q)-1])
	}
	if b, err := json.Marshal(v); err == nil && len(b) > 2 {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	for _, f := range forms {
		if !containsString(*s, f) {
			*s = append(*s, f)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scrub replaces every secret in text; the longest first, so that a secret
// containing another is replaced whole.
func (s secrets) scrub(text string) string {
	if len(s) == 0 || text == "" {
		return text
	}
	sorted := append(secrets(nil), s...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, x := range sorted {
		text = strings.ReplaceAll(text, x, redactedText)
	}
	return text
}

// argSecrets are the sensitive string forms in a function call's arguments.
func argSecrets(args []cty.Value) secrets {
	var s secrets
	for _, a := range args {
		if a != cty.NilVal && a.ContainsMarked() {
			sensitiveStrings(a, false, &s)
		}
	}
	return s
}

// scrubError returns err without the secrets of args, keeping an argument
// error an argument error (HCL then points at the argument).
func scrubError(err error, args []cty.Value) error {
	if err == nil {
		return nil
	}
	s := argSecrets(args)
	if len(s) == 0 {
		return err
	}
	msg := err.Error()
	clean := s.scrub(msg)
	if clean == msg {
		return err
	}
	var ae function.ArgError
	if errors.As(err, &ae) {
		return function.NewArgError(ae.Index, errors.New(s.scrub(ae.Error())))
	}
	return errors.New(clean)
}

// redacting wraps a function so that its errors never contain the value
// of a sensitive argument (tonumber(var.password) would print it): the
// wrapper takes marked arguments and passes them on, and the wrapped
// function unmarks them and marks its result as it would have.
func redacting(f function.Function) function.Function {
	params := f.Params()
	for i := range params {
		params[i].AllowMarked = true
	}
	var varParam *function.Parameter
	if vp := f.VarParam(); vp != nil {
		p := *vp
		p.AllowMarked = true
		varParam = &p
	}
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			ty, err := f.ReturnTypeForValues(args)
			return ty, scrubError(err, args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			return v, scrubError(err, args)
		},
	})
}

// redactDiagnostics takes the secrets out of diagnostics that leave the
// evaluator: the string forms of the sensitive variables from Summary and
// Detail, and the expression and its context (a diagnostic printer shows
// the values an expression refers to) wherever that context holds a
// sensitive value.
func (e *Evaluator) redactDiagnostics(diags hcl.Diagnostics, runs ...*run) hcl.Diagnostics {
	if len(diags) == 0 {
		return diags
	}
	var s secrets
	for _, name := range slices.Sorted(maps.Keys(e.vars)) {
		sensitiveStrings(e.vars[name], false, &s)
	}
	// Locals made sensitive with sensitive(), or from a sensitive value;
	// and the declarations of called modules (their variables, locals and
	// outputs).
	for _, r := range runs {
		for key, n := range r.nodes {
			if (strings.HasPrefix(key, "local.") || strings.HasPrefix(key, "module.")) && n.val != cty.NilVal && n.val.ContainsMarked() {
				sensitiveStrings(n.val, false, &s)
			}
		}
	}
	for _, d := range diags {
		d.Summary, d.Detail = s.scrub(d.Summary), s.scrub(d.Detail)
		if d.EvalContext != nil && contextHasMarks(d.EvalContext) {
			d.Expression, d.EvalContext = nil, nil
		}
	}
	return diags
}

// contextHasMarks reports whether any variable of ctx or its parents holds
// a marked value.
func contextHasMarks(ctx *hcl.EvalContext) bool {
	for c := ctx; c != nil; c = c.Parent() {
		for _, v := range c.Variables {
			if v != cty.NilVal && v.ContainsMarked() {
				return true
			}
		}
	}
	return false
}

// SensitiveStrings are the string forms of the sensitive parts of Config
// (those of SensitivePaths): what must not be shown where a value of the
// resource is printed outside its attributes, such as its live ID when the
// configuration names the resource with a sensitive value.
func (r *Resource) SensitiveStrings() []string {
	var s secrets
	for _, p := range r.sensitive {
		v, err := p.Apply(r.Config)
		if err != nil {
			continue
		}
		sensitiveStrings(v, true, &s)
	}
	return s
}

// MarkSensitive marks as sensitive every string of v that holds one of
// secrets (SensitiveStrings): a Resolver returns a resource's live value
// so, and what refers to it (a bucket's id or arn, when a sensitive
// variable names the bucket) is sensitive in turn, as in Terraform.
func MarkSensitive(v cty.Value, secrets []string) cty.Value {
	if len(secrets) == 0 || v == cty.NilVal {
		return v
	}
	out, err := cty.Transform(v, func(_ cty.Path, x cty.Value) (cty.Value, error) {
		if x.IsMarked() || x.Type() != cty.String || !x.IsKnown() || x.IsNull() {
			return x, nil
		}
		s := x.AsString()
		for _, secret := range secrets {
			if secret != "" && strings.Contains(s, secret) {
				return x.Mark(sensitiveMark), nil
			}
		}
		return x, nil
	})
	if err != nil {
		return v
	}
	return out
}
