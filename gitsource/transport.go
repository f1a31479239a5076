package gitsource

import (
	"net/http"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"

	"github.com/gitdrift/driftctl/internal/httpclient"
)

// SSHDialTimeout bounds connecting to an SSH remote.
const SSHDialTimeout = 30 * time.Second

var installOnce sync.Once

// InstallTransports makes go-git fetch over http(s) with a client that has
// the deadlines of o (internal/httpclient: connect, TLS, response headers,
// and a pack that stops arriving), instead of its default client, which
// has none: a remote that accepts the connection and never answers would
// block a scan for ever.
//
// go-git v5 chooses the transport of a URL scheme from a process-wide
// table (client.InstallProtocol); ListOptions and FetchOptions cannot
// carry a client. So this changes every go-git call of the process: call
// it once, from main, before any Git operation; later calls do nothing.
// Fetches also run under their context (the scan's --timeout, serve's
// per-stack timeout), which ends them whatever the transport.
func InstallTransports(o httpclient.Options) {
	installOnce.Do(func() {
		c := githttp.NewClient(&http.Client{Transport: httpclient.NewTransport(o)})
		client.InstallProtocol("https", c)
		client.InstallProtocol("http", c)
	})
}

// sshAuth gives an SSH auth method a dial deadline: go-git's SSH
// transport takes it from the ssh.ClientConfig the method builds.
type sshAuth struct{ gitssh.AuthMethod }

// ClientConfig is the wrapped method's, with a connect timeout.
func (a sshAuth) ClientConfig() (*ssh.ClientConfig, error) {
	c, err := a.AuthMethod.ClientConfig()
	if err == nil && c.Timeout == 0 {
		c.Timeout = SSHDialTimeout
	}
	return c, err
}
