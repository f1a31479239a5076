package report

import (
	"bytes"
	"encoding/json"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
)

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestJSONSchema(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		report        *drift.Report
		wantResources int
		wantErrors    int
		wantCommit    bool
		wantProviders int
	}{
		{"full", sampleReport(), 9, 2, true, 2},
		{"no commit", inSyncReport(), 1, 0, false, 0},
		{"empty", &drift.Report{}, 0, 0, false, 0},
	}
	topKeys := []string{"commit", "duration_seconds", "errors", "providers", "resources", "schema_version", "stack", "started_at", "summary"}
	commitKeys := []string{"author", "dirty", "email", "message", "path", "ref", "repository", "sha", "time"}
	summaryKeys := []string{"coverage", "drifted", "ignored", "in_sync", "missing", "total", "unknown", "unmanaged"}
	resourceKeys := []string{"address", "diffs", "id", "provider", "region", "status", "type"}
	diffKeys := []string{"blame", "file", "got", "line", "path", "sensitive", "want"}
	errorKeys := []string{"message", "operation", "region", "type"}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := JSON(&buf, tt.report); err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
			}
			if doc["schema_version"] != float64(1) {
				t.Errorf("schema_version = %v, want 1", doc["schema_version"])
			}
			if diff := cmp.Diff(topKeys, keys(doc)); diff != "" {
				t.Errorf("top-level keys (-want +got):\n%s", diff)
			}
			if commit, ok := doc["commit"].(map[string]any); ok != tt.wantCommit {
				t.Errorf("commit = %v, want an object: %v", doc["commit"], tt.wantCommit)
			} else if ok {
				if diff := cmp.Diff(commitKeys, keys(commit)); diff != "" {
					t.Errorf("commit keys (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(summaryKeys, keys(doc["summary"].(map[string]any))); diff != "" {
				t.Errorf("summary keys (-want +got):\n%s", diff)
			}

			resources, ok := doc["resources"].([]any)
			if !ok || len(resources) != tt.wantResources {
				t.Fatalf("resources = %v, want an array of %d", doc["resources"], tt.wantResources)
			}
			for _, r := range resources {
				res := r.(map[string]any)
				want := resourceKeys
				if _, ok := res["reason"]; ok {
					want = append(slices.Clone(resourceKeys), "reason")
					slices.Sort(want)
					if res["reason"] == "" {
						t.Errorf("%v: empty reason is present", res["address"])
					}
				}
				if diff := cmp.Diff(want, keys(res)); diff != "" {
					t.Errorf("resource %v keys (-want +got):\n%s", res["address"], diff)
				}
				if (res["address"] == nil) != (res["status"] == "unmanaged") {
					t.Errorf("address = %v for status %v; want null exactly for unmanaged", res["address"], res["status"])
				}
				diffs, ok := res["diffs"].([]any)
				if !ok {
					t.Fatalf("resource %v: diffs = %v, want an array", res["address"], res["diffs"])
				}
				for _, d := range diffs {
					diff := d.(map[string]any)
					if k := cmp.Diff(diffKeys, keys(diff)); k != "" {
						t.Errorf("diff keys (-want +got):\n%s", k)
					}
					if (diff["file"] == nil) != (diff["line"] == nil) {
						t.Errorf("diff %v: file %v and line %v must be null together", diff["path"], diff["file"], diff["line"])
					}
				}
			}

			errs, ok := doc["errors"].([]any)
			if !ok || len(errs) != tt.wantErrors {
				t.Fatalf("errors = %v, want an array of %d", doc["errors"], tt.wantErrors)
			}
			for _, e := range errs {
				if diff := cmp.Diff(errorKeys, keys(e.(map[string]any))); diff != "" {
					t.Errorf("error keys (-want +got):\n%s", diff)
				}
			}

			provs, ok := doc["providers"].([]any)
			if !ok || len(provs) != tt.wantProviders {
				t.Fatalf("providers = %v, want an array of %d", doc["providers"], tt.wantProviders)
			}
			for _, p := range provs {
				prov := p.(map[string]any)
				// account is left out when not known.
				want := []string{"name", "region"}
				if _, ok := prov["account"]; ok {
					want = []string{"account", "name", "region"}
				}
				if diff := cmp.Diff(want, keys(prov)); diff != "" {
					t.Errorf("provider keys (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestJSONOrderAndValues(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := JSON(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources []struct {
			Address *string
			Status  string
			Diffs   []struct {
				Path string
				Want any
				Got  any
				File *string
				Line *int
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range doc.Resources {
		addr := "<nil>"
		if r.Address != nil {
			addr = *r.Address
		}
		order = append(order, r.Status+" "+addr)
	}
	wantOrder := []string{
		"drifted aws_db_instance.main",
		"drifted aws_s3_bucket_policy.logs",
		"drifted aws_security_group.web",
		"missing aws_s3_bucket.logs",
		"unmanaged <nil>",
		`unknown aws_instance.web["a"]`,
		"ignored aws_iam_role.ci",
		"in_sync aws_subnet.a",
		"in_sync aws_vpc.main",
	}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("resource order (-want +got):\n%s", diff)
	}
	db := doc.Resources[0].Diffs
	if db[0].Want != sensitiveText || db[0].Got != sensitiveText {
		t.Errorf("sensitive diff = %v → %v", db[0].Want, db[0].Got)
	}
	if want := map[string]any{"log_min_duration": "500", "token": sensitiveText}; !cmp.Equal(want, db[1].Want) {
		t.Errorf("partly sensitive want = %v", db[1].Want)
	}
	if db[1].File != nil || db[1].Line != nil {
		t.Errorf("diff without range has file %v line %v", db[1].File, db[1].Line)
	}
	if db[2].File == nil || *db[2].File != "db.tf" || *db[2].Line != 9 || db[2].Want != float64(20) {
		t.Errorf("allocated_storage diff = %+v", db[2])
	}
}

func TestValueRendering(t *testing.T) {
	t.Parallel()
	obj := cty.ObjectVal(map[string]cty.Value{
		"b":        cty.StringVal("x"),
		"a":        cty.NumberIntVal(1),
		"with-key": cty.True,
		"Env Name": cty.NullVal(cty.String),
	})
	tests := []struct {
		name     string
		value    cty.Value
		wantText string
		wantJSON string
	}{
		{"nil", cty.NilVal, "null", "null"},
		{"null", cty.NullVal(cty.List(cty.String)), "null", "null"},
		{"unknown", cty.UnknownVal(cty.String), "(unknown)", `"(unknown)"`},
		{"string", cty.StringVal("a \"quoted\"\nline"), `"a \"quoted\"\nline"`, `"a \"quoted\"\nline"`},
		{"integer", cty.NumberIntVal(443), "443", "443"},
		{"negative", cty.NumberIntVal(-1), "-1", "-1"},
		{"float", cty.NumberFloatVal(0.1), "0.1", "0.1"},
		{"parsed decimal", cty.MustParseNumberVal("2.5"), "2.5", "2.5"},
		{"big integer", cty.NumberVal(new(big.Float).SetPrec(512).SetInt(new(big.Int).Lsh(big.NewInt(1), 70))), "1180591620717411303424", "1180591620717411303424"},
		{"infinity", cty.PositiveInfinity, "Infinity", `"Infinity"`},
		{"bool", cty.False, "false", "false"},
		{"empty list", cty.ListValEmpty(cty.String), "[]", "[]"},
		{"list keeps order", cty.ListVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), `["b", "a"]`, `["b","a"]`},
		{"tuple", cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1)}), `["a", 1]`, `["a",1]`},
		{"set is sorted", cty.SetVal([]cty.Value{cty.StringVal("sg-2"), cty.StringVal("sg-10"), cty.StringVal("sg-1")}), `["sg-1", "sg-10", "sg-2"]`, `["sg-1","sg-10","sg-2"]`},
		{"object sorted keys", obj, `{a = 1, b = "x", with-key = true}`, `{"Env Name":null,"a":1,"b":"x","with-key":true}`},
		{"empty map", cty.MapValEmpty(cty.String), "{}", "{}"},
		{"marked", cty.StringVal(secret).Mark("sensitive"), "(sensitive)", `"(sensitive)"`},
		{"marked inside", cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal(secret).Mark("sensitive")}), `["a", (sensitive)]`, `["a","(sensitive)"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := formatValue(tt.value); got != tt.wantText {
				t.Errorf("formatValue = %s, want %s", got, tt.wantText)
			}
			b, err := json.Marshal(jsonValue(tt.value))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); got != tt.wantJSON {
				t.Errorf("jsonValue = %s, want %s", got, tt.wantJSON)
			}
		})
	}
}

func TestElidePair(t *testing.T) {
	t.Parallel()
	long := func(mid string) string {
		return string(bytes.Repeat([]byte("a"), 200)) + mid + string(bytes.Repeat([]byte("z"), 200))
	}
	tests := []struct {
		name, a, b       string
		wantA, wantB     string
		wantContainsDiff bool
	}{
		{name: "short values stay whole", a: `"x"`, b: `"y"`, wantA: `"x"`, wantB: `"y"`},
		{name: "difference in the middle stays visible", a: long("GetObject"), b: long("*"), wantContainsDiff: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := elidePair(tt.a, tt.b)
			if tt.wantContainsDiff {
				if !bytes.Contains([]byte(a), []byte("GetObject")) || !bytes.Contains([]byte(b), []byte("a*z")) {
					t.Errorf("elided pair hides the difference:\n%s\n%s", a, b)
				}
				if n := len([]rune(a)); n > valueWidth+2 {
					t.Errorf("elided value is %d runes", n)
				}
				return
			}
			if a != tt.wantA || b != tt.wantB {
				t.Errorf("elidePair = %s, %s", a, b)
			}
		})
	}
}

func TestAge(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		ago  time.Duration
		want string
	}{
		{10 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{59 * time.Minute, "59 minutes ago"},
		{3 * time.Hour, "3 hours ago"},
		{3 * 24 * time.Hour, "3 days ago"},
		{90 * 24 * time.Hour, "3 months ago"},
		{3 * 365 * 24 * time.Hour, "3 years ago"},
	}
	for _, tt := range tests {
		if got := age(now.Add(-tt.ago), now); got != tt.want {
			t.Errorf("age(%s) = %q, want %q", tt.ago, got, tt.want)
		}
	}
}

// The resources written one at a time make the document that encoding the
// whole report at once makes, with and without resources.
func TestJSONStreamedAsWhole(t *testing.T) {
	t.Parallel()
	for name, rep := range map[string]*drift.Report{
		"sample":      sampleReport(),
		"empty":       {Stack: "empty", StartedAt: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)},
		"errors only": {Stack: "e", Errors: []drift.Error{{Type: "aws_vpc", Region: "us-east-1", Operation: "ec2:DescribeVpcs", Message: "denied\nline"}}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got bytes.Buffer
			if err := JSON(&got, rep); err != nil {
				t.Fatal(err)
			}
			// The whole document at once, as JSON wrote it before it
			// streamed the resources.
			var whole bytes.Buffer
			var doc map[string]json.RawMessage
			if err := json.Unmarshal(got.Bytes(), &doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, got.String())
			}
			out := jsonReport{Resources: []jsonResource{}, Errors: []jsonError{}}
			if err := json.Unmarshal(got.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Resources) != len(rep.Results) {
				t.Fatalf("%d resources, want %d", len(out.Resources), len(rep.Results))
			}
			if err := newJSONEncoder(&whole, "", "  ").Encode(out); err != nil {
				t.Fatal(err)
			}
			if got.String() != whole.String() {
				t.Errorf("streamed:\n%s\nwhole:\n%s", got.String(), whole.String())
			}
		})
	}
}
