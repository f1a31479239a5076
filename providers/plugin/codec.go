package plugin

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"github.com/zclconf/go-cty/cty/msgpack"
)

// encode converts v to ty and encodes it as msgpack, the encoding
// Terraform sends. cty.NilVal is null.
func encode(v cty.Value, ty cty.Type) ([]byte, error) {
	if v == cty.NilVal {
		v = cty.NullVal(ty)
	}
	v, err := convert.Convert(v, ty)
	if err != nil {
		return nil, fmt.Errorf("value does not conform to the schema: %w", err)
	}
	return msgpack.Marshal(v, ty)
}

// decode decodes a DynamicValue's msgpack or JSON; an absent value is
// null.
func decode(mp, js []byte, ty cty.Type) (cty.Value, error) {
	switch {
	case len(mp) > 0:
		return msgpack.Unmarshal(mp, ty)
	case len(js) > 0:
		return ctyjson.Unmarshal(js, ty)
	default:
		return cty.NullVal(ty), nil
	}
}

// pathStep is one protocol AttributePath step, whichever the version.
type pathStep struct {
	attr   *string
	strKey *string
	intKey *int64
}

func toCtyPath(steps []pathStep) cty.Path {
	p := make(cty.Path, 0, len(steps))
	for _, s := range steps {
		switch {
		case s.attr != nil:
			p = append(p, cty.GetAttrStep{Name: *s.attr})
		case s.strKey != nil:
			p = append(p, cty.IndexStep{Key: cty.StringVal(*s.strKey)})
		case s.intKey != nil:
			p = append(p, cty.IndexStep{Key: cty.NumberIntVal(*s.intKey)})
		}
	}
	return p
}

// emptyConfig is the configuration of a block with nothing written in it,
// as Terraform sends it: null attributes, no nested blocks.
func (b *Block) emptyConfig() cty.Value {
	if b == nil {
		return cty.EmptyObjectVal
	}
	m := make(map[string]cty.Value, len(b.Attributes)+len(b.BlockTypes))
	for name, a := range b.Attributes {
		m[name] = cty.NullVal(a.ImpliedType())
	}
	for name, nb := range b.BlockTypes {
		ty := nb.ImpliedType()
		switch {
		case nb.Nesting == NestingGroup:
			m[name] = nb.Block.emptyConfig()
		case ty.IsListType():
			m[name] = cty.ListValEmpty(ty.ElementType())
		case ty.IsSetType():
			m[name] = cty.SetValEmpty(ty.ElementType())
		case ty.IsMapType():
			m[name] = cty.MapValEmpty(ty.ElementType())
		case ty == cty.DynamicPseudoType && nb.Nesting == NestingList:
			m[name] = cty.EmptyTupleVal
		case ty == cty.DynamicPseudoType && nb.Nesting == NestingMap:
			m[name] = cty.EmptyObjectVal
		default:
			m[name] = cty.NullVal(ty)
		}
	}
	return cty.ObjectVal(m)
}
