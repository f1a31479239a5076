package modsource

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// registryToken is the TF_TOKEN_registry_example_com of the tests.
const registryToken = "s3cr3t-registry-token"

// testRegistry is a module registry at registry.example.com (and a file
// server at files.example.com) on one TLS test server, whose client sends
// every *.example.com request to it. gitURL is where 1.0.0's X-Terraform-Get
// points (git http-backend).
func testRegistry(t *testing.T, gitURL string) (*httptest.Server, *requestLog) {
	t.Helper()
	pkg120 := tarGz(t,
		tarEntry{name: "main.tf", body: "# vpc 1.2.0\n"},
		tarEntry{name: "modules/inner/main.tf", body: "# inner 1.2.0\n"},
	)
	beta := tarGz(t, tarEntry{name: "main.tf", body: "# vpc 1.3.0-beta1\n"})
	json := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}
	}
	get := func(location string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Terraform-Get", location)
			w.WriteHeader(http.StatusNoContent)
		}
	}
	file := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }
	}
	registry := map[string]http.HandlerFunc{
		"/.well-known/terraform.json":             json(`{"modules.v1": "/v1/modules/", "providers.v1": "/v1/providers/"}`),
		"/v1/modules/acme/vpc/aws/versions":       json(`{"modules":[{"versions":[{"version":"1.0.0"},{"version":"1.2.0"},{"version":"1.3.0-beta1"},{"version":"0.9.0"},{"version":"not-a-version"}]}]}`),
		"/v1/modules/acme/vpc/aws/1.0.0/download": get("git::" + gitURL + "/mods.git//vpc?ref=v1.0.0"),
		"/v1/modules/acme/vpc/aws/1.2.0/download": get("https://files.example.com/vpc-1.2.0.tar.gz"),
		// A 200 answer with JSON, and a location relative to the download URL.
		"/v1/modules/acme/vpc/aws/1.3.0-beta1/download":               json(`{"location": "./vpc-1.3.0-beta1.tar.gz"}`),
		"/v1/modules/acme/vpc/aws/1.3.0-beta1/vpc-1.3.0-beta1.tar.gz": file(beta),
		"/v1/modules/acme/broken/aws/versions":                        func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) },
		"/v1/modules/acme/garbled/aws/versions":                       json(`{"modules": [{"versions": "1.0.0"`),
		"/v1/modules/acme/empty/aws/versions":                         json(`{"modules":[]}`),
		"/v1/modules/acme/nowhere/aws/versions":                       json(`{"modules":[{"versions":[{"version":"1.0.0"}]}]}`),
		"/v1/modules/acme/nowhere/aws/1.0.0/download":                 get(""),
	}
	files := map[string]http.HandlerFunc{"/vpc-1.2.0.tar.gz": file(pkg120)}
	other := map[string]http.HandlerFunc{"/.well-known/terraform.json": json(`{"providers.v1": "/v1/providers/"}`)}
	log := &requestLog{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r)
		host := strings.Split(r.Host, ":")[0]
		routes := map[string]map[string]http.HandlerFunc{
			"registry.example.com": registry, "files.example.com": files, "other.example.com": other,
		}[host]
		h, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if host == "registry.example.com" && r.URL.Path != "/.well-known/terraform.json" &&
			r.Header.Get("Authorization") != "Bearer "+registryToken {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, log
}

func TestFetchRegistry(t *testing.T) {
	t.Parallel()
	repo := newModsRepo(t)
	gitSrv, gitLog := serveGit(t, repo.root)
	srv, log := testRegistry(t, gitSrv.URL)
	f := newFetcher(t, srv.Client(), "TF_TOKEN_registry_example_com="+registryToken)
	ctx := context.Background()

	tests := []struct {
		name, source, constraint string
		file, content            string
		version, dir, from       string
		commit                   string
	}{
		{
			name: "newest release", source: "registry.example.com/acme/vpc/aws",
			file: "main.tf", content: "# vpc 1.2.0\n", version: "1.2.0",
			dir: "registry.example.com/acme/vpc/aws 1.2.0", from: "https://files.example.com/vpc-1.2.0.tar.gz",
		},
		{
			name: "range", source: "registry.example.com/acme/vpc/aws", constraint: ">= 1.0, < 2.0",
			file: "main.tf", content: "# vpc 1.2.0\n", version: "1.2.0",
			dir: "registry.example.com/acme/vpc/aws 1.2.0", from: "https://files.example.com/vpc-1.2.0.tar.gz",
		},
		{
			name: "pessimistic, from Git", source: "registry.example.com/acme/vpc/aws", constraint: "~> 1.0.0",
			file: "main.tf", content: "# vpc v1\n", version: "1.0.0", commit: repo.v1,
			dir: "registry.example.com/acme/vpc/aws 1.0.0//vpc", from: "git::" + gitSrv.URL + "/mods.git//vpc?ref=v1.0.0",
		},
		{
			name: "prerelease asked exactly", source: "registry.example.com/acme/vpc/aws", constraint: "= 1.3.0-beta1",
			file: "main.tf", content: "# vpc 1.3.0-beta1\n", version: "1.3.0-beta1",
			dir:  "registry.example.com/acme/vpc/aws 1.3.0-beta1",
			from: "https://registry.example.com/v1/modules/acme/vpc/aws/1.3.0-beta1/vpc-1.3.0-beta1.tar.gz",
		},
		{
			name: "subdirectory", source: "registry.example.com/acme/vpc/aws//modules/inner", constraint: "1.2.0",
			file: "main.tf", content: "# inner 1.2.0\n", version: "1.2.0",
			dir: "registry.example.com/acme/vpc/aws 1.2.0//modules/inner", from: "https://files.example.com/vpc-1.2.0.tar.gz//modules/inner",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := f.Fetch(ctx, tt.source, tt.constraint)
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, m.FS, tt.file); got != tt.content {
				t.Errorf("%s = %q, want %q", tt.file, got, tt.content)
			}
			if m.Version != tt.version || m.Dir != tt.dir || m.Source != tt.from || m.Commit != tt.commit {
				t.Errorf("got Version %q Dir %q Source %q Commit %q\nwant        %q     %q        %q        %q",
					m.Version, m.Dir, m.Source, m.Commit, tt.version, tt.dir, tt.from, tt.commit)
			}
		})
	}

	// The token went to the registry only: not to the file server, not to
	// the Git server.
	for _, r := range log.all() {
		if strings.HasPrefix(r, "files.example.com ") && strings.Contains(r, "Bearer") {
			t.Errorf("the registry token was sent to another host: %s", r)
		}
	}
	if log.count("files.example.com /vpc-1.2.0.tar.gz") == 0 {
		t.Error("the file server saw no request")
	}
	if got := log.count("/.well-known/terraform.json"); got != 1 {
		t.Errorf("service discovery ran %d times, want once", got)
	}
	for _, r := range gitLog.all() {
		if strings.Contains(r, "Bearer") {
			t.Errorf("the registry token was sent to the Git server: %s", r)
		}
	}
}

