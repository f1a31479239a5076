package gitsource

import (
	"net"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Environment variables read by Open.
const (
	envToken        = "DRIFTCTL_GIT_TOKEN"
	envUsername     = "DRIFTCTL_GIT_USERNAME"
	envPassword     = "DRIFTCTL_GIT_PASSWORD"
	envSSHKey       = "DRIFTCTL_GIT_SSH_KEY"
	envSSHKeyPass   = "DRIFTCTL_GIT_SSH_KEY_PASSPHRASE"
	envKnownHosts   = "DRIFTCTL_GIT_KNOWN_HOSTS"
	envInsecureHost = "DRIFTCTL_GIT_INSECURE_IGNORE_HOST_KEY"
	envAgentSock    = "SSH_AUTH_SOCK"
)

// tokenUser is the user name sent with a bare token; GitHub, GitLab and
// Bitbucket accept any non-empty user with a token as password.
const tokenUser = "x-access-token"

// credentials are how Open authenticates to one remote.
type credentials struct {
	method  transport.AuthMethod // nil: anonymous
	kind    string               // for logs: "none", "token", "password", "ssh-key", "ssh-agent"
	secrets []string             // values to scrub from messages
	close   func() error         // releases an agent connection; never nil
}

// credentialsFor picks credentials for loc from the environment. HTTP:
// DRIFTCTL_GIT_TOKEN (with DRIFTCTL_GIT_USERNAME or "x-access-token"), else
// DRIFTCTL_GIT_USERNAME/DRIFTCTL_GIT_PASSWORD, else userinfo in the URL. SSH:
// the key file DRIFTCTL_GIT_SSH_KEY, else the agent at SSH_AUTH_SOCK, with
// host keys checked against known_hosts unless
// DRIFTCTL_GIT_INSECURE_IGNORE_HOST_KEY=1.
func credentialsFor(loc remoteLocation, env environ, c classifier) (credentials, error) {
	none := credentials{kind: "none", close: func() error { return nil }}
	switch loc.scheme {
	case "http", "https":
		cr := none
		switch {
		case env[envToken] != "":
			user := env[envUsername]
			if user == "" {
				user = tokenUser
			}
			cr.method = &githttp.BasicAuth{Username: user, Password: env[envToken]}
			cr.kind, cr.secrets = "token", []string{env[envToken]}
		case env[envUsername] != "" || env[envPassword] != "":
			cr.method = &githttp.BasicAuth{Username: env[envUsername], Password: env[envPassword]}
			cr.kind, cr.secrets = "password", []string{env[envPassword]}
		case loc.hasUser:
			cr.method = &githttp.BasicAuth{Username: loc.user, Password: loc.password}
			// A URL user without password is often a token (https://TOKEN@host/).
			cr.kind, cr.secrets = "url", []string{loc.password, loc.user}
		}
		return cr, nil
	case "ssh":
		return sshCredentials(loc, env, c)
	}
	return none, nil
}

// sshCredentials builds SSH public key auth with a host key check.
func sshCredentials(loc remoteLocation, env environ, c classifier) (credentials, error) {
	user := loc.user
	if user == "" {
		user = "git"
	}
	hostKeys, err := hostKeyCallback(env, c)
	if err != nil {
		return credentials{}, err
	}
	if key := env[envSSHKey]; key != "" {
		pk, err := gitssh.NewPublicKeysFromFile(user, key, env[envSSHKeyPass])
		if err != nil {
			return credentials{}, c.errorf(ErrAuth, "reading SSH key "+key+": "+err.Error(), err)
		}
		pk.HostKeyCallback = hostKeys
		return credentials{method: sshAuth{pk}, kind: "ssh-key", secrets: []string{env[envSSHKeyPass]}, close: func() error { return nil }}, nil
	}
	if sock := env[envAgentSock]; sock != "" {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return credentials{}, c.errorf(ErrAuth, "connecting to the SSH agent: "+err.Error(), err)
		}
		ag := agent.NewClient(conn)
		cb := &gitssh.PublicKeysCallback{User: user, Callback: ag.Signers}
		cb.HostKeyCallback = hostKeys
		return credentials{method: sshAuth{cb}, kind: "ssh-agent", close: conn.Close}, nil
	}
	return credentials{}, c.errorf(ErrAuth, "no SSH credentials (set DRIFTCTL_GIT_SSH_KEY or SSH_AUTH_SOCK)", nil)
}

// hostKeyCallback checks host keys against DRIFTCTL_GIT_KNOWN_HOSTS or
// ~/.ssh/known_hosts; DRIFTCTL_GIT_INSECURE_IGNORE_HOST_KEY=1 turns the check
// off.
func hostKeyCallback(env environ, c classifier) (gossh.HostKeyCallback, error) {
	if env[envInsecureHost] == "1" {
		return gossh.InsecureIgnoreHostKey(), nil
	}
	file := env[envKnownHosts]
	if file == "" {
		home := env["HOME"]
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		file = filepath.Join(home, ".ssh", "known_hosts")
	}
	if _, err := os.Stat(file); err != nil {
		return nil, c.errorf(ErrAuth, "known hosts file "+file+" not found (set "+envKnownHosts+")", err)
	}
	db, err := gitssh.NewKnownHostsDb(file)
	if err != nil {
		return nil, c.errorf(ErrAuth, "reading known hosts "+file+": "+err.Error(), err)
	}
	return db.HostKeyCallback(), nil
}
