package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// A few lines of configuration can ask for more memory than any machine
// has: count = 100000000, or a local that doubles a string forty times.
// An evaluation is bounded instead: instances per resource block, and the
// size of every value a local, a resource instance or a function call
// evaluates to. Beyond either, the value is unknown and the evaluation has
// a located error.

// Limits bound what one evaluation may build. Zero fields take the
// defaults.
type Limits struct {
	// MaxInstances bounds the instances of one resource or data block
	// (count, for_each).
	MaxInstances int
	// MaxValueBytes bounds the size of one evaluated value: the bytes of
	// its strings plus 8 for every other element (see valueSize).
	MaxValueBytes int
}

// Defaults of Limits: far above what real estates use (the largest
// generated configurations have a few thousand instances per block, and
// values of a few hundred kilobytes, such as policies), far below what
// exhausts a machine's memory.
const (
	DefaultMaxInstances  = 10000
	DefaultMaxValueBytes = 16 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxInstances <= 0 {
		l.MaxInstances = DefaultMaxInstances
	}
	if l.MaxValueBytes <= 0 {
		l.MaxValueBytes = DefaultMaxValueBytes
	}
	return l
}

// EvaluatorOption configures an Evaluator.
type EvaluatorOption func(*Evaluator)

// WithWorkspace sets terraform.workspace (default "default").
func WithWorkspace(name string) EvaluatorOption {
	return func(e *Evaluator) {
		if name != "" {
			e.workspace = name
		}
	}
}

// WithLimits sets the evaluation's limits (default: DefaultMaxInstances,
// DefaultMaxValueBytes).
func WithLimits(l Limits) EvaluatorOption {
	return func(e *Evaluator) { e.limits = l.withDefaults() }
}

// valueSize is the size of v as limits count it: the bytes of its strings
// plus 8 for every number, bool, null, unknown and collection element. It
// stops counting once the size is over limit, so that checking a value
// costs at most limit steps; over is true then.
func valueSize(v cty.Value, limit int) (size int, over bool) {
	var walk func(v cty.Value)
	walk = func(v cty.Value) {
		if size > limit {
			return
		}
		v, _ = v.Unmark()
		ty := v.Type()
		switch {
		case v.IsNull() || !v.IsKnown():
			size += 8
		case ty == cty.String:
			size += len(v.AsString())
		case ty.IsPrimitiveType() || ty.IsCapsuleType():
			size += 8
		default:
			for it := v.ElementIterator(); it.Next() && size <= limit; {
				k, e := it.Element()
				size += 8
				if ty.IsMapType() || ty.IsObjectType() {
					size += len(k.AsString())
				}
				walk(e)
			}
		}
	}
	walk(v)
	return size, size > limit
}

// checkSize replaces a value over the size limit by an unknown one, with
// an error naming what it is the value of and where it is written.
func (r *run) checkSize(v cty.Value, what string, rng hcl.Range) cty.Value {
	if v == cty.NilVal {
		return v
	}
	if _, over := valueSize(v, r.e.limits.MaxValueBytes); !over {
		return v
	}
	r.diags = append(r.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Value too large",
		Detail: fmt.Sprintf("The value of %s is larger than %d bytes; driftctl stops evaluating it rather than exhaust its memory "+
			"(the limit is set with --max-value-bytes).", what, r.e.limits.MaxValueBytes),
		Subject: rng.Ptr(),
	})
	return cty.DynamicVal
}

// tooManyInstances reports a count or for_each over MaxInstances.
func (r *run) tooManyInstances(expr hcl.Expression, what string, n int64) ([]instance, bool, bool) {
	return r.invalid(expr, "Too many instances",
		"The %s argument asks for %d instances; driftctl evaluates at most %d instances of a resource or data block "+
			"(the limit is set with --max-instances).", what, n, r.e.limits.MaxInstances)
}

// limitFunctions wraps every function of funcs whose result may be large
// so that a result over maxBytes is an error of the call, which hcl
// reports naming the function and the call's range. try and can return
// one of their arguments, already evaluated and checked.
func limitFunctions(funcs map[string]function.Function, maxBytes int) map[string]function.Function {
	out := make(map[string]function.Function, len(funcs))
	for name, f := range funcs {
		switch name {
		case "try", "can", "core::try", "core::can":
			out[name] = f
		case "jsondecode", "core::jsondecode":
			out[name] = limitFunction(f, maxBytes, jsonDepthCheck)
		default:
			out[name] = limitFunction(f, maxBytes, nil)
		}
	}
	return out
}

func limitFunction(f function.Function, maxBytes int, check func([]cty.Value) error) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			if check != nil {
				if err := check(args); err != nil {
					return cty.NilType, err
				}
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			if err != nil {
				return v, err
			}
			if _, over := valueSize(v, maxBytes); over {
				return cty.NilVal, fmt.Errorf("its result is larger than %d bytes; driftctl stops evaluating it rather than exhaust its memory (the limit is set with --max-value-bytes)", maxBytes)
			}
			return v, nil
		},
	})
}

// jsonDepthCheck refuses a JSON document nested beyond MaxNesting: cty
// decodes JSON by recursion, once per level.
func jsonDepthCheck(args []cty.Value) error {
	if len(args) == 0 || args[0].Type() != cty.String || !args[0].IsKnown() || args[0].IsNull() {
		return nil
	}
	s, _ := args[0].Unmark()
	src := s.AsString()
	depth := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			if depth++; depth > MaxNesting {
				return function.NewArgErrorf(0, "the JSON document nests arrays and objects more than %d levels deep", MaxNesting)
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}