func TestFetchRegistryErrors(t *testing.T) {
	t.Parallel()
	srv, _ := testRegistry(t, "http://127.0.0.1:1")
	withToken := newFetcher(t, srv.Client(), "TF_TOKEN_registry_example_com="+registryToken)
	ctx := context.Background()

	tests := []struct {
		name, source, constraint string
		fetcher                  *Fetcher
		want                     string // the whole message
		is                       error
	}{
		{
			name: "no version meets", source: "registry.example.com/acme/vpc/aws", constraint: "~> 9.0",
			want: `module source registry.example.com/acme/vpc/aws: no version of acme/vpc/aws meets "~> 9.0" (available: 0.9.0, 1.0.0, 1.2.0, 1.3.0-beta1)`,
			is:   ErrNoVersion,
		},
		{
			name: "invalid constraint", source: "registry.example.com/acme/vpc/aws", constraint: "~> banana",
			want: `module source registry.example.com/acme/vpc/aws: invalid version constraint "~> banana": `,
		},
		{
			name: "not found", source: "registry.example.com/acme/missing/aws",
			want: "module source registry.example.com/acme/missing/aws: registry.example.com answered 404 for acme/missing/aws versions",
			is:   ErrNotFound,
		},
		{
			name: "server error", source: "registry.example.com/acme/broken/aws",
			want: "module source registry.example.com/acme/broken/aws: registry.example.com answered 500 for acme/broken/aws versions",
		},
		{
			name: "malformed answer", source: "registry.example.com/acme/garbled/aws",
			want: "module source registry.example.com/acme/garbled/aws: registry.example.com answered malformed JSON for acme/garbled/aws versions: ",
		},
		{
			name: "no versions", source: "registry.example.com/acme/empty/aws",
			want: "module source registry.example.com/acme/empty/aws: registry.example.com lists no versions of acme/empty/aws",
			is:   ErrNoVersion,
		},
		{
			name: "no location", source: "registry.example.com/acme/nowhere/aws",
			want: "module source registry.example.com/acme/nowhere/aws: registry.example.com answered no location (X-Terraform-Get) for acme/nowhere/aws 1.0.0 download",
		},
		{
			name: "Git package unreachable", source: "registry.example.com/acme/vpc/aws", constraint: "1.0.0",
			want: "module source registry.example.com/acme/vpc/aws: acme/vpc/aws 1.0.0 from git::http://127.0.0.1:1/mods.git//vpc?ref=v1.0.0: unreachable: ",
		},
		{
			name: "not a registry", source: "other.example.com/acme/vpc/aws",
			want: "module source other.example.com/acme/vpc/aws: other.example.com is not a module registry: its service discovery lists no modules.v1",
		},
		{
			name: "no token", source: "registry.example.com/acme/vpc/aws", fetcher: newFetcher(t, srv.Client()),
			want: "module source registry.example.com/acme/vpc/aws: registry.example.com answered 401 for acme/vpc/aws versions (set TF_TOKEN_registry_example_com if it needs credentials)",
		},
		{
			name: "wrong token", source: "registry.example.com/acme/vpc/aws",
			fetcher: newFetcher(t, srv.Client(), "TF_TOKEN_registry_example_com=s3cr3t-wrong"),
			want:    "module source registry.example.com/acme/vpc/aws: registry.example.com answered 401 for acme/vpc/aws versions (the token in TF_TOKEN_registry_example_com was refused)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fetcher
			if f == nil {
				f = withToken
			}
			_, err := f.Fetch(ctx, tt.source, tt.constraint)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Fetch = %v, want an *Error", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.want) || strings.Contains(msg, "s3cr3t") {
				t.Errorf("Fetch = %q\nwant      %q", msg, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v) = false", tt.is)
			}
		})
	}
}
