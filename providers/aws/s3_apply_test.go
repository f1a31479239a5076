package aws

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// configOf builds a desired value as the configuration decoder makes it:
// every attribute of the type present, null (no blocks) when left out.
func configOf(t *testing.T, p *Provider, typ string, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	s := p.f.schema.Resources[typ]
	vals := map[string]cty.Value{}
	for name, v := range attrs {
		a, ok := s.Attributes[name]
		if !ok {
			t.Fatalf("%s has no attribute %s", typ, name)
		}
		c, err := convert.Convert(v, a.ImpliedType())
		if err != nil {
			t.Fatalf("%s.%s: %v", typ, name, err)
		}
		vals[name] = c
	}
	return objectOf(s.Attributes, vals)
}

// strMap is a cty map of strings from key, value pairs.
func strMap(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.MapVal(m)
}

// driftedAttrs compares desired with a live resource as driftctl does and
// returns the top-level attributes that differ, as remediation passes them
// in ApplyRequest.Changed.
func driftedAttrs(t *testing.T, p *Provider, desired cty.Value, l *providers.Live) []string {
	t.Helper()
	changed, err := changedAttributes(p.f.schema.Resources[l.Type], desired, l.Attrs)
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

// readFresh reads one resource type after forgetting what the provider
// cached, so that changes made by hand are seen.
func readFresh(t *testing.T, p *Provider, typ string, ids ...string) []*providers.Live {
	t.Helper()
	p.forgetReads()
	return mustRead(t, p, typ, ids...)
}

// findLive returns the live resource with an ID, nil when absent.
func findLive(live []*providers.Live, id string) *providers.Live {
	for _, l := range live {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// applyCase is one remediation checked against moto: prepare seeds the
// resource and drifts it by hand; the change must then bring live to the
// desired value (Create, Update) or remove it (Delete).
type applyCase struct {
	name    string
	typ     string
	kind    providers.ChangeKind
	id      string // of the live resource (Update, Delete)
	prepare func(t *testing.T)
	desired cty.Value
	// wantID is the ID Apply returns ("" accepts any for Create).
	wantID string
	// afterDelete checks the read after a Delete; by default the
	// resource must be gone.
	afterDelete func(t *testing.T, live []*providers.Live)
}

func runApplyCases(t *testing.T, p *Provider, tests []applyCase) {
	t.Helper()
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare(t)
			}
			req := providers.ApplyRequest{Type: tt.typ, Kind: tt.kind, ID: tt.id, Desired: tt.desired, Live: cty.NullVal(cty.DynamicPseudoType)}
			if tt.kind != providers.Create {
				live := liveByID(t, readFresh(t, p, tt.typ, tt.id), tt.id)
				req.Live = live.Attrs
				if tt.kind == providers.Update {
					req.Changed = driftedAttrs(t, p, tt.desired, live)
					if len(req.Changed) == 0 {
						t.Fatal("no drift before the update: the case proves nothing")
					}
					t.Logf("changed: %v", req.Changed)
				}
			}
			if tt.kind == providers.Delete {
				req.Desired = cty.NullVal(cty.DynamicPseudoType)
			}
			resp, err := p.Apply(ctx, req)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if tt.wantID != "" && resp.ID != tt.wantID {
				t.Errorf("ID = %q, want %q", resp.ID, tt.wantID)
			}
			if tt.kind == providers.Delete {
				live := mustRead(t, p, tt.typ)
				if tt.afterDelete != nil {
					tt.afterDelete(t, live)
				} else if findLive(live, tt.id) != nil {
					t.Errorf("%s %s is still read after its deletion", tt.typ, tt.id)
				}
				return
			}
			live := mustRead(t, p, tt.typ, resp.ID)
			checkConforms(t, p, live)
			l := liveByID(t, live, resp.ID)
			if diffs := driftedAttrs(t, p, tt.desired, l); len(diffs) > 0 {
				t.Errorf("after %s, %v still differ: live %#v", tt.kind, diffs, l.Attrs)
			}
		})
	}
}

// s3Seeder returns an S3 client for seeding moto and a must helper.
func s3Seeder(srv *emulator.Server) *s3.Client {
	return s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
}

