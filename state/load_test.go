package state

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

func TestLoadLocal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "terraform.tfstate")
	if err := os.WriteFile(path, readFixture(t, "valid.tfstate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		location string
		wantErr  error
	}{
		{"path", path, nil},
		{"file URL", "file://" + path, nil},
		{"missing", filepath.Join(dir, "nope.tfstate"), ErrNotFound},
		{"invalid", filepath.Join("testdata", "malformed.tfstate"), ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Load(context.Background(), tt.location)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.location) {
					t.Errorf("error %q does not name %s", err, tt.location)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Location != tt.location || st.Lookup("aws_vpc.main") == nil {
				t.Errorf("Load = %q with %d instances", st.Location, len(st.Instances))
			}
		})
	}
}

func TestLoadS3(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	client := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tfstate")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("tfstate"),
		Key:    aws.String("prod/network/terraform.tfstate"),
		Body:   bytes.NewReader(readFixture(t, "valid.tfstate")),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("tfstate"),
		Key:    aws.String("broken.tfstate"),
		Body:   bytes.NewReader(readFixture(t, "version3.tfstate")),
	}); err != nil {
		t.Fatal(err)
	}
	opts := []Option{
		WithS3Endpoint(srv.URL()),
		WithS3Region("us-east-1"),
		WithLoadOptions(config.WithCredentialsProvider(emulator.Credentials)),
	}
	tests := []struct {
		name     string
		location string
		wantErr  error
		wantMsg  string
	}{
		{"object", "s3://tfstate/prod/network/terraform.tfstate", nil, ""},
		{"missing key", "s3://tfstate/prod/other/terraform.tfstate", ErrNotFound, "state not found: NoSuchKey: The specified key does not exist."},
		{"missing bucket", "s3://no-such-bucket/terraform.tfstate", ErrNotFound, "state not found: NoSuchBucket: The specified bucket does not exist"},
		{"unsupported version", "s3://tfstate/broken.tfstate", ErrUnsupportedVersion, "unsupported state format version 3; driftctl reads version 4, written by Terraform 0.12 and later"},
		{"no key", "s3://tfstate", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Load(ctx, tt.location, opts...)
			switch {
			case tt.name == "no key":
				if err == nil || !strings.Contains(err.Error(), "want s3://BUCKET/KEY") {
					t.Fatalf("error = %v, want a usage error", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if want := "reading state " + tt.location + ": " + tt.wantMsg; err.Error() != want {
					t.Errorf("error =\n  %s\nwant\n  %s", err, want)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if st.Location != tt.location {
					t.Errorf("Location = %q", st.Location)
				}
				if in := st.Lookup(`aws_subnet.private["a"]`); in == nil || in.ID != "subnet-0aaaaaaaaaaaaaaa1" {
					t.Errorf(`Lookup(aws_subnet.private["a"]) = %+v`, in)
				}
			}
		})
	}
}

func TestLoadHTTP(t *testing.T) {
	t.Parallel()
	valid := readFixture(t, "valid.tfstate")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/state/prod":
			_, _ = w.Write(valid)
		case "/state/new":
			w.WriteHeader(http.StatusNoContent)
		case "/state/locked":
			http.Error(w, "locked", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		path    string
		wantErr error
		wantMsg string
	}{
		{"/state/prod", nil, ""},
		{"/state/missing", ErrNotFound, "state not found: HTTP status 404 Not Found"},
		{"/state/new", ErrNoState, "state is empty"},
		{"/state/locked", nil, "HTTP status 500 Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			loc := srv.URL + tt.path
			st, err := Load(context.Background(), loc, WithHTTPClient(srv.Client()))
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if st.Lookup("aws_vpc.main") == nil {
					t.Error("aws_vpc.main not found")
				}
				return
			}
			if want := "reading state " + loc + ": " + tt.wantMsg; err == nil || err.Error() != want {
				t.Fatalf("error = %v, want %s", err, want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error does not match %v", tt.wantErr)
			}
		})
	}
}

