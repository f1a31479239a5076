package report

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
)

// githubReport is sampleReport from an https GitHub repository, with the
// resource blocks' ranges: file:line links, and locations for missing and
// unmanaged resources.
func githubReport() *drift.Report {
	r := sampleReport()
	r.Commit.Repository = "https://github.com/acme/infra.git"
	decl := map[string]*hcl.Range{
		"aws_vpc.main":              rng("network/main.tf", 1),
		"aws_s3_bucket.logs":        rng("logs.tf", 1),
		"aws_security_group.web":    rng("network/main.tf", 8),
		"aws_db_instance.main":      rng("db.tf", 3),
		"aws_s3_bucket_policy.logs": rng("logs.tf", 28),
		`aws_instance.web["a"]`:     rng("compute.tf", 4),
		"aws_iam_role.ci":           rng("iam.tf", 1),
		"aws_subnet.a":              rng("network/main.tf", 40),
	}
	for i := range r.Results {
		if d := decl[r.Results[i].Address]; d != nil {
			r.Results[i].DeclRange = *d
		}
	}
	return r
}

// hostileReport holds markup, Markdown and mentions wherever the
// configuration or the cloud can put text.
func hostileReport() *drift.Report {
	const evil = `]]></code></td></tr></table><script>alert("x")</script> | **bold** [link](https://evil.example) @octocat <img src=x onerror=alert(1)>`
	return &drift.Report{
		Stack: "prod<script>alert(1)</script>",
		Commit: &drift.Commit{SHA: "0123456789abcdef0123456789abcdef01234567", Ref: "refs/tags/<script>alert(2)</script>",
			Author: `Mallory <script>alert(3)</script>`, Message: evil, Repository: "https://github.com/acme/infra", Path: "envs/<b>prod</b>"},
		Results: []drift.Result{
			{Address: "aws_s3_bucket.x", Type: "aws_s3_bucket", ID: "bucket-<script>alert(4)</script>", Status: drift.Drifted,
				DeclRange: *rng(`"><script>alert(5)</script>.tf`, 1),
				Diffs: []drift.Diff{{Path: "tags.Name", Want: cty.StringVal("ok"), Got: cty.StringVal(evil),
					Range: rng(`"><script>alert(6)</script>.tf`, 2)}}},
			{Type: "aws_s3_bucket", ID: evil, Status: drift.Unmanaged},
		},
	}
}

// manyReport has n drifted resources with two diffs each.
func manyReport(n int) *drift.Report {
	r := githubReport()
	r.Results = nil
	r.Errors = nil
	for i := range n {
		r.Results = append(r.Results, drift.Result{
			Address: fmt.Sprintf("aws_s3_bucket.b%04d", i), Type: "aws_s3_bucket", ID: fmt.Sprintf("bucket-%04d", i),
			Provider: "aws", Region: "us-east-1", Status: drift.Drifted, DeclRange: *rng("storage.tf", 10*i+1),
			Diffs: []drift.Diff{
				{Path: "tags.Owner", Want: cty.NullVal(cty.String), Got: cty.StringVal("alice"), Range: rng("storage.tf", 10*i+2)},
				{Path: "versioning[0].enabled", Want: cty.True, Got: cty.False, Range: rng("storage.tf", 10*i+3)},
			},
		})
	}
	return r
}

func renderString(t *testing.T, f Format, r *drift.Report, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, f, r, opts); err != nil {
		t.Fatalf("rendering %s: %v", f, err)
	}
	return buf.String()
}

func TestFormats(t *testing.T) {
	t.Parallel()
	names := FormatNames()
	if want := []string{"console", "json", "markdown", "sarif", "junit", "html"}; !slices.Equal(names, want) {
		t.Errorf("FormatNames() = %v, want %v", names, want)
	}
	for _, f := range Formats() {
		got, err := ParseFormat(string(f))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
		if out := renderString(t, f, sampleReport(), Options{}); out == "" {
			t.Errorf("%s rendered nothing", f)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil || !strings.Contains(err.Error(), "markdown") {
		t.Errorf("ParseFormat(yaml) = %v, want an error listing the formats", err)
	}
}

func TestForgeLinks(t *testing.T) {
	t.Parallel()
	const sha = "9fceb02d0ae598e95dc970b74767f19372d61af8"
	tests := []struct {
		name, repo, path string
		dirty            bool
		file             string
		want, wantCommit string
	}{
		{"github", "https://github.com/acme/infra.git", "envs/prod", false, "network/main.tf",
			"https://github.com/acme/infra/blob/" + sha + "/envs/prod/network/main.tf#L12", "https://github.com/acme/infra/commit/" + sha},
		{"gitlab subgroup", "https://gitlab.com/acme/platform/infra", "", false, "main.tf",
			"https://gitlab.com/acme/platform/infra/-/blob/" + sha + "/main.tf#L12", "https://gitlab.com/acme/platform/infra/-/commit/" + sha},
		{"github enterprise", "https://github.acme.corp/ops/infra.git", "", false, "a b#c.tf",
			"https://github.acme.corp/ops/infra/blob/" + sha + "/a%20b%23c.tf#L12", "https://github.acme.corp/ops/infra/commit/" + sha},
		{"module above the stack", "https://github.com/acme/infra", "envs/prod", false, "../../modules/net/main.tf",
			"https://github.com/acme/infra/blob/" + sha + "/modules/net/main.tf#L12", "https://github.com/acme/infra/commit/" + sha},
		{"outside the repository", "https://github.com/acme/infra", "envs", false, "../../elsewhere.tf", "", "https://github.com/acme/infra/commit/" + sha},
		{"dirty working tree", "https://github.com/acme/infra", "", true, "main.tf", "", ""},
		{"other host", "https://git.example.com/acme/infra.git", "", false, "main.tf", "", ""},
		{"ssh", "ssh://git@github.com/acme/infra.git", "", false, "main.tf", "", ""},
		{"http", "http://github.com/acme/infra", "", false, "main.tf", "", ""},
		{"local path", "/home/ada/infra", "", false, "main.tf", "", ""},
		{"no project", "https://github.com/", "", false, "main.tf", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &drift.Commit{SHA: sha, Repository: tt.repo, Path: tt.path, Dirty: tt.dirty}
			if got := lineURL(c, rng(tt.file, 12)); got != tt.want {
				t.Errorf("lineURL = %q, want %q", got, tt.want)
			}
			if got := commitURL(c); got != tt.wantCommit {
				t.Errorf("commitURL = %q, want %q", got, tt.wantCommit)
			}
		})
	}
}

// No format prints a sensitive value, and every one says (sensitive).
func TestNewFormatsHideSensitiveValues(t *testing.T) {
	t.Parallel()
	for _, f := range Formats() {
		out := renderString(t, f, githubReport(), Options{})
		if strings.Contains(out, secret) {
			t.Errorf("%s prints the sensitive value %q", f, secret)
		}
		if !strings.Contains(out, sensitiveText) {
			t.Errorf("%s does not print %s", f, sensitiveText)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }
