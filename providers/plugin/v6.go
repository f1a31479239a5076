package plugin

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/plugin/internal/tfplugin6"
)

// v6 is protocol 6 (terraform-plugin-framework providers).
type v6 struct{ c tfplugin6.ProviderClient }

func dv6(b []byte) *tfplugin6.DynamicValue {
	if b == nil {
		return nil
	}
	return &tfplugin6.DynamicValue{Msgpack: b}
}

func fromDV6(d *tfplugin6.DynamicValue) dynamicValue {
	return dynamicValue{msgpack: d.GetMsgpack(), json: d.GetJson()}
}

func diags6(ds []*tfplugin6.Diagnostic) []Diagnostic {
	out := make([]Diagnostic, 0, len(ds))
	for _, d := range ds {
		sev := SeverityWarning
		if d.GetSeverity() != tfplugin6.Diagnostic_WARNING {
			// INVALID is treated as an error, as Terraform does.
			sev = SeverityError
		}
		out = append(out, Diagnostic{Severity: sev, Summary: d.GetSummary(), Detail: d.GetDetail(), Attribute: path6(d.GetAttribute())})
	}
	return out
}

func path6(p *tfplugin6.AttributePath) cty.Path {
	if p == nil {
		return nil
	}
	steps := make([]pathStep, 0, len(p.GetSteps()))
	for _, s := range p.GetSteps() {
		switch sel := s.GetSelector().(type) {
		case *tfplugin6.AttributePath_Step_AttributeName:
			steps = append(steps, pathStep{attr: &sel.AttributeName})
		case *tfplugin6.AttributePath_Step_ElementKeyString:
			steps = append(steps, pathStep{strKey: &sel.ElementKeyString})
		case *tfplugin6.AttributePath_Step_ElementKeyInt:
			steps = append(steps, pathStep{intKey: &sel.ElementKeyInt})
		}
	}
	return toCtyPath(steps)
}

func schema6(s *tfplugin6.Schema) (*Schema, error) {
	if s == nil {
		return nil, nil
	}
	b, err := block6(s.GetBlock())
	if err != nil {
		return nil, err
	}
	return &Schema{Version: s.GetVersion(), Block: b}, nil
}

func block6(b *tfplugin6.Schema_Block) (*Block, error) {
	out := &Block{Attributes: map[string]*Attribute{}, BlockTypes: map[string]*NestedBlock{}}
	if b == nil {
		return out, nil
	}
	out.Deprecated = b.GetDeprecated()
	for _, a := range b.GetAttributes() {
		attr, err := attribute6(a)
		if err != nil {
			return nil, err
		}
		out.Attributes[a.GetName()] = attr
	}
	for _, nb := range b.GetBlockTypes() {
		inner, err := block6(nb.GetBlock())
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.GetTypeName(), err)
		}
		n, err := nesting6(nb.GetNesting())
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.GetTypeName(), err)
		}
		out.BlockTypes[nb.GetTypeName()] = &NestedBlock{Block: *inner, Nesting: n, MinItems: nb.GetMinItems(), MaxItems: nb.GetMaxItems()}
	}
	return out, nil
}

// attribute6 converts an attribute, nested attributes included: in
// protocol 6 an attribute has either a type or a nested_type.
func attribute6(a *tfplugin6.Schema_Attribute) (*Attribute, error) {
	out := &Attribute{
		Required: a.GetRequired(), Optional: a.GetOptional(), Computed: a.GetComputed(),
		Sensitive: a.GetSensitive(), WriteOnly: a.GetWriteOnly(), Deprecated: a.GetDeprecated(),
	}
	if nt := a.GetNestedType(); nt != nil {
		obj := &Object{Attributes: make(map[string]*Attribute, len(nt.GetAttributes()))}
		switch nt.GetNesting() {
		case tfplugin6.Schema_Object_SINGLE:
			obj.Nesting = NestingSingle
		case tfplugin6.Schema_Object_LIST:
			obj.Nesting = NestingList
		case tfplugin6.Schema_Object_SET:
			obj.Nesting = NestingSet
		case tfplugin6.Schema_Object_MAP:
			obj.Nesting = NestingMap
		default:
			return nil, fmt.Errorf("attribute %s: unsupported nesting mode %v", a.GetName(), nt.GetNesting())
		}
		for _, sub := range nt.GetAttributes() {
			s, err := attribute6(sub)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.GetName(), err)
			}
			obj.Attributes[sub.GetName()] = s
		}
		out.NestedType = obj
		return out, nil
	}
	if err := out.Type.UnmarshalJSON(a.GetType()); err != nil {
		return nil, fmt.Errorf("attribute %s: type %s: %w", a.GetName(), a.GetType(), err)
	}
	return out, nil
}

func nesting6(n tfplugin6.Schema_NestedBlock_NestingMode) (Nesting, error) {
	switch n {
	case tfplugin6.Schema_NestedBlock_SINGLE:
		return NestingSingle, nil
	case tfplugin6.Schema_NestedBlock_GROUP:
		return NestingGroup, nil
	case tfplugin6.Schema_NestedBlock_LIST:
		return NestingList, nil
	case tfplugin6.Schema_NestedBlock_SET:
		return NestingSet, nil
	case tfplugin6.Schema_NestedBlock_MAP:
		return NestingMap, nil
	}
	return 0, fmt.Errorf("unsupported nesting mode %v", n)
}

