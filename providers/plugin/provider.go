package plugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// Factory makes providers.Configured providers of one provider binary,
// whose processes run in a Pool: the factory of a provider driftctl has no
// native reader for, or of the types a native provider lacks.
type Factory struct {
	name   string
	pool   *Pool
	path   string
	schema *ProviderSchema
	// converted is schema as driftctl's providers package has it.
	converted *providers.ProviderSchema
}

// NewFactory returns the factory of the provider type name ("aws") whose
// binary is path, with its schema (Pool.Schema). Its types are all
// ByInstance: a plugin lists nothing.
func NewFactory(name string, pool *Pool, path string, schema *ProviderSchema) *Factory {
	ps := &providers.ProviderSchema{
		Provider:    schema.Provider.ProvidersSchema(name),
		Resources:   make(map[string]*providers.Schema, len(schema.ResourceTypes)),
		DataSources: make(map[string]*providers.Schema, len(schema.DataSources)),
	}
	for typ, s := range schema.ResourceTypes {
		c := s.ProvidersSchema(typ)
		c.ByInstance = true
		ps.Resources[typ] = c
	}
	for typ, s := range schema.DataSources {
		ps.DataSources[typ] = s.ProvidersSchema(typ)
	}
	return &Factory{name: name, pool: pool, path: path, schema: schema, converted: ps}
}

// Name is the provider's type.
func (f *Factory) Name() string { return f.name }

// Path is the provider's binary.
func (f *Factory) Path() string { return f.path }

// Schema is the provider's schema, every resource type ByInstance.
func (f *Factory) Schema() *providers.ProviderSchema { return f.converted }

// New declares a configuration of the provider in the pool; its process
// starts on its first call. cfg.Attrs is conformed to the provider's
// configuration type (Conform), so that a block decoded with another
// schema of the same provider (driftctl's native one) configures it.
func (f *Factory) New(_ context.Context, cfg providers.Config) (providers.Configured, error) {
	key := cfg.Ref
	if key == "" {
		key = cfg.Name
		if cfg.Alias != "" {
			key += "." + cfg.Alias
		}
	}
	attrs := Conform(cfg.Attrs, f.schema.Provider.ImpliedType())
	if err := f.pool.Add(key, f.path, attrs); err != nil {
		return nil, err
	}
	region := ""
	if r := attrs.GetAttr; attrs.Type().IsObjectType() && attrs.Type().HasAttribute("region") && !attrs.IsNull() {
		if v := r("region"); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			region = v.AsString()
		}
	}
	return &Provider{f: f, key: key, region: region}, nil
}

// Provider is one provider configuration served by a plugin process. It
// implements providers.Configured and providers.InstanceReader.
type Provider struct {
	f      *Factory
	key    string
	region string
}

var _ providers.InstanceReader = (*Provider)(nil)

// Key names the configuration ("aws.west") in errors and metrics.
func (p *Provider) Key() string { return p.key }

// Region is the provider block's region argument, "" when it has none.
func (p *Provider) Region() string { return p.region }

// DefaultTags is nil: the provider merges its default tags itself when it
// plans (tags_all).
func (p *Provider) DefaultTags() map[string]string { return nil }

// ErrNoListing is Read's error: the plugin protocol cannot list resources.
var ErrNoListing = errors.New("a provider plugin cannot list resources: its types are read one by one from the state")

// Read fails: see ErrNoListing and InstanceReader.
func (p *Provider) Read(_ context.Context, req providers.ReadRequest) (*providers.ReadResponse, error) {
	return nil, &providers.ReadError{Type: req.Type, Region: p.region, Err: ErrNoListing}
}

// ReadData reads a data source through the plugin; the attributes its
// schema says are sensitive are marked so.
func (p *Provider) ReadData(ctx context.Context, typ string, cfg cty.Value) (cty.Value, error) {
	s, ok := p.f.schema.DataSources[typ]
	if !ok {
		return cty.NilVal, fmt.Errorf("provider %s has no data source %s", p.key, typ)
	}
	c, err := p.f.pool.Client(ctx, p.key)
	if err != nil {
		return cty.NilVal, err
	}
	cfg, _ = cfg.UnmarkDeep()
	v, err := c.ReadDataSource(ctx, typ, Conform(cfg, s.ImpliedType()))
	if err != nil {
		return cty.NilVal, err
	}
	return providers.MarkSensitive(p.f.converted.DataSources[typ], v), nil
}

// Apply is not supported: remediation of a plugin's types goes through
// ApplyPlan.
func (p *Provider) Apply(context.Context, providers.ApplyRequest) (*providers.ApplyResponse, error) {
	return nil, providers.ErrNotSupported
}

