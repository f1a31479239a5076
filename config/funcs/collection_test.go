package funcs

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestCollectionFunctions(t *testing.T) {
	tests := []funcTest{
		// lookup with a null default is null, not unknown (on a map,
		// Terraform printed tostring(null)); a map without the key and no
		// default is an error.
		{expr: `lookup({a="x"}, "b", "d")`, want: str("d")},
		{expr: `lookup({a="x"}, "a")`, want: str("x")},
		{expr: `lookup({a="x"}, "b")`, wantErr: `the given object has no attribute "b"`},
		{expr: `lookup({a="x"}, "b", null)`, want: cty.NullVal(cty.DynamicPseudoType)},
		{expr: `lookup(tomap({a="x"}), "b", null)`, want: cty.NullVal(cty.String)},
		{expr: `lookup({a="x"}, "b", {c=1})`, want: cty.ObjectVal(map[string]cty.Value{"c": num(1)})},
		{expr: `lookup(tomap({a="x"}), "b")`, wantErr: `lookup failed to find key "b"`},
		{expr: `lookup("abc", "a")`, wantErr: "lookup() requires a map as the first argument"},
		{expr: `length("héllo")`, want: num(5)},
		{expr: `length({a = 1, b = 2})`, want: num(2)},
		{expr: `length(["a", "b", "c"])`, want: num(3)},
		{expr: `length(5)`, wantErr: "argument must be a string, a collection type, or a structural type"},
		{expr: `index(["a","b","c"], "b")`, want: num(1)},
		{expr: `index(["a","b","c"], "z")`, wantErr: "item not found"},
		{expr: `index([], "a")`, wantErr: "cannot search an empty list"},
		{expr: `index({a = 1}, 1)`, wantErr: "argument must be a list or tuple"},
		{expr: `one([])`, want: cty.NullVal(cty.DynamicPseudoType)},
		{expr: `one(["x"])`, want: str("x")},
		{expr: `one(toset(["a"]))`, want: str("a")},
		{expr: `one(["x", "y"])`, wantErr: "must be a list, set, or tuple value with either zero or one elements"},
		{expr: `sum([1, 2.5, 3])`, want: cty.NumberFloatVal(6.5)},
		{expr: `sum(["1", 2])`, want: num(3)},
		{expr: `sum([])`, wantErr: "cannot sum an empty list"},
		{expr: `sum("a")`, wantErr: "cannot sum noniterable"},
		{expr: `sum([1, null])`, wantErr: "argument must be list, set, or tuple of number values"},
		{expr: `alltrue([])`, want: cty.True},
		{expr: `alltrue([true, false])`, want: cty.False},
		{expr: `anytrue([])`, want: cty.False},
		{expr: `anytrue([false, true])`, want: cty.True},
		{expr: `coalesce("", "b")`, want: str("b")},
		{expr: `coalesce(null, 2, 3)`, want: num(2)},
		{expr: `coalesce("", null)`, wantErr: "no non-null, non-empty-string arguments"},
		{expr: `coalesce(1, [])`, wantErr: "all arguments must have the same type"},
		{expr: `coalescelist([], ["a"])`, want: strTuple("a")},
		{expr: `flatten([[1],[2,[3]]])`, want: cty.TupleVal([]cty.Value{num(1), num(2), num(3)})},
		{expr: `element(["a","b","c"], 4)`, want: str("b")},
		{expr: `element([], 0)`, wantErr: "cannot use element function with an empty list"},
		{expr: `matchkeys(["a","b"], [1,2], ["2"])`, want: strList("b")},
		{expr: `matchkeys(["a","b","c"], ["x","y","z"], ["z","x"])`, want: strList("a", "c")},
		{expr: `matchkeys(["a"], [1,2], [1])`, wantErr: "length of keys and values should be equal"},
		{expr: `transpose({a = ["1", "2"], b = ["2", "3"]})`, want: cty.MapVal(map[string]cty.Value{
			"1": strList("a"), "2": strList("a", "b"), "3": strList("b"),
		})},
		{expr: `transpose({a = [1]})`, want: cty.MapVal(map[string]cty.Value{"1": strList("a")})},
		{expr: `transpose({})`, want: cty.MapValEmpty(cty.List(cty.String))},
		{expr: `contains(["a", "b"], "b")`, want: cty.True},
		{expr: `distinct(["a", "b", "a"])`, want: strList("a", "b")},
		{expr: `keys({b = 1, a = 2})`, want: strTuple("a", "b")},
		{expr: `values({b = 1, a = 2})`, want: cty.TupleVal([]cty.Value{num(2), num(1)})},
		{expr: `compact(["a", "", null, "b"])`, want: strList("a", "b")},
		{expr: `chunklist(["a", "b", "c"], 2)`, want: cty.ListVal([]cty.Value{strList("a", "b"), strList("c")})},
		{expr: `zipmap(["a", "b"], [1, 2])`, want: cty.ObjectVal(map[string]cty.Value{"a": num(1), "b": num(2)})},
		{expr: `range(1, 7, 2)`, want: cty.ListVal([]cty.Value{num(1), num(3), num(5)})},
		{expr: `slice(["a", "b", "c"], 1, 3)`, want: strTuple("b", "c")},
		{expr: `slice(["a", "b", "c"], 2, 5)`, wantErr: "end index must not be greater than the length of the list"},
		{expr: `reverse([1, 2, 3])`, want: cty.TupleVal([]cty.Value{num(3), num(2), num(1)})},
		{expr: `concat(["a"], ["b", "c"])`, want: strTuple("a", "b", "c")},
		{expr: `concat(["a"], 1)`, wantErr: "all arguments must be lists or tuples; got number"},
		{expr: `merge({a = 1}, {a = 2, b = 3})`, want: cty.ObjectVal(map[string]cty.Value{"a": num(2), "b": num(3)})},
		{expr: `setunion(["a"], ["b", "a"])`, want: cty.SetVal(strVals([]string{"a", "b"}))},
	}
	runFuncTests(t, tests)
}
