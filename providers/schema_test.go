package providers_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

func TestImpliedType(t *testing.T) {
	t.Parallel()
	rule := map[string]*providers.Attribute{
		"from_port": {Type: cty.Number, Required: true},
		"cidrs":     {Type: cty.Set(cty.String), Optional: true},
	}
	ruleObj := cty.Object(map[string]cty.Type{"from_port": cty.Number, "cidrs": cty.Set(cty.String)})
	tests := []struct {
		name  string
		attrs map[string]*providers.Attribute
		want  cty.Type
	}{
		{name: "no attributes", attrs: nil, want: cty.EmptyObject},
		{
			name: "flags do not change the type",
			attrs: map[string]*providers.Attribute{
				"name":   {Type: cty.String, Required: true},
				"arn":    {Type: cty.String, Computed: true},
				"secret": {Type: cty.String, Optional: true, Sensitive: true},
				"force":  {Type: cty.Bool, Optional: true, TerraformOnly: true},
				"tags":   {Type: cty.Map(cty.String), Optional: true, Computed: true, ForceNew: true},
			},
			want: cty.Object(map[string]cty.Type{
				"name": cty.String, "arn": cty.String, "secret": cty.String,
				"force": cty.Bool, "tags": cty.Map(cty.String),
			}),
		},
		{
			name: "set of blocks",
			attrs: map[string]*providers.Attribute{
				"ingress": {Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingSet, Attributes: rule}},
			},
			want: cty.Object(map[string]cty.Type{"ingress": cty.Set(ruleObj)}),
		},
		{
			name: "list of blocks",
			attrs: map[string]*providers.Attribute{
				"rule": {Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingList, MaxItems: 1, Attributes: rule}},
			},
			want: cty.Object(map[string]cty.Type{"rule": cty.List(ruleObj)}),
		},
		{
			name: "Nested wins over Type",
			attrs: map[string]*providers.Attribute{
				"rule": {Type: cty.String, Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingSet, Attributes: rule}},
			},
			want: cty.Object(map[string]cty.Type{"rule": cty.Set(ruleObj)}),
		},
		{
			name: "blocks in blocks",
			attrs: map[string]*providers.Attribute{
				"outer": {Optional: true, Nested: &providers.NestedBlock{
					Nesting: providers.NestingList,
					Attributes: map[string]*providers.Attribute{
						"inner": {Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingSet, Attributes: rule}},
					},
				}},
			},
			want: cty.Object(map[string]cty.Type{
				"outer": cty.List(cty.Object(map[string]cty.Type{"inner": cty.Set(ruleObj)})),
			}),
		},
		{
			name: "nested block without attributes",
			attrs: map[string]*providers.Attribute{
				"marker": {Optional: true, Nested: &providers.NestedBlock{Nesting: providers.NestingList}},
			},
			want: cty.Object(map[string]cty.Type{"marker": cty.List(cty.EmptyObject)}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := providers.ImpliedType(tt.attrs)
			if !got.Equals(tt.want) {
				t.Errorf("ImpliedType() = %#v, want %#v", got, tt.want)
			}
			// A schema of the same attributes has the same type.
			s := &providers.Schema{Type: "cloud_test", Attributes: tt.attrs}
			if st := s.ImpliedType(); !st.Equals(tt.want) {
				t.Errorf("Schema.ImpliedType() = %#v, want %#v", st, tt.want)
			}
		})
	}
}

