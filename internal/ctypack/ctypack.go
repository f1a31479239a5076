// Package ctypack encodes wholly known cty values compactly, for the
// drift engine to hold many of them: the type is given when encoding and
// decoding, so an object is its attribute values in name order, without
// the names, and a value of a few dozen attributes takes a few hundred
// bytes where the cty value takes kilobytes.
//
// The format: a null is the byte 0; any other value is the byte 1 and then
// its body. A string is its length (uvarint) and bytes; a bool one byte; a
// number 'i' and a zigzag varint when it is an int64, 'f' and its float64
// bits when it is exactly one, else 's' and its decimal text; a list, set
// or tuple its length and elements; a map its length and keys (strings) and
// elements in key order; an object its attributes in name order.
package ctypack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"

	"github.com/zclconf/go-cty/cty"
)

// Marshal encodes v, a wholly known and unmarked value of type ty. The
// slice is a copy the size of the encoding, made to be kept (the
// encoder's buffer, grown by appending, has up to twice the room).
func Marshal(v cty.Value, ty cty.Type) ([]byte, error) {
	var e encoder
	if err := e.value(v, ty); err != nil {
		return nil, err
	}
	return bytes.Clone(e.buf), nil
}

// Types holds one copy of each type: a value decoded with a shared type
// does not carry a copy of its own, and many values have the same. The
// zero Types is ready; it is not safe for concurrent use.
type Types struct{ types []cty.Type }

// maxTypes bounds a Types: past it, types are not shared.
const maxTypes = 256

// Shared returns the copy of a type equal to ty, ty itself the first time.
func (t *Types) Shared(ty cty.Type) cty.Type {
	for _, s := range t.types {
		if s.Equals(ty) {
			return s
		}
	}
	if len(t.types) < maxTypes {
		t.types = append(t.types, ty)
	}
	return ty
}

// Unmarshal decodes what Marshal encoded with ty.
func Unmarshal(b []byte, ty cty.Type) (cty.Value, error) {
	d := decoder{buf: b}
	v, err := d.value(ty)
	if err != nil {
		return cty.NilVal, err
	}
	if d.pos != len(d.buf) {
		return cty.NilVal, fmt.Errorf("ctypack: %d bytes left after the value", len(d.buf)-d.pos)
	}
	return v, nil
}

// Unpack decodes what this program encoded with Marshal and ty: an error
// there is a bug, and it panics.
func Unpack(b []byte, ty cty.Type) cty.Value {
	v, err := Unmarshal(b, ty)
	if err != nil {
		panic("ctypack: a value encoded here does not decode: " + err.Error())
	}
	return v
}

type encoder struct{ buf []byte }

