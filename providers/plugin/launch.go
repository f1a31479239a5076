package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/gitdrift/driftctl/internal/deathsig"
	"github.com/gitdrift/driftctl/providers/plugin/internal/tfplugin5"
	"github.com/gitdrift/driftctl/providers/plugin/internal/tfplugin6"
)

// The handshake every Terraform provider expects: a provider started
// without this cookie in its environment refuses to run.
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
)

// The defaults of the options.
const (
	DefaultStartTimeout = time.Minute
	DefaultCallTimeout  = 5 * time.Minute
	// DefaultApplyTimeout is longer: creating a database can take an hour.
	DefaultApplyTimeout = 2 * time.Hour
	// DefaultTerraformVersion is the Terraform version providers are told
	// in Configure (some gate features or user agents on it).
	DefaultTerraformVersion = "1.9.0"

	// maxMessageBytes bounds one gRPC answer: terraform-provider-aws's
	// schema alone is several megabytes.
	maxMessageBytes = 256 << 20
	// What is kept of a provider's standard error for crash reports,
	// half from each of its two streams (providerStderr).
	stderrLines = 50
	stderrBytes = 64 << 10
)

type options struct {
	name             string
	startTimeout     time.Duration
	callTimeout      time.Duration
	applyTimeout     time.Duration
	terraformVersion string
	args             []string
	logOutput        io.Writer
	// callHook, when set, is told of every RPC before it is sent (tests
	// count GetProviderSchema with it).
	callHook func(rpc string)
}

// Option is an optional setting of Start.
type Option func(*options)

// WithName names the provider in errors (default: the binary's file name).
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithStartTimeout bounds the time from starting the process to the end
// of the handshake.
func WithStartTimeout(d time.Duration) Option { return func(o *options) { o.startTimeout = d } }

// WithCallTimeout bounds each call but ApplyResourceChange.
func WithCallTimeout(d time.Duration) Option { return func(o *options) { o.callTimeout = d } }

// WithApplyTimeout bounds each ApplyResourceChange.
func WithApplyTimeout(d time.Duration) Option { return func(o *options) { o.applyTimeout = d } }

// WithTerraformVersion sets the version sent in Configure.
func WithTerraformVersion(v string) Option { return func(o *options) { o.terraformVersion = v } }

// WithArgs passes arguments to the provider binary.
func WithArgs(args ...string) Option { return func(o *options) { o.args = args } }

// withLogOutput is where go-plugin's log goes when TF_LOG is set (tests).
func withLogOutput(w io.Writer) Option { return func(o *options) { o.logOutput = w } }

// withCallHook sets options.callHook.
func withCallHook(f func(rpc string)) Option { return func(o *options) { o.callHook = f } }

// grpcPlugin5 and grpcPlugin6 give go-plugin the gRPC client of each
// protocol version. driftctl never serves a provider.
type grpcPlugin5 struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (grpcPlugin5) GRPCServer(*goplugin.GRPCBroker, *grpc.Server) error {
	return errors.New("driftctl does not serve providers")
}

func (grpcPlugin5) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return v5{c: tfplugin5.NewProviderClient(c)}, nil
}

type grpcPlugin6 struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (grpcPlugin6) GRPCServer(*goplugin.GRPCBroker, *grpc.Server) error {
	return errors.New("driftctl does not serve providers")
}

func (grpcPlugin6) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return v6{c: tfplugin6.NewProviderClient(c)}, nil
}

// logger is go-plugin's logger: silent unless the user set TF_LOG, which
// then also reaches the provider (go-plugin passes driftctl's environment
// on) and makes it log to its standard error, copied here.
func logger(o *options) hclog.Logger {
	level := os.Getenv("TF_LOG")
	if level == "" {
		return hclog.NewNullLogger()
	}
	l := hclog.LevelFromString(level)
	if l == hclog.NoLevel {
		// TF_LOG=1, JSON...: Terraform logs everything then.
		l = hclog.Trace
	}
	out := o.logOutput
	if out == nil {
		out = os.Stderr
	}
	return hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: l, Output: out})
}

// Start runs the provider binary at path and completes the handshake,
// negotiating protocol 6 or 5. The process is killed by Close, on any
// error here, and (on Linux) when driftctl dies.
func Start(ctx context.Context, path string, opts ...Option) (Client, error) {
	o := &options{
		name:             filepath.Base(path),
		startTimeout:     DefaultStartTimeout,
		callTimeout:      DefaultCallTimeout,
		applyTimeout:     DefaultApplyTimeout,
		terraformVersion: DefaultTerraformVersion,
	}
	for _, opt := range opts {
		opt(o)
	}
	startTimeout := o.startTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < startTimeout {
		startTimeout = time.Until(dl)
	}
	if startTimeout <= 0 {
		return nil, fmt.Errorf("starting provider %s: %w", o.name, context.DeadlineExceeded)
	}
	cmd := exec.Command(path, o.args...)
	deathsig.Set(cmd)
	stderr := newProviderStderr()
	pc := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{MagicCookieKey: magicCookieKey, MagicCookieValue: magicCookieValue},
		VersionedPlugins: map[int]goplugin.PluginSet{
			5: {"provider": grpcPlugin5{}},
			6: {"provider": grpcPlugin6{}},
		},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     startTimeout,
		Stderr:           stderr.process,
		SyncStderr:       stderr.synced,
		Logger:           logger(o),
		GRPCDialOptions: []grpc.DialOption{
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessageBytes), grpc.MaxCallSendMsgSize(maxMessageBytes)),
		},
	})
	fail := func(err error) (Client, error) {
		pc.Kill()
		var tail string
		if t := stderr.String(); t != "" {
			tail = "\nlast lines of its standard error:\n" + t
		}
		return nil, fmt.Errorf("starting provider %s (%s): %w%s", o.name, path, err, tail)
	}
	// go-plugin's start takes no context: a cancelled ctx kills the
	// process, which ends the handshake.
	stopWatch := context.AfterFunc(ctx, pc.Kill)
	rpc, err := pc.Client()
	if !stopWatch() {
		return fail(ctx.Err())
	}
	if err != nil {
		return fail(err)
	}
	raw, err := rpc.Dispense("provider")
	if err != nil {
		return fail(err)
	}
	w, ok := raw.(wire)
	if !ok {
		return fail(fmt.Errorf("unexpected plugin client %T", raw))
	}
	return &client{
		name: o.name, opts: o, proc: pc, stderr: stderr, w: w,
		version: pc.NegotiatedVersion(),
	}, nil
}