func TestAttributeImpliedType(t *testing.T) {
	t.Parallel()
	obj := map[string]*providers.Attribute{"port": {Type: cty.Number, Required: true}}
	tests := []struct {
		name string
		attr *providers.Attribute
		want cty.Type
	}{
		{name: "plain", attr: &providers.Attribute{Type: cty.List(cty.String)}, want: cty.List(cty.String)},
		{name: "dynamic", attr: &providers.Attribute{Type: cty.DynamicPseudoType}, want: cty.DynamicPseudoType},
		{
			name: "set block",
			attr: &providers.Attribute{Nested: &providers.NestedBlock{Nesting: providers.NestingSet, Attributes: obj}},
			want: cty.Set(cty.Object(map[string]cty.Type{"port": cty.Number})),
		},
		{
			name: "list block",
			attr: &providers.Attribute{Nested: &providers.NestedBlock{Nesting: providers.NestingList, Attributes: obj}},
			want: cty.List(cty.Object(map[string]cty.Type{"port": cty.Number})),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.attr.ImpliedType(); !got.Equals(tt.want) {
				t.Errorf("ImpliedType() = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// A value decoded from configuration conforms to the schema's implied type
// once the computed-only attributes, which configuration cannot set, are
// added as null.
func TestDecoderSpecConformsToImpliedType(t *testing.T) {
	t.Parallel()
	s := &providers.Schema{Type: "cloud_group", Attributes: map[string]*providers.Attribute{
		"name": {Type: cty.String, Required: true},
		"id":   {Type: cty.String, Computed: true},
		"rule": {Optional: true, Nested: &providers.NestedBlock{
			Nesting: providers.NestingSet,
			Attributes: map[string]*providers.Attribute{
				"port": {Type: cty.Number, Required: true},
				"arn":  {Type: cty.String, Computed: true},
			},
		}},
	}}
	got, diags := decode(t, s.DecoderSpec(), "name = \"web\"\nrule {\n port = 80\n}")
	if diags.HasErrors() {
		t.Fatalf("decoding: %s", diags)
	}
	want := cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("web"),
		"rule": cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(80)})}),
	})
	if !got.RawEquals(want) {
		t.Fatalf("decoded %#v, want %#v", got, want)
	}

	full := cty.ObjectVal(map[string]cty.Value{
		"name": got.GetAttr("name"),
		"id":   cty.NullVal(cty.String),
		"rule": cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"port": cty.NumberIntVal(80),
			"arn":  cty.NullVal(cty.String),
		})}),
	})
	if !full.Type().Equals(s.ImpliedType()) {
		t.Errorf("decoded value with computed attributes has type %#v, want ImpliedType %#v", full.Type(), s.ImpliedType())
	}
}

