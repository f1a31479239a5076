package config

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// instance is one expansion of a resource or data block.
type instance struct {
	key  cty.Value // cty.NilVal without count/for_each
	each cty.Value // each.value with for_each
}

// block evaluates a resource or data block once per run and returns the
// value other declarations see when referring to it: the instance's object,
// a tuple of instances (count) or an object of instances (for_each).
func (r *run) block(sc *scope, b *resourceBlock) (cty.Value, []string) {
	key := sc.addr(b.addr())
	if _, ok := r.forgotten[key]; ok {
		return cty.DynamicVal, nil
	}
	v, taints := r.visit(key, b.DeclRange, func() (cty.Value, []string) {
		if r.static {
			return cty.DynamicVal, nil
		}
		v, taints := r.evalBlock(sc, b)
		if !b.Data {
			v = sc.mod.keptValue(b, v)
			r.blockDone(sc, b)
		}
		return v, taints
	})
	if n := r.nodes[key]; r.discard && !b.Data && n != nil && n.state == nodeDone && !n.kept {
		n.kept = true
		if !sc.mod.isReferenced(b.addr()) {
			// Nothing refers to it: only that it was evaluated is kept.
			delete(r.nodes, key)
			r.forgotten[key] = struct{}{}
		} else {
			r.pack(n)
		}
	}
	return v, taints
}

// blockDone counts a managed block evaluated and tells a TypeDoneResolver
// when it was the last of its type. The blocks of called modules count
// as one, done when every module instance is (see resources).
func (r *run) blockDone(sc *scope, b *resourceBlock) {
	td, ok := r.resolver.(TypeDoneResolver)
	if !ok || r.remaining == nil || sc.call != nil {
		return
	}
	r.remaining[b.Type]--
	if r.remaining[b.Type] == 0 {
		td.TypeDone(b.Type)
	}
}

func (r *run) evalBlock(sc *scope, b *resourceBlock) (cty.Value, []string) {
	var spec hcldec.Spec
	var ok bool
	if b.Data {
		spec, ok = r.e.schemas.DataSpec(b.Type)
	} else {
		spec, ok = r.e.schemas.ResourceSpec(b.Type)
	}
	if !ok {
		summary := fmt.Sprintf("resource type %s is not supported by driftctl", b.Type)
		detail := "Its instances are reported as unknown; what refers to them sees the values the state recorded, or is unknown too."
		if b.Data {
			summary = fmt.Sprintf("data source %s is not yet supported", b.Type)
			detail = "Its value is unknown; resources that refer to it are reported as unknown."
		}
		warning := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail, Subject: b.DeclRange.Ptr()}
		taint := fmt.Sprintf("%s: %s (%s)", sc.addr(b.addr()), summary, loc(b.DeclRange))
		if b.Data {
			v, taints, fromState := r.evalStateData(sc, b, taint)
			if !fromState {
				r.diags = append(r.diags, warning)
			}
			return v, taints
		}
		r.diags = append(r.diags, warning)
		return r.evalUnread(sc, b, taint)
	}
	if b.Data && r.data == nil {
		return cty.DynamicVal, []string{fmt.Sprintf("%s: data sources are not read in this scan (%s)", sc.addr(b.addr()), loc(b.DeclRange))}
	}

	travs := metaVariables(b)
	blockBody, bdiags := b.body()
	if bdiags.HasErrors() {
		r.diags = append(r.diags, bdiags...)
		return cty.DynamicVal, nil
	}
	travs = append(travs, dynblock.VariablesHCLDec(blockBody, spec)...)
	if !b.Data {
		travs = append(travs, attributeBlockVariables(r.e.schemas, b.Type, blockBody)...)
	}
	ctx, taints := r.evalContext(sc, travs, b.Count != nil, b.ForEach != nil)

	instances, known, ok := r.expand(b.Count, b.ForEach, ctx)
	if !ok {
		return cty.DynamicVal, taints
	}
	if !known {
		taints = append(taints, notKnown(sc.addr(b.addr()), b.Count, b.ForEach))
	}

	values := make([]cty.Value, 0, len(instances))
	var refs []string // the same for every instance
	for _, inst := range instances {
		ictx := instanceContext(ctx, b.Count != nil, b.ForEach != nil, inst.key, inst.each)
		body := dynblock.Expand(blockBody, ictx)
		var asAttrs attributeBlocks
		var adiags hcl.Diagnostics
		if !b.Data {
			body, asAttrs, adiags = r.attributeBlocks(b.Type, body, ictx)
		}
		val, diags := hcldec.Decode(body, spec, ictx)
		diags = append(adiags, diags...)
		itaints := taints
		if !b.Data && onlyUnknownArguments(diags) {
			// An argument or block that driftctl's schema lacks is, far
			// more often than a typo, one of Terraform's that driftctl
			// does not read yet: the resource is unknown, the scan goes on.
			val, _, _ = hcldec.PartialDecode(body, spec, ictx)
			for _, d := range diags {
				d.Severity = hcl.DiagWarning
				itaints = append(itaints, fmt.Sprintf("%s: %s (%s)", sc.addr(b.addr()), strings.TrimSuffix(d.Detail, "."), loc(*d.Subject)))
			}
		}
		r.diags = append(r.diags, diags...)
		if diags.HasErrors() {
			val = cty.UnknownVal(hcldec.ImpliedType(spec))
		}
		if _, over := valueSize(val, r.e.limits.MaxValueBytes); over {
			r.checkSize(val, sc.addr(b.addr()+instanceKey(inst.key)), b.DeclRange)
			val = cty.UnknownVal(hcldec.ImpliedType(spec))
		}
		val = asAttrs.into(val)
		if b.Data {
			values = append(values, r.readData(sc, b, inst, val))
			continue
		}
		if refs == nil {
			refs = sc.mod.referencesOf(b, blockBody, r.e.schemas)
			for i, ref := range refs {
				refs[i] = sc.addr(ref)
			}
		}
		values = append(values, r.emit(sc, b, inst, val, body, spec, itaints, refs, asAttrs))
	}

	if !known {
		return cty.DynamicVal, taints
	}
	return instancesValue(b, instances, values), taints
}