func (e *encoder) uvarint(n uint64) { e.buf = binary.AppendUvarint(e.buf, n) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) value(v cty.Value, ty cty.Type) error {
	if v.IsMarked() {
		return errors.New("ctypack: marked value")
	}
	if !v.IsKnown() {
		return errors.New("ctypack: unknown value")
	}
	if v.IsNull() {
		e.buf = append(e.buf, 0)
		return nil
	}
	if !v.Type().Equals(ty) && !ty.IsCollectionType() && !ty.IsObjectType() && !ty.IsTupleType() {
		return fmt.Errorf("ctypack: a %s value is not a %s", v.Type().FriendlyName(), ty.FriendlyName())
	}
	e.buf = append(e.buf, 1)
	switch {
	case ty == cty.String:
		e.str(v.AsString())
	case ty == cty.Bool:
		if v.True() {
			e.buf = append(e.buf, 1)
		} else {
			e.buf = append(e.buf, 0)
		}
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if i, acc := bf.Int64(); acc == big.Exact {
			e.buf = append(e.buf, 'i')
			e.buf = binary.AppendVarint(e.buf, i)
		} else if f, acc := bf.Float64(); acc == big.Exact && !math.IsInf(f, 0) {
			e.buf = append(e.buf, 'f')
			e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
		} else {
			e.buf = append(e.buf, 's')
			e.str(bf.Text('g', -1))
		}
	case ty.IsListType() || ty.IsSetType():
		if !v.Type().IsListType() && !v.Type().IsSetType() {
			return fmt.Errorf("ctypack: a %s value is not a %s", v.Type().FriendlyName(), ty.FriendlyName())
		}
		e.uvarint(uint64(v.LengthInt()))
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			if err := e.value(ev, ty.ElementType()); err != nil {
				return err
			}
		}
	case ty.IsMapType():
		if !v.Type().IsMapType() {
			return fmt.Errorf("ctypack: a %s value is not a %s", v.Type().FriendlyName(), ty.FriendlyName())
		}
		m := v.AsValueMap()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		e.uvarint(uint64(len(keys)))
		for _, k := range keys {
			e.str(k)
			if err := e.value(m[k], ty.ElementType()); err != nil {
				return err
			}
		}
	case ty.IsTupleType():
		ets := ty.TupleElementTypes()
		if !v.Type().IsTupleType() || v.LengthInt() != len(ets) {
			return fmt.Errorf("ctypack: a %s value is not a %s", v.Type().FriendlyName(), ty.FriendlyName())
		}
		e.uvarint(uint64(len(ets)))
		for i, et := range ets {
			if err := e.value(v.Index(cty.NumberIntVal(int64(i))), et); err != nil {
				return err
			}
		}
	case ty.IsObjectType():
		if !v.Type().IsObjectType() {
			return fmt.Errorf("ctypack: a %s value is not a %s", v.Type().FriendlyName(), ty.FriendlyName())
		}
		for _, name := range attributeNames(ty) {
			if !v.Type().HasAttribute(name) {
				return fmt.Errorf("ctypack: the value lacks attribute %q", name)
			}
			if err := e.value(v.GetAttr(name), ty.AttributeType(name)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		if len(v.Type().AttributeTypes()) != len(ty.AttributeTypes()) {
			return errors.New("ctypack: the value has attributes its type does not")
		}
	default:
		return fmt.Errorf("ctypack: cannot encode a %s", ty.FriendlyName())
	}
	return nil
}

// attributeNames are an object type's attribute names, sorted.
func attributeNames(ty cty.Type) []string {
	names := make([]string, 0, len(ty.AttributeTypes()))
	for name := range ty.AttributeTypes() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

type decoder struct {
	buf []byte
	pos int
}

var errShort = errors.New("ctypack: the encoding ends early")

func (d *decoder) byte() (byte, error) {
	if d.pos >= len(d.buf) {
		return 0, errShort
	}
	b := d.buf[d.pos]
	d.pos++
	return b, nil
}

func (d *decoder) uvarint() (uint64, error) {
	n, w := binary.Uvarint(d.buf[d.pos:])
	if w <= 0 {
		return 0, errShort
	}
	d.pos += w
	return n, nil
}

func (d *decoder) length() (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(d.buf)-d.pos) && n > 0 {
		// Every element takes at least a byte.
		return 0, errShort
	}
	return int(n), nil
}

func (d *decoder) str() (string, error) {
	n, err := d.length()
	if err != nil {
		return "", err
	}
	s := string(d.buf[d.pos : d.pos+n])
	d.pos += n
	return s, nil
}

func (d *decoder) value(ty cty.Type) (cty.Value, error) {
	present, err := d.byte()
	if err != nil {
		return cty.NilVal, err
	}
	if present == 0 {
		return cty.NullVal(ty), nil
	}
	switch {
	case ty == cty.String:
		s, err := d.str()
		return cty.StringVal(s), err
	case ty == cty.Bool:
		b, err := d.byte()
		return cty.BoolVal(b == 1), err
	case ty == cty.Number:
		kind, err := d.byte()
		if err != nil {
			return cty.NilVal, err
		}
		switch kind {
		case 'i':
			i, w := binary.Varint(d.buf[d.pos:])
			if w <= 0 {
				return cty.NilVal, errShort
			}
			d.pos += w
			return cty.NumberIntVal(i), nil
		case 'f':
			if len(d.buf)-d.pos < 8 {
				return cty.NilVal, errShort
			}
			f := math.Float64frombits(binary.LittleEndian.Uint64(d.buf[d.pos:]))
			d.pos += 8
			return cty.NumberFloatVal(f), nil
		case 's':
			s, err := d.str()
			if err != nil {
				return cty.NilVal, err
			}
			return cty.ParseNumberVal(s)
		}
		return cty.NilVal, fmt.Errorf("ctypack: unknown number kind %q", kind)
	case ty.IsListType() || ty.IsSetType() || ty.IsMapType():
		n, err := d.length()
		if err != nil {
			return cty.NilVal, err
		}
		et := ty.ElementType()
		if ty.IsMapType() {
			m := make(map[string]cty.Value, n)
			for range n {
				k, err := d.str()
				if err != nil {
					return cty.NilVal, err
				}
				if m[k], err = d.value(et); err != nil {
					return cty.NilVal, err
				}
			}
			if n == 0 {
				return cty.MapValEmpty(et), nil
			}
			return cty.MapVal(m), nil
		}
		elems := make([]cty.Value, n)
		for i := range elems {
			if elems[i], err = d.value(et); err != nil {
				return cty.NilVal, err
			}
		}
		switch {
		case n == 0 && ty.IsListType():
			return cty.ListValEmpty(et), nil
		case n == 0:
			return cty.SetValEmpty(et), nil
		case ty.IsListType():
			return cty.ListVal(elems), nil
		}
		return cty.SetVal(elems), nil
	case ty.IsTupleType():
		n, err := d.length()
		if err != nil {
			return cty.NilVal, err
		}
		ets := ty.TupleElementTypes()
		if n != len(ets) {
			return cty.NilVal, fmt.Errorf("ctypack: a tuple of %d elements for a %s", n, ty.FriendlyName())
		}
		if n == 0 {
			return cty.EmptyTupleVal, nil
		}
		elems := make([]cty.Value, n)
		for i, et := range ets {
			if elems[i], err = d.value(et); err != nil {
				return cty.NilVal, err
			}
		}
		return cty.TupleVal(elems), nil
	case ty.IsObjectType():
		names := attributeNames(ty)
		if len(names) == 0 {
			return cty.EmptyObjectVal, nil
		}
		attrs := make(map[string]cty.Value, len(names))
		for _, name := range names {
			if attrs[name], err = d.value(ty.AttributeType(name)); err != nil {
				return cty.NilVal, err
			}
		}
		return cty.ObjectVal(attrs), nil
	}
	return cty.NilVal, fmt.Errorf("ctypack: cannot decode a %s", ty.FriendlyName())
}
