package metrics

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestPluginCalls(t *testing.T) {
	t.Parallel()
	p := NewPluginCalls()
	// The first schema fetch of a binary is observed under its path.
	p.Observe("/home/ci/.cache/driftctl/providers/registry.terraform.io/hashicorp/google/5.0.0/linux_amd64/terraform-provider-google_v5.0.0_x5", "GetProviderSchema", nil)
	p.Observe("google", "ConfigureProvider", nil)
	p.Observe("google", "ReadResource", nil)
	p.Observe("google", "ReadResource", errors.New("rpc error: code = Unavailable"))
	p.Observe("google.west", "PlanResourceChange", errors.New("provider process exited"))
	// Observe is called from the reading goroutines at once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 25 {
				p.Observe("google.west", "ReadResource", nil)
			}
		})
	}
	wg.Wait()

	reg := NewRegistry(NewCollector(1), nil, p, Build{Version: "v1"})
	want := `
# HELP driftctl_plugin_calls_total Calls made to provider plugin processes, by provider configuration and RPC.
# TYPE driftctl_plugin_calls_total counter
driftctl_plugin_calls_total{provider="google",rpc="ConfigureProvider"} 1
driftctl_plugin_calls_total{provider="google",rpc="ReadResource"} 2
driftctl_plugin_calls_total{provider="google.west",rpc="PlanResourceChange"} 1
driftctl_plugin_calls_total{provider="google.west",rpc="ReadResource"} 100
driftctl_plugin_calls_total{provider="terraform-provider-google_v5.0.0_x5",rpc="GetProviderSchema"} 1
# HELP driftctl_plugin_errors_total Calls to provider plugin processes that failed, by provider configuration and RPC.
# TYPE driftctl_plugin_errors_total counter
driftctl_plugin_errors_total{provider="google",rpc="ReadResource"} 1
driftctl_plugin_errors_total{provider="google.west",rpc="PlanResourceChange"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"driftctl_plugin_calls_total", "driftctl_plugin_errors_total"); err != nil {
		t.Error(err)
	}
}

func TestPluginLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, want string
	}{
		{"configuration", "aws", "aws"},
		{"alias", "aws.west", "aws.west"},
		{"absolute path", "/opt/plugins/terraform-provider-aws_v5.31.0_x5", "terraform-provider-aws_v5.31.0_x5"},
		{"relative path", ".terraform/providers/registry.terraform.io/hashicorp/null/3.2.2/linux_amd64/terraform-provider-null_v3.2.2_x5", "terraform-provider-null_v3.2.2_x5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := pluginLabel(tt.key); got != tt.want {
				t.Errorf("pluginLabel(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestPluginProcesses(t *testing.T) {
	t.Parallel()
	p := NewPluginCalls()
	reg := NewRegistry(NewCollector(1), nil, p, Build{Version: "v1"})
	gauge := func(want string) {
		t.Helper()
		exp := "# HELP driftctl_plugin_processes Provider plugin processes running, in every scan under way.\n# TYPE driftctl_plugin_processes gauge\ndriftctl_plugin_processes " + want + "\n"
		if err := testutil.GatherAndCompare(reg, strings.NewReader(exp), "driftctl_plugin_processes"); err != nil {
			t.Error(err)
		}
	}
	gauge("0")
	a, b := 2, 3
	stopA := p.Track(func() int { return a })
	stopB := p.Track(func() int { return b })
	gauge("5")
	a = 1
	gauge("4")
	stopA()
	gauge("3")
	stopB()
	gauge("0")
}