// must fails the test on an SDK error.
func must(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func bucketPolicyFor(bucket, action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"` + action + `","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
}

func TestS3Apply(t *testing.T) {
	srv := emulator.Start(t)
	c := s3Seeder(srv)
	ctx := context.Background()
	p := testProvider(t, srv.URL(), "us-east-1")
	// ignore_tags { keys = ["ignored"] }: remediation must keep such a tag.
	p.ignoreTags = ignoreTags{keys: map[string]bool{"ignored": true}}

	bucket := func(name string) func(t *testing.T) {
		return func(t *testing.T) { must(t)(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})) }
	}
	tagBucket := func(t *testing.T, name string, kv ...string) {
		var set []s3types.Tag
		for i := 0; i+1 < len(kv); i += 2 {
			set = append(set, s3types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		must(t)(c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &s3types.Tagging{TagSet: set}}))
	}
	versioning := func(t *testing.T, name string, status s3types.BucketVersioningStatus) {
		must(t)(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name), VersioningConfiguration: &s3types.VersioningConfiguration{Status: status}}))
	}
	pab := func(t *testing.T, name string, acls, policy bool) {
		must(t)(c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(name), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(acls), BlockPublicPolicy: aws.Bool(policy), IgnorePublicAcls: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false),
		}}))
	}
	versioningOf := func(status string) cty.Value {
		return cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"status": cty.StringVal(status), "mfa_delete": cty.NullVal(cty.String)})})
	}
	const (
		bucketT  = "aws_s3_bucket"
		versionT = "aws_s3_bucket_versioning"
		policyT  = "aws_s3_bucket_policy"
		pabT     = "aws_s3_bucket_public_access_block"
	)

	tests := []applyCase{
		{
			name: "bucket/create with tags", typ: bucketT, kind: providers.Create, wantID: "made-bucket",
			desired: configOf(t, p, bucketT, map[string]cty.Value{"bucket": cty.StringVal("made-bucket"), "tags": strMap("env", "prod", "team", "core")}),
		},
		{
			name: "bucket/create from a prefix", typ: bucketT, kind: providers.Create,
			desired: configOf(t, p, bucketT, map[string]cty.Value{"bucket_prefix": cty.StringVal("logs-")}),
		},
		{
			name: "bucket/create with inline versioning and policy", typ: bucketT, kind: providers.Create, wantID: "inline-bucket",
			desired: configOf(t, p, bucketT, map[string]cty.Value{
				"bucket":     cty.StringVal("inline-bucket"),
				"policy":     cty.StringVal(bucketPolicyFor("inline-bucket", "s3:GetObject")),
				"versioning": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"enabled": cty.True, "mfa_delete": cty.NullVal(cty.Bool)})}),
			}),
		},
		{
			name: "bucket/update tags changed by hand, ignored tag kept", typ: bucketT, kind: providers.Update, id: "tagged-bucket", wantID: "tagged-bucket",
			prepare: func(t *testing.T) {
				bucket("tagged-bucket")(t)
				tagBucket(t, "tagged-bucket", "env", "dev", "owner", "bob", "ignored", "keep")
			},
			desired: configOf(t, p, bucketT, map[string]cty.Value{"bucket": cty.StringVal("tagged-bucket"), "tags": strMap("env", "prod", "team", "core")}),
		},
		{
			name: "bucket/update all tags removed", typ: bucketT, kind: providers.Update, id: "untagged-bucket",
			prepare: func(t *testing.T) {
				bucket("untagged-bucket")(t)
				tagBucket(t, "untagged-bucket", "owner", "bob")
			},
			desired: configOf(t, p, bucketT, map[string]cty.Value{"bucket": cty.StringVal("untagged-bucket")}),
		},
		{
			name: "bucket/update inline policy edited by hand", typ: bucketT, kind: providers.Update, id: "inline-bucket",
			prepare: func(t *testing.T) {
				must(t)(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("inline-bucket"), Policy: aws.String(bucketPolicyFor("inline-bucket", "s3:PutObject"))}))
			},
			desired: configOf(t, p, bucketT, map[string]cty.Value{"bucket": cty.StringVal("inline-bucket"), "policy": cty.StringVal(bucketPolicyFor("inline-bucket", "s3:GetObject"))}),
		},
		{
			name: "bucket/delete", typ: bucketT, kind: providers.Delete, id: "doomed-bucket",
			prepare: bucket("doomed-bucket"),
		},
		{
			name: "versioning/create", typ: versionT, kind: providers.Create, wantID: "to-version",
			prepare: bucket("to-version"),
			desired: configOf(t, p, versionT, map[string]cty.Value{"bucket": cty.StringVal("to-version"), "versioning_configuration": versioningOf("Enabled")}),
		},
		{
			name: "versioning/update suspended by hand", typ: versionT, kind: providers.Update, id: "to-version",
			prepare: func(t *testing.T) { versioning(t, "to-version", s3types.BucketVersioningStatusSuspended) },
			desired: configOf(t, p, versionT, map[string]cty.Value{"bucket": cty.StringVal("to-version"), "versioning_configuration": versioningOf("Enabled")}),
		},
		{
			name: "versioning/delete suspends", typ: versionT, kind: providers.Delete, id: "to-version",
			afterDelete: func(t *testing.T, live []*providers.Live) {
				l := findLive(live, "to-version")
				if l == nil {
					t.Fatal("the bucket's versioning is no longer read")
				}
				if got := getAttr(l.Attrs, "versioning_configuration", 0, "status"); !got.RawEquals(cty.StringVal("Suspended")) {
					t.Errorf("status = %#v, want Suspended", got)
				}
			},
		},
		{
			name: "policy/create", typ: policyT, kind: providers.Create, wantID: "policed",
			prepare: bucket("policed"),
			desired: configOf(t, p, policyT, map[string]cty.Value{"bucket": cty.StringVal("policed"), "policy": cty.StringVal(bucketPolicyFor("policed", "s3:GetObject"))}),
		},
		{
			name: "policy/update edited by hand", typ: policyT, kind: providers.Update, id: "policed",
			prepare: func(t *testing.T) {
				must(t)(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("policed"), Policy: aws.String(bucketPolicyFor("policed", "s3:*"))}))
			},
			desired: configOf(t, p, policyT, map[string]cty.Value{"bucket": cty.StringVal("policed"), "policy": cty.StringVal(bucketPolicyFor("policed", "s3:GetObject"))}),
		},
		{name: "policy/delete", typ: policyT, kind: providers.Delete, id: "policed"},
		{
			name: "public access block/create with defaults", typ: pabT, kind: providers.Create, wantID: "blocked",
			prepare: bucket("blocked"),
			desired: configOf(t, p, pabT, map[string]cty.Value{"bucket": cty.StringVal("blocked"), "block_public_acls": cty.True, "block_public_policy": cty.True}),
		},
		{
			name: "public access block/update flag turned off by hand", typ: pabT, kind: providers.Update, id: "blocked",
			prepare: func(t *testing.T) { pab(t, "blocked", true, false) },
			desired: configOf(t, p, pabT, map[string]cty.Value{"bucket": cty.StringVal("blocked"), "block_public_acls": cty.True, "block_public_policy": cty.True}),
		},
		{name: "public access block/delete", typ: pabT, kind: providers.Delete, id: "blocked"},
	}
	runApplyCases(t, p, tests)

	t.Run("bucket/tags kept that remediation must not touch", func(t *testing.T) {
		out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tagged-bucket")})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tag := range out.TagSet {
			got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		want := map[string]string{"env": "prod", "team": "core", "ignored": "keep"}
		if len(got) != len(want) || got["env"] != "prod" || got["team"] != "core" || got["ignored"] != "keep" {
			t.Errorf("tags = %v, want %v", got, want)
		}
	})

	t.Run("bucket/delete of a bucket with objects fails", func(t *testing.T) {
		bucket("full-bucket")(t)
		must(t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full-bucket"), Key: aws.String("k"), Body: strings.NewReader("v")}))
		live := liveByID(t, readFresh(t, p, bucketT, "full-bucket"), "full-bucket")
		_, err := p.Apply(ctx, providers.ApplyRequest{Type: bucketT, Kind: providers.Delete, ID: "full-bucket", Live: live.Attrs})
		if err == nil || !strings.Contains(err.Error(), "s3:DeleteBucket") || !strings.Contains(err.Error(), "BucketNotEmpty") {
			t.Fatalf("err = %v, want a BucketNotEmpty error of s3:DeleteBucket", err)
		}
		liveByID(t, readFresh(t, p, bucketT, "full-bucket"), "full-bucket")
	})
}

