package serve

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// under dir; it returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "driftctl test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// webConfig writes an exporter toolkit web configuration with user
// "prometheus" (password "scrape-secret") and, when certFile is set, TLS.
func webConfig(t *testing.T, dir, certFile, keyFile string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("scrape-secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("basic_auth_users:\n  prometheus: %s\n", hash)
	if certFile != "" {
		text = fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\n", certFile, keyFile) + text
	}
	path := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func request(t *testing.T, client *http.Client, url, user, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// With a web configuration file, every endpoint asks for basic
// authentication, and is served over TLS when the file says so.
func TestServeWebConfigAuthAndTLS(t *testing.T) {
	t.Parallel()
	for _, withTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%t", withTLS), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			client := &http.Client{Timeout: 30 * time.Second}
			certFile, keyFile := "", ""
			if withTLS {
				var pool *x509.CertPool
				certFile, keyFile, pool = selfSigned(t, dir)
				client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
			}
			cfg := &Config{
				Server: ServerConfig{MetricsMaxResources: 100, WebConfigFile: webConfig(t, dir, certFile, keyFile)},
				Stacks: []*StackConfig{{Name: "s", Source: thingsDir(t), Schedule: Every(time.Hour), FailOn: failOn, Unmanaged: true, Timeout: time.Minute}},
			}
			base := startServer(t, cfg, &fakeFactory{live: map[string]string{"t-1": "a"}, gate: make(chan struct{})})
			if withTLS {
				base = "https://" + strings.TrimPrefix(base, "http://")
				// Plain HTTP is not served.
				if resp, err := (&http.Client{Timeout: 30 * time.Second}).Get("http://" + strings.TrimPrefix(base, "https://") + "/metrics"); err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						t.Errorf("plain HTTP served /metrics with TLS configured")
					}
				}
			}
			for _, path := range []string{"/metrics", "/api/v1/stacks", "/api/v1/stacks/s", "/healthz", "/readyz"} {
				if code, _ := request(t, client, base+path, "", ""); code != http.StatusUnauthorized {
					t.Errorf("%s without credentials = %d, want 401", path, code)
				}
				if code, _ := request(t, client, base+path, "prometheus", "wrong"); code != http.StatusUnauthorized {
					t.Errorf("%s with a wrong password = %d, want 401", path, code)
				}
			}
			code, body := request(t, client, base+"/metrics", "prometheus", "scrape-secret")
			if code != http.StatusOK || !strings.Contains(body, "driftctl_build_info") {
				t.Errorf("/metrics with credentials = %d:\n%s", code, body)
			}
			if code, _ := request(t, client, base+"/api/v1/stacks", "prometheus", "scrape-secret"); code != http.StatusOK {
				t.Errorf("/api/v1/stacks with credentials = %d", code)
			}
		})
	}
}

// A web configuration file that is not valid stops the server before it
// starts.
func TestServeRejectsABadWebConfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(path, []byte("basic_auth_users:\n  prometheus: not-a-bcrypt-hash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Server: ServerConfig{WebConfigFile: path}}
	_, err := New(Options{Config: cfg, Factory: &fakeFactory{}})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want one naming %s", err, path)
	}
}

// The default address is the loopback interface.
func TestDefaultListenIsLoopback(t *testing.T) {
	t.Parallel()
	host, _, err := net.SplitHostPort(DefaultListen)
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Errorf("DefaultListen = %s, want a loopback address", DefaultListen)
	}
}
