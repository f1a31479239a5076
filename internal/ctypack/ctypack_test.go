package ctypack

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

func TestRoundTrip(t *testing.T) {
	rule := cty.Object(map[string]cty.Type{"from_port": cty.Number, "cidr_blocks": cty.List(cty.String), "self": cty.Bool})
	ty := cty.Object(map[string]cty.Type{
		"id":      cty.String,
		"count":   cty.Number,
		"tags":    cty.Map(cty.String),
		"ingress": cty.Set(rule),
		"empty":   cty.List(cty.String),
		"nothing": cty.Map(cty.Number),
		"tuple":   cty.Tuple([]cty.Type{cty.String, cty.Number}),
		"null":    cty.String,
		"nested":  cty.List(cty.Object(map[string]cty.Type{"status": cty.String})),
	})
	big, err := cty.ParseNumberVal("123456789012345678901234567890.5")
	if err != nil {
		t.Fatal(err)
	}
	values := []struct {
		name string
		v    cty.Value
		ty   cty.Type
	}{
		{"string", cty.StringVal("vpc-1"), cty.String},
		{"empty string", cty.StringVal(""), cty.String},
		{"int", cty.NumberIntVal(-42), cty.Number},
		{"float", cty.NumberFloatVal(0.25), cty.Number},
		{"big", big, cty.Number},
		{"bool", cty.False, cty.Bool},
		{"null", cty.NullVal(ty), ty},
		{"object", cty.ObjectVal(map[string]cty.Value{
			"id":    cty.StringVal("sg-1"),
			"count": cty.NumberIntVal(3),
			"tags":  cty.MapVal(map[string]cty.Value{"Env": cty.StringVal("prod"), "Team": cty.StringVal("x")}),
			"ingress": cty.SetVal([]cty.Value{
				cty.ObjectVal(map[string]cty.Value{"from_port": cty.NumberIntVal(443), "cidr_blocks": cty.ListVal([]cty.Value{cty.StringVal("0.0.0.0/0")}), "self": cty.False}),
				cty.ObjectVal(map[string]cty.Value{"from_port": cty.NumberIntVal(22), "cidr_blocks": cty.ListValEmpty(cty.String), "self": cty.NullVal(cty.Bool)}),
			}),
			"empty":   cty.ListValEmpty(cty.String),
			"nothing": cty.MapValEmpty(cty.Number),
			"tuple":   cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1)}),
			"null":    cty.NullVal(cty.String),
			"nested":  cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"status": cty.StringVal("Enabled")})}),
		}), ty},
	}
	for _, tt := range values {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Marshal(tt.v, tt.ty)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Unmarshal(b, tt.ty)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(tt.v) {
				t.Errorf("round trip = %#v, want %#v", got, tt.v)
			}
			if !got.Type().Equals(tt.ty) {
				t.Errorf("type = %#v, want %#v", got.Type(), tt.ty)
			}
			if tt.name == "object" {
				mp, err := ctymsgpack.Marshal(tt.v, tt.ty)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) >= len(mp) {
					t.Errorf("%d bytes, MessagePack takes %d: no smaller", len(b), len(mp))
				}
			}
		})
	}
}

func TestRefuses(t *testing.T) {
	for name, v := range map[string]cty.Value{
		"unknown": cty.UnknownVal(cty.String),
		"marked":  cty.StringVal("x").Mark("sensitive"),
		"other":   cty.NumberIntVal(1),
	} {
		if _, err := Marshal(v, cty.String); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Unmarshal([]byte{1, 5, 'a'}, cty.String); err == nil {
		t.Error("a truncated string decodes")
	}
	if _, err := Unmarshal([]byte{1, 1, 'a', 'b'}, cty.String); err == nil {
		t.Error("trailing bytes are accepted")
	}
}

// Types gives back its one copy of each type.
func TestTypes(t *testing.T) {
	var types Types
	a := cty.Object(map[string]cty.Type{"id": cty.String})
	b := cty.Object(map[string]cty.Type{"id": cty.String})
	types.Shared(a)
	if got := types.Shared(b); !got.Equals(a) || len(types.types) != 1 {
		t.Errorf("an equal type is not shared: %d kept", len(types.types))
	}
	if got := types.Shared(cty.String); !got.Equals(cty.String) || len(types.types) != 2 {
		t.Errorf("another type: %d kept, want 2", len(types.types))
	}
}