func TestS3ApplyNotSupported(t *testing.T) {
	srv := emulator.Start(t)
	c := s3Seeder(srv)
	ctx := context.Background()
	must(t)(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("versioned")}))
	must(t)(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("versioned"), VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}))
	must(t)(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("versioned"), Policy: aws.String(bucketPolicyFor("versioned", "s3:GetObject"))}))
	must(t)(c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("versioned"), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}}))
	p := testProvider(t, srv.URL(), "us-east-1")

	tests := []struct {
		name    string
		typ     string
		id      string
		changed []string
		desired map[string]cty.Value
	}{
		{"bucket name", "aws_s3_bucket", "versioned", []string{"bucket"}, map[string]cty.Value{"bucket": cty.StringVal("renamed")}},
		{"object lock", "aws_s3_bucket", "versioned", []string{"object_lock_enabled"}, map[string]cty.Value{"bucket": cty.StringVal("versioned"), "object_lock_enabled": cty.True}},
		{"policy's bucket", "aws_s3_bucket_policy", "versioned", []string{"bucket"}, map[string]cty.Value{"bucket": cty.StringVal("other"), "policy": cty.StringVal(bucketPolicyFor("other", "s3:GetObject"))}},
		{"public access block's bucket", "aws_s3_bucket_public_access_block", "versioned", []string{"bucket"}, map[string]cty.Value{"bucket": cty.StringVal("other")}},
		{"versioning disabled after it was enabled", "aws_s3_bucket_versioning", "versioned", []string{"versioning_configuration"}, map[string]cty.Value{
			"bucket": cty.StringVal("versioned"),
			"versioning_configuration": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"status": cty.StringVal("Disabled"), "mfa_delete": cty.NullVal(cty.String),
			})}),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := liveByID(t, readFresh(t, p, tt.typ, tt.id), tt.id)
			_, err := p.Apply(ctx, providers.ApplyRequest{
				Type: tt.typ, Kind: providers.Update, ID: tt.id, Live: live.Attrs,
				Desired: configOf(t, p, tt.typ, tt.desired), Changed: tt.changed,
			})
			if !errors.Is(err, providers.ErrNotSupported) {
				t.Fatalf("err = %v, want providers.ErrNotSupported", err)
			}
		})
	}
	out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("versioned")})
	if err != nil || out.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning = %v, %v: a refused change changed it", out.Status, err)
	}
}

