package ignore

import (
	"errors"
	"strings"
	"testing"
)

func mustParse(t *testing.T, text string) *Rules {
	t.Helper()
	rs, err := Parse(".driftignore", strings.NewReader(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return rs
}

// The files of snyk/driftctl's pkg/filter/testdata and the examples of its
// documentation, with what snyk decides for each resource.
func TestIgnored(t *testing.T) {
	t.Parallel()
	type res struct {
		typ, id string
		want    bool
	}
	tests := []struct {
		name string
		file string
		res  []res
	}{
		{"empty", "", []res{{"type1", "id1", false}}},
		{"a byte order mark and CRLF", "\ufeffaws_s3_bucket.b\r\naws_s3_bucket.c\r\n", []res{{"aws_s3_bucket", "b", true}, {"aws_s3_bucket", "c", true}}},
		{"comments and blank lines", "# aws_s3_bucket.b\n\n   \n", []res{{"aws_s3_bucket", "b", false}}},
		{"snyk drift_ignore_valid", "ignored_resource.id2\nwildcard_resource.*\nresource_type.id\\.with\\.dots\nresource_type.idwith\\\\\nresource_type.idwith\\\\backslashes\n\n", []res{
			{"type1", "id1", false},
			{"wildcard_resource", "id1/with/slash", true},
			{"wildcard_resource", "id1", true},
			{"ignored_resource", "id2", true},
			{"ignored_resource", "id3", false},
			{"resource_type", "id.with.dots", true},
			{"resource_type", `idwith\`, true},
			{"resource_type", `idwith\backslashes`, true},
			{"resource_type", "idwith", false},
		}},
		{"snyk drift_ignore_wildcard", "*2**.**d1*\ntype3.id1***0\n*.id\\\\WithBa*slas*\\\\**\\\\\n\n# this is *** comment\n", []res{
			{"type1", "id1", false},
			{"type2", "id1", true},
			{"type2", "id11", true},
			{"type2", "id2", false},
			{"type3", "id100", true},
			{"type3", "id101", false},
			{"type4", `id\WithBac*slash***\*\`, true},
		}},
		{"snyk drift_ignore_all_exclude", "*\n!iam_user.*\n", []res{
			{"type1", "id1", true},
			{"type3", "id101", true},
			{"iam_user", `id\WithBac*slash***\*\`, false},
			{"some_type", "idwith/slash/", true},
		}},
		{"docs: one IAM user", "aws_iam_user.tfc-demo\n", []res{
			{"aws_iam_user", "tfc-demo", true},
			{"aws_iam_user", "tfc-demo2", false},
		}},
		{"docs: every bucket", "aws_s3_bucket.*\n", []res{
			{"aws_s3_bucket", "anything", true},
			{"aws_s3_bucket_policy", "anything", false},
		}},
		{"docs: everything but buckets", "*\n!aws_s3_bucket\n", []res{
			{"aws_s3_bucket", "b", false},
			{"aws_iam_user", "u", true},
		}},
		{"docs: a policy attachment by ARN", "aws_iam_policy_attachment.AWSServiceRoleForRDS-arn:aws:iam::aws:policy/aws-service-role/AmazonRDSServiceRolePolicy\n", []res{
			{"aws_iam_policy_attachment", "AWSServiceRoleForRDS-arn:aws:iam::aws:policy/aws-service-role/AmazonRDSServiceRolePolicy", true},
		}},
		{"a later negation wins", "aws_s3_bucket.*\n!aws_s3_bucket.keep\n", []res{
			{"aws_s3_bucket", "keep", false},
			{"aws_s3_bucket", "other", true},
		}},
		{"a later rule wins over a negation", "!aws_s3_bucket.keep\naws_s3_bucket.*\n", []res{
			{"aws_s3_bucket", "keep", true},
		}},
		{"an attribute rule leaves the resource", "aws_s3_bucket.b.tags\n", []res{
			{"aws_s3_bucket", "b", false},
		}},
		{"a prefix is not a match", "aws_s3_bucket.logs\n", []res{
			{"aws_s3_bucket", "logs-2", false},
			{"aws_s3_bucket", "logs", true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := mustParse(t, tt.file)
			for _, r := range tt.res {
				_, got := rs.Ignored(Resource{Type: r.typ, ID: r.id})
				if got != r.want {
					t.Errorf("%s.%s: ignored = %v, want %v", r.typ, r.id, got, r.want)
				}
			}
		})
	}
}

// snyk/driftctl's drift_ignore_fields and drift_ignore_all_exclude_field,
// and drift.Diff paths.
func TestAttributeIgnored(t *testing.T) {
	t.Parallel()
	fields := "res_type.full_drift_ignored.json\nres_type.full_drift_ignored.foobar\nres_type.partial_drift_ignored.foobar\n" +
		"res_type.wildcard_drift_ignored.*.baz\nres_type.endofpath_drift_ignored.struct\nresource_type.id\\.with\\.dots.json\n" +
		"resource_type.idwith\\\\.json\nresource_type.idwith\\\\backslashes.foobar\n"
	type attr struct {
		typ, id, path string
		want          bool
	}
	tests := []struct {
		name  string
		file  string
		attrs []attr
	}{
		{"snyk drift_ignore_fields", fields, []attr{
			{"res_type", "full_drift_ignored", "json", true},
			{"res_type", "full_drift_ignored", "foobar", true},
			{"res_type", "partial_drift_ignored", "json", false},
			{"res_type", "partial_drift_ignored", "foobar", true},
			{"resource_type", "id.with.dots", "json", true},
			{"resource_type", `idwith\`, "json", true},
			{"resource_type", `idwith\backslashes`, "json", false},
			{"resource_type", `idwith\backslashes`, "foobar", true},
			{"res_type", "wildcard_drift_ignored", "struct.baz", true},
			{"res_type", "wildcard_drift_ignored", "struct.bar", false},
			{"res_type", "endofpath_drift_ignored", "struct.baz", true},
			{"res_type", "endofpath_drift_ignored", "struct.bar", true},
		}},
		{"snyk drift_ignore_all_exclude_field", "*\n!*.bar\n", []attr{
			{"res_type", "partial_drift_ignored", "json", true},
			{"res_type", "wildcard_drift_ignored", "struct.bar", false},
			{"res_type", "wildcard_drift_ignored", "struct.baz", true},
		}},
		{"what is below the attribute", "aws_security_group.sg-1.ingress\n", []attr{
			{"aws_security_group", "sg-1", "ingress[0].from_port", true},
			{"aws_security_group", "sg-1", "egress[0].from_port", false},
		}},
		{"snyk's index spelling", "aws_security_group.sg-1.ingress.0\n", []attr{
			{"aws_security_group", "sg-1", "ingress[0].from_port", true},
			{"aws_security_group", "sg-1", "ingress[1].from_port", false},
		}},
		{"one tag", "aws_s3_bucket.b.tags.Env\n", []attr{
			{"aws_s3_bucket", "b", "tags.Env", true},
			{"aws_s3_bucket", "b", "tags.Owner", false},
			{"aws_s3_bucket", "b", "tags", false},
		}},
		{"a dotted tag key", "aws_s3_bucket.b.tags.kubernetes\\.io/role\n", []attr{
			{"aws_s3_bucket", "b", "tags.kubernetes.io/role", true},
		}},
		{"a whole-resource rule covers its attributes", "aws_s3_bucket.b\n", []attr{
			{"aws_s3_bucket", "b", "tags.Env", true},
		}},
		{"negated attribute", "aws_s3_bucket.*.tags\n!aws_s3_bucket.b.tags.Owner\n", []attr{
			{"aws_s3_bucket", "b", "tags.Env", true},
			{"aws_s3_bucket", "b", "tags.Owner", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := mustParse(t, tt.file)
			for _, a := range tt.attrs {
				_, got := rs.AttributeIgnored(Resource{Type: a.typ, ID: a.id}, a.path)
				if got != a.want {
					t.Errorf("%s.%s %s: ignored = %v, want %v", a.typ, a.id, a.path, got, a.want)
				}
			}
		})
	}
}

func TestAddresses(t *testing.T) {
	t.Parallel()
	rs := mustParse(t, "# by address\naws_s3_bucket.logs\nmodule.net.*\naws_s3_bucket.data.tags\n")
	tests := []struct {
		res      Resource
		path     string
		want     bool
		wantLine int
	}{
		{Resource{Type: "aws_s3_bucket", ID: "prod-logs-123", Address: "aws_s3_bucket.logs"}, "", true, 2},
		{Resource{Type: "aws_subnet", ID: "subnet-1", Address: `module.net.aws_subnet.private["a"]`}, "", true, 3},
		{Resource{Type: "aws_s3_bucket", ID: "x", Address: "aws_s3_bucket.data"}, "", false, 0},
		{Resource{Type: "aws_s3_bucket", ID: "x", Address: "aws_s3_bucket.data"}, "tags.Env", true, 4},
		// A sensitive ID is never matched: only the address and the type.
		{Resource{Type: "aws_s3_bucket", ID: "logs", IDSensitive: true}, "", false, 0},
	}
	for _, tt := range tests {
		var rule Rule
		var got bool
		if tt.path == "" {
			rule, got = rs.Ignored(tt.res)
		} else {
			rule, got = rs.AttributeIgnored(tt.res, tt.path)
		}
		if got != tt.want || rule.Line != tt.wantLine {
			t.Errorf("%+v %s: ignored = %v by line %d, want %v by line %d", tt.res, tt.path, got, rule.Line, tt.want, tt.wantLine)
		}
	}
	rule, _ := rs.Ignored(Resource{Type: "aws_s3_bucket", Address: "aws_s3_bucket.logs"})
	if got, want := rule.String(), ".driftignore:2: aws_s3_bucket.logs"; got != want {
		t.Errorf("rule = %q, want %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		wantLine int
		wantMsg  string
	}{
		{"aws_s3_bucket.b\n!\n", 2, "! needs a rule"},
		{"aws_s3_bucket.b\\\n", 1, "backslash at the end"},
		{"# ok\n.id\n", 2, "empty part before a dot"},
		{"aws_s3_bucket.\n", 1, "empty part after the last dot"},
		{"aws_s3_bucket..b\n", 1, "empty part before a dot"},
		{"4(\"è-(_ç'è-ç'(\"\n", 1, "cannot be in a resource type"},
		{"aws_s3_bucket.b\x01\n", 1, "control character"},
		{"aws-s3-bucket.b\n", 1, `'-' cannot be in a resource type`},
	}
	for _, tt := range tests {
		_, err := Parse("stack/.driftignore", strings.NewReader(tt.file))
		var le *LineError
		if !errors.As(err, &le) {
			t.Errorf("%q: error %v, want a *LineError", tt.file, err)
			continue
		}
		if le.File != "stack/.driftignore" || le.Line != tt.wantLine || !strings.Contains(le.Error(), tt.wantMsg) {
			t.Errorf("%q: error %q (line %d), want line %d and %q", tt.file, le.Error(), le.Line, tt.wantLine, tt.wantMsg)
		}
	}
}

// Escape writes an ID that a rule matches alone, whatever it holds.
func TestEscapeRoundTrip(t *testing.T) {
	t.Parallel()
	ids := []string{"plain", "id.with.dots", `back\slash`, "star*", "*", "!bang", "#hash", "arn:aws:iam::123:role/a.b", `\`, `a\.b`}
	others := []string{"plainx", "idXwithXdots", "starx", "x", "bang", "hash", "other"}
	for _, id := range ids {
		rs := mustParse(t, "aws_x."+Escape(id)+"\n")
		if _, ok := rs.Ignored(Resource{Type: "aws_x", ID: id}); !ok {
			t.Errorf("rule %q does not match ID %q", rs.list[0].Text, id)
		}
		for _, o := range append(others, ids...) {
			if o == id {
				continue
			}
			if _, ok := rs.Ignored(Resource{Type: "aws_x", ID: o}); ok {
				t.Errorf("rule %q for %q also matches ID %q", rs.list[0].Text, id, o)
			}
		}
	}
}
