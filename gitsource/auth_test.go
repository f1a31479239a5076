package gitsource

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestCredentialsHTTP(t *testing.T) {
	t.Parallel()
	loc, err := parseRemote("https://urluser:urlpass@host/org/infra.git")
	if err != nil {
		t.Fatal(err)
	}
	if loc.display != "https://host/org/infra.git" || loc.fetchURL != loc.display {
		t.Errorf("display %q, fetch %q: userinfo kept", loc.display, loc.fetchURL)
	}
	tests := []struct {
		name, kind, user, pass string
		env                    []string
	}{
		{"token", "token", "x-access-token", "tok-3456", []string{"DRIFTCTL_GIT_TOKEN=tok-3456"}},
		{"token with user", "token", "me", "tok-3456", []string{"DRIFTCTL_GIT_TOKEN=tok-3456", "DRIFTCTL_GIT_USERNAME=me"}},
		{"user and password", "password", "me", "pw-345678", []string{"DRIFTCTL_GIT_USERNAME=me", "DRIFTCTL_GIT_PASSWORD=pw-345678"}},
		{"from the URL", "url", "urluser", "urlpass", nil},
	}
	for _, tt := range tests {
		cr, err := credentialsFor(loc, newEnviron(append(tt.env, "HOME=/x")), classifier{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ba, ok := cr.method.(*githttp.BasicAuth)
		if !ok || cr.kind != tt.kind || ba.Username != tt.user || ba.Password != tt.pass {
			t.Errorf("%s: %s %#v", tt.name, cr.kind, cr.method)
		}
		if strings.Contains(ba.String(), tt.pass) {
			t.Errorf("%s: auth String() shows the secret", tt.name)
		}
	}
	anon, _ := parseRemote("https://host/org/infra.git")
	if cr, _ := credentialsFor(anon, newEnviron([]string{"HOME=/x"}), classifier{}); cr.method != nil {
		t.Errorf("anonymous: got %v", cr.method)
	}
}

// sshServer is an SSH server on 127.0.0.1 that runs git-upload-pack for
// repositories under root, accepting one client key.
type sshServer struct {
	addr       string
	hostKey    ssh.PublicKey
	knownHosts string // a known_hosts file trusting hostKey
}

func startSSH(t *testing.T, root string, client ssh.PublicKey) *sshServer {
	t.Helper()
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if bytes.Equal(k.Marshal(), client.Marshal()) {
			return nil, nil
		}
		return nil, errors.New("unknown key")
	}}
	cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSSHConn(c, cfg, root)
		}
	}()
	s := &sshServer{addr: ln.Addr().String(), hostKey: hostSigner.PublicKey()}
	s.knownHosts = filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(s.addr)}, s.hostKey)
	if err := os.WriteFile(s.knownHosts, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// serveSSHConn runs "git-upload-pack 'PATH'" exec requests of one connection.
func serveSSHConn(c net.Conn, cfg *ssh.ServerConfig, root string) {
	defer c.Close()
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "session only")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			defer ch.Close()
			for req := range chReqs {
				if req.Type != "exec" || len(req.Payload) < 4 {
					_ = req.Reply(false, nil)
					continue
				}
				command := string(req.Payload[4:])
				repo := strings.Trim(strings.TrimPrefix(command, "git-upload-pack "), "'")
				_ = req.Reply(true, nil)
				cmd := exec.Command("git-upload-pack", filepath.Join(root, repo))
				cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
				status := uint32(0)
				if err := cmd.Run(); err != nil {
					status = 1
				}
				_, _ = ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, status))
				return
			}
		}()
	}
}

// TestSSH reads a repository over SSH with a key file and with an agent,
// and refuses an unknown host key and a key the server does not accept.
func TestSSH(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git-upload-pack"); err != nil {
		t.Skip("git-upload-pack not on PATH")
	}
	repo := newFixtureRepo(t)
	root := t.TempDir()
	publish(t, root, repo.work, "infra")

	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	clientPub, _ := ssh.NewPublicKey(pub)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	_, strangerPriv, _ := ed25519.GenerateKey(rand.Reader)
	sb, _ := ssh.MarshalPrivateKey(strangerPriv, "")
	strangerFile := filepath.Join(t.TempDir(), "id_stranger")
	if err := os.WriteFile(strangerFile, pem.EncodeToMemory(sb), 0o600); err != nil {
		t.Fatal(err)
	}

	// An agent holding the client key, on a unix socket.
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _ = agent.ServeAgent(keyring, c); c.Close() }()
		}
	}()

	srv := startSSH(t, root, clientPub)
	url := "ssh://git@" + srv.addr + "/infra.git"
	unknownHosts := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(unknownHosts, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		env  []string
		kind error
	}{
		{"key file", []string{"DRIFTCTL_GIT_SSH_KEY=" + keyFile, "DRIFTCTL_GIT_KNOWN_HOSTS=" + srv.knownHosts}, nil},
		{"agent", []string{"SSH_AUTH_SOCK=" + sock, "DRIFTCTL_GIT_KNOWN_HOSTS=" + srv.knownHosts}, nil},
		{"unknown host key", []string{"DRIFTCTL_GIT_SSH_KEY=" + keyFile, "DRIFTCTL_GIT_KNOWN_HOSTS=" + unknownHosts}, ErrAuth},
		{"host key check off", []string{"DRIFTCTL_GIT_SSH_KEY=" + keyFile, "DRIFTCTL_GIT_KNOWN_HOSTS=" + unknownHosts, "DRIFTCTL_GIT_INSECURE_IGNORE_HOST_KEY=1"}, nil},
		{"key not accepted", []string{"DRIFTCTL_GIT_SSH_KEY=" + strangerFile, "DRIFTCTL_GIT_KNOWN_HOSTS=" + srv.knownHosts}, ErrAuth},
		{"no key", []string{"HOME=/nonexistent", "DRIFTCTL_GIT_KNOWN_HOSTS=" + srv.knownHosts}, ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			co, err := Open(context.Background(), url, Options{Ref: "v1", Path: "envs/prod", CacheDir: t.TempDir(), Environ: tt.env})
			if tt.kind != nil {
				if !errors.Is(err, tt.kind) || !strings.HasPrefix(err.Error(), "git ssh://"+srv.addr+"/infra.git: ") {
					t.Errorf("error = %v, want %v", err, tt.kind)
				}
				if err == nil {
					co.Close()
				} else {
					t.Log(err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer co.Close()
			if co.Commit.SHA != repo.first {
				t.Errorf("SHA %s, want %s", co.Commit.SHA, repo.first)
			}
		})
	}
}