func TestS3ApplyFailureNamesOperation(t *testing.T) {
	srv := emulator.Start(t)
	c := s3Seeder(srv)
	ctx := context.Background()
	must(t)(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("denied")}))
	proxy := srv.StartProxy(t)
	proxy.Inject(emulator.Fault{Service: "s3", Operation: "PutBucketVersioning", Status: 403, Code: "AccessDenied"})
	p := testProvider(t, proxy.URL(), "us-east-1")
	typ := "aws_s3_bucket_versioning"
	live := liveByID(t, mustRead(t, p, typ, "denied"), "denied")
	desired := configOf(t, p, typ, map[string]cty.Value{
		"bucket": cty.StringVal("denied"),
		"versioning_configuration": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"status": cty.StringVal("Enabled"), "mfa_delete": cty.NullVal(cty.String),
		})}),
	})
	_, err := p.Apply(ctx, providers.ApplyRequest{Type: typ, Kind: providers.Update, ID: "denied", Live: live.Attrs, Desired: desired, Changed: driftedAttrs(t, p, desired, live)})
	if err == nil || !strings.Contains(err.Error(), "s3:PutBucketVersioning") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("err = %v, want AccessDenied naming s3:PutBucketVersioning", err)
	}
	if n := proxy.Calls("s3", "PutBucketVersioning"); n != 1 {
		t.Errorf("PutBucketVersioning calls = %d, want 1", n)
	}
}
