package providers_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// fakeFactory is a hand-written providers.Factory: a name and a fixed schema.
// SchemaCalled counts the calls to Schema.
type fakeFactory struct {
	name         string
	schema       *providers.ProviderSchema
	SchemaCalled atomic.Int64
}

func (f *fakeFactory) Name() string { return f.name }

func (f *fakeFactory) Schema() *providers.ProviderSchema {
	f.SchemaCalled.Add(1)
	return f.schema
}

var errFakeNew = errors.New("fake factory makes no providers")

func (f *fakeFactory) New(context.Context, providers.Config) (providers.Configured, error) {
	return nil, errFakeNew
}

// cloudFactory is a provider with a provider block, two resource types and a
// data source; the security group has a set of blocks that may also be
// written as an attribute.
func cloudFactory() *fakeFactory {
	return &fakeFactory{
		name: "cloud",
		schema: &providers.ProviderSchema{
			Provider: &providers.Schema{Attributes: map[string]*providers.Attribute{
				"region": {Type: cty.String, Required: true},
			}},
			Resources: map[string]*providers.Schema{
				"cloud_bucket": {Type: "cloud_bucket", Attributes: map[string]*providers.Attribute{
					"bucket": {Type: cty.String, Required: true},
					"arn":    {Type: cty.String, Computed: true},
				}},
				"cloud_security_group": {Type: "cloud_security_group", Attributes: map[string]*providers.Attribute{
					"name": {Type: cty.String, Optional: true, Computed: true},
					"ingress": {Optional: true, Computed: true, Nested: &providers.NestedBlock{
						Nesting:         providers.NestingSet,
						AttributeSyntax: true,
						Attributes: map[string]*providers.Attribute{
							"from_port": {Type: cty.Number, Required: true},
						},
					}},
					// Block syntax only.
					"timeouts": {Optional: true, TerraformOnly: true, Nested: &providers.NestedBlock{
						Nesting:  providers.NestingList,
						MaxItems: 1,
						Attributes: map[string]*providers.Attribute{
							"create": {Type: cty.String, Optional: true},
						},
					}},
					// Attribute syntax, but computed only: nothing to write.
					"egress": {Computed: true, Nested: &providers.NestedBlock{
						Nesting:         providers.NestingSet,
						AttributeSyntax: true,
						Attributes: map[string]*providers.Attribute{
							"to_port": {Type: cty.Number, Computed: true},
						},
					}},
				}},
			},
			DataSources: map[string]*providers.Schema{
				"cloud_caller_identity": {Type: "cloud_caller_identity", Attributes: map[string]*providers.Attribute{
					"account_id": {Type: cty.String, Computed: true},
					"filter":     {Type: cty.String, Optional: true},
				}},
			},
		},
	}
}

// otherFactory has no provider block schema and one resource type.
func otherFactory() *fakeFactory {
	return &fakeFactory{
		name: "other",
		schema: &providers.ProviderSchema{
			Resources: map[string]*providers.Schema{
				"other_thing": {Type: "other_thing", Attributes: map[string]*providers.Attribute{
					"id": {Type: cty.String, Computed: true},
				}},
			},
		},
	}
}

// decode parses src as an HCL body and decodes it with spec.
func decode(t *testing.T, spec hcldec.Spec, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), "test.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parsing %q: %s", src, diags)
	}
	return hcldec.Decode(f.Body, spec, nil)
}

