package state

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestResolve: what each backend's settings (and the environment variables
// Terraform reads for them) make of the location and the options, and why
// a backend cannot be read.
func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		backend Backend
		want    string
		check   func(*loadOptions) bool
		wantErr string
	}{
		{name: "http from the configuration",
			backend: Backend{Type: "http", Environ: []string{}, Config: map[string]string{"address": "https://s/x", "username": "u", "password": "p", "skip_cert_verification": "true"}},
			want:    "https://s/x",
			check: func(o *loadOptions) bool {
				return o.httpUser == "u" && o.httpPassword == "p" && o.httpTLS != nil && o.httpTLS.skipVerify
			}},
		{name: "http from TF_HTTP_ variables",
			backend: Backend{Type: "http", Environ: []string{"TF_HTTP_ADDRESS=https://env/x", "TF_HTTP_USERNAME=eu", "TF_HTTP_PASSWORD=ep"}},
			want:    "https://env/x",
			check:   func(o *loadOptions) bool { return o.httpUser == "eu" && o.httpPassword == "ep" && o.httpTLS == nil }},
		{name: "http configuration before the environment",
			backend: Backend{Type: "http", Environ: []string{"TF_HTTP_ADDRESS=https://env/x", "TF_HTTP_PASSWORD=ep"}, Config: map[string]string{"address": "https://cfg/x"}},
			want:    "https://cfg/x",
			check:   func(o *loadOptions) bool { return o.httpUser == "" && o.httpPassword == "ep" }},
		{name: "http retries by default",
			backend: Backend{Type: "http", Environ: []string{}, Config: map[string]string{"address": "https://s/x"}},
			want:    "https://s/x",
			check: func(o *loadOptions) bool {
				return o.httpRetry == httpRetry{max: 2, waitMin: time.Second, waitMax: 30 * time.Second}
			}},
		{name: "http retries from the configuration and TF_HTTP_RETRY_",
			backend: Backend{Type: "http", Environ: []string{"TF_HTTP_RETRY_MAX=5", "TF_HTTP_RETRY_WAIT_MAX=4"}, Config: map[string]string{"address": "https://s/x", "retry_max": "0"}},
			want:    "https://s/x",
			check: func(o *loadOptions) bool {
				return o.httpRetry == httpRetry{max: 0, waitMin: time.Second, waitMax: 4 * time.Second}
			}},
		{name: "http retry_max not a number", backend: Backend{Type: "http", Environ: []string{"TF_HTTP_RETRY_MAX=many"}, Config: map[string]string{"address": "https://s/x"}},
			wantErr: `the http backend's retry_max is "many", not a whole number, 0 or more`},
		{name: "http without address", backend: Backend{Type: "http", Environ: []string{}},
			wantErr: "the http backend has no address (set it in the configuration or TF_HTTP_ADDRESS)"},
		{name: "http address not a URL", backend: Backend{Type: "http", Environ: []string{}, Config: map[string]string{"address": "ftp://u:secret@s/x"}},
			wantErr: "the http backend's address ftp://u:xxxxx@s/x is not an http or https URL"},
		{name: "remote with a name",
			backend: Backend{Type: "remote", Environ: []string{}, Config: map[string]string{"organization": "acme", "workspaces.name": "net", "token": "tok"}},
			want:    "remote://app.terraform.io/acme/net",
			check:   func(o *loadOptions) bool { return o.remoteToken == "tok" }},
		{name: "remote with a prefix and a workspace",
			backend: Backend{Type: "remote", Workspace: "prod", Environ: []string{}, Config: map[string]string{"hostname": "tfe.example.com", "organization": "acme", "workspaces.prefix": "net-"}},
			want:    "remote://tfe.example.com/acme/net-prod"},
		{name: "remote with a prefix, no workspace",
			backend: Backend{Type: "remote", Environ: []string{}, Config: map[string]string{"organization": "acme", "workspaces.prefix": "net-"}},
			wantErr: `the remote backend selects workspaces by the prefix "net-": name one with --workspace (or TF_WORKSPACE), without the prefix`},
		{name: "remote with a name and another workspace",
			backend: Backend{Type: "remote", Workspace: "qa", Environ: []string{}, Config: map[string]string{"organization": "acme", "workspaces.name": "net"}},
			wantErr: `the remote backend names the workspace "net", not "qa"`},
		{name: "cloud with tags and a workspace",
			backend: Backend{Type: "cloud", Workspace: "net-prod", Environ: []string{}, Config: map[string]string{"organization": "acme", "workspaces.tags": "net"}},
			want:    "remote://app.terraform.io/acme/net-prod"},
		{name: "cloud with tags, no workspace",
			backend: Backend{Type: "cloud", Environ: []string{}, Config: map[string]string{"organization": "acme", "workspaces.tags": "net"}},
			wantErr: "the cloud block selects workspaces by tags: name one with --workspace (or TF_WORKSPACE)"},
		{name: "cloud from TF_CLOUD_ variables",
			backend: Backend{Type: "cloud", Workspace: "w", Environ: []string{"TF_CLOUD_ORGANIZATION=envorg", "TF_CLOUD_HOSTNAME=tfe.example.com"}},
			want:    "remote://tfe.example.com/envorg/w"},
		{name: "cloud without organization", backend: Backend{Type: "cloud", Workspace: "w", Environ: []string{}},
			wantErr: "the cloud block has no organization"},
		{name: "remote ignores TF_CLOUD_ORGANIZATION", backend: Backend{Type: "remote", Environ: []string{"TF_CLOUD_ORGANIZATION=o"}, Config: map[string]string{"workspaces.name": "w"}},
			wantErr: "the remote backend has no organization"},
		{name: "gcs", backend: Backend{Type: "gcs", Config: map[string]string{"bucket": "b"}},
			wantErr: `a backend driftctl does not read: the "gcs" backend (driftctl reads local, s3, http, remote, cloud)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc, opts, err := Resolve(tt.backend, "DIR")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if (tt.backend.Type == "gcs") != errors.Is(err, ErrUnsupportedBackend) {
					t.Errorf("errors.Is(ErrUnsupportedBackend) = %v", !(tt.backend.Type == "gcs"))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var o loadOptions
			for _, opt := range opts {
				opt(&o)
			}
			if loc != tt.want || (tt.check != nil && !tt.check(&o)) {
				t.Errorf("Resolve = %q %+v, want %q", loc, o, tt.want)
			}
		})
	}
}

// TestHTTPBackend: the http backend's credentials reach the server, a
// state is read over TLS with skip_cert_verification, a 503 is retried
// retry_max times, and every answer
// that is not a state is an error that names the address without the
// password; 404, 204 and an empty body are "no state yet" for a backend.
func TestHTTPBackend(t *testing.T) {
	t.Parallel()
	const password = "s3cr3t-backend-password"
	valid := readFixture(t, "valid.tfstate")
	var mu sync.Mutex
	failures := map[string]int{"/flaky/twice": 2, "/flaky/always": 100}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		mu.Lock()
		fail := failures[r.URL.Path] > 0
		failures[r.URL.Path]--
		mu.Unlock()
		switch {
		case fail:
			http.Error(w, "try again", http.StatusServiceUnavailable)
		case strings.HasPrefix(r.URL.Path, "/flaky/"):
			_, _ = w.Write(valid)
		case r.URL.Path == "/login":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<html><body>Sign in</body></html>"))
		case r.URL.Path == "/broken":
			http.Error(w, "oops "+pass, http.StatusInternalServerError)
		case !ok:
			w.Header().Set("WWW-Authenticate", `Basic realm="state"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case user != "ops" || pass != password:
			http.Error(w, "forbidden", http.StatusForbidden)
		case r.URL.Path == "/state/prod":
			_, _ = w.Write(valid)
		case r.URL.Path == "/state/new":
			w.WriteHeader(http.StatusOK) // an empty body
		case r.URL.Path == "/state/gone":
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	// Retries without waiting.
	creds := []string{"TF_HTTP_USERNAME=ops", "TF_HTTP_PASSWORD=" + password, "TF_HTTP_RETRY_WAIT_MIN=0"}
	backend := func(path string, environ []string, cfg map[string]string) *Backend {
		c := map[string]string{"address": srv.URL + path, "skip_cert_verification": "true"}
		for k, v := range cfg {
			c[k] = v
		}
		return &Backend{Type: "http", Config: c, Environ: environ}
	}
	tests := []struct {
		name    string
		backend *Backend
		want    bool   // a state with aws_vpc.main
		wantErr string // "" and !want: no state
	}{
		{name: "state", backend: backend("/state/prod", creds, nil), want: true},
		{name: "credentials in the configuration", backend: backend("/state/prod", []string{}, map[string]string{"username": "ops", "password": password}), want: true},
		{name: "no state yet: empty", backend: backend("/state/new", creds, nil)},
		{name: "no state yet: 204", backend: backend("/state/gone", creds, nil)},
		{name: "no state: 404", backend: backend("/state/missing", creds, nil)},
		{name: "no credentials", backend: backend("/state/prod", []string{}, nil),
			wantErr: "HTTP status 401 Unauthorized: the server wants credentials (the http backend's username and password, or TF_HTTP_USERNAME and TF_HTTP_PASSWORD)"},
		{name: "wrong password", backend: backend("/state/prod", []string{"TF_HTTP_USERNAME=ops", "TF_HTTP_PASSWORD=wrong-" + password}, nil),
			wantErr: "HTTP status 403 Forbidden: the server refused the credentials"},
		{name: "an HTML page", backend: backend("/login", creds, nil), wantErr: "the server answered an HTML page (200 OK), not a state"},
		{name: "a server error", backend: backend("/broken", creds, nil), wantErr: "HTTP status 500 Internal Server Error"},
		{name: "503 twice, then the state", backend: backend("/flaky/twice", creds, nil), want: true},
		{name: "503 after every retry", backend: backend("/flaky/always", creds, nil), wantErr: "HTTP status 503 Service Unavailable"},
		{name: "certificate not trusted", backend: backend("/state/prod", creds, map[string]string{"skip_cert_verification": "false"}),
			wantErr: "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, err := Discover(context.Background(), nil, tt.backend, t.TempDir())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "reading state "+srv.URL) || strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("error %q does not name the address, or shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := st != nil && st.Lookup("aws_vpc.main") != nil; got != tt.want {
				t.Errorf("state %+v, want one: %v", st, tt.want)
			}
		})
	}
}