func TestDecoderSpecNestingLimits(t *testing.T) {
	t.Parallel()
	block := func(n providers.Nesting) *providers.Schema {
		return &providers.Schema{Attributes: map[string]*providers.Attribute{
			"b": {Optional: true, Nested: &providers.NestedBlock{
				Nesting: n, MinItems: 1, MaxItems: 2,
				Attributes: map[string]*providers.Attribute{"v": {Type: cty.String, Optional: true}},
			}},
		}}
	}
	tests := []struct {
		name    string
		nesting providers.Nesting
		src     string
		wantErr string // "" for none
	}{
		{name: "list below MinItems", nesting: providers.NestingList, src: ``, wantErr: "Insufficient b blocks"},
		{name: "list within limits", nesting: providers.NestingList, src: "b {\n}"},
		{name: "list above MaxItems", nesting: providers.NestingList, src: "b {\n}\nb {\n}\nb {\n}", wantErr: "Too many b blocks"},
		{name: "set below MinItems", nesting: providers.NestingSet, src: ``, wantErr: "Insufficient b blocks"},
		{name: "set within limits", nesting: providers.NestingSet, src: "b {\n v = \"x\"\n}\nb {\n v = \"y\"\n}"},
		{name: "set above MaxItems", nesting: providers.NestingSet, src: "b {\n}\nb {\n}\nb {\n}", wantErr: "Too many b blocks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, diags := decode(t, block(tt.nesting).DecoderSpec(), tt.src)
			if tt.wantErr != "" {
				if !hasSummary(diags, tt.wantErr) {
					t.Errorf("diagnostics %v, want %q", diags, tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("decoding: %s", diags)
			}
			b := got.GetAttr("b")
			wantSet := tt.nesting == providers.NestingSet
			if b.Type().IsSetType() != wantSet || b.Type().IsListType() == wantSet {
				t.Errorf("b decoded as %#v, want a set: %v", b.Type(), wantSet)
			}
		})
	}
}

func TestNormalizerFunc(t *testing.T) {
	t.Parallel()
	// "all" and "-1" are the same security group rule protocol.
	var n providers.Normalizer = providers.NormalizerFunc(func(v cty.Value) (cty.Value, error) {
		if v.AsString() == "all" {
			return cty.StringVal("-1"), nil
		}
		if v.AsString() == "" {
			return cty.NilVal, errors.New("empty protocol")
		}
		return v, nil
	})
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "all", want: "-1"},
		{in: "tcp", want: "tcp"},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := n.Normalize(cty.StringVal(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Normalize(%q) error = %v, want error: %v", tt.in, err, tt.wantErr)
			}
			if !tt.wantErr && !got.RawEquals(cty.StringVal(tt.want)) {
				t.Errorf("Normalize(%q) = %#v, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestComparerFunc(t *testing.T) {
	t.Parallel()
	var gotWant, gotGot cty.Value
	var c providers.Comparer = providers.ComparerFunc(func(want, got cty.Value) (bool, error) {
		gotWant, gotGot = want, got
		return want.AsString() == "a" && got.AsString() == "b", nil
	})
	tests := []struct {
		want, got string
		equal     bool
	}{
		{want: "a", got: "b", equal: true},
		// Arguments keep their order: the comparer is not symmetric.
		{want: "b", got: "a", equal: false},
	}
	for _, tt := range tests {
		eq, err := c.Equivalent(cty.StringVal(tt.want), cty.StringVal(tt.got))
		if err != nil || eq != tt.equal {
			t.Errorf("Equivalent(%q, %q) = %v, %v; want %v, nil", tt.want, tt.got, eq, err, tt.equal)
		}
		if gotWant.AsString() != tt.want || gotGot.AsString() != tt.got {
			t.Errorf("Equivalent(%q, %q) passed (%q, %q)", tt.want, tt.got, gotWant.AsString(), gotGot.AsString())
		}
	}
}

func TestReadError(t *testing.T) {
	t.Parallel()
	cause := fs.ErrPermission
	tests := []struct {
		name    string
		err     *providers.ReadError
		wantMsg string
	}{
		{
			name:    "all fields",
			err:     &providers.ReadError{Type: "aws_vpc", Region: "eu-west-3", Operation: "ec2:DescribeVpcs", Err: cause},
			wantMsg: "reading aws_vpc in eu-west-3 (ec2:DescribeVpcs): permission denied",
		},
		{
			name:    "global type without region",
			err:     &providers.ReadError{Type: "aws_iam_role", Operation: "iam:ListRoles", Err: cause},
			wantMsg: "reading aws_iam_role in  (iam:ListRoles): permission denied",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.wantMsg {
				t.Errorf("Error() = %q, want %q", got, tt.wantMsg)
			}
			if got := tt.err.Unwrap(); got != cause {
				t.Errorf("Unwrap() = %v, want %v", got, cause)
			}
			// Callers find both the cause and the ReadError through wrapping.
			wrapped := fmt.Errorf("scanning stack: %w", tt.err)
			if !errors.Is(wrapped, cause) {
				t.Errorf("errors.Is(%v, %v) = false", wrapped, cause)
			}
			var re *providers.ReadError
			if !errors.As(wrapped, &re) || re != tt.err {
				t.Errorf("errors.As(%v) = %v, want %v", wrapped, re, tt.err)
			}
		})
	}
}

func TestReadErrorNilCause(t *testing.T) {
	t.Parallel()
	err := &providers.ReadError{Type: "aws_s3_bucket", Region: "us-east-1", Operation: "s3:ListBuckets"}
	if err.Unwrap() != nil {
		t.Errorf("Unwrap() = %v, want nil", err.Unwrap())
	}
	if want := "reading aws_s3_bucket in us-east-1 (s3:ListBuckets): <nil>"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}
