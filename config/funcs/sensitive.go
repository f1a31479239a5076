package funcs

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// SensitiveMark is the cty mark of a sensitive value: sensitive() sets it,
// nonsensitive() removes it, and the evaluator marks sensitive variables
// with it.
const SensitiveMark = "sensitive"

var anyValueParam = function.Parameter{
	Name: "value", Type: cty.DynamicPseudoType,
	AllowUnknown: true, AllowNull: true, AllowMarked: true, AllowDynamicType: true,
}

func sameType(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil }

// sensitiveFunc, nonsensitiveFunc and isSensitiveFunc are Terraform's, on
// SensitiveMark: sensitive() values end up in the resource's sensitive
// paths as sensitive variables do.
var sensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{anyValueParam},
	Type:   sameType,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, m := args[0].Unmark()
		return v.WithMarks(m).Mark(SensitiveMark), nil
	},
})

var nonsensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{anyValueParam},
	Type:   sameType,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, m := args[0].Unmark()
		delete(m, SensitiveMark)
		return v.WithMarks(m), nil
	},
})

var isSensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{anyValueParam},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(args[0].HasMark(SensitiveMark)), nil
	},
})

// ephemeralAsNullFunc returns its argument: driftctl reads no ephemeral
// values, so none is turned into null.
var ephemeralAsNullFunc = function.New(&function.Spec{
	Params: []function.Parameter{anyValueParam},
	Type:   sameType,
	Impl:   func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})
