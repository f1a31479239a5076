package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gitdrift/driftctl/internal/redact"
	"github.com/gitdrift/driftctl/internal/tftoken"
)

// remoteScheme starts the locations of HCP Terraform and Terraform
// Enterprise workspaces: remote://HOST/ORGANIZATION/WORKSPACE.
const remoteScheme = "remote://"

// DefaultRemoteHost is the host of HCP Terraform, the default hostname of
// the remote backend and of the cloud block.
const DefaultRemoteHost = "app.terraform.io"

// RemoteLocation is the location Load reads the current state of an HCP
// Terraform or Terraform Enterprise workspace from.
func RemoteLocation(host, organization, workspace string) string {
	return remoteScheme + host + "/" + url.PathEscape(organization) + "/" + url.PathEscape(workspace)
}

// WithEnviron sets where TF_TOKEN_<host> variables are read for remote://
// locations (entries "NAME=VALUE"); without it, os.Environ().
func WithEnviron(environ []string) Option {
	return func(o *loadOptions) { o.environ = environ }
}

// WithRemoteToken sends token to the host of remote:// locations instead
// of its TF_TOKEN_<host> variable's (the remote backend's and the cloud
// block's token setting). It never appears in errors or logs.
func WithRemoteToken(token string) Option {
	return func(o *loadOptions) { o.remoteToken = token }
}

// maxAPIAnswer bounds an API answer that is not a state.
const maxAPIAnswer = 4 << 20

// jsonAPI is the media type of the HCP Terraform API (JSON:API).
const jsonAPI = "application/vnd.api+json"

// remoteClient talks to one host's HCP Terraform API.
type remoteClient struct {
	http  *http.Client
	host  string
	token string
	// tokenFrom says where the token came from, for errors: the variable
	// or the backend's token setting.
	tokenFrom string
}

// readRemote reads the current state version of a workspace as
// Terraform's remote backend and cloud block do: the API's base URL from
// service discovery (https://HOST/.well-known/terraform.json, "tfe.v2"),
// GET organizations/ORG/workspaces/NAME for the workspace's ID,
// GET workspaces/ID/current-state-version for its
// hosted-state-download-url, then the state from that URL. A workspace
// without a state version yet is ErrNotFound; one that does not exist, or
// that the token cannot read, is another error. The token goes to HOST
// only (the download URL is signed; it gets the token only on HOST).
func readRemote(ctx context.Context, location string, o *loadOptions) ([]byte, error) {
	host, org, ws, err := splitRemote(location)
	if err != nil {
		return nil, err
	}
	client, err := httpClientOf(o)
	if err != nil {
		return nil, err
	}
	c := &remoteClient{http: client, host: host, token: o.remoteToken, tokenFrom: "the token setting"}
	if c.token == "" {
		c.token = tftoken.FromEnviron(o.environ)[strings.ToLower(host)]
		c.tokenFrom = tftoken.Variable(host)
	}
	data, err := c.read(ctx, org, ws)
	return data, c.scrub(err)
}

func splitRemote(location string) (host, org, ws string, err error) {
	parts := strings.Split(strings.TrimPrefix(location, remoteScheme), "/")
	if len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != "" {
		org, err1 := url.PathUnescape(parts[1])
		ws, err2 := url.PathUnescape(parts[2])
		if err1 == nil && err2 == nil {
			return parts[0], org, ws, nil
		}
	}
	return "", "", "", errors.New("want remote://HOST/ORGANIZATION/WORKSPACE")
}

func (c *remoteClient) read(ctx context.Context, org, ws string) ([]byte, error) {
	base, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	var workspace struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	wsURL := base.JoinPath("organizations", org, "workspaces", ws)
	if status, err := c.getJSON(ctx, wsURL, &workspace); err != nil {
		if status == http.StatusNotFound {
			// The API answers 404 for a workspace the token may not see.
			return nil, fmt.Errorf("workspace %q of organization %q not found on %s (or %s cannot read it)", ws, org, c.host, c.tokenName())
		}
		return nil, err
	}
	if workspace.Data.ID == "" {
		return nil, fmt.Errorf("%s answered no workspace ID for GET %s", c.host, wsURL.Path)
	}
	var version struct {
		Data struct {
			Attributes struct {
				DownloadURL string `json:"hosted-state-download-url"`
			} `json:"attributes"`
		} `json:"data"`
	}
	svURL := base.JoinPath("workspaces", workspace.Data.ID, "current-state-version")
	if status, err := c.getJSON(ctx, svURL, &version); err != nil {
		if status == http.StatusNotFound {
			return nil, fmt.Errorf("%w: workspace %q of organization %q has no state version yet", ErrNotFound, ws, org)
		}
		return nil, err
	}
	download := version.Data.Attributes.DownloadURL
	if download == "" {
		return nil, fmt.Errorf("%s answered no hosted-state-download-url for workspace %q", c.host, ws)
	}
	u, err := base.Parse(download)
	if err != nil {
		return nil, fmt.Errorf("%s answered an invalid hosted-state-download-url", c.host)
	}
	resp, err := c.get(ctx, u, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading the state of workspace %q: %s answered %s", ws, u.Host, resp.Status)
	}
	return readAll(resp.Body)
}