func TestRegistryFactory(t *testing.T) {
	t.Parallel()
	cloud, other := cloudFactory(), otherFactory()
	r := providers.NewRegistry(other, cloud)
	tests := []struct {
		name   string
		lookup string
		want   providers.Factory
		wantOK bool
	}{
		{name: "first registered", lookup: "cloud", want: cloud, wantOK: true},
		{name: "second registered", lookup: "other", want: other, wantOK: true},
		{name: "unknown", lookup: "azure"},
		{name: "empty name", lookup: ""},
		{name: "names are case sensitive", lookup: "Cloud"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := r.Factory(tt.lookup)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("Factory(%q) = %v, %v; want %v, %v", tt.lookup, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRegistryNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		factories []providers.Factory
		want      []string
	}{
		{name: "none", want: []string{}},
		{name: "one", factories: []providers.Factory{cloudFactory()}, want: []string{"cloud"}},
		{name: "sorted whatever the order given", factories: []providers.Factory{
			otherFactory(), &fakeFactory{name: "aws"}, cloudFactory(),
		}, want: []string{"aws", "cloud", "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := providers.NewRegistry(tt.factories...).Names()
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("Names() = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestRegistrySchemaLookups(t *testing.T) {
	t.Parallel()
	r := providers.NewRegistry(cloudFactory(), otherFactory())
	tests := []struct {
		name string
		// lookup is ResourceSchema or DataSchema.
		lookup   func(string) (*providers.Schema, bool)
		typ      string
		wantType string // "" when not found
	}{
		{name: "resource of the first provider", lookup: r.ResourceSchema, typ: "cloud_bucket", wantType: "cloud_bucket"},
		{name: "resource of the second provider", lookup: r.ResourceSchema, typ: "other_thing", wantType: "other_thing"},
		{name: "unknown resource", lookup: r.ResourceSchema, typ: "cloud_nothing"},
		{name: "data source is not a resource", lookup: r.ResourceSchema, typ: "cloud_caller_identity"},
		{name: "data source", lookup: r.DataSchema, typ: "cloud_caller_identity", wantType: "cloud_caller_identity"},
		{name: "resource is not a data source", lookup: r.DataSchema, typ: "cloud_bucket"},
		{name: "unknown data source", lookup: r.DataSchema, typ: "other_nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ok := tt.lookup(tt.typ)
			if tt.wantType == "" {
				if ok || s != nil {
					t.Fatalf("lookup(%q) = %v, %v; want nil, false", tt.typ, s, ok)
				}
				return
			}
			if !ok || s == nil {
				t.Fatalf("lookup(%q) = %v, %v; want a schema", tt.typ, s, ok)
			}
			if s.Type != tt.wantType {
				t.Errorf("lookup(%q).Type = %q, want %q", tt.typ, s.Type, tt.wantType)
			}
		})
	}
}

func TestRegistrySpecs(t *testing.T) {
	t.Parallel()
	r := providers.NewRegistry(cloudFactory(), otherFactory())
	tests := []struct {
		name string
		// spec is ProviderSpec, ResourceSpec or DataSpec.
		spec    func(string) (hcldec.Spec, bool)
		arg     string
		wantOK  bool
		src     string
		want    cty.Value // when the body decodes
		wantErr string    // a diagnostic summary, when it does not
	}{
		{
			name: "provider block", spec: r.ProviderSpec, arg: "cloud", wantOK: true,
			src:  `region = "eu-west-3"`,
			want: cty.ObjectVal(map[string]cty.Value{"region": cty.StringVal("eu-west-3")}),
		},
		{
			name: "provider block missing a required attribute", spec: r.ProviderSpec, arg: "cloud", wantOK: true,
			src: ``, wantErr: "Missing required argument",
		},
		{name: "provider without a provider block schema", spec: r.ProviderSpec, arg: "other"},
		{name: "unknown provider", spec: r.ProviderSpec, arg: "nope"},
		{name: "provider spec is looked up by provider name, not type", spec: r.ProviderSpec, arg: "cloud_bucket"},
		{
			name: "resource leaves out computed-only attributes", spec: r.ResourceSpec, arg: "cloud_bucket", wantOK: true,
			src:  `bucket = "logs"`,
			want: cty.ObjectVal(map[string]cty.Value{"bucket": cty.StringVal("logs")}),
		},
		{
			name: "resource rejects a computed-only attribute", spec: r.ResourceSpec, arg: "cloud_bucket", wantOK: true,
			src: "bucket = \"logs\"\narn = \"arn:x\"", wantErr: "Unsupported argument",
		},
		{
			name: "resource with nested blocks", spec: r.ResourceSpec, arg: "cloud_security_group", wantOK: true,
			src: "ingress {\n from_port = 22\n}\ningress {\n from_port = 443\n}\ntimeouts {\n create = \"5m\"\n}",
			want: cty.ObjectVal(map[string]cty.Value{
				"name": cty.NullVal(cty.String),
				"ingress": cty.SetVal([]cty.Value{
					cty.ObjectVal(map[string]cty.Value{"from_port": cty.NumberIntVal(22)}),
					cty.ObjectVal(map[string]cty.Value{"from_port": cty.NumberIntVal(443)}),
				}),
				"timeouts": cty.ListVal([]cty.Value{
					cty.ObjectVal(map[string]cty.Value{"create": cty.StringVal("5m")}),
				}),
			}),
		},
		{
			name: "resource spec keeps MaxItems", spec: r.ResourceSpec, arg: "cloud_security_group", wantOK: true,
			src: "timeouts {\n}\ntimeouts {\n}", wantErr: "Too many timeouts blocks",
		},
		{name: "unknown resource", spec: r.ResourceSpec, arg: "cloud_nothing"},
		{name: "data source is not a resource", spec: r.ResourceSpec, arg: "cloud_caller_identity"},
		{
			name: "data source", spec: r.DataSpec, arg: "cloud_caller_identity", wantOK: true,
			src:  `filter = "me"`,
			want: cty.ObjectVal(map[string]cty.Value{"filter": cty.StringVal("me")}),
		},
		{name: "resource is not a data source", spec: r.DataSpec, arg: "cloud_bucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec, ok := tt.spec(tt.arg)
			if ok != tt.wantOK {
				t.Fatalf("spec(%q) ok = %v, want %v", tt.arg, ok, tt.wantOK)
			}
			if !ok {
				if spec != nil {
					t.Errorf("spec(%q) = %#v with ok false, want nil", tt.arg, spec)
				}
				return
			}
			got, diags := decode(t, spec, tt.src)
			if tt.wantErr != "" {
				if !hasSummary(diags, tt.wantErr) {
					t.Errorf("decoding %q: diagnostics %v, want %q", tt.src, diags, tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("decoding %q: %s", tt.src, diags)
			}
			if !got.RawEquals(tt.want) {
				t.Errorf("decoding %q = %#v, want %#v", tt.src, got, tt.want)
			}
		})
	}
}

func hasSummary(diags hcl.Diagnostics, summary string) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary == summary {
			return true
		}
	}
	return false
}

func TestRegistryAttributeBlocks(t *testing.T) {
	t.Parallel()
	r := providers.NewRegistry(cloudFactory(), otherFactory())
	ingress := cty.Set(cty.Object(map[string]cty.Type{"from_port": cty.Number}))
	tests := []struct {
		name string
		typ  string
		want map[string]cty.Type
	}{
		{
			// timeouts is block syntax only, egress is computed only.
			name: "only writable blocks with attribute syntax",
			typ:  "cloud_security_group",
			want: map[string]cty.Type{"ingress": ingress},
		},
		{name: "type without nested blocks", typ: "cloud_bucket"},
		{name: "unknown type", typ: "cloud_nothing"},
		{name: "data sources are not resources", typ: "cloud_caller_identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := r.AttributeBlocks(tt.typ)
			if len(got) != len(tt.want) {
				t.Fatalf("AttributeBlocks(%q) = %v, want %v", tt.typ, got, tt.want)
			}
			for name, typ := range tt.want {
				if g, ok := got[name]; !ok || !g.Equals(typ) {
					t.Errorf("AttributeBlocks(%q)[%q] = %#v, want %#v", tt.typ, name, g, typ)
				}
			}
		})
	}
}

// The registry derives a resource type's specs once and serves every later
// call, from any goroutine, from that.
func TestRegistryDerivesOnceConcurrently(t *testing.T) {
	t.Parallel()
	cloud := cloudFactory()
	r := providers.NewRegistry(cloud)
	if _, ok := r.ResourceSpec("cloud_security_group"); !ok {
		t.Fatal("ResourceSpec(cloud_security_group) not found")
	}
	before := cloud.SchemaCalled.Load()

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, ok := r.ResourceSpec("cloud_security_group"); !ok {
				t.Error("ResourceSpec(cloud_security_group) not found")
			}
			if got := r.AttributeBlocks("cloud_security_group"); len(got) != 1 {
				t.Errorf("AttributeBlocks(cloud_security_group) = %v, want one", got)
			}
		})
	}
	wg.Wait()
	if after := cloud.SchemaCalled.Load(); after != before {
		t.Errorf("Schema called %d more times after the first ResourceSpec, want 0", after-before)
	}
}
