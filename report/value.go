package report

import (
	"encoding/json"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
)

// Placeholders printed instead of values.
const (
	sensitiveText = "(sensitive)"
	unknownText   = "(unknown)"
)

// identifier matches object keys that print without quotes, as in HCL.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// formatValue renders v compactly and deterministically for people: strings
// quoted, null as null, lists, tuples and sets as [a, b] (sets sorted),
// maps and objects as {k = v} with sorted keys. Marked values (cty marks
// carry sensitivity) print as (sensitive) at any depth.
func formatValue(v cty.Value) string {
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}

func writeValue(b *strings.Builder, v cty.Value) {
	switch {
	case v == cty.NilVal:
		b.WriteString("null")
		return
	case v.IsMarked():
		b.WriteString(sensitiveText)
		return
	case !v.IsKnown():
		b.WriteString(unknownText)
		return
	case v.IsNull():
		b.WriteString("null")
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		b.WriteString(strconv.Quote(v.AsString()))
	case ty == cty.Number:
		b.WriteString(numberText(v.AsBigFloat()))
	case ty == cty.Bool:
		b.WriteString(strconv.FormatBool(v.True()))
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		var elems []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			elems = append(elems, formatValue(e))
		}
		if ty.IsSetType() {
			sort.Strings(elems)
		}
		b.WriteByte('[')
		b.WriteString(strings.Join(elems, ", "))
		b.WriteByte(']')
	case ty.IsMapType() || ty.IsObjectType():
		type kv struct{ k, v string }
		var pairs []kv
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if ty.IsObjectType() && drift.Unset(e) {
				// An object's unset attributes ("" , false, [], null)
				// are noise: a security group rule reads as its port,
				// protocol and source.
				continue
			}
			pairs = append(pairs, kv{k.AsString(), formatValue(e)})
		}
		sort.Slice(pairs, func(i, j int) bool { return pairs[i].k < pairs[j].k })
		b.WriteByte('{')
		for i, p := range pairs {
			if i > 0 {
				b.WriteString(", ")
			}
			if identifier.MatchString(p.k) {
				b.WriteString(p.k)
			} else {
				b.WriteString(strconv.Quote(p.k))
			}
			b.WriteString(" = ")
			b.WriteString(p.v)
		}
		b.WriteByte('}')
	default:
		// Capsule types never come out of a provider schema.
		b.WriteString("(" + ty.FriendlyName() + ")")
	}
}

// numberText prints a number in its shortest form: numbers that came from
// a float64 print as that float64 does, not with its binary expansion.
func numberText(f *big.Float) string {
	switch {
	case f.IsInf():
		if f.Sign() < 0 {
			return "-Infinity"
		}
		return "Infinity"
	case f.IsInt():
		return f.Text('f', 0)
	}
	if f64, acc := f.Float64(); acc == big.Exact {
		return strconv.FormatFloat(f64, 'g', -1, 64)
	}
	return f.Text('g', -1)
}

// jsonValue converts v to the plain JSON value the report schema carries:
// nil, string, json.Number, bool, []any, map[string]any. Marked values
// become "(sensitive)" and unknown ones "(unknown)", at any depth; set
// elements are sorted by their JSON encoding.
func jsonValue(v cty.Value) any {
	switch {
	case v == cty.NilVal:
		return nil
	case v.IsMarked():
		return sensitiveText
	case !v.IsKnown():
		return unknownText
	case v.IsNull():
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Number:
		f := v.AsBigFloat()
		if f.IsInf() {
			// JSON has no infinity.
			return numberText(f)
		}
		return json.Number(numberText(f))
	case ty == cty.Bool:
		return v.True()
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		elems := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			elems = append(elems, jsonValue(e))
		}
		if ty.IsSetType() {
			sortByEncoding(elems)
		}
		return elems
	case ty.IsMapType() || ty.IsObjectType():
		m := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			m[k.AsString()] = jsonValue(e)
		}
		return m
	}
	return "(" + ty.FriendlyName() + ")"
}

func sortByEncoding(elems []any) {
	keys := make([]string, len(elems))
	for i, e := range elems {
		b, _ := json.Marshal(e)
		keys[i] = string(b)
	}
	sort.Sort(byKey{elems, keys})
}

type byKey struct {
	elems []any
	keys  []string
}

func (s byKey) Len() int           { return len(s.elems) }
func (s byKey) Less(i, j int) bool { return s.keys[i] < s.keys[j] }
func (s byKey) Swap(i, j int) {
	s.elems[i], s.elems[j] = s.elems[j], s.elems[i]
	s.keys[i], s.keys[j] = s.keys[j], s.keys[i]
}
