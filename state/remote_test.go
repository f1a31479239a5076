package state

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// tfeAPI serves the parts of the HCP Terraform API that readRemote uses,
// with the response shapes of its documentation (service discovery,
// "Show workspace", "Fetch the Current State Version for a Workspace", the
// JSON:API errors), for token on any host it is reached as. The state of
// workspace "net" is downloaded from the API's host, that of "app" from
// archivist.example.com, as HCP Terraform's signed URLs are.
type tfeAPI struct {
	token string
	state []byte

	mu sync.Mutex
	// authorized records, per host, whether a request to it carried the
	// token.
	authorized map[string]bool
}

func (a *tfeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.authorized[r.Host] = a.authorized[r.Host] || r.Header.Get("Authorization") == "Bearer "+a.token
	a.mu.Unlock()
	jsonAPI := func(status int, body string) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
	if r.URL.Path == "/.well-known/terraform.json" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"modules.v1":"/api/registry/v1/modules/","motd.v1":"/api/terraform/motd","state.v2":"/api/v2/","tfe.v2":"/api/v2/","tfe.v2.1":"/api/v2/","tfe.v2.2":"/api/v2/","versions.v1":"https://checkpoint-api.hashicorp.com/v1/versions/"}`))
		return
	}
	if strings.HasPrefix(r.URL.Path, "/archivist/") {
		_, _ = w.Write(a.state)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+a.token {
		jsonAPI(http.StatusUnauthorized, `{"errors":[{"status":"401","title":"unauthorized"}]}`)
		return
	}
	switch r.URL.Path {
	case "/api/v2/organizations/acme/workspaces/net":
		jsonAPI(http.StatusOK, `{"data":{"id":"ws-SihZTyXKfNXUWuUa","type":"workspaces","attributes":{"name":"net","execution-mode":"remote","terraform-version":"1.11.0"},"links":{"self":"/api/v2/organizations/acme/workspaces/net"}}}`)
	case "/api/v2/organizations/acme/workspaces/app":
		jsonAPI(http.StatusOK, `{"data":{"id":"ws-appAppAppAppApp1","type":"workspaces","attributes":{"name":"app"}}}`)
	case "/api/v2/organizations/acme/workspaces/empty":
		jsonAPI(http.StatusOK, `{"data":{"id":"ws-emptyEmptyEmpty1","type":"workspaces","attributes":{"name":"empty"}}}`)
	case "/api/v2/organizations/acme/workspaces/echo":
		jsonAPI(http.StatusInternalServerError, `{"errors":[{"status":"500","title":"internal error","detail":"could not authorize `+a.token+`"}]}`)
	case "/api/v2/workspaces/ws-SihZTyXKfNXUWuUa/current-state-version":
		jsonAPI(http.StatusOK, `{"data":{"id":"sv-g4rqST72reoHMM5a","type":"state-versions","attributes":{"created-at":"2021-06-08T01:22:03.794Z","size":940,"hosted-state-download-url":"https://`+r.Host+`/archivist/v1/object/dmF1bHQ6djE6","hosted-json-state-download-url":"https://`+r.Host+`/archivist/v1/object/json","modules":null,"providers":null,"resources":[],"resources-processed":true,"serial":1,"state-version":4,"status":"finalized","terraform-version":"1.11.0","vcs-commit-url":null,"vcs-commit-sha":null},"links":{"self":"/api/v2/state-versions/sv-g4rqST72reoHMM5a"}}}`)
	case "/api/v2/workspaces/ws-appAppAppAppApp1/current-state-version":
		jsonAPI(http.StatusOK, `{"data":{"id":"sv-app","type":"state-versions","attributes":{"hosted-state-download-url":"https://archivist.example.com/archivist/v1/object/app","serial":3}}}`)
	case "/api/v2/workspaces/ws-emptyEmptyEmpty1/current-state-version":
		jsonAPI(http.StatusNotFound, `{"errors":[{"status":"404","title":"not found"}]}`)
	default:
		jsonAPI(http.StatusNotFound, `{"errors":[{"status":"404","title":"not found"}]}`)
	}
}

// TestRemoteBackend reads HCP Terraform workspaces' states through the
// remote backend and the cloud block's settings, against an https server
// reached as example.com (the test certificate's name), with the token of
// TF_TOKEN_example_com.
func TestRemoteBackend(t *testing.T) {
	t.Parallel()
	const token = "atlasv1-team-token-1234567890"
	api := &tfeAPI{token: token, state: readFixture(t, "valid.tfstate"), authorized: map[string]bool{}}
	srv := httptest.NewTLSServer(api)
	t.Cleanup(srv.Close)
	client := srv.Client()
	tr := client.Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		// Every host is the test server.
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	client.Transport = tr
	withToken := []string{"TF_TOKEN_example_com=" + token}

	tests := []struct {
		name    string
		backend Backend
		want    bool   // a state with aws_vpc.main; false and no wantErr: none
		wantErr string // the whole message after "reading state LOCATION: "
	}{
		{name: "remote backend with a name",
			backend: Backend{Type: "remote", Environ: withToken, Config: map[string]string{"hostname": "example.com", "organization": "acme", "workspaces.name": "net"}},
			want:    true},
		{name: "cloud block with tags and TF_WORKSPACE",
			backend: Backend{Type: "cloud", Workspace: "net", Environ: append([]string{"TF_CLOUD_HOSTNAME=example.com"}, withToken...), Config: map[string]string{"organization": "acme", "workspaces.tags": "network"}},
			want:    true},
		{name: "the token setting",
			backend: Backend{Type: "remote", Environ: []string{}, Config: map[string]string{"hostname": "example.com", "organization": "acme", "workspaces.name": "net", "token": token}},
			want:    true},
		{name: "the state downloaded from another host",
			backend: Backend{Type: "remote", Environ: withToken, Config: map[string]string{"hostname": "example.com", "organization": "acme", "workspaces.name": "app"}},
			want:    true},
		{name: "a workspace without a state version has no state",
			backend: Backend{Type: "remote", Environ: withToken, Config: map[string]string{"hostname": "example.com", "organization": "acme", "workspaces.name": "empty"}}},
		{name: "no token",
			backend: Backend{Type: "remote", Environ: []string{}, Config: map[string]string{"hostname": "example.com", "organization": "acme", "workspaces.name": "net"}},
			wantErr: "no token for example.com: set TF_TOKEN_example_com (a user or team API token)"},
		{name: "a refused token",
			backend: Backend{Type: "remote", Environ: []string{"TF_TOKEN_example_com=atlasv1-expired-0000"}, Config: map[string]string{"hostname": "example.com", "organization": "acme", "workspaces.name": "net"}},
			wantErr: "example.com refused the token in TF_TOKEN_example_com (401 Unauthorized): it may have expired"},
		{name: "no such workspace",
			backend: Backend{Type: "remote", Environ: withToken, Config: map[string]string{"hostname": "example.com", "organization": "acme", "workspaces.name": "nope"}},
			wantErr: `workspace "nope" of organization "acme" not found on example.com (or TF_TOKEN_example_com cannot read it)`},
		{name: "the API's message, without the token",
			backend: Backend{Type: "remote", Environ: withToken, Config: map[string]string{"hostname": "example.com", "organization": "acme", "workspaces.name": "echo"}},
			wantErr: "example.com answered 500 Internal Server Error for GET /api/v2/organizations/acme/workspaces/echo: internal error: could not authorize xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, err := Discover(context.Background(), nil, &tt.backend, t.TempDir(), WithHTTPClient(client))
			loc, _, rerr := Resolve(tt.backend, "")
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tt.wantErr != "" {
				if want := "reading state " + loc + ": " + tt.wantErr; err == nil || err.Error() != want {
					t.Fatalf("error =\n  %v\nwant\n  %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := st != nil && st.Lookup("aws_vpc.main") != nil; got != tt.want {
				t.Fatalf("state %+v, want one: %v", st, tt.want)
			}
			if st != nil && st.Location != loc {
				t.Errorf("Location = %q, want %q", st.Location, loc)
			}
		})
	}
	t.Cleanup(func() {
		// After the parallel subtests: the signed download URL on another
		// host never got the token.
		if api.authorized["archivist.example.com"] {
			t.Error("the token was sent to archivist.example.com")
		}
		if !api.authorized["example.com"] {
			t.Error("the token never reached example.com")
		}
	})
}

func TestRemoteLocation(t *testing.T) {
	t.Parallel()
	loc := RemoteLocation("app.terraform.io", "acme", "net-prod")
	if loc != "remote://app.terraform.io/acme/net-prod" {
		t.Errorf("RemoteLocation = %q", loc)
	}
	host, org, ws, err := splitRemote(loc)
	if err != nil || host != "app.terraform.io" || org != "acme" || ws != "net-prod" {
		t.Errorf("splitRemote = %q %q %q %v", host, org, ws, err)
	}
	for _, bad := range []string{"remote://app.terraform.io/acme", "remote:///acme/w", "remote://h/o/w/x"} {
		if _, err := Load(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "want remote://HOST/ORGANIZATION/WORKSPACE") {
			t.Errorf("Load(%s) = %v", bad, err)
		}
	}
}