// discover finds the API's base URL through Terraform's service discovery
// protocol: the "tfe.v2" service of https://HOST/.well-known/terraform.json
// (relative to it, or absolute).
func (c *remoteClient) discover(ctx context.Context) (*url.URL, error) {
	wellKnown := &url.URL{Scheme: "https", Host: c.host, Path: "/.well-known/terraform.json"}
	var services map[string]any
	if _, err := c.getJSON(ctx, wellKnown, &services); err != nil {
		return nil, fmt.Errorf("discovering the API of %s: %w", c.host, err)
	}
	for _, id := range []string{"tfe.v2", "tfe.v2.1", "tfe.v2.2"} {
		if s, ok := services[id].(string); ok && s != "" {
			base, err := wellKnown.Parse(s)
			if err != nil {
				return nil, fmt.Errorf("discovering the API of %s: invalid %s URL %q", c.host, id, s)
			}
			return base, nil
		}
	}
	return nil, fmt.Errorf("%s is not HCP Terraform or Terraform Enterprise: its /.well-known/terraform.json names no tfe.v2 service", c.host)
}

// get sends GET u with the token when u is on the API's host, over https.
func (c *remoteClient) get(ctx context.Context, u *url.URL, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if c.token != "" && u.Scheme == "https" && strings.EqualFold(u.Host, c.host) {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			// The URL may be the signed download URL: name its host only.
			return nil, fmt.Errorf("GET %s: %w", u.Host+u.Path, uerr.Err)
		}
		return nil, err
	}
	return resp, nil
}

// getJSON decodes the JSON answer of GET u into v; on an error answer it
// returns the status and an error with the API's own message (JSON:API
// "errors").
func (c *remoteClient) getJSON(ctx context.Context, u *url.URL, v any) (status int, err error) {
	resp, err := c.get(ctx, u, jsonAPI)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIAnswer))
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", u.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, c.apiError(resp, u, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return resp.StatusCode, fmt.Errorf("%s answered GET %s with malformed JSON: %v", c.host, u.Path, err)
	}
	return resp.StatusCode, nil
}

// apiError describes an error answer, with the API's messages.
func (c *remoteClient) apiError(resp *http.Response, u *url.URL, body []byte) error {
	if resp.StatusCode == http.StatusUnauthorized {
		if c.token == "" {
			v := tftoken.Variable(c.host)
			if v == "" {
				return fmt.Errorf("no token for %s: set the backend's token", c.host)
			}
			return fmt.Errorf("no token for %s: set %s (a user or team API token)", c.host, v)
		}
		return fmt.Errorf("%s refused the token in %s (401 Unauthorized): it may have expired", c.host, c.tokenName())
	}
	msg := fmt.Sprintf("%s answered %s for GET %s", c.host, resp.Status, u.Path)
	var answer struct {
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &answer) == nil {
		for _, e := range answer.Errors {
			switch {
			case e.Detail != "" && e.Title != "":
				msg += ": " + e.Title + ": " + e.Detail
			case e.Detail != "" || e.Title != "":
				msg += ": " + e.Title + e.Detail
			}
		}
	}
	return errors.New(msg)
}

func (c *remoteClient) tokenName() string {
	if c.tokenFrom == "" {
		return "the token"
	}
	return c.tokenFrom
}

// scrub takes the token out of err's message, should a server have
// echoed it (tokens are long: a short one would mask ordinary words).
func (c *remoteClient) scrub(err error) error {
	if err == nil || len(c.token) < 8 || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return &scrubbed{msg: strings.ReplaceAll(err.Error(), c.token, redact.Mask), err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