// metaVariables are the references of a block's count and for_each.
func metaVariables(b *resourceBlock) []hcl.Traversal {
	var travs []hcl.Traversal
	for _, expr := range []hcl.Expression{b.Count, b.ForEach} {
		if expr != nil {
			travs = append(travs, expr.Variables()...)
		}
	}
	return travs
}

// expandOnly expands a block's instances from its count or for_each
// alone, for a block whose body is not evaluated; ok is false when they
// are not known.
func (r *run) expandOnly(sc *scope, b *resourceBlock) (instances []instance, taints []string, ok bool) {
	ctx, taints := r.evalContext(sc, metaVariables(b), b.Count != nil, b.ForEach != nil)
	instances, known, ok := r.expand(b.Count, b.ForEach, ctx)
	return instances, taints, ok && known
}

// evalStateData evaluates a data source driftctl cannot read: each
// instance's value is the one the state recorded, when the scan's data
// reader has a state that recorded every instance; otherwise it is
// unknown and what refers to it is tainted by taint.
func (r *run) evalStateData(sc *scope, b *resourceBlock, taint string) (v cty.Value, taints []string, fromState bool) {
	sd, ok := r.data.(StateDataReader)
	if !ok {
		return cty.DynamicVal, []string{taint}, false
	}
	instances, taints, ok := r.expandOnly(sc, b)
	if !ok {
		return cty.DynamicVal, append(taints, taint), false
	}
	values := make([]cty.Value, len(instances))
	for i, inst := range instances {
		v, sensitive, ok := sd.StateData(sc.addr(b.addr() + instanceKey(inst.key)))
		if !ok {
			return cty.DynamicVal, append(taints, taint), false
		}
		marks := make([]cty.PathValueMarks, len(sensitive))
		for j, p := range sensitive {
			marks[j] = cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(sensitiveMark)}
		}
		values[i] = v.MarkWithPaths(marks)
	}
	r.diags = append(r.diags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  fmt.Sprintf("data source %s: the value the state recorded is used", b.Type),
		Detail:   "driftctl does not read this data source yet; what refers to it is compared with the value Terraform read at its last apply.",
		Subject:  b.DeclRange.Ptr(),
	})
	return instancesValue(b, instances, values), taints, true
}

// instancesValue is what a reference to a block sees given its instances'
// values: a tuple with count, an object by key with for_each, else the
// one value.
func instancesValue(b *resourceBlock, instances []instance, values []cty.Value) cty.Value {
	switch {
	case b.Count != nil:
		if len(values) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(values)
	case b.ForEach != nil:
		obj := make(map[string]cty.Value, len(values))
		for i, inst := range instances {
			obj[inst.key.AsString()] = values[i]
		}
		return cty.ObjectVal(obj)
	}
	return values[0]
}

// evalUnread evaluates a block of a type driftctl has no schema for: each
// of its instances is a resource whose configuration is unknown, so that
// the report has every declared instance (unknown, saying why), and what
// refers to it sees what the resolver gives (the state's values) or, when
// that is not known, is tainted by taint.
func (r *run) evalUnread(sc *scope, b *resourceBlock, taint string) (cty.Value, []string) {
	instances, taints, ok := r.expandOnly(sc, b)
	if !ok {
		return cty.DynamicVal, append(taints, taint)
	}
	values := make([]cty.Value, len(instances))
	wholly := true
	for i, inst := range instances {
		values[i] = r.record(r.newResource(sc, b, inst, cty.DynamicVal, map[string]hcl.Range{}, append(slices.Clone(taints), taint)))
		wholly = wholly && values[i].IsWhollyKnown()
	}
	if !wholly {
		taints = append(taints, taint)
	}
	return instancesValue(b, instances, values), taints
}

