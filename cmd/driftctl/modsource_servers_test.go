package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The testscript commands of the remote-module scripts
// (modules_remote*.txtar): a module registry over HTTPS, a placeholder
// substitution for the addresses servers get at run time, and an exit
// code check.

// registryHost is the registry's host name: one the certificate of
// httptest's TLS servers names (127.0.0.1, ::1, example.com,
// *.example.com), and without a port, so that TF_TOKEN_<host> can name
// it (a variable name cannot hold a port, in Terraform as in driftctl).
const registryHost = "registry.example.com"

// gitAvailable is the script condition "git": the git CLI is
// installed, or the scripts run in CI, where a missing git must fail them.
func gitAvailable() bool {
	_, err := exec.LookPath("git")
	return err == nil || os.Getenv("CI") == "true"
}

// cmdExits runs a program, keeps its output for stdout and stderr, and
// fails unless it exits with the code given: exits 2 driftctl scan ....
// `! exec` only tells failure from success; driftctl's codes tell drift
// (1) from a scan that could not run (2).
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE program args...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdSubst replaces, in a file, each @NAME@ of the names given with the
// value of the environment variable NAME: subst main.tf GITURL. Files
// of a script hold such placeholders for the addresses servers get when
// the script runs (plain $NAME would collide with HCL's ${...}).
func cmdSubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: subst FILE NAME...")
	}
	file := ts.MkAbs(args[0])
	b, err := os.ReadFile(file)
	ts.Check(err)
	s := string(b)
	for _, name := range args[1:] {
		s = strings.ReplaceAll(s, "@"+name+"@", ts.Getenv(name))
	}
	ts.Check(os.WriteFile(file, []byte(s), 0o644))
}

// cmdRegistry serves a module registry (the module registry protocol:
// service discovery, versions, download) over HTTPS as
// registry.example.com, and sets the script's environment so that
// driftctl reaches and trusts it: REGISTRY_HOST, SSL_CERT_FILE (the test
// server's certificate, which Go reads on Linux in place of the system's
// roots) and HTTPS_PROXY (a CONNECT proxy that takes every connection to
// the server; Go never proxies 127.0.0.1, so moto and the Git server are
// reached directly). Usage: registry DIR TOKEN.
//
// DIR holds NAMESPACE/NAME/SYSTEM/VERSION entries read when the command
// runs: a directory is the version's package, downloaded as a .tar.gz
// the server serves; a file holds the version's download location
// (X-Terraform-Get) with @NAME@ placeholders as subst replaces them, e.g.
// git::@GITURL@/mods.git//bucket?ref=v1.0.0. When NAMESPACE/NAME/SYSTEM
// is itself a file, it holds the HTTP status the registry answers for
// every request about that module (500: a registry in trouble). Every
// request but service discovery needs "Authorization: Bearer TOKEN"
// (401 otherwise), as a private registry's do.
func cmdRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: registry DIR TOKEN")
	}
	reg, err := readRegistry(ts, ts.MkAbs(args[0]))
	ts.Check(err)
	reg.token = args[1]

	srv := httptest.NewTLSServer(reg)
	ts.Defer(srv.Close)
	proxy := httptest.NewServer(connectProxy(srv.Listener.Addr().String()))
	ts.Defer(proxy.Close)

	certFile := filepath.Join(ts.Getenv("WORK"), ".registry-cert.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	ts.Check(os.WriteFile(certFile, cert, 0o644))
	ts.Setenv("SSL_CERT_FILE", certFile)
	ts.Setenv("HTTPS_PROXY", proxy.URL)
	ts.Setenv("REGISTRY_HOST", registryHost)
}

// registry is cmdRegistry's server.
type registry struct {
	token string
	// modules by NAMESPACE/NAME/SYSTEM.
	modules map[string]*registryModule
	// archives by path (/archives/NAMESPACE/NAME/SYSTEM/VERSION.tar.gz).
	archives map[string][]byte
}

// registryModule is one module's versions and where each is.
type registryModule struct {
	status    int               // answered to every request when not 0
	locations map[string]string // by version
}

// readRegistry reads cmdRegistry's DIR.
func readRegistry(ts *testscript.TestScript, dir string) (*registry, error) {
	reg := &registry{modules: map[string]*registryModule{}, archives: map[string][]byte{}}
	systems, err := filepath.Glob(filepath.Join(dir, "*", "*", "*"))
	if err != nil {
		return nil, err
	}
	for _, sys := range systems {
		rel, _ := filepath.Rel(dir, sys)
		name := filepath.ToSlash(rel)
		mod := &registryModule{locations: map[string]string{}}
		reg.modules[name] = mod
		info, err := os.Stat(sys)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			b, err := os.ReadFile(sys)
			if err != nil {
				return nil, err
			}
			if mod.status, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
				return nil, fmt.Errorf("%s: want an HTTP status: %w", name, err)
			}
			continue
		}
		entries, err := os.ReadDir(sys)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			p := filepath.Join(sys, e.Name())
			if !e.IsDir() {
				b, err := os.ReadFile(p)
				if err != nil {
					return nil, err
				}
				loc := strings.TrimSpace(string(b))
				for _, kv := range []string{"GITURL", "REGISTRY_HOST"} {
					loc = strings.ReplaceAll(loc, "@"+kv+"@", ts.Getenv(kv))
				}
				mod.locations[e.Name()] = loc
				continue
			}
			archive, err := tarGzDir(p)
			if err != nil {
				return nil, err
			}
			at := "/archives/" + name + "/" + e.Name() + ".tar.gz"
			reg.archives[at] = archive
			mod.locations[e.Name()] = at
		}
	}
	return reg, nil
}

func (reg *registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/.well-known/terraform.json" {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"modules.v1": "/v1/modules/"}`)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+reg.token {
		http.Error(w, `{"errors":["unauthorized"]}`, http.StatusUnauthorized)
		return
	}
	if archive, ok := reg.archives[r.URL.Path]; ok {
		w.Header().Set("Content-Type", "application/gzip")
		_, _ = w.Write(archive)
		return
	}
	// /v1/modules/NAMESPACE/NAME/SYSTEM/versions and .../VERSION/download
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/modules/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) < 4 {
		http.NotFound(w, r)
		return
	}
	mod := reg.modules[strings.Join(parts[:3], "/")]
	switch {
	case mod == nil:
		http.Error(w, `{"errors":["not found"]}`, http.StatusNotFound)
	case mod.status != 0:
		http.Error(w, `{"errors":["registry trouble"]}`, mod.status)
	case len(parts) == 4 && parts[3] == "versions":
		var versions []map[string]string
		for _, v := range slices.Sorted(maps.Keys(mod.locations)) {
			versions = append(versions, map[string]string{"version": v})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"modules": []any{map[string]any{"versions": versions}}})
	case len(parts) == 5 && parts[4] == "download" && mod.locations[parts[3]] != "":
		w.Header().Set("X-Terraform-Get", mod.locations[parts[3]])
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, `{"errors":["not found"]}`, http.StatusNotFound)
	}
}

// connectProxy is an HTTP proxy that answers CONNECT to any host by
// connecting to target.
func connectProxy(target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		upstream, err := net.Dial("tcp", target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer upstream.Close()
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			// Bytes the client sent after CONNECT may wait in rw's buffer.
			_, _ = io.Copy(upstream, rw)
			if tc, ok := upstream.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			close(done)
		}()
		_, _ = io.Copy(conn, upstream)
		_ = conn.Close()
		<-done
	})
}

// tarGzDir archives the files under dir, as a registry's package.
func tarGzDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h := &tar.Header{Name: path.Clean(filepath.ToSlash(rel)), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
