package state

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

func TestIsPattern(t *testing.T) {
	t.Parallel()
	for loc, want := range map[string]bool{
		"terraform.tfstate":               false,
		"envs/*/terraform.tfstate":        true,
		"envs/**/*.tfstate":               true,
		"file://envs/?/x.tfstate":         true,
		"s3://b/prod/terraform.tfstate":   false,
		"s3://b/**/*.tfstate":             true,
		"s3://b/{net,app}/x.tfstate":      true,
		"https://s/x?token=a":             false,
		"remote://app.terraform.io/o/w":   false,
		"states/[prod]/terraform.tfstate": true,
	} {
		if got := IsPattern(loc); got != want {
			t.Errorf("IsPattern(%q) = %v, want %v", loc, got, want)
		}
	}
}

func TestExpandLocal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{
		"envs/prod/terraform.tfstate", "envs/staging/terraform.tfstate", "envs/staging/old.tfstate.backup",
		"envs/prod/net/terraform.tfstate", "envs/prod/net/deep/x/app.tfstate", "single.tfstate", "[odd].tfstate",
	} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A directory whose name matches is not a state.
	if err := os.MkdirAll(filepath.Join(dir, "envs", "dir.tfstate"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := func(s ...string) []string {
		out := make([]string, len(s))
		for i, f := range s {
			out[i] = filepath.Join(dir, f)
		}
		return out
	}
	tests := []struct {
		name     string
		patterns []string
		want     []string
		noMatch  string // the pattern a NoMatchError names
		wantErr  string
	}{
		{name: "one level", patterns: in("envs/*/terraform.tfstate"),
			want: in("envs/prod/terraform.tfstate", "envs/staging/terraform.tfstate")},
		{name: "any depth", patterns: in("envs/**/*.tfstate"),
			want: in("envs/prod/net/deep/x/app.tfstate", "envs/prod/net/terraform.tfstate", "envs/prod/terraform.tfstate", "envs/staging/terraform.tfstate")},
		{name: "** matches no directory too", patterns: in("**/single.tfstate"), want: in("single.tfstate")},
		{name: "alternatives", patterns: in("envs/{prod,staging}/terraform.tfstate"),
			want: in("envs/prod/terraform.tfstate", "envs/staging/terraform.tfstate")},
		{name: "literal locations kept in order, duplicates once",
			patterns: in("single.tfstate", "envs/*/terraform.tfstate", "envs/prod/terraform.tfstate", "single.tfstate"),
			want:     in("single.tfstate", "envs/prod/terraform.tfstate", "envs/staging/terraform.tfstate")},
		{name: "a file named like a pattern is itself", patterns: in("[odd].tfstate"), want: in("[odd].tfstate")},
		{name: "a missing literal is left to Load", patterns: in("none.tfstate"), want: in("none.tfstate")},
		{name: "no match", patterns: in("single.tfstate", "envs/*/none.tfstate"), noMatch: filepath.Join(dir, "envs/*/none.tfstate")},
		{name: "no match under a missing directory", patterns: in("nope/*/x.tfstate"), noMatch: filepath.Join(dir, "nope/*/x.tfstate")},
		{name: "invalid pattern", patterns: in("envs/[prod/*.tfstate"), wantErr: "invalid pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Expand(context.Background(), tt.patterns)
			switch {
			case tt.noMatch != "":
				var nm *NoMatchError
				if !errors.As(err, &nm) || nm.Pattern != tt.noMatch || !errors.Is(err, ErrNotFound) {
					t.Fatalf("error = %v, want a NoMatchError for %s", err, tt.noMatch)
				}
				if want := "reading state " + tt.noMatch + ": the pattern matches no file"; err.Error() != want {
					t.Errorf("error = %q, want %q", err, want)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Expand (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestDiscoverGlobMerges: the states a pattern matches are all read and
// merged, in the order of their names.
func TestDiscoverGlobMerges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, fixture := range map[string]string{"a/terraform.tfstate": "valid.tfstate", "b/terraform.tfstate": "legacy-provider.tfstate"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, readFixture(t, fixture), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, err := Discover(context.Background(), []string{filepath.Join(dir, "*", "terraform.tfstate")}, nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "a", "terraform.tfstate") + "," + filepath.Join(dir, "b", "terraform.tfstate")
	if st.Location != want {
		t.Errorf("Location = %q, want %q", st.Location, want)
	}
	one, _ := Load(context.Background(), "testdata/valid.tfstate")
	two, _ := Load(context.Background(), "testdata/legacy-provider.tfstate")
	if len(st.Instances) != len(one.Instances)+len(two.Instances) {
		t.Errorf("merged %d instances, want %d", len(st.Instances), len(one.Instances)+len(two.Instances))
	}
}

// TestExpandS3: an s3:// pattern lists the bucket under the literal
// prefix, through every page, and matches the keys as paths.
func TestExpandS3(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	client := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("states")}); err != nil {
		t.Fatal(err)
	}
	valid := readFixture(t, "valid.tfstate")
	for _, key := range []string{
		"prod/net/terraform.tfstate", "prod/app/terraform.tfstate", "prod/app/deep/x.tfstate",
		"prod/folder/", "prod/notes.txt", "staging/net/terraform.tfstate", "production/terraform.tfstate",
	} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("states"), Key: aws.String(key), Body: bytes.NewReader(valid)}); err != nil {
			t.Fatal(err)
		}
	}
	opts := []Option{
		WithS3Endpoint(srv.URL()),
		WithS3Region("us-east-1"),
		WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials)),
		func(o *loadOptions) { o.s3PageSize = 2 }, // several pages
	}
	tests := []struct {
		name     string
		patterns []string
		want     []string
		wantErr  string
	}{
		{name: "any depth", patterns: []string{"s3://states/prod/**/*.tfstate"},
			want: []string{"s3://states/prod/app/deep/x.tfstate", "s3://states/prod/app/terraform.tfstate", "s3://states/prod/net/terraform.tfstate"}},
		{name: "one segment: prod/ is not production/", patterns: []string{"s3://states/prod*/terraform.tfstate"},
			want: []string{"s3://states/production/terraform.tfstate"}},
		{name: "duplicates across patterns once", patterns: []string{"s3://states/*/net/terraform.tfstate", "s3://states/prod/net/terraform.tfstate"},
			want: []string{"s3://states/prod/net/terraform.tfstate", "s3://states/staging/net/terraform.tfstate"}},
		{name: "no match", patterns: []string{"s3://states/qa/**/*.tfstate"}, wantErr: "reading state s3://states/qa/**/*.tfstate: the pattern matches no object in bucket states"},
		{name: "no bucket", patterns: []string{"s3://nope/*.tfstate"}, wantErr: "NoSuchBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(ctx, tt.patterns, opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrNotFound) {
					t.Fatalf("error = %v, want %q matching ErrNotFound", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Expand (-want +got):\n%s", diff)
			}
		})
	}

	st, err := Discover(ctx, []string{"s3://states/*/net/terraform.tfstate"}, nil, "", opts...)
	if err != nil {
		t.Fatal(err)
	}
	if want := "s3://states/prod/net/terraform.tfstate,s3://states/staging/net/terraform.tfstate"; st.Location != want {
		t.Errorf("Location = %q, want %q", st.Location, want)
	}
}