// TestHTTPLocationNotFound: a --state URL that answers 404 is an error (a
// wrong location), where a backend's 404 is no state yet.
func TestHTTPLocationNotFound(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	_, err := Discover(context.Background(), []string{srv.URL + "/x"}, nil, t.TempDir())
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("error = %v, want ErrNotFound", err)
	}
}

// TestHTTPRetryWait: the waits double from retry_wait_min up to
// retry_wait_max, as go-retryablehttp's default backoff.
func TestHTTPRetryWait(t *testing.T) {
	t.Parallel()
	r := httpRetry{max: 10, waitMin: time.Second, waitMax: 30 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 5: 16 * time.Second, 6: 30 * time.Second, 9: 30 * time.Second} {
		if got := r.wait(n); got != want {
			t.Errorf("wait(%d) = %s, want %s", n, got, want)
		}
	}
	for _, tt := range []struct {
		err    error
		status int
		want   bool
	}{
		{nil, 500, true}, {nil, 503, true}, {nil, 429, true}, {nil, 501, false}, {nil, 404, false}, {nil, 200, false},
		{errors.New("connection refused"), 0, true},
		{x509.UnknownAuthorityError{}, 0, false},
	} {
		if got := retryable(tt.err, tt.status); got != tt.want {
			t.Errorf("retryable(%v, %d) = %v", tt.err, tt.status, got)
		}
	}
}
