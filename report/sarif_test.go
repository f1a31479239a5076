package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gitdrift/driftctl/drift"
)

// sarifSchema compiles testdata/sarif-schema-2.1.0.json (see
// testdata/README.md for where it comes from).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("reading the SARIF schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compiling the SARIF schema: %v", err)
	}
	return s
}

// sarifOut is the part of a SARIF log the tests read back.
type sarifOut struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name, Version, InformationURI string
				Rules                         []struct{ ID string }
			}
		}
		Results []struct {
			RuleID    string
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           struct{ StartLine, StartColumn, EndLine, EndColumn int }
				}
			}
			PartialFingerprints map[string]string
		}
	}
}

func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	t.Parallel()
	schema := sarifSchema(t)
	for name, r := range map[string]*drift.Report{
		"sample": sampleReport(), "github": githubReport(), "in sync": inSyncReport(), "empty": {}, "hostile": hostileReport(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := renderString(t, FormatSARIF, r, Options{Version: "1.2.3"})
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(doc); err != nil {
				t.Errorf("not valid SARIF 2.1.0: %v\n%s", err, out)
			}
		})
	}
}

// The schema check can fail: a log SARIF 2.1.0 refuses does not pass.
func TestSARIFSchemaRefusesInvalidLogs(t *testing.T) {
	t.Parallel()
	schema := sarifSchema(t)
	for _, bad := range []string{
		`{"version": "2.0.0", "runs": []}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "driftctl"}}, "results": [{"level": "fatal", "message": {"text": "x"}}]}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "driftctl"}}, "results": [{"message": {"text": "x"}, "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}]}]}`,
	} {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(doc); err == nil {
			t.Errorf("the schema accepts %s", bad)
		}
	}
}

func TestSARIFGolden(t *testing.T) {
	t.Parallel()
	golden(t, "report.sarif.golden", []byte(renderString(t, FormatSARIF, githubReport(), Options{Version: "1.2.3"})))
}

func TestSARIFResults(t *testing.T) {
	t.Parallel()
	r := githubReport()
	var log sarifOut
	if err := json.Unmarshal([]byte(renderString(t, FormatSARIF, r, Options{Version: "1.2.3"})), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if d := run.Tool.Driver; d.Name != "driftctl" || d.Version != "1.2.3" || d.InformationURI == "" || len(d.Rules) != 4 {
		t.Errorf("tool.driver = %+v, want driftctl 1.2.3 with an informationUri and 4 rules", d)
	}
	// One result per drifted attribute, one per missing, unmanaged or
	// unknown resource.
	want := map[string]int{}
	for _, res := range r.Results {
		switch res.Status {
		case drift.Drifted:
			want["drifted"] += len(res.Diffs)
		case drift.Missing, drift.Unmanaged, drift.Unknown:
			want[string(res.Status)]++
		}
	}
	got := map[string]int{}
	where := map[string]string{}
	for _, res := range run.Results {
		got[res.RuleID]++
		if len(res.Locations) == 1 {
			l := res.Locations[0].PhysicalLocation
			if l.ArtifactLocation.URIBaseID != "%SRCROOT%" {
				t.Errorf("uriBaseId %q, want %%SRCROOT%%", l.ArtifactLocation.URIBaseID)
			}
			where[strings.SplitN(res.Message.Text, " is ", 2)[0]] = l.ArtifactLocation.URI + ":" + itoa(l.Region.StartLine)
		}
		if res.PartialFingerprints["primaryLocationLineHash"] == "" {
			t.Errorf("%s: no fingerprint", res.Message.Text)
		}
		if strings.Contains(res.Message.Text, secret) {
			t.Errorf("a message prints the secret: %s", res.Message.Text)
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%d %s results, want %d", got[k], k, n)
		}
	}
	// Paths from the repository root: the stack is in envs/prod.
	for k, w := range map[string]string{
		"aws_security_group.web: tags.Env":   "envs/prod/network/main.tf:20",
		"aws_security_group.web: tags.Owner": "envs/prod/network/main.tf:8", // not in the configuration: the block
		"aws_s3_bucket.logs (acme-logs)":     "envs/prod/logs.tf:1",
	} {
		if where[k] != w {
			t.Errorf("%s at %q, want %q (all: %v)", k, where[k], w, where)
		}
	}
	// The unmanaged VPC is placed at the VPC block.
	for _, res := range run.Results {
		if res.RuleID == "unmanaged" {
			if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI != "envs/prod/network/main.tf" {
				t.Errorf("unmanaged aws_vpc located at %+v, want the aws_vpc block in envs/prod/network/main.tf", res.Locations)
			}
		}
	}
}

// An attribute the configuration leaves out is placed at its resource
// block; fingerprints do not move when lines do.
func TestSARIFLocationsAndFingerprints(t *testing.T) {
	t.Parallel()
	fingerprints := func(r *drift.Report) (map[string]string, sarifOut) {
		var log sarifOut
		if err := json.Unmarshal([]byte(renderString(t, FormatSARIF, r, Options{})), &log); err != nil {
			t.Fatal(err)
		}
		fp := map[string]string{}
		for _, res := range log.Runs[0].Results {
			fp[res.Message.Text] = res.PartialFingerprints["primaryLocationLineHash"]
		}
		return fp, log
	}
	before, log := fingerprints(githubReport())
	seen := map[string]bool{}
	for text, fp := range before {
		if seen[fp] {
			t.Errorf("fingerprint %s is not unique (%s)", fp, text)
		}
		seen[fp] = true
	}
	for _, res := range log.Runs[0].Results {
		if strings.HasPrefix(res.Message.Text, "aws_security_group.web: tags.Owner") {
			if l := res.Locations; len(l) != 1 || l[0].PhysicalLocation.Region.StartLine != 8 {
				t.Errorf("tags.Owner (not in the configuration) at %+v, want the block's line 8", l)
			}
		}
	}
	moved := githubReport()
	for i := range moved.Results {
		moved.Results[i].DeclRange.Start.Line += 10
		for j := range moved.Results[i].Diffs {
			if rg := moved.Results[i].Diffs[j].Range; rg != nil {
				rg.Start.Line += 10
			}
		}
	}
	after, _ := fingerprints(moved)
	for text, fp := range before {
		if after[text] != fp {
			t.Errorf("%s: fingerprint %s became %s when lines moved", text, fp, after[text])
		}
	}
}

func TestSARIFWithoutGit(t *testing.T) {
	t.Parallel()
	r := githubReport()
	r.Commit = nil
	out := renderString(t, FormatSARIF, r, Options{})
	if !bytes.Contains([]byte(out), []byte(`"uri": "network/main.tf"`)) {
		t.Errorf("without Git, URIs are relative to the directory scanned:\n%s", out)
	}
	if strings.Contains(out, "versionControlProvenance") {
		t.Error("versionControlProvenance without a commit")
	}
}
