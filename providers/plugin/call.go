package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/zclconf/go-cty/cty"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// client implements Client over one protocol's wire.
type client struct {
	name    string
	opts    *options
	proc    *goplugin.Client
	stderr  *providerStderr
	w       wire
	version int

	schemaOnce sync.Mutex
	schema     *ProviderSchema

	closeOnce sync.Once
}

func (c *client) ProtocolVersion() int { return c.version }

// call runs one RPC under the client's deadline and turns a failed call
// into a *CallError and the provider's errors into a *DiagnosticsError.
func (c *client) call(ctx context.Context, rpc string, timeout time.Duration, f func(ctx context.Context) ([]Diagnostic, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if c.opts.callHook != nil {
		c.opts.callHook(rpc)
	}
	diags, err := f(ctx)
	if err != nil {
		return c.callError(ctx, rpc, err)
	}
	return diagnosticsErr(c.name, rpc, diags)
}

func (c *client) callError(ctx context.Context, rpc string, err error) error {
	ce := &CallError{Provider: c.name, RPC: rpc, Err: err}
	st, _ := status.FromError(err)
	switch {
	case ctx.Err() != nil:
		ce.Err = fmt.Errorf("%w (%s)", ctx.Err(), st.Message())
	case st.Code() == codes.DeadlineExceeded:
		// The provider's side may give up first: gRPC sends it the
		// deadline.
		ce.Err = fmt.Errorf("%w (%s)", context.DeadlineExceeded, st.Message())
	case st.Code() == codes.Unavailable || st.Code() == codes.Canceled || st.Code() == codes.Internal:
		// The connection dropped: the process is likely gone, though
		// go-plugin may not have seen it exit yet.
		deadline := time.Now().Add(time.Second)
		for !c.proc.Exited() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	ce.Exited = c.proc.Exited()
	if ce.Exited {
		// Let go-plugin copy what the process wrote last.
		time.Sleep(50 * time.Millisecond)
	}
	if ce.Exited || errors.Is(ce.Err, context.DeadlineExceeded) {
		ce.Stderr = c.stderr.String()
	}
	return ce
}

func (c *client) Schema(ctx context.Context) (*ProviderSchema, error) {
	c.schemaOnce.Lock()
	defer c.schemaOnce.Unlock()
	if c.schema != nil {
		return c.schema, nil
	}
	var ps *ProviderSchema
	err := c.call(ctx, "GetProviderSchema", c.opts.callTimeout, func(ctx context.Context) (diags []Diagnostic, err error) {
		ps, diags, err = c.w.getSchema(ctx)
		return diags, err
	})
	if err != nil {
		return nil, err
	}
	c.schema = ps
	return ps, nil
}

// useSchema gives the client its provider's schema, read from the schema
// cache: the client then never asks the provider for it.
func (c *client) useSchema(ps *ProviderSchema) {
	c.schemaOnce.Lock()
	defer c.schemaOnce.Unlock()
	c.schema = ps
}

// pid is the provider process's ID (0 when unknown).
func (c *client) pid() int {
	if rc := c.proc.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

func (c *client) resourceSchema(ctx context.Context, typ string) (*Schema, error) {
	ps, err := c.Schema(ctx)
	if err != nil {
		return nil, err
	}
	s, ok := ps.ResourceTypes[typ]
	if !ok {
		return nil, fmt.Errorf("provider %s has no resource type %s", c.name, typ)
	}
	return s, nil
}

func (c *client) Configure(ctx context.Context, config cty.Value) error {
	ps, err := c.Schema(ctx)
	if err != nil {
		return err
	}
	ty := ps.Provider.ImpliedType()
	if config == cty.NilVal || config.IsNull() {
		var b *Block
		if ps.Provider != nil {
			b = ps.Provider.Block
		}
		config = b.emptyConfig()
	}
	enc, err := encode(config, ty)
	if err != nil {
		return fmt.Errorf("provider %s: configuration: %w", c.name, err)
	}
	return c.call(ctx, "ConfigureProvider", c.opts.callTimeout, func(ctx context.Context) ([]Diagnostic, error) {
		return c.w.configure(ctx, c.opts.terraformVersion, enc)
	})
}

func (c *client) UpgradeResourceState(ctx context.Context, typ string, version int64, rawJSON []byte) (cty.Value, error) {
	s, err := c.resourceSchema(ctx, typ)
	if err != nil {
		return cty.NilVal, err
	}
	var dv dynamicValue
	err = c.call(ctx, "UpgradeResourceState", c.opts.callTimeout, func(ctx context.Context) (diags []Diagnostic, err error) {
		dv, diags, err = c.w.upgradeResourceState(ctx, typ, version, rawJSON)
		return diags, err
	})
	if err != nil {
		return cty.NilVal, err
	}
	return c.decode("UpgradeResourceState", typ, dv, s.ImpliedType())
}

func (c *client) decode(rpc, typ string, dv dynamicValue, ty cty.Type) (cty.Value, error) {
	v, err := decode(dv.msgpack, dv.json, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("provider %s: %s: decoding %s: %w", c.name, rpc, typ, err)
	}
	return v, nil
}

func (c *client) ReadResource(ctx context.Context, typ string, current cty.Value, private []byte) (cty.Value, []byte, error) {
	s, err := c.resourceSchema(ctx, typ)
	if err != nil {
		return cty.NilVal, nil, err
	}
	ty := s.ImpliedType()
	enc, err := encode(current, ty)
	if err != nil {
		return cty.NilVal, nil, fmt.Errorf("provider %s: ReadResource %s: %w", c.name, typ, err)
	}
	var dv dynamicValue
	var newPrivate []byte
	err = c.call(ctx, "ReadResource", c.opts.callTimeout, func(ctx context.Context) (diags []Diagnostic, err error) {
		dv, newPrivate, diags, err = c.w.readResource(ctx, typ, enc, private)
		return diags, err
	})
	if err != nil {
		return cty.NilVal, nil, err
	}
	v, err := c.decode("ReadResource", typ, dv, ty)
	return v, newPrivate, err
}

// encodeAll encodes values of one type, in order.
func encodeAll(ty cty.Type, vs ...cty.Value) ([][]byte, error) {
	out := make([][]byte, len(vs))
	for i, v := range vs {
		b, err := encode(v, ty)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (c *client) PlanResourceChange(ctx context.Context, req PlanRequest) (*PlanResponse, error) {
	s, err := c.resourceSchema(ctx, req.Type)
	if err != nil {
		return nil, err
	}
	ty := s.ImpliedType()
	enc, err := encodeAll(ty, req.Prior, req.Proposed, req.Config)
	if err != nil {
		return nil, fmt.Errorf("provider %s: PlanResourceChange %s: %w", c.name, req.Type, err)
	}
	var raw rawPlan
	err = c.call(ctx, "PlanResourceChange", c.opts.callTimeout, func(ctx context.Context) (diags []Diagnostic, err error) {
		raw, diags, err = c.w.planResourceChange(ctx, req.Type, enc[0], enc[1], enc[2], req.PriorPrivate)
		return diags, err
	})
	if err != nil {
		return nil, err
	}
	planned, err := c.decode("PlanResourceChange", req.Type, raw.planned, ty)
	if err != nil {
		return nil, err
	}
	return &PlanResponse{Planned: planned, RequiresReplace: raw.requiresReplace, PlannedPrivate: raw.private, LegacyTypeSystem: raw.legacy}, nil
}

func (c *client) ApplyResourceChange(ctx context.Context, req ApplyRequest) (cty.Value, []byte, error) {
	s, err := c.resourceSchema(ctx, req.Type)
	if err != nil {
		return cty.NilVal, nil, err
	}
	ty := s.ImpliedType()
	enc, err := encodeAll(ty, req.Prior, req.Planned, req.Config)
	if err != nil {
		return cty.NilVal, nil, fmt.Errorf("provider %s: ApplyResourceChange %s: %w", c.name, req.Type, err)
	}
	var dv dynamicValue
	var private []byte
	err = c.call(ctx, "ApplyResourceChange", c.opts.applyTimeout, func(ctx context.Context) (diags []Diagnostic, err error) {
		dv, private, diags, err = c.w.applyResourceChange(ctx, req.Type, enc[0], enc[1], enc[2], req.PlannedPrivate)
		return diags, err
	})
	if err != nil {
		return cty.NilVal, nil, err
	}
	v, err := c.decode("ApplyResourceChange", req.Type, dv, ty)
	return v, private, err
}

func (c *client) ImportResourceState(ctx context.Context, typ, id string) ([]ImportedResource, error) {
	ps, err := c.Schema(ctx)
	if err != nil {
		return nil, err
	}
	var raws []rawImported
	err = c.call(ctx, "ImportResourceState", c.opts.callTimeout, func(ctx context.Context) (diags []Diagnostic, err error) {
		raws, diags, err = c.w.importResourceState(ctx, typ, id)
		return diags, err
	})
	if err != nil {
		return nil, err
	}
	out := make([]ImportedResource, 0, len(raws))
	for _, r := range raws {
		// An import may return resources of other types (a security
		// group and its rules in old providers).
		s, ok := ps.ResourceTypes[r.typ]
		if !ok {
			return nil, fmt.Errorf("provider %s: ImportResourceState %s: unknown resource type %q in the answer", c.name, typ, r.typ)
		}
		v, err := c.decode("ImportResourceState", r.typ, r.state, s.ImpliedType())
		if err != nil {
			return nil, err
		}
		out = append(out, ImportedResource{Type: r.typ, State: v, Private: r.private})
	}
	return out, nil
}

func (c *client) ReadDataSource(ctx context.Context, typ string, config cty.Value) (cty.Value, error) {
	ps, err := c.Schema(ctx)
	if err != nil {
		return cty.NilVal, err
	}
	s, ok := ps.DataSources[typ]
	if !ok {
		return cty.NilVal, fmt.Errorf("provider %s has no data source %s", c.name, typ)
	}
	ty := s.ImpliedType()
	enc, err := encode(config, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("provider %s: ReadDataSource %s: %w", c.name, typ, err)
	}
	var dv dynamicValue
	err = c.call(ctx, "ReadDataSource", c.opts.callTimeout, func(ctx context.Context) (diags []Diagnostic, err error) {
		dv, diags, err = c.w.readDataSource(ctx, typ, enc)
		return diags, err
	})
	if err != nil {
		return cty.NilVal, err
	}
	return c.decode("ReadDataSource", typ, dv, ty)
}

// Close asks the provider to cancel what it is doing (StopProvider), then
// go-plugin closes the connection, waits two seconds for the process to
// exit, and kills it otherwise.
func (c *client) Close() error {
	c.closeOnce.Do(func() {
		if !c.proc.Exited() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = c.w.stop(ctx) // the process ends below whatever it answers
			cancel()
		}
		c.proc.Kill()
	})
	return nil
}
