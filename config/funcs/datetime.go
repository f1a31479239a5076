package funcs

import (
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// timecmpFunc is Terraform's timecmp of two RFC 3339 timestamps: -1, 0
// or 1.
var timecmpFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "timestamp_a", Type: cty.String},
		{Name: "timestamp_b", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var ts [2]time.Time
		for i := range ts {
			t, err := time.Parse(time.RFC3339, args[i].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(i, "not a valid RFC3339 timestamp: %s", err)
			}
			ts[i] = t
		}
		switch {
		case ts[0].Equal(ts[1]):
			return cty.Zero, nil
		case ts[0].Before(ts[1]):
			return cty.NumberIntVal(-1), nil
		}
		return cty.NumberIntVal(1), nil
	},
})