func TestFromBackend(t *testing.T) {
	dir := filepath.Join("repo", "stacks", "prod")
	tests := []struct {
		name         string
		backend      Backend
		wantLocation string
		wantOpts     loadOptions
		wantOK       bool
	}{
		{
			name:         "no backend is local",
			backend:      Backend{},
			wantLocation: filepath.Join(dir, "terraform.tfstate"),
			wantOK:       true,
		},
		{
			name:         "local with relative path",
			backend:      Backend{Type: "local", Config: map[string]string{"path": "../state/prod.tfstate"}},
			wantLocation: filepath.Join("repo", "stacks", "state", "prod.tfstate"),
			wantOK:       true,
		},
		{
			name:         "local with absolute path",
			backend:      Backend{Type: "local", Config: map[string]string{"path": "/var/lib/tf/prod.tfstate"}},
			wantLocation: "/var/lib/tf/prod.tfstate",
			wantOK:       true,
		},
		{
			name: "s3 with everything",
			backend: Backend{Type: "s3", Config: map[string]string{
				"bucket": "tfstate", "key": "prod/terraform.tfstate", "region": "eu-west-1",
				"endpoints.s3": "http://127.0.0.1:9000", "profile": "ops", "workspace_key_prefix": "env:",
			}},
			wantLocation: "s3://tfstate/prod/terraform.tfstate",
			wantOpts:     loadOptions{region: "eu-west-1", endpoint: "http://127.0.0.1:9000", pathStyle: true, profile: "ops"},
			wantOK:       true,
		},
		{
			name: "s3 with legacy endpoint and force_path_style",
			backend: Backend{Type: "s3", Config: map[string]string{
				"bucket": "tfstate", "key": "terraform.tfstate", "endpoint": "http://minio:9000", "force_path_style": "true",
			}},
			wantLocation: "s3://tfstate/terraform.tfstate",
			wantOpts:     loadOptions{endpoint: "http://minio:9000", pathStyle: true},
			wantOK:       true,
		},
		{
			name: "s3 use_path_style without endpoint",
			backend: Backend{Type: "s3", Config: map[string]string{
				"bucket": "tfstate", "key": "terraform.tfstate", "region": "us-east-1", "use_path_style": "true",
			}},
			wantLocation: "s3://tfstate/terraform.tfstate",
			wantOpts:     loadOptions{region: "us-east-1", pathStyle: true},
			wantOK:       true,
		},
		{
			name:    "s3 without key",
			backend: Backend{Type: "s3", Config: map[string]string{"bucket": "tfstate"}},
		},
		{
			name:         "http",
			backend:      Backend{Type: "http", Config: map[string]string{"address": "https://state.example.com/prod"}},
			wantLocation: "https://state.example.com/prod",
			wantOK:       true,
		},
		{
			name:    "remote without a workspace",
			backend: Backend{Type: "remote", Config: map[string]string{"organization": "acme"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, opts, ok := FromBackend(tt.backend, dir)
			if loc != tt.wantLocation || ok != tt.wantOK {
				t.Fatalf("FromBackend = %q, %v; want %q, %v", loc, ok, tt.wantLocation, tt.wantOK)
			}
			var got loadOptions
			for _, o := range opts {
				o(&got)
			}
			if got.region != tt.wantOpts.region || got.endpoint != tt.wantOpts.endpoint ||
				got.pathStyle != tt.wantOpts.pathStyle || got.profile != tt.wantOpts.profile {
				t.Errorf("options = %+v, want %+v", got, tt.wantOpts)
			}
		})
	}
}

// TestS3BackendAccessKeys: the s3 backend's access_key and secret_key
// sign the reads when the environment has no credentials, and a failed
// read does not show them.
func TestS3BackendAccessKeys(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	client := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("keyed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("keyed"), Key: aws.String("net/terraform.tfstate"),
		Body: bytes.NewReader(readFixture(t, "valid.tfstate")),
	}); err != nil {
		t.Fatal(err)
	}
	// No credentials but the backend's: no environment, no profile, no
	// instance metadata.
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	const secret = "wJalrXUtnFEMI-backend-secret"
	cfg := map[string]string{
		"bucket": "keyed", "key": "net/terraform.tfstate", "region": "us-east-1",
		"endpoints.s3": srv.URL(), "access_key": "AKIDBACKEND", "secret_key": secret,
	}
	loc, opts, ok := FromBackend(Backend{Type: "s3", Config: cfg}, "")
	if !ok {
		t.Fatal("FromBackend: not ok")
	}
	st, err := Load(ctx, loc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lookup(`aws_subnet.private["a"]`) == nil {
		t.Errorf("state %s lacks aws_subnet.private[\"a\"]", st.Location)
	}

	cfg["key"] = "none/terraform.tfstate"
	loc, opts, _ = FromBackend(Backend{Type: "s3", Config: cfg}, "")
	_, err = Load(ctx, loc, opts...)
	if !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), secret) {
		t.Errorf("missing object: %v, want ErrNotFound without the secret key", err)
	}

	delete(cfg, "access_key")
	delete(cfg, "secret_key")
	cfg["key"] = "net/terraform.tfstate"
	loc, opts, _ = FromBackend(Backend{Type: "s3", Config: cfg}, "")
	if _, err := Load(ctx, loc, opts...); err == nil {
		t.Error("without the backend's keys the read succeeded: the test's environment has credentials")
	}
}