// emit records a resource instance and resolves what references to it see.
func (r *run) emit(sc *scope, b *resourceBlock, inst instance, val cty.Value, body hcl.Body, spec hcldec.Spec, taints, refs []string, asAttrs attributeBlocks) cty.Value {
	cfg, marks := val.UnmarkDeepWithPaths()
	res := r.newResource(sc, b, inst, cfg, bodyRanges(body, spec), taints)
	res.References = refs
	for _, name := range slices.Sorted(maps.Keys(asAttrs)) {
		res.Ranges[name] = asAttrs[name].rng
		res.AttributeSyntax = append(res.AttributeSyntax, name)
	}
	for _, pm := range marks {
		if _, ok := pm.Marks[sensitiveMark]; ok {
			res.SensitivePaths = append(res.SensitivePaths, pathString(pm.Path))
			res.sensitive = append(res.sensitive, pm.Path)
		}
	}
	sort.Strings(res.SensitivePaths)
	return r.record(res)
}

// newResource is an instance of b in sc with its configuration, ranges
// and taints; its provider is the root module's configuration that b's
// names (a taint says why when there is none).
func (r *run) newResource(sc *scope, b *resourceBlock, inst instance, cfg cty.Value, ranges map[string]hcl.Range, taints []string) *Resource {
	provider, why := sc.providers.resolve(b.Provider)
	if why != "" {
		taints = append(slices.Clone(taints), fmt.Sprintf("%s: %s", sc.addr(b.addr()), why))
		provider = b.Provider
	}
	return &Resource{
		Address:        sc.addr(b.addr() + instanceKey(inst.key)),
		Module:         sc.path,
		Type:           b.Type,
		Name:           b.Name,
		Key:            inst.key,
		Provider:       provider,
		Config:         cfg,
		Ranges:         ranges,
		DeclRange:      b.DeclRange,
		IgnoreChanges:  append([]string(nil), b.IgnoreChanges...),
		IgnoreAll:      b.IgnoreAll,
		PreventDestroy: b.PreventDestroy,
		Unsupported:    append([]string(nil), taints...),
	}
}

// record keeps a resource instance (unless the run discards them), notes
// an import target reached, and returns what references to it see: what
// the resolver says, else its configuration.
func (r *run) record(res *Resource) cty.Value {
	res.ImportID = r.importIDs[res.Address]
	if _, ok := r.targets[res.Address]; ok {
		r.emitted[res.Address] = true
	}
	if !r.discard {
		r.out = append(r.out, res)
	}
	if r.resolver != nil {
		if v := r.resolver.Resolve(r.ctx, res); v != cty.NilVal {
			return v
		}
	}
	return res.Config
}

// readData reads one data source instance. A configuration that is not
// wholly known is not read, as Terraform defers such reads to apply.
func (r *run) readData(sc *scope, b *resourceBlock, inst instance, val cty.Value) cty.Value {
	cfg, marks := val.UnmarkDeepWithPaths()
	if !cfg.IsWhollyKnown() {
		return cty.DynamicVal
	}
	provider, why := sc.providers.resolve(b.Provider)
	if why != "" {
		return cty.DynamicVal
	}
	out, err := r.data.ReadData(r.ctx, provider, b.Type, cfg)
	if err != nil {
		r.diags = append(r.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Failed to read data source",
			Detail:   fmt.Sprintf("reading %s: %v", sc.addr(b.addr()+instanceKey(inst.key)), err),
			Subject:  b.DeclRange.Ptr(),
		})
		return cty.DynamicVal
	}
	if out == cty.NilVal {
		return cty.DynamicVal
	}
	// As Terraform's readDataSource: an argument that was sensitive in the
	// configuration (a secret_key from a sensitive variable) is sensitive
	// in the result too.
	return out.MarkWithPaths(marks)
}

// pathString renders a cty.Path in the dotted form of Resource.Ranges.
func pathString(p cty.Path) string {
	s := ""
	for _, step := range p {
		part := "*"
		switch st := step.(type) {
		case cty.GetAttrStep:
			part = st.Name
		case cty.IndexStep:
			part = keyString(st.Key)
		}
		if s != "" {
			s += "."
		}
		s += part
	}
	return s
}

