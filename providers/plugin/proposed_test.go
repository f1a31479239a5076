package plugin

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestProposedNew checks ProposedNew against the values Terraform core
// proposes to PlanResourceChange; each case says which rule of
// plans/objchange.ProposedNew gives its expected value.
func TestProposedNew(t *testing.T) {
	t.Parallel()
	str, null := cty.StringVal, cty.NullVal(cty.String)
	obj := func(kv ...any) cty.Value {
		m := map[string]cty.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(cty.Value)
		}
		return cty.ObjectVal(m)
	}

	// top is a resource with one attribute of each kind.
	top := &Block{Attributes: map[string]*Attribute{
		"id":          {Type: cty.String, Computed: true},
		"name":        {Type: cty.String, Required: true},
		"description": {Type: cty.String, Optional: true},
		"region":      {Type: cty.String, Optional: true, Computed: true},
		"password":    {Type: cty.String, Optional: true, WriteOnly: true},
	}}
	topVal := func(id, name, description, region, password cty.Value) cty.Value {
		return obj("id", id, "name", name, "description", description, "region", region, "password", password)
	}
	topPrior := topVal(str("i-1"), str("a"), str("old"), str("eu-west-1"), null)

	// rule is a nested block's object: a configured port, an optional and
	// computed description, and a computed id.
	rule := Block{Attributes: map[string]*Attribute{
		"port":        {Type: cty.Number, Required: true},
		"description": {Type: cty.String, Optional: true, Computed: true},
		"id":          {Type: cty.String, Computed: true},
	}}
	ruleType := rule.ImpliedType()
	ruleVal := func(port int64, description, id cty.Value) cty.Value {
		return obj("port", cty.NumberIntVal(port), "description", description, "id", id)
	}
	withRules := func(n Nesting) *Block {
		return &Block{BlockTypes: map[string]*NestedBlock{"rule": {Block: rule, Nesting: n}}}
	}

	// settings is a nested attribute's object (protocol 6).
	settings := map[string]*Attribute{
		"size": {Type: cty.Number, Optional: true},
		"arn":  {Type: cty.String, Computed: true},
	}
	withSettings := func(n Nesting, optional, computed bool) *Block {
		return &Block{Attributes: map[string]*Attribute{"settings": {
			NestedType: &Object{Attributes: settings, Nesting: n}, Optional: optional, Computed: computed,
		}}}
	}
	settingsVal := func(size, arn cty.Value) cty.Value { return obj("size", size, "arn", arn) }
	settingsType := cty.Object(map[string]cty.Type{"size": cty.Number, "arn": cty.String})

	// dyn is a list or map block whose objects hold a dynamic attribute,
	// which makes the block's value a tuple or an object.
	dyn := func(n Nesting) *Block {
		return &Block{BlockTypes: map[string]*NestedBlock{"item": {Nesting: n, Block: Block{Attributes: map[string]*Attribute{
			"value": {Type: cty.DynamicPseudoType, Required: true},
			"id":    {Type: cty.String, Computed: true},
		}}}}}
	}

	tests := []struct {
		name          string
		schema        *Block
		prior, config cty.Value
		want          cty.Value
	}{
		{
			// Terraform keeps the prior value of a computed attribute the
			// configuration leaves null, so the provider sees no change
			// (region, id); a configured value is proposed as is (name).
			name:   "optional computed and computed left out keep prior",
			schema: top,
			prior:  topPrior,
			config: topVal(null, str("b"), str("old"), null, null),
			want:   topVal(str("i-1"), str("b"), str("old"), str("eu-west-1"), null),
		},
		{
			// An optional attribute that is not computed only ever comes
			// from configuration: leaving it out proposes removing it.
			name:   "optional not computed left out is null",
			schema: top,
			prior:  topPrior,
			config: topVal(null, str("a"), null, null, null),
			want:   topVal(str("i-1"), str("a"), null, str("eu-west-1"), null),
		},
		{
			// A configured optional+computed value overrides the prior.
			name:   "optional computed set takes config",
			schema: top,
			prior:  topPrior,
			config: topVal(null, str("a"), str("old"), str("us-east-1"), null),
			want:   topVal(str("i-1"), str("a"), str("old"), str("us-east-1"), null),
		},
		{
			// Core's ProposedNew replaces a null prior by the block's
			// empty value (all attributes null), so computed attributes
			// left out are null, not unknown: the provider's own plan makes
			// them unknown. Only data sources (PlannedDataResourceObject)
			// get unknowns from core.
			name:   "create leaves computed null",
			schema: top,
			prior:  cty.NullVal(top.ImpliedType()),
			config: topVal(null, str("a"), null, null, str("s3cr3t")),
			want:   topVal(null, str("a"), null, null, str("s3cr3t")),
		},
		{
			// A write-only value is never in state (the prior's is null)
			// and is sent from configuration on every plan.
			name:   "write-only takes config",
			schema: top,
			prior:  topPrior,
			config: topVal(null, str("a"), str("old"), null, str("s3cr3t")),
			want:   topVal(str("i-1"), str("a"), str("old"), str("eu-west-1"), str("s3cr3t")),
		},
		{
			// An unknown computed value (from a reference to a resource
			// not yet created) is the configuration's, not null.
			name:   "unknown config attribute stays unknown",
			schema: top,
			prior:  topPrior,
			config: topVal(null, str("a"), str("old"), cty.UnknownVal(cty.String), null),
			want:   topVal(str("i-1"), str("a"), str("old"), cty.UnknownVal(cty.String), null),
		},
		{
			name:   "config null is null",
			schema: top,
			prior:  topPrior,
			config: cty.NullVal(top.ImpliedType()),
			want:   cty.NullVal(top.ImpliedType()),
		},
		{
			// Marks are taken off, the value proposed, and put back at the
			// same paths: on the configured name, and on the null region
			// whose place the prior value takes.
			name:   "marks kept",
			schema: top,
			prior:  topPrior,
			config: topVal(null, str("a").Mark("sensitive"), str("old"), null.Mark("sensitive"), null),
			want:   topVal(str("i-1"), str("a").Mark("sensitive"), str("old"), str("eu-west-1").Mark("sensitive"), null),
		},
		{
			// List blocks pair by index whatever their content: the second
			// rule keeps r2's id although its port changed. The third has
			// no prior, so it is proposed as configured (id null).
			name:   "list block by index",
			schema: withRules(NestingList),
			prior: obj("rule", cty.ListVal([]cty.Value{
				ruleVal(80, str("web"), str("r1")), ruleVal(443, str("tls"), str("r2")),
			})),
			config: obj("rule", cty.ListVal([]cty.Value{
				ruleVal(80, null, null), ruleVal(8080, null, null), ruleVal(22, str("ssh"), null),
			})),
			want: obj("rule", cty.ListVal([]cty.Value{
				ruleVal(80, str("web"), str("r1")), ruleVal(8080, str("tls"), str("r2")), ruleVal(22, str("ssh"), null),
			})),
		},
		{
			name:   "unknown list block kept",
			schema: withRules(NestingList),
			prior:  obj("rule", cty.ListVal([]cty.Value{ruleVal(80, str("web"), str("r1"))})),
			config: obj("rule", cty.UnknownVal(cty.List(ruleType))),
			want:   obj("rule", cty.UnknownVal(cty.List(ruleType))),
		},
		{
			// Marks inside a nested block's object come back too.
			name:   "marks in list block kept",
			schema: withRules(NestingList),
			prior:  obj("rule", cty.ListVal([]cty.Value{ruleVal(80, str("web"), str("r1"))})),
			config: obj("rule", cty.ListVal([]cty.Value{ruleVal(80, str("web").Mark("sensitive"), null)})),
			want:   obj("rule", cty.ListVal([]cty.Value{ruleVal(80, str("web").Mark("sensitive"), str("r1"))})),
		},
		{
			// A set element's prior is one equal to it except at computed
			// attributes the configuration leaves null: 443 matches and
			// keeps its description and id. 80 sets its optional+computed
			// description to a new value, so it is a new element and keeps
			// nothing of web's (Terraform's validPriorFromConfig: a computed
			// attribute may differ only where config is null). 22 is new.
			name:   "set block by non-computed values",
			schema: withRules(NestingSet),
			prior: obj("rule", cty.SetVal([]cty.Value{
				ruleVal(80, str("web"), str("r1")), ruleVal(443, str("tls"), str("r2")),
			})),
			config: obj("rule", cty.SetVal([]cty.Value{
				ruleVal(443, null, null), ruleVal(80, str("changed"), null), ruleVal(22, null, null),
			})),
			want: obj("rule", cty.SetVal([]cty.Value{
				ruleVal(443, str("tls"), str("r2")), ruleVal(80, str("changed"), null), ruleVal(22, null, null),
			})),
		},
		{
			// Map blocks pair by key: a keeps its id whatever its port, c
			// is new, and b, not configured, is gone.
			name:   "map block by key",
			schema: withRules(NestingMap),
			prior: obj("rule", cty.MapVal(map[string]cty.Value{
				"a": ruleVal(80, str("web"), str("r1")), "b": ruleVal(443, str("tls"), str("r2")),
			})),
			config: obj("rule", cty.MapVal(map[string]cty.Value{
				"a": ruleVal(8080, null, null), "c": ruleVal(22, null, null),
			})),
			want: obj("rule", cty.MapVal(map[string]cty.Value{
				"a": ruleVal(8080, str("web"), str("r1")), "c": ruleVal(22, null, null),
			})),
		},
		{
			// A single block the configuration leaves out is null, even
			// with a prior: blocks are never computed.
			name:   "single block left out is null",
			schema: withRules(NestingSingle),
			prior:  obj("rule", ruleVal(80, str("web"), str("r1"))),
			config: obj("rule", cty.NullVal(ruleType)),
			want:   obj("rule", cty.NullVal(ruleType)),
		},
		{
			name:   "single block keeps computed",
			schema: withRules(NestingSingle),
			prior:  obj("rule", ruleVal(80, str("web"), str("r1"))),
			config: obj("rule", ruleVal(443, null, null)),
			want:   obj("rule", ruleVal(443, str("web"), str("r1"))),
		},
		{
			// A list block of objects with a dynamic attribute is a tuple
			// (its elements' types may differ), and the result stays one.
			name:   "dynamic list block stays a tuple",
			schema: dyn(NestingList),
			prior: obj("item", cty.TupleVal([]cty.Value{
				obj("value", str("x"), "id", str("d1")),
			})),
			config: obj("item", cty.TupleVal([]cty.Value{
				obj("value", str("x"), "id", null), obj("value", cty.NumberIntVal(2), "id", null),
			})),
			want: obj("item", cty.TupleVal([]cty.Value{
				obj("value", str("x"), "id", str("d1")), obj("value", cty.NumberIntVal(2), "id", null),
			})),
		},
		{
			name:   "dynamic map block stays an object",
			schema: dyn(NestingMap),
			prior:  obj("item", obj("k", obj("value", str("x"), "id", str("d1")))),
			config: obj("item", obj("k", obj("value", cty.True, "id", null))),
			want:   obj("item", obj("k", obj("value", cty.True, "id", str("d1")))),
		},
		{
			// A nested attribute that is not computed is merged object by
			// object, like a block.
			name:   "nested attribute single",
			schema: withSettings(NestingSingle, true, false),
			prior:  obj("settings", settingsVal(cty.NumberIntVal(1), str("arn:1"))),
			config: obj("settings", settingsVal(cty.NumberIntVal(2), null)),
			want:   obj("settings", settingsVal(cty.NumberIntVal(2), str("arn:1"))),
		},
		{
			name:   "nested attribute list by index",
			schema: withSettings(NestingList, true, false),
			prior:  obj("settings", cty.ListVal([]cty.Value{settingsVal(cty.NumberIntVal(1), str("arn:1"))})),
			config: obj("settings", cty.ListVal([]cty.Value{
				settingsVal(cty.NumberIntVal(1), null), settingsVal(cty.NumberIntVal(2), null),
			})),
			want: obj("settings", cty.ListVal([]cty.Value{
				settingsVal(cty.NumberIntVal(1), str("arn:1")), settingsVal(cty.NumberIntVal(2), null),
			})),
		},
		{
			name:   "nested attribute set by non-computed values",
			schema: withSettings(NestingSet, true, false),
			prior: obj("settings", cty.SetVal([]cty.Value{
				settingsVal(cty.NumberIntVal(1), str("arn:1")), settingsVal(cty.NumberIntVal(2), str("arn:2")),
			})),
			config: obj("settings", cty.SetVal([]cty.Value{
				settingsVal(cty.NumberIntVal(2), null), settingsVal(cty.NumberIntVal(3), null),
			})),
			want: obj("settings", cty.SetVal([]cty.Value{
				settingsVal(cty.NumberIntVal(2), str("arn:2")), settingsVal(cty.NumberIntVal(3), null),
			})),
		},
		{
			// An optional+computed nested attribute left out keeps a prior
			// the provider computed entirely.
			name:   "computed nested attribute left out keeps computed prior",
			schema: withSettings(NestingSingle, true, true),
			prior:  obj("settings", settingsVal(cty.NullVal(cty.Number), str("arn:1"))),
			config: obj("settings", cty.NullVal(settingsType)),
			want:   obj("settings", settingsVal(cty.NullVal(cty.Number), str("arn:1"))),
		},
		{
			// But a prior holding a non-computed value (size) was
			// configured, so leaving it out removes it (Terraform's
			// optionalValueNotComputable).
			name:   "computed nested attribute left out drops configured prior",
			schema: withSettings(NestingSingle, true, true),
			prior:  obj("settings", settingsVal(cty.NumberIntVal(1), str("arn:1"))),
			config: obj("settings", cty.NullVal(settingsType)),
			want:   obj("settings", cty.NullVal(settingsType)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ProposedNew(tt.schema, tt.prior, tt.config)
			if !got.RawEquals(tt.want) {
				t.Errorf("ProposedNew:\n got %#v\nwant %#v", got, tt.want)
			}
			if errs := got.Type().TestConformance(tt.schema.ImpliedType()); len(errs) > 0 {
				t.Errorf("result does not conform to the schema: %v", errs)
			}
		})
	}
}
