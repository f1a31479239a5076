package providers

import (
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Registry holds the provider factories of one scan. It is built explicitly
// (no init-time registration) so tests can use their own.
type Registry struct {
	factories map[string]Factory
	// derived caches what evaluation asks of a resource type for every
	// instance (its decoder spec, its attribute-syntax blocks).
	derived sync.Map // type -> *derivedSpecs
}

type derivedSpecs struct {
	spec       hcldec.Spec
	attrBlocks map[string]cty.Type
}

// ProviderFunctions returns the functions a provider type defines (nil for
// none, or an unknown type).
func (r *Registry) ProviderFunctions(name string) map[string]function.Function {
	f, ok := r.factories[name]
	if !ok {
		return nil
	}
	return f.Schema().Functions
}

// derivedOf returns the cached specs of a resource type, made on first use.
func (r *Registry) derivedOf(typ string) (*derivedSpecs, bool) {
	if d, ok := r.derived.Load(typ); ok {
		return d.(*derivedSpecs), true
	}
	s, ok := r.ResourceSchema(typ)
	if !ok {
		return nil, false
	}
	d := &derivedSpecs{spec: s.DecoderSpec()}
	for name, a := range s.Attributes {
		if a.Nested != nil && a.Nested.AttributeSyntax && (a.Optional || a.Required) {
			if d.attrBlocks == nil {
				d.attrBlocks = map[string]cty.Type{}
			}
			d.attrBlocks[name] = a.ImpliedType()
		}
	}
	v, _ := r.derived.LoadOrStore(typ, d)
	return v.(*derivedSpecs), true
}

// NewRegistry returns a registry of the given factories.
func NewRegistry(fs ...Factory) *Registry {
	r := &Registry{factories: make(map[string]Factory, len(fs))}
	for _, f := range fs {
		r.factories[f.Name()] = f
	}
	return r
}

// Factory returns the factory of a provider by local name.
func (r *Registry) Factory(name string) (Factory, bool) {
	f, ok := r.factories[name]
	return f, ok
}

// Names lists the registered providers, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.factories))
	for n := range r.factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ResourceSchema finds the schema of a resource type in any provider.
func (r *Registry) ResourceSchema(typ string) (*Schema, bool) {
	for _, f := range r.factories {
		if s, ok := f.Schema().Resources[typ]; ok {
			return s, true
		}
	}
	return nil, false
}

// DataSchema finds the schema of a data source type in any provider.
func (r *Registry) DataSchema(typ string) (*Schema, bool) {
	for _, f := range r.factories {
		if s, ok := f.Schema().DataSources[typ]; ok {
			return s, true
		}
	}
	return nil, false
}

// ProviderSpec is the decoder spec of a provider block (spec.SchemaSource).
func (r *Registry) ProviderSpec(name string) (hcldec.Spec, bool) {
	f, ok := r.factories[name]
	if !ok || f.Schema().Provider == nil {
		return nil, false
	}
	return f.Schema().Provider.DecoderSpec(), true
}

// ResourceSpec is the decoder spec of a resource type (spec.SchemaSource).
func (r *Registry) ResourceSpec(typ string) (hcldec.Spec, bool) {
	d, ok := r.derivedOf(typ)
	if !ok {
		return nil, false
	}
	return d.spec, true
}

// AttributeBlocks lists the nested blocks of a resource type that may also
// be written as an attribute, with that attribute's type
// (spec.AttributeBlocksSource).
func (r *Registry) AttributeBlocks(typ string) map[string]cty.Type {
	d, ok := r.derivedOf(typ)
	if !ok {
		return nil
	}
	return d.attrBlocks
}

// DataSpec is the decoder spec of a data source type (spec.SchemaSource).
func (r *Registry) DataSpec(typ string) (hcldec.Spec, bool) {
	s, ok := r.DataSchema(typ)
	if !ok {
		return nil, false
	}
	return s.DecoderSpec(), true
}
