package drift

import (
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// nestingSchema has one attribute of each nesting that provider plugins
// use beyond lists and sets of blocks: single, group and map blocks,
// nested attributes (protocol 6) of each nesting, and write-only
// attributes.
func nestingSchema() *providers.Schema {
	nested := func(n providers.Nesting, attrs map[string]*providers.Attribute) *providers.NestedBlock {
		return &providers.NestedBlock{Nesting: n, Attributes: attrs}
	}
	attribute := func(n providers.Nesting, attrs map[string]*providers.Attribute) *providers.NestedBlock {
		return &providers.NestedBlock{Nesting: n, Attributes: attrs, AttributeOnly: true}
	}
	return &providers.Schema{Type: "test_nesting", Attributes: map[string]*providers.Attribute{
		"id":       {Type: cty.String, Computed: true},
		"name":     {Type: cty.String, Required: true},
		"password": {Type: cty.String, Optional: true, Sensitive: true, WriteOnly: true},
		// Blocks, as the plugin protocol shows them: never computed.
		"settings": {Optional: true, Nested: nested(providers.NestingSingle, map[string]*providers.Attribute{
			"status": {Type: cty.String, Required: true},
			"mfa":    {Type: cty.String, Optional: true, Computed: true},
			"note":   {Type: cty.String, Optional: true},
			"secret": {Type: cty.String, Optional: true, Sensitive: true},
		})},
		"auto": {Optional: true, Nested: nested(providers.NestingSingle, map[string]*providers.Attribute{
			"mode": {Type: cty.String, Optional: true, Computed: true},
			"arn":  {Type: cty.String, Computed: true},
		})},
		"logging": {Optional: true, Nested: nested(providers.NestingGroup, map[string]*providers.Attribute{
			"level":     {Type: cty.String, Optional: true, Computed: true},
			"target":    {Type: cty.String, Optional: true},
			"retention": {Type: cty.Number, Optional: true, Default: cty.NumberIntVal(7)},
		})},
		"listener": {Optional: true, Nested: nested(providers.NestingMap, map[string]*providers.Attribute{
			"port":     {Type: cty.Number, Required: true},
			"protocol": {Type: cty.String, Optional: true, Computed: true},
			"cert":     {Type: cty.String, Optional: true, Sensitive: true},
		})},
		// Nested attributes (protocol 6).
		"endpoint": {Optional: true, Nested: attribute(providers.NestingSingle, map[string]*providers.Attribute{
			"url":       {Type: cty.String, Required: true},
			"region":    {Type: cty.String, Optional: true, Computed: true},
			"token":     {Type: cty.String, Optional: true, Sensitive: true},
			"secret_wo": {Type: cty.String, Optional: true, WriteOnly: true},
		})},
		"credentials": {Optional: true, Sensitive: true, Nested: attribute(providers.NestingSingle, map[string]*providers.Attribute{
			"user": {Type: cty.String, Required: true},
		})},
		"origins": {Optional: true, Computed: true, Nested: attribute(providers.NestingList, map[string]*providers.Attribute{
			"host":   {Type: cty.String, Required: true},
			"weight": {Type: cty.Number, Optional: true},
		})},
		"rules": {Optional: true, Nested: attribute(providers.NestingSet, map[string]*providers.Attribute{
			"port":    {Type: cty.Number, Required: true},
			"note":    {Type: cty.String, Optional: true},
			"note_wo": {Type: cty.String, Optional: true, WriteOnly: true},
		})},
		"routes": {Optional: true, Nested: attribute(providers.NestingMap, map[string]*providers.Attribute{
			"target": {Type: cty.String, Required: true},
			"weight": {Type: cty.Number, Optional: true, Computed: true},
		})},
	}}
}

// objOf is an object of attrs with vals, the other attributes null.
func objOf(attrs map[string]*providers.Attribute, vals map[string]cty.Value) cty.Value {
	m := make(map[string]cty.Value, len(attrs))
	for name, a := range attrs {
		if v, ok := vals[name]; ok {
			m[name] = v
		} else {
			m[name] = cty.NullVal(a.ImpliedType())
		}
	}
	return cty.ObjectVal(m)
}

// decodeConfig decodes src against the schema as config does.
func decodeConfig(t *testing.T, s *providers.Schema, src string) cty.Value {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL([]byte(src), "main.tf")
	if diags.HasErrors() {
		t.Fatalf("parsing: %s", diags)
	}
	v, diags := hcldec.Decode(f.Body, s.DecoderSpec(), nil)
	if diags.HasErrors() {
		t.Fatalf("decoding: %s", diags)
	}
	return v
}

func TestCompareNestings(t *testing.T) {
	t.Parallel()
	s := nestingSchema()
	at := func(name string) map[string]*providers.Attribute { return s.Attributes[name].Nested.Attributes }
	str := cty.StringVal
	num := func(n int64) cty.Value { return cty.NumberIntVal(n) }
	settings := func(vals map[string]cty.Value) map[string]cty.Value {
		return map[string]cty.Value{"settings": objOf(at("settings"), vals)}
	}
	listeners := func(byKey map[string]map[string]cty.Value) map[string]cty.Value {
		m := map[string]cty.Value{}
		for k, vals := range byKey {
			m[k] = objOf(at("listener"), vals)
		}
		return map[string]cty.Value{"listener": cty.MapVal(m)}
	}
	origins := func(hosts ...string) map[string]cty.Value {
		var l []cty.Value
		for _, h := range hosts {
			l = append(l, objOf(at("origins"), map[string]cty.Value{"host": str(h)}))
		}
		return map[string]cty.Value{"origins": cty.ListVal(l)}
	}
	rules := func(ports ...int64) map[string]cty.Value {
		var l []cty.Value
		for _, p := range ports {
			l = append(l, objOf(at("rules"), map[string]cty.Value{"port": num(p)}))
		}
		return map[string]cty.Value{"rules": cty.SetVal(l)}
	}
	routes := func(byKey map[string]string) map[string]cty.Value {
		m := map[string]cty.Value{}
		for k, target := range byKey {
			m[k] = objOf(at("routes"), map[string]cty.Value{"target": str(target), "weight": num(100)})
		}
		return map[string]cty.Value{"routes": cty.MapVal(m)}
	}
	endpoint := func(vals map[string]cty.Value) map[string]cty.Value {
		return map[string]cty.Value{"endpoint": objOf(at("endpoint"), vals)}
	}
	inSyncSettings := settings(map[string]cty.Value{"status": str("Enabled"), "mfa": str("Disabled")})
	tests := []struct {
		name   string
		config string
		live   map[string]cty.Value
		paths  []string
		// secret are the paths whose diffs must be sensitive; the others
		// must not be.
		secret []string
	}{
		// NestingSingle blocks: as a list block of MaxItems 1, one object.
		{name: "single: in sync, optional+computed left out", config: `settings { status = "Enabled" }`, live: inSyncSettings},
		{name: "single: attribute changed", config: `settings { status = "Enabled" }`,
			live: settings(map[string]cty.Value{"status": str("Suspended")}), paths: []string{"settings.status"}},
		{name: "single: optional left out must be empty", config: `settings { status = "Enabled" }`,
			live: settings(map[string]cty.Value{"status": str("Enabled"), "note": str("by hand")}), paths: []string{"settings.note"}},
		{name: "single: sensitive attribute changed", config: `settings {
  status = "Enabled"
  secret = "hunter2"
}`, live: settings(map[string]cty.Value{"status": str("Enabled"), "secret": str("changed")}), paths: []string{"settings.secret"}, secret: []string{"settings.secret"}},
		{name: "single: left out, absent live", config: ``, live: nil},
		{name: "single: left out, present live", config: ``, live: inSyncSettings, paths: []string{"settings"}, secret: []string{"settings"}},
		{name: "single: written, absent live", config: `settings { status = "Enabled" }`, live: nil, paths: []string{"settings"}, secret: []string{"settings"}},
		{name: "single: left out, the cloud fills every attribute", config: ``,
			live: map[string]cty.Value{"auto": objOf(at("auto"), map[string]cty.Value{"mode": str("on"), "arn": str("arn:x")})}},
		{name: "single: written block of computed attributes, drifted", config: `auto { mode = "off" }`,
			live: map[string]cty.Value{"auto": objOf(at("auto"), map[string]cty.Value{"mode": str("on"), "arn": str("arn:x")})}, paths: []string{"auto.mode"}},

		// NestingGroup blocks: always an object; left out means the
		// attributes left out.
		{name: "group: left out accepts computed values", config: ``,
			live: map[string]cty.Value{"logging": objOf(at("logging"), map[string]cty.Value{"level": str("INFO"), "retention": num(7)})}},
		{name: "group: left out, optional set by hand", config: ``,
			live: map[string]cty.Value{"logging": objOf(at("logging"), map[string]cty.Value{"level": str("INFO"), "target": str("s3://x"), "retention": num(7)})}, paths: []string{"logging.target"}},
		{name: "group: left out, default changed", config: ``,
			live: map[string]cty.Value{"logging": objOf(at("logging"), map[string]cty.Value{"retention": num(30)})}, paths: []string{"logging.retention"}},
		{name: "group: written attribute changed", config: `logging { level = "DEBUG" }`,
			live: map[string]cty.Value{"logging": objOf(at("logging"), map[string]cty.Value{"level": str("INFO"), "retention": num(7)})}, paths: []string{"logging.level"}},
		{name: "group: null live is its attributes left out", config: `logging { level = "DEBUG" }`,
			live: map[string]cty.Value{"logging": cty.NullVal(s.Attributes["logging"].ImpliedType())}, paths: []string{"logging.level", "logging.retention"}},

		// NestingMap blocks: by key.
		{name: "map: in sync", config: "listener \"http\" { port = 80 }\nlistener \"https\" { port = 443 }",
			live: listeners(map[string]map[string]cty.Value{"http": {"port": num(80), "protocol": str("HTTP")}, "https": {"port": num(443), "protocol": str("HTTPS")}})},
		{name: "map: attribute of a key changed", config: "listener \"http\" { port = 80 }",
			live: listeners(map[string]map[string]cty.Value{"http": {"port": num(8080)}}), paths: []string{"listener.http.port"}},
		{name: "map: key added live", config: "listener \"http\" { port = 80 }",
			live: listeners(map[string]map[string]cty.Value{"http": {"port": num(80)}, "admin": {"port": num(9000)}}), paths: []string{"listener.admin"}, secret: []string{"listener.admin"}},
		{name: "map: key removed live", config: "listener \"http\" { port = 80 }\nlistener \"https\" { port = 443 }",
			live: listeners(map[string]map[string]cty.Value{"http": {"port": num(80)}}), paths: []string{"listener.https"}, secret: []string{"listener.https"}},
		{name: "map: sensitive attribute of a key", config: "listener \"https\" {\n port = 443\n cert = \"a\"\n}",
			live: listeners(map[string]map[string]cty.Value{"https": {"port": num(443), "cert": str("b")}}), paths: []string{"listener.https.cert"}, secret: []string{"listener.https.cert"}},
		{name: "map: no blocks, some live", config: ``,
			live: listeners(map[string]map[string]cty.Value{"http": {"port": num(80)}}), paths: []string{"listener"}, secret: []string{"listener"}},
		{name: "map: no blocks, none live", config: ``, live: map[string]cty.Value{"listener": cty.MapValEmpty(s.Attributes["listener"].ImpliedType().ElementType())}},

		// Nested attributes: attribute semantics when null or left out,
		// the nesting's when written.
		{name: "nested single: in sync", config: `endpoint = { url = "https://a" }`,
			live: endpoint(map[string]cty.Value{"url": str("https://a"), "region": str("eu-west-1")})},
		{name: "nested single: attribute changed", config: `endpoint = { url = "https://a" }`,
			live: endpoint(map[string]cty.Value{"url": str("https://b")}), paths: []string{"endpoint.url"}},
		{name: "nested single: left out, present live", config: ``,
			live: endpoint(map[string]cty.Value{"url": str("https://a")}), paths: []string{"endpoint"}, secret: []string{"endpoint"}},
		{name: "nested single: null, present live", config: `endpoint = null`,
			live: endpoint(map[string]cty.Value{"url": str("https://a")}), paths: []string{"endpoint"}, secret: []string{"endpoint"}},
		{name: "nested single: written, absent live", config: `endpoint = { url = "https://a" }`, live: nil,
			paths: []string{"endpoint"}, secret: []string{"endpoint"}},
		{name: "nested single: sensitive attribute", config: `endpoint = { url = "https://a", token = "t1" }`,
			live: endpoint(map[string]cty.Value{"url": str("https://a"), "token": str("t2")}), paths: []string{"endpoint.token"}, secret: []string{"endpoint.token"}},
		{name: "nested single: inside a sensitive attribute", config: `credentials = { user = "alice" }`,
			live: map[string]cty.Value{"credentials": objOf(at("credentials"), map[string]cty.Value{"user": str("bob")})}, paths: []string{"credentials.user"}, secret: []string{"credentials.user"}},
		{name: "nested list: optional+computed left out accepts any", config: ``, live: origins("a")},
		{name: "nested list: empty says none", config: `origins = []`, live: origins("a"), paths: []string{"origins[0]"}},
		{name: "nested list: element changed", config: `origins = [{ host = "a" }, { host = "b" }]`, live: origins("a", "c"), paths: []string{"origins[1].host"}},
		{name: "nested list: element added live", config: `origins = [{ host = "a" }]`, live: origins("a", "c"), paths: []string{"origins[1]"}},
		{name: "nested set: in sync without order", config: `rules = [{ port = 443 }, { port = 80 }]`, live: rules(80, 443)},
		{name: "nested set: element added live", config: `rules = [{ port = 443 }]`, live: rules(80, 443), paths: []string{"rules"}},
		{name: "nested set: left out must be empty", config: ``, live: rules(80), paths: []string{"rules"}},
		{name: "nested map: in sync, optional+computed left out", config: `routes = { a = { target = "x" } }`, live: routes(map[string]string{"a": "x"})},
		{name: "nested map: attribute of a key changed", config: `routes = { a = { target = "x" } }`, live: routes(map[string]string{"a": "y"}), paths: []string{"routes.a.target"}},
		{name: "nested map: key added and removed", config: `routes = { a = { target = "x" } }`, live: routes(map[string]string{"b": "x"}), paths: []string{"routes.a", "routes.b"}},

		// Write-only attributes are never returned live.
		{name: "write-only attributes are never compared", config: `password = "hunter2"
endpoint = { url = "https://a", secret_wo = "s" }
rules = [{ port = 443, note_wo = "w" }]`,
			live: func() map[string]cty.Value {
				m := endpoint(map[string]cty.Value{"url": str("https://a")})
				m["rules"] = rules(443)["rules"]
				return m
			}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := decodeConfig(t, s, "name = \"a\"\n"+tt.config)
			// A provider returns a group block whole.
			logging := objOf(s.Attributes["logging"].Nested.Attributes, map[string]cty.Value{"retention": cty.NumberIntVal(7)})
			vals := map[string]cty.Value{"id": cty.StringVal("n-1"), "name": cty.StringVal("a"), "logging": logging}
			for k, v := range tt.live {
				vals[k] = v
			}
			got := objOf(s.Attributes, vals)
			diffs, err := Compare(s, want, got, DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, d := range diffs {
				paths = append(paths, d.Path)
				if d.Sensitive != slices.Contains(tt.secret, d.Path) {
					t.Errorf("%s: sensitive %v", d.Path, d.Sensitive)
				}
			}
			if strings.Join(paths, ",") != strings.Join(tt.paths, ",") {
				t.Errorf("diff paths = %v, want %v", paths, tt.paths)
			}
		})
	}
}

// Diffs inside a map of objects find where the key is written (a nested
// attribute's literal map records each key), else where the map is.
func TestCompareNestedMapRanges(t *testing.T) {
	t.Parallel()
	s := nestingSchema()
	want := decodeConfig(t, s, "name = \"a\"\nroutes = { a = { target = \"x\" } }\nlistener \"http\" { port = 80 }")
	route := objOf(s.Attributes["routes"].Nested.Attributes, map[string]cty.Value{"target": cty.StringVal("y")})
	listener := objOf(s.Attributes["listener"].Nested.Attributes, map[string]cty.Value{"port": cty.NumberIntVal(81)})
	got := objOf(s.Attributes, map[string]cty.Value{
		"name":     cty.StringVal("a"),
		"routes":   cty.MapVal(map[string]cty.Value{"a": route}),
		"listener": cty.MapVal(map[string]cty.Value{"http": listener}),
		"logging":  objOf(s.Attributes["logging"].Nested.Attributes, map[string]cty.Value{"retention": cty.NumberIntVal(7)}),
	})
	rng := func(line int) hcl.Range { return hcl.Range{Filename: "main.tf", Start: hcl.Pos{Line: line}} }
	ranges := map[string]hcl.Range{"routes": rng(2), "routes.a": rng(2), "listener": rng(3), "listener.port": rng(3)}
	diffs, err := Compare(s, want, got, DiffOptions{Ranges: ranges})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 2 {
		t.Fatalf("diffs %v, want listener.http.port and routes.a.target", diffs)
	}
	for _, d := range diffs {
		if d.Range == nil || d.Range.Start.Line != map[string]int{"listener.http.port": 3, "routes.a.target": 2}[d.Path] {
			t.Errorf("%s: range %v", d.Path, d.Range)
		}
	}
}

// lifecycle.ignore_changes names a map of objects, or one key of it.
func TestClassifyIgnoresNestedPaths(t *testing.T) {
	t.Parallel()
	s := nestingSchema()
	want := decodeConfig(t, s, "name = \"a\"\nroutes = { a = { target = \"x\" } }")
	route := objOf(s.Attributes["routes"].Nested.Attributes, map[string]cty.Value{"target": cty.StringVal("y")})
	got := objOf(s.Attributes, map[string]cty.Value{
		"name":    cty.StringVal("a"),
		"routes":  cty.MapVal(map[string]cty.Value{"a": route}),
		"logging": objOf(s.Attributes["logging"].Nested.Attributes, map[string]cty.Value{"retention": cty.NumberIntVal(7)}),
	})
	for _, tt := range []struct {
		ignore []string
		want   Status
	}{
		{nil, Drifted},
		{[]string{"routes"}, Ignored},
		{[]string{"routes.a"}, Ignored},
		{[]string{"routes.b"}, Drifted},
	} {
		if c := Classify(s, want, got, ClassifyOptions{IgnoreChanges: tt.ignore}); c.Status != tt.want {
			t.Errorf("ignore_changes %v: %s (%s), want %s", tt.ignore, c.Status, c.Reason, tt.want)
		}
	}
}

// A Comparer on a nested object decides for the whole object, as for any
// attribute; a null live object is still absent.
func TestCompareNestedObjectComparer(t *testing.T) {
	t.Parallel()
	attrs := map[string]*providers.Attribute{"url": {Type: cty.String, Required: true}}
	sameHost := providers.ComparerFunc(func(want, got cty.Value) (bool, error) {
		return strings.EqualFold(want.GetAttr("url").AsString(), got.GetAttr("url").AsString()), nil
	})
	s := &providers.Schema{Type: "test_comparer", Attributes: map[string]*providers.Attribute{
		"endpoint": {Optional: true, Comparer: sameHost, Nested: &providers.NestedBlock{Nesting: providers.NestingSingle, AttributeOnly: true, Attributes: attrs}},
	}}
	url := func(u string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"endpoint": cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal(u)})})
	}
	absent := cty.ObjectVal(map[string]cty.Value{"endpoint": cty.NullVal(providers.ImpliedType(attrs))})
	for _, tt := range []struct {
		name      string
		want, got cty.Value
		paths     string
	}{
		{"equivalent", url("https://A"), url("https://a"), ""},
		{"different", url("https://a"), url("https://b"), "endpoint"},
		{"absent live", url("https://a"), absent, "endpoint"},
	} {
		diffs, err := Compare(s, tt.want, tt.got, DiffOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, d := range diffs {
			paths = append(paths, d.Path)
		}
		if strings.Join(paths, ",") != tt.paths {
			t.Errorf("%s: diffs %v, want %q", tt.name, paths, tt.paths)
		}
	}
}
