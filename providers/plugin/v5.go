package plugin

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers/plugin/internal/tfplugin5"
)

// v5 is protocol 5 (terraform-plugin-sdk v1 and v2, most providers).
type v5 struct{ c tfplugin5.ProviderClient }

func dv5(b []byte) *tfplugin5.DynamicValue {
	if b == nil {
		return nil
	}
	return &tfplugin5.DynamicValue{Msgpack: b}
}

func fromDV5(d *tfplugin5.DynamicValue) dynamicValue {
	return dynamicValue{msgpack: d.GetMsgpack(), json: d.GetJson()}
}

func diags5(ds []*tfplugin5.Diagnostic) []Diagnostic {
	out := make([]Diagnostic, 0, len(ds))
	for _, d := range ds {
		sev := SeverityWarning
		if d.GetSeverity() != tfplugin5.Diagnostic_WARNING {
			// INVALID is treated as an error, as Terraform does.
			sev = SeverityError
		}
		out = append(out, Diagnostic{Severity: sev, Summary: d.GetSummary(), Detail: d.GetDetail(), Attribute: path5(d.GetAttribute())})
	}
	return out
}

func path5(p *tfplugin5.AttributePath) cty.Path {
	if p == nil {
		return nil
	}
	steps := make([]pathStep, 0, len(p.GetSteps()))
	for _, s := range p.GetSteps() {
		switch sel := s.GetSelector().(type) {
		case *tfplugin5.AttributePath_Step_AttributeName:
			steps = append(steps, pathStep{attr: &sel.AttributeName})
		case *tfplugin5.AttributePath_Step_ElementKeyString:
			steps = append(steps, pathStep{strKey: &sel.ElementKeyString})
		case *tfplugin5.AttributePath_Step_ElementKeyInt:
			steps = append(steps, pathStep{intKey: &sel.ElementKeyInt})
		}
	}
	return toCtyPath(steps)
}

func schema5(s *tfplugin5.Schema) (*Schema, error) {
	if s == nil {
		return nil, nil
	}
	b, err := block5(s.GetBlock())
	if err != nil {
		return nil, err
	}
	return &Schema{Version: s.GetVersion(), Block: b}, nil
}

func block5(b *tfplugin5.Schema_Block) (*Block, error) {
	out := &Block{Attributes: map[string]*Attribute{}, BlockTypes: map[string]*NestedBlock{}}
	if b == nil {
		return out, nil
	}
	out.Deprecated = b.GetDeprecated()
	for _, a := range b.GetAttributes() {
		var ty cty.Type
		if err := ty.UnmarshalJSON(a.GetType()); err != nil {
			return nil, fmt.Errorf("attribute %s: type %s: %w", a.GetName(), a.GetType(), err)
		}
		out.Attributes[a.GetName()] = &Attribute{
			Type: ty, Required: a.GetRequired(), Optional: a.GetOptional(), Computed: a.GetComputed(),
			Sensitive: a.GetSensitive(), WriteOnly: a.GetWriteOnly(), Deprecated: a.GetDeprecated(),
		}
	}
	for _, nb := range b.GetBlockTypes() {
		inner, err := block5(nb.GetBlock())
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.GetTypeName(), err)
		}
		n, err := nesting5(nb.GetNesting())
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.GetTypeName(), err)
		}
		out.BlockTypes[nb.GetTypeName()] = &NestedBlock{Block: *inner, Nesting: n, MinItems: nb.GetMinItems(), MaxItems: nb.GetMaxItems()}
	}
	return out, nil
}

func nesting5(n tfplugin5.Schema_NestedBlock_NestingMode) (Nesting, error) {
	switch n {
	case tfplugin5.Schema_NestedBlock_SINGLE:
		return NestingSingle, nil
	case tfplugin5.Schema_NestedBlock_GROUP:
		return NestingGroup, nil
	case tfplugin5.Schema_NestedBlock_LIST:
		return NestingList, nil
	case tfplugin5.Schema_NestedBlock_SET:
		return NestingSet, nil
	case tfplugin5.Schema_NestedBlock_MAP:
		return NestingMap, nil
	}
	return 0, fmt.Errorf("unsupported nesting mode %v", n)
}

