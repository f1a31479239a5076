package config

import (
	"context"
	"sync"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// fakeSchemas is a SchemaSource built directly from hcldec specs.
type fakeSchemas struct {
	providers, resources, data map[string]hcldec.Spec
}

func (f fakeSchemas) ProviderSpec(name string) (hcldec.Spec, bool) {
	s, ok := f.providers[name]
	return s, ok
}

func (f fakeSchemas) ResourceSpec(typ string) (hcldec.Spec, bool) {
	s, ok := f.resources[typ]
	return s, ok
}

func (f fakeSchemas) DataSpec(typ string) (hcldec.Spec, bool) {
	s, ok := f.data[typ]
	return s, ok
}

func attr(name string, ty cty.Type) *hcldec.AttrSpec {
	return &hcldec.AttrSpec{Name: name, Type: ty}
}

func testSchemas() fakeSchemas {
	tags := attr("tags", cty.Map(cty.String))
	return fakeSchemas{
		providers: map[string]hcldec.Spec{
			"aws": hcldec.ObjectSpec{
				"region": attr("region", cty.String),
				"default_tags": &hcldec.BlockListSpec{TypeName: "default_tags", MaxItems: 1, Nested: hcldec.ObjectSpec{
					"tags": attr("tags", cty.Map(cty.String)),
				}},
			},
		},
		resources: map[string]hcldec.Spec{
			"aws_vpc": hcldec.ObjectSpec{
				"cidr_block":         &hcldec.AttrSpec{Name: "cidr_block", Type: cty.String, Required: true},
				"enable_dns_support": attr("enable_dns_support", cty.Bool),
				"tags":               tags,
			},
			"aws_subnet": hcldec.ObjectSpec{
				"vpc_id":            &hcldec.AttrSpec{Name: "vpc_id", Type: cty.String, Required: true},
				"cidr_block":        attr("cidr_block", cty.String),
				"availability_zone": attr("availability_zone", cty.String),
				"tags":              tags,
			},
			"aws_instance": hcldec.ObjectSpec{
				"ami":           attr("ami", cty.String),
				"instance_type": attr("instance_type", cty.String),
				"subnet_id":     attr("subnet_id", cty.String),
				"tags":          tags,
			},
			"aws_security_group": hcldec.ObjectSpec{
				"name":   attr("name", cty.String),
				"vpc_id": attr("vpc_id", cty.String),
				"ingress": &hcldec.BlockSetSpec{TypeName: "ingress", Nested: hcldec.ObjectSpec{
					"from_port":   attr("from_port", cty.Number),
					"to_port":     attr("to_port", cty.Number),
					"protocol":    attr("protocol", cty.String),
					"cidr_blocks": attr("cidr_blocks", cty.List(cty.String)),
				}},
				"tags": tags,
			},
			"aws_s3_bucket": hcldec.ObjectSpec{
				"bucket": attr("bucket", cty.String),
				"tags":   tags,
			},
			"aws_s3_bucket_versioning": hcldec.ObjectSpec{
				"bucket": attr("bucket", cty.String),
				"versioning_configuration": &hcldec.BlockListSpec{TypeName: "versioning_configuration", MaxItems: 1, Nested: hcldec.ObjectSpec{
					"status": attr("status", cty.String),
				}},
			},
		},
		data: map[string]hcldec.Spec{
			"aws_caller_identity": hcldec.ObjectSpec{},
			"aws_region":          hcldec.ObjectSpec{"name": attr("name", cty.String)},
		},
	}
}

// fakeResolver calls ResolveFn and records the addresses in call order.
type fakeResolver struct {
	mu        sync.Mutex
	ResolveFn func(r *Resource) cty.Value
	Called    []string
}

func (f *fakeResolver) Resolve(_ context.Context, r *Resource) cty.Value {
	f.mu.Lock()
	f.Called = append(f.Called, r.Address)
	f.mu.Unlock()
	return f.ResolveFn(r)
}

// withID adds id = "id:ADDRESS" to the configuration, as a provider that
// knows the live resource would.
func withID(r *Resource) cty.Value {
	if !r.Config.Type().IsObjectType() {
		// A type without a schema: nothing is known of it.
		return cty.DynamicVal
	}
	attrs := map[string]cty.Value{}
	if r.Config.IsKnown() && !r.Config.IsNull() {
		attrs = r.Config.AsValueMap()
	} else {
		for name, ty := range r.Config.Type().AttributeTypes() {
			attrs[name] = cty.UnknownVal(ty)
		}
	}
	attrs["id"] = cty.StringVal("id:" + r.Address)
	return cty.ObjectVal(attrs)
}

// fakeData answers ReadData with ReadDataFn.
type fakeData struct {
	ReadDataFn func(provider ProviderRef, typ string, config cty.Value) (cty.Value, error)
	Called     []string
}

func (f *fakeData) ReadData(_ context.Context, provider ProviderRef, typ string, config cty.Value) (cty.Value, error) {
	f.Called = append(f.Called, provider.String()+":"+typ)
	return f.ReadDataFn(provider, typ, config)
}

func accountData() *fakeData {
	return &fakeData{ReadDataFn: func(_ ProviderRef, typ string, _ cty.Value) (cty.Value, error) {
		return cty.ObjectVal(map[string]cty.Value{"account_id": cty.StringVal("123456789012")}), nil
	}}
}