// expand evaluates count or for_each (of a block or a module call; nil
// when not set). known is false when the value is not known: then one
// instance with an unknown key stands for all of them.
func (r *run) expand(count, forEach hcl.Expression, ctx *hcl.EvalContext) (instances []instance, known, ok bool) {
	switch {
	case count != nil:
		return r.expandCount(count, ctx)
	case forEach != nil:
		return r.expandForEach(forEach, ctx)
	}
	return []instance{{key: cty.NilVal}}, true, true
}

// notKnown is the taint of what addr declares when its count or for_each
// is not known.
func notKnown(addr string, count, forEach hcl.Expression) string {
	what, expr := "count", count
	if forEach != nil {
		what, expr = "for_each", forEach
	}
	return fmt.Sprintf("%s: %s is not known before apply (%s)", addr, what, loc(expr.Range()))
}

func (r *run) invalid(expr hcl.Expression, summary, detail string, args ...any) ([]instance, bool, bool) {
	r.diags = append(r.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  expr.Range().Ptr(),
	})
	return nil, true, false
}

func (r *run) expandCount(expr hcl.Expression, ctx *hcl.EvalContext) ([]instance, bool, bool) {
	v, diags := expr.Value(ctx)
	r.diags = append(r.diags, diags...)
	if diags.HasErrors() {
		return nil, true, false
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		return []instance{{key: cty.UnknownVal(cty.Number)}}, false, true
	}
	if v.IsNull() {
		return r.invalid(expr, "Invalid count argument", `The given "count" argument value is null. An integer is required.`)
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil {
		return r.invalid(expr, "Invalid count argument", `The given "count" argument value is unsuitable: %s.`, err)
	}
	count, acc := n.AsBigFloat().Int64()
	if !n.AsBigFloat().IsInt() || acc != 0 {
		return r.invalid(expr, "Invalid count argument", `The given "count" argument value is unsuitable: must be a whole number.`)
	}
	if count < 0 {
		return r.invalid(expr, "Invalid count argument", `The given "count" argument value is unsuitable: must be greater than or equal to zero.`)
	}
	if count > int64(r.e.limits.MaxInstances) {
		return r.tooManyInstances(expr, "count", count)
	}
	out := make([]instance, count)
	for i := range out {
		out[i] = instance{key: cty.NumberIntVal(int64(i))}
	}
	return out, true, true
}

func (r *run) expandForEach(expr hcl.Expression, ctx *hcl.EvalContext) ([]instance, bool, bool) {
	v, diags := expr.Value(ctx)
	r.diags = append(r.diags, diags...)
	if diags.HasErrors() {
		return nil, true, false
	}
	v, _ = v.UnmarkDeep()
	unknown := []instance{{key: cty.UnknownVal(cty.String), each: cty.DynamicVal}}
	if !v.IsKnown() {
		return unknown, false, true
	}
	if v.IsNull() {
		return r.invalid(expr, "Invalid for_each argument", `The given "for_each" argument value is unsuitable: the given "for_each" argument value is null. A map, or set of strings is allowed.`)
	}
	ty := v.Type()
	if (ty.IsMapType() || ty.IsObjectType() || ty.IsSetType()) && v.IsKnown() && !v.IsNull() && v.LengthInt() > r.e.limits.MaxInstances {
		return r.tooManyInstances(expr, "for_each", int64(v.LengthInt()))
	}
	var out []instance
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out = append(out, instance{key: k, each: e})
		}
	case ty.IsSetType():
		if et := ty.ElementType(); et != cty.String && et != cty.DynamicPseudoType {
			return r.invalid(expr, "Invalid for_each set argument", `The given "for_each" argument value is unsuitable: "for_each" supports maps and sets of strings, but you have provided a set containing type %s.`, et.FriendlyName())
		}
		if !v.IsWhollyKnown() {
			return unknown, false, true
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return r.invalid(expr, "Invalid for_each set argument", `The given "for_each" argument value is unsuitable: "for_each" sets must not contain null values.`)
			}
			if e.Type() != cty.String {
				return r.invalid(expr, "Invalid for_each set argument", `The given "for_each" argument value is unsuitable: "for_each" supports maps and sets of strings, but you have provided a set containing type %s.`, e.Type().FriendlyName())
			}
			out = append(out, instance{key: e, each: e})
		}
	default:
		return r.invalid(expr, "Invalid for_each argument", `The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type %s.`, ty.FriendlyName())
	}
	return out, true, true
}

// onlyUnknownArguments reports whether every error in diags is an argument
// or block type the schema does not have.
func onlyUnknownArguments(diags hcl.Diagnostics) bool {
	if !diags.HasErrors() {
		return false
	}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if d.Subject == nil || (d.Summary != "Unsupported argument" && d.Summary != "Unsupported block type") {
			return false
		}
	}
	return true
}