// DataSchema is the schema of a data source as the Factory's Schema has
// it (nil for none).
func (p *Provider) DataSchema(typ string) *providers.Schema { return p.f.converted.DataSources[typ] }

// Close does nothing: the pool stops the process.
func (p *Provider) Close() error { return nil }

// resource is the schema of a resource type and the client of the
// configuration's process (started on first use).
func (p *Provider) resource(ctx context.Context, typ string) (*Schema, Client, error) {
	s, ok := p.f.schema.ResourceTypes[typ]
	if !ok {
		return nil, nil, fmt.Errorf("provider %s has no resource type %s", p.key, typ)
	}
	c, err := p.f.pool.Client(ctx, p.key)
	if err != nil {
		return nil, nil, err
	}
	return s, c, nil
}

// Refresh upgrades the state's object to the provider's schema and reads
// it (UpgradeResourceState, ReadResource), as terraform refresh does.
func (p *Provider) Refresh(ctx context.Context, req providers.RefreshRequest) (*providers.Instance, error) {
	_, c, err := p.resource(ctx, req.Type)
	if err != nil {
		return nil, err
	}
	raw := req.Attributes
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	current, err := c.UpgradeResourceState(ctx, req.Type, int64(req.SchemaVersion), raw)
	if err != nil {
		return nil, err
	}
	v, private, err := c.ReadResource(ctx, req.Type, current, req.Private)
	if err != nil {
		return nil, err
	}
	if v.IsNull() {
		return nil, nil
	}
	return &providers.Instance{Type: req.Type, State: v, Private: private}, nil
}

// Import reads the resource an import ID names (ImportResourceState, then
// ReadResource, as terraform import does).
func (p *Provider) Import(ctx context.Context, typ, id string) (*providers.Instance, error) {
	_, c, err := p.resource(ctx, typ)
	if err != nil {
		return nil, err
	}
	imported, err := c.ImportResourceState(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	for _, r := range imported {
		if r.Type != typ || r.State.IsNull() {
			continue
		}
		v, private, err := c.ReadResource(ctx, typ, r.State, r.Private)
		if err != nil {
			return nil, err
		}
		if v.IsNull() {
			return nil, nil
		}
		return &providers.Instance{Type: typ, State: v, Private: private}, nil
	}
	return nil, nil
}

// Plan plans toward cfg from prior (PlanResourceChange with Terraform's
// proposed new object). cfg's marks are dropped: the wire has none, and
// the caller knows its sensitive paths.
func (p *Provider) Plan(ctx context.Context, prior *providers.Instance, cfg cty.Value) (*providers.Plan, error) {
	s, c, err := p.resource(ctx, prior.Type)
	if err != nil {
		return nil, err
	}
	ty := s.ImpliedType()
	cfg, _ = cfg.UnmarkDeep()
	cfg = Conform(cfg, ty)
	priorState := prior.State
	if priorState == cty.NilVal {
		priorState = cty.NullVal(ty)
	}
	resp, err := c.PlanResourceChange(ctx, PlanRequest{
		Type:         prior.Type,
		Prior:        priorState,
		Proposed:     ProposedNew(s.Block, priorState, cfg),
		Config:       cfg,
		PriorPrivate: prior.Private,
	})
	if err != nil {
		return nil, err
	}
	return &providers.Plan{Type: prior.Type, Planned: resp.Planned, RequiresReplace: resp.RequiresReplace, Private: resp.PlannedPrivate}, nil
}

// ApplyPlan applies a plan from prior (ApplyResourceChange); plan nil
// deletes prior.
func (p *Provider) ApplyPlan(ctx context.Context, prior *providers.Instance, plan *providers.Plan, cfg cty.Value) (*providers.Instance, error) {
	s, c, err := p.resource(ctx, prior.Type)
	if err != nil {
		return nil, err
	}
	ty := s.ImpliedType()
	cfg, _ = cfg.UnmarkDeep()
	req := ApplyRequest{Type: prior.Type, Prior: prior.State, Planned: cty.NullVal(ty), Config: cty.NullVal(ty)}
	if req.Prior == cty.NilVal {
		req.Prior = cty.NullVal(ty)
	}
	if plan != nil {
		req.Planned, req.Config, req.PlannedPrivate = plan.Planned, Conform(cfg, ty), plan.Private
	}
	v, private, err := c.ApplyResourceChange(ctx, req)
	if err != nil {
		return nil, err
	}
	if v.IsNull() {
		return nil, nil
	}
	return &providers.Instance{Type: prior.Type, State: v, Private: private}, nil
}
