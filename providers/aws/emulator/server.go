// Package emulator is the local cloud of driftctl's tests, demo and
// benchmarks: it starts moto_server (the moto AWS emulator) on 127.0.0.1,
// resets it, gives SDK configurations that talk to it, and puts a
// fault-injecting proxy in front of it.
package emulator

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/gitdrift/driftctl/internal/deathsig"
)

// InstallHint says how to get moto_server.
const InstallHint = `install it with: pip install "moto[server]"`

// ErrNoMoto means moto_server is not on PATH.
var ErrNoMoto = errors.New("moto_server not found on PATH; " + InstallHint)

// httpClient talks to moto's own API (readiness, reset): never the
// default client, which waits forever on a server that hangs.
var httpClient = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		ResponseHeaderTimeout: 30 * time.Second,
	},
}

// Server is a running moto_server.
type Server struct {
	cmd  *exec.Cmd
	url  string
	once sync.Once
	done chan struct{}
	logs *tailBuffer
}

// Launch starts moto_server on a free loopback port and waits until it
// answers. Stop it with Close.
//
// A free port can be taken by another process between freePort and
// moto's bind (tests start many listeners at once): moto then exits at
// start, and Launch tries again on another port.
func Launch(ctx context.Context) (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, ErrNoMoto
	}
	for attempt := 1; ; attempt++ {
		s, err := launch(ctx, bin)
		if err == nil || !errors.Is(err, errExitedAtStart) || attempt == 3 {
			return s, err
		}
	}
}

// errExitedAtStart is a moto_server that ended before it answered.
var errExitedAtStart = errors.New("moto_server exited at start")

// launch is one attempt of Launch.
func launch(ctx context.Context, bin string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("finding a free port: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	// Keep moto's request log out of the way but keep its last lines for
	// error messages.
	logs := &tailBuffer{max: 4096}
	cmd.Stdout = logs
	cmd.Stderr = logs
	// Pdeathsig: a server left running (the pool's idle ones, a test
	// binary killed by its deadline) dies with the process that started
	// it, never outlives it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	deathsig.Set(cmd)
	cmd.Env = append(os.Environ(), "MOTO_ALLOW_NONEXISTENT_REGION=true")
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	launches.Add(1)
	s := &Server{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{}), logs: logs}
	go func() { _ = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/moto-api/", nil)
		if isMoto(req) {
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%w: %s", errExitedAtStart, strings.TrimSpace(logs.String()))
		case <-ctx.Done():
			s.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Close()
			return nil, fmt.Errorf("moto_server did not answer on %s within 30s", s.url)
		}
	}
}

// isMoto reports whether req is answered by moto's dashboard: another
// process that took the port (an HTTP server of another test) is not
// taken for moto.
func isMoto(req *http.Request) bool {
	resp, err := httpClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return err == nil && resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte("Moto"))
}

// Start gives one test a moto_server that holds no resources (see
// Acquire) and takes it back when the test ends. Without moto_server it
// skips the test with the install command, and fails it when CI=true.
func Start(t testing.TB) *Server {
	t.Helper()
	s, release, err := Acquire(context.Background())
	if errors.Is(err, ErrNoMoto) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto_server is required in CI: %v", err)
		}
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return s
}

// URL is the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// Reset forgets every resource moto holds.
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("resetting moto: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("resetting moto: status %s", resp.Status)
	}
	return nil
}

// Close stops the server.
func (s *Server) Close() {
	s.once.Do(func() {
		if s.cmd.Process != nil {
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		}
		<-s.done
	})
}

// Credentials are the static keys every test uses; moto accepts any.
var Credentials = credentials.NewStaticCredentialsProvider("testing", "testing", "")

// Config is an SDK configuration for region that sends every request to
// endpoint (the server's URL or a proxy's).
func Config(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  Credentials,
		BaseEndpoint: aws.String(endpoint),
		// Tests must not wait on long back-offs; the SDK still retries.
		RetryMaxAttempts: 3,
	}
}

// Config is an SDK configuration for region that talks to this server.
func (s *Server) Config(region string) aws.Config { return Config(s.url, region) }

// Environ returns environment variables that point an SDK's default
// configuration chain (the driftctl binary's) at endpoint.
func Environ(endpoint, region string) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = b.buf[len(b.buf)-b.max:]
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(b.buf)))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return strings.Join(lines, "\n")
}