func schemas6(m map[string]*tfplugin6.Schema) (map[string]*Schema, error) {
	out := make(map[string]*Schema, len(m))
	for name, s := range m {
		c, err := schema6(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = c
	}
	return out, nil
}

func (w v6) getSchema(ctx context.Context) (*ProviderSchema, []Diagnostic, error) {
	resp, err := w.c.GetProviderSchema(ctx, &tfplugin6.GetProviderSchema_Request{})
	if err != nil {
		return nil, nil, err
	}
	diags := diags6(resp.GetDiagnostics())
	ps := &ProviderSchema{}
	if ps.Provider, err = schema6(resp.GetProvider()); err != nil {
		return nil, diags, fmt.Errorf("provider schema: %w", err)
	}
	if ps.ResourceTypes, err = schemas6(resp.GetResourceSchemas()); err != nil {
		return nil, diags, fmt.Errorf("resource schema %w", err)
	}
	if ps.DataSources, err = schemas6(resp.GetDataSourceSchemas()); err != nil {
		return nil, diags, fmt.Errorf("data source schema %w", err)
	}
	return ps, diags, nil
}

func (w v6) configure(ctx context.Context, tfVersion string, config []byte) ([]Diagnostic, error) {
	resp, err := w.c.ConfigureProvider(ctx, &tfplugin6.ConfigureProvider_Request{TerraformVersion: tfVersion, Config: dv6(config)})
	return diags6(resp.GetDiagnostics()), err
}

func (w v6) upgradeResourceState(ctx context.Context, typ string, version int64, raw []byte) (dynamicValue, []Diagnostic, error) {
	resp, err := w.c.UpgradeResourceState(ctx, &tfplugin6.UpgradeResourceState_Request{
		TypeName: typ, Version: version, RawState: &tfplugin6.RawState{Json: raw},
	})
	return fromDV6(resp.GetUpgradedState()), diags6(resp.GetDiagnostics()), err
}

func (w v6) readResource(ctx context.Context, typ string, current, private []byte) (dynamicValue, []byte, []Diagnostic, error) {
	resp, err := w.c.ReadResource(ctx, &tfplugin6.ReadResource_Request{TypeName: typ, CurrentState: dv6(current), Private: private})
	return fromDV6(resp.GetNewState()), resp.GetPrivate(), diags6(resp.GetDiagnostics()), err
}

func (w v6) planResourceChange(ctx context.Context, typ string, prior, proposed, config, priorPrivate []byte) (rawPlan, []Diagnostic, error) {
	resp, err := w.c.PlanResourceChange(ctx, &tfplugin6.PlanResourceChange_Request{
		TypeName: typ, PriorState: dv6(prior), ProposedNewState: dv6(proposed), Config: dv6(config), PriorPrivate: priorPrivate,
	})
	p := rawPlan{planned: fromDV6(resp.GetPlannedState()), private: resp.GetPlannedPrivate(), legacy: resp.GetLegacyTypeSystem()}
	for _, rr := range resp.GetRequiresReplace() {
		p.requiresReplace = append(p.requiresReplace, path6(rr))
	}
	return p, diags6(resp.GetDiagnostics()), err
}

func (w v6) applyResourceChange(ctx context.Context, typ string, prior, planned, config, plannedPrivate []byte) (dynamicValue, []byte, []Diagnostic, error) {
	resp, err := w.c.ApplyResourceChange(ctx, &tfplugin6.ApplyResourceChange_Request{
		TypeName: typ, PriorState: dv6(prior), PlannedState: dv6(planned), Config: dv6(config), PlannedPrivate: plannedPrivate,
	})
	return fromDV6(resp.GetNewState()), resp.GetPrivate(), diags6(resp.GetDiagnostics()), err
}

func (w v6) importResourceState(ctx context.Context, typ, id string) ([]rawImported, []Diagnostic, error) {
	resp, err := w.c.ImportResourceState(ctx, &tfplugin6.ImportResourceState_Request{TypeName: typ, Id: id})
	var out []rawImported
	for _, r := range resp.GetImportedResources() {
		out = append(out, rawImported{typ: r.GetTypeName(), state: fromDV6(r.GetState()), private: r.GetPrivate()})
	}
	return out, diags6(resp.GetDiagnostics()), err
}

func (w v6) readDataSource(ctx context.Context, typ string, config []byte) (dynamicValue, []Diagnostic, error) {
	resp, err := w.c.ReadDataSource(ctx, &tfplugin6.ReadDataSource_Request{TypeName: typ, Config: dv6(config)})
	return fromDV6(resp.GetState()), diags6(resp.GetDiagnostics()), err
}

func (w v6) stop(ctx context.Context) error {
	resp, err := w.c.StopProvider(ctx, &tfplugin6.StopProvider_Request{})
	if err == nil && resp.GetError() != "" {
		err = fmt.Errorf("%s", resp.GetError())
	}
	return err
}
