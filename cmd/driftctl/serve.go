package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/gitdrift/driftctl/metrics"
	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/serve"
)

// serveOptions are the flags of driftctl serve; set ones override the
// configuration file's server block.
type serveOptions struct {
	config    string
	listen    string
	webConfig string
	dataDir   string
	// logFormat and logLevel are the root's --log-format and --log-level.
	logFormat string
	logLevel  string
}

func newServeCommand() *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve --config driftctl.hcl",
		Short: "Scan stacks on a schedule and serve the results as Prometheus metrics",
		Long: `Scan the stacks of a configuration file on their schedules and serve the last
result of each: /metrics (Prometheus), /healthz, /readyz (ready once every stack's
first scan was attempted) and /api/v1/stacks (the last report of each stack).
A scrape never triggers a scan. With a data directory, the last result of each
stack survives restarts; one server at a time uses a data directory.
SIGTERM or SIGINT stops it cleanly.

It listens on 127.0.0.1:9725 by default. Before listening on other interfaces
(--web.listen-address=:9725), give it TLS and basic authentication with
--web.config.file, the Prometheus exporter toolkit's web configuration (as
node_exporter's).`,
		Example: `  driftctl serve --config driftctl.hcl --data-dir /var/lib/driftctl

  # On every interface of a pod, with TLS and basic auth, logging JSON
  driftctl serve --config /etc/driftctl/driftctl.hcl --web.listen-address=:9725 \
    --web.config.file=/etc/driftctl-web/web-config.yml --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.logFormat, o.logLevel = logFlags(cmd)
			if code := runServe(cmd.Context(), o, cmd.Flags().Changed, cmd.ErrOrStderr()); code != exitOK {
				return &exitCodeError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.config, "config", "driftctl.hcl", "the configuration file (HCL): a server block and stack blocks")
	f.StringVar(&o.listen, "web.listen-address", serve.DefaultListen, "address to serve on (server { listen }); other interfaces than loopback want --web.config.file")
	f.StringVar(&o.listen, "listen", serve.DefaultListen, "the same as --web.listen-address")
	_ = f.MarkHidden("listen")
	f.StringVar(&o.webConfig, "web.config.file", "", "Prometheus exporter toolkit web configuration (TLS, basic auth) for every endpoint (server { web_config_file })")
	f.StringVar(&o.dataDir, "data-dir", "", "directory that keeps each stack's last result across restarts")
	return cmd
}

// runServe serves until ctx ends; the flags given (changed) override the
// configuration file's server block.
func runServe(ctx context.Context, o *serveOptions, changed func(string) bool, stderr io.Writer) int {
	cfg, diags := serve.LoadConfig(o.config)
	if diags.HasErrors() {
		_ = hcl.NewDiagnosticTextWriter(stderr, cfg.Files, 100, false).WriteDiagnostics(diags)
		return exitError
	}
	s := &cfg.Server
	flags := map[string]*string{"listen": &s.Listen, "web.listen-address": &s.Listen, "web.config.file": &s.WebConfigFile,
		"data-dir": &s.DataDir, "log-format": &s.LogFormat, "log-level": &s.LogLevel}
	values := map[string]string{"listen": o.listen, "web.listen-address": o.listen, "web.config.file": o.webConfig,
		"data-dir": o.dataDir, "log-format": o.logFormat, "log-level": o.logLevel}
	for flag, dst := range flags {
		if changed(flag) {
			*dst = values[flag]
		}
	}
	logger, err := newLogger(stderr, s.LogFormat, s.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return exitError
	}
	if s.DataDir == "" {
		logger.Warn("no data directory: the last results are lost on restart (set --data-dir)")
	}
	api := metrics.NewAPICalls()
	factory := aws.NewFactory(aws.WithAPIObserver(func(service, operation, code string) {
		api.Observe("aws", service, operation, code)
	}))
	srv, err := serve.New(serve.Options{Config: cfg, Factory: factory, API: api, Logger: logger, Version: buildVersion(), Revision: commit})
	if err != nil {
		logger.Error("starting", "error", err)
		return exitError
	}
	if err := srv.Run(ctx); err != nil {
		logger.Error("serving", "error", err)
		return exitError
	}
	return exitOK
}
