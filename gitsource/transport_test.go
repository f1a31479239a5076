package gitsource

import (
	"context"
	"testing"
	"time"

	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"

	"github.com/gitdrift/driftctl/internal/hangserver"
	"github.com/gitdrift/driftctl/internal/httpclient"
)

// TestInstallTransportsBoundsAHungRemote: a Git remote over HTTP that
// accepts the connection and never answers fails the fetch at the response
// header deadline, even with no deadline on the context. go-git's default
// client waits for ever. The deadline is generous so that the package's
// other tests, which share the process-wide transport, never reach it.
func TestInstallTransportsBoundsAHungRemote(t *testing.T) {
	t.Parallel()
	InstallTransports(httpclient.Options{ResponseHeader: 10 * time.Second})
	srv, err := hangserver.Silent()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	done := make(chan error, 1)
	go func() {
		_, err := Open(context.Background(), srv.URL+"/infra.git", Options{CacheDir: t.TempDir()})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("no error from a remote that never answers")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Open of a hung remote did not return within 60s")
	}
}

func TestSSHAuthHasADialTimeout(t *testing.T) {
	t.Parallel()
	pw := &gitssh.Password{User: "git", Password: "pw"}
	pw.HostKeyCallback = ssh.InsecureIgnoreHostKey() // never dialled here
	auth := sshAuth{pw}
	c, err := auth.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	if c.Timeout != SSHDialTimeout {
		t.Errorf("timeout %s, want %s", c.Timeout, SSHDialTimeout)
	}
}