func schemas5(m map[string]*tfplugin5.Schema) (map[string]*Schema, error) {
	out := make(map[string]*Schema, len(m))
	for name, s := range m {
		c, err := schema5(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = c
	}
	return out, nil
}

func (w v5) getSchema(ctx context.Context) (*ProviderSchema, []Diagnostic, error) {
	resp, err := w.c.GetSchema(ctx, &tfplugin5.GetProviderSchema_Request{})
	if err != nil {
		return nil, nil, err
	}
	diags := diags5(resp.GetDiagnostics())
	ps := &ProviderSchema{}
	if ps.Provider, err = schema5(resp.GetProvider()); err != nil {
		return nil, diags, fmt.Errorf("provider schema: %w", err)
	}
	if ps.ResourceTypes, err = schemas5(resp.GetResourceSchemas()); err != nil {
		return nil, diags, fmt.Errorf("resource schema %w", err)
	}
	if ps.DataSources, err = schemas5(resp.GetDataSourceSchemas()); err != nil {
		return nil, diags, fmt.Errorf("data source schema %w", err)
	}
	return ps, diags, nil
}

func (w v5) configure(ctx context.Context, tfVersion string, config []byte) ([]Diagnostic, error) {
	resp, err := w.c.Configure(ctx, &tfplugin5.Configure_Request{TerraformVersion: tfVersion, Config: dv5(config)})
	return diags5(resp.GetDiagnostics()), err
}

func (w v5) upgradeResourceState(ctx context.Context, typ string, version int64, raw []byte) (dynamicValue, []Diagnostic, error) {
	resp, err := w.c.UpgradeResourceState(ctx, &tfplugin5.UpgradeResourceState_Request{
		TypeName: typ, Version: version, RawState: &tfplugin5.RawState{Json: raw},
	})
	return fromDV5(resp.GetUpgradedState()), diags5(resp.GetDiagnostics()), err
}

func (w v5) readResource(ctx context.Context, typ string, current, private []byte) (dynamicValue, []byte, []Diagnostic, error) {
	resp, err := w.c.ReadResource(ctx, &tfplugin5.ReadResource_Request{TypeName: typ, CurrentState: dv5(current), Private: private})
	return fromDV5(resp.GetNewState()), resp.GetPrivate(), diags5(resp.GetDiagnostics()), err
}

func (w v5) planResourceChange(ctx context.Context, typ string, prior, proposed, config, priorPrivate []byte) (rawPlan, []Diagnostic, error) {
	resp, err := w.c.PlanResourceChange(ctx, &tfplugin5.PlanResourceChange_Request{
		TypeName: typ, PriorState: dv5(prior), ProposedNewState: dv5(proposed), Config: dv5(config), PriorPrivate: priorPrivate,
	})
	p := rawPlan{planned: fromDV5(resp.GetPlannedState()), private: resp.GetPlannedPrivate(), legacy: resp.GetLegacyTypeSystem()}
	for _, rr := range resp.GetRequiresReplace() {
		p.requiresReplace = append(p.requiresReplace, path5(rr))
	}
	return p, diags5(resp.GetDiagnostics()), err
}

func (w v5) applyResourceChange(ctx context.Context, typ string, prior, planned, config, plannedPrivate []byte) (dynamicValue, []byte, []Diagnostic, error) {
	resp, err := w.c.ApplyResourceChange(ctx, &tfplugin5.ApplyResourceChange_Request{
		TypeName: typ, PriorState: dv5(prior), PlannedState: dv5(planned), Config: dv5(config), PlannedPrivate: plannedPrivate,
	})
	return fromDV5(resp.GetNewState()), resp.GetPrivate(), diags5(resp.GetDiagnostics()), err
}

func (w v5) importResourceState(ctx context.Context, typ, id string) ([]rawImported, []Diagnostic, error) {
	resp, err := w.c.ImportResourceState(ctx, &tfplugin5.ImportResourceState_Request{TypeName: typ, Id: id})
	var out []rawImported
	for _, r := range resp.GetImportedResources() {
		out = append(out, rawImported{typ: r.GetTypeName(), state: fromDV5(r.GetState()), private: r.GetPrivate()})
	}
	return out, diags5(resp.GetDiagnostics()), err
}

func (w v5) readDataSource(ctx context.Context, typ string, config []byte) (dynamicValue, []Diagnostic, error) {
	resp, err := w.c.ReadDataSource(ctx, &tfplugin5.ReadDataSource_Request{TypeName: typ, Config: dv5(config)})
	return fromDV5(resp.GetState()), diags5(resp.GetDiagnostics()), err
}

func (w v5) stop(ctx context.Context) error {
	resp, err := w.c.Stop(ctx, &tfplugin5.Stop_Request{})
	if err == nil && resp.GetError() != "" {
		err = fmt.Errorf("%s", resp.GetError())
	}
	return err
}
