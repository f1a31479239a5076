// Command fakeprovider is a Terraform provider for providers/plugin's
// tests of what real providers do rarely: crash in a call, hang, flood
// their standard error. It serves protocol 5, or 6 when FAKE_PROTOCOL=6,
// with one schema for every resource type; the type read decides what
// happens:
//
//	fake_thing  the state is read back as it was sent
//	fake_crash  panics (the message on stderr, exit 2)
//	fake_hang   never answers
//	fake_noisy  10 MB on stderr, then as fake_thing
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/gitdrift/driftctl/providers/plugin/internal/tfplugin5"
	"github.com/gitdrift/driftctl/providers/plugin/internal/tfplugin6"
)

var handshake = goplugin.HandshakeConfig{
	MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
}

// misbehave acts out the resource types other than fake_thing.
func misbehave(typ string) {
	switch typ {
	case "fake_crash":
		// The runtime writes a panic to file descriptor 2 itself, as it
		// does for a real provider's crash.
		panic("fake provider crashed on purpose")
	case "fake_hang":
		select {}
	case "fake_noisy":
		line := strings.Repeat("x", 99) + "\n"
		for range 10 << 20 / len(line) {
			fmt.Fprint(os.Stderr, line)
		}
		fmt.Fprintln(os.Stderr, "fake provider: done being noisy")
	}
}

func str(name string, optional, computed, sensitive bool) (string, bool, bool, bool) {
	return name, optional, computed, sensitive
}

type server5 struct {
	tfplugin5.UnimplementedProviderServer
}

func (server5) GetSchema(context.Context, *tfplugin5.GetProviderSchema_Request) (*tfplugin5.GetProviderSchema_Response, error) {
	attr := func(name string, optional, computed, sensitive bool) *tfplugin5.Schema_Attribute {
		return &tfplugin5.Schema_Attribute{Name: name, Type: []byte(`"string"`), Optional: optional, Computed: computed, Sensitive: sensitive}
	}
	res := &tfplugin5.Schema{Version: 2, Block: &tfplugin5.Schema_Block{
		Attributes: []*tfplugin5.Schema_Attribute{
			attr(str("id", false, true, false)),
			attr(str("value", true, false, false)),
			attr(str("secret", true, false, true)),
			{Name: "password", Type: []byte(`"string"`), Optional: true, WriteOnly: true},
		},
		BlockTypes: []*tfplugin5.Schema_NestedBlock{{
			TypeName: "rule", Nesting: tfplugin5.Schema_NestedBlock_SET, MaxItems: 3,
			Block: &tfplugin5.Schema_Block{Attributes: []*tfplugin5.Schema_Attribute{attr(str("port", true, false, false))}},
		}},
	}}
	return &tfplugin5.GetProviderSchema_Response{
		Provider: &tfplugin5.Schema{Block: &tfplugin5.Schema_Block{}},
		ResourceSchemas: map[string]*tfplugin5.Schema{
			"fake_thing": res, "fake_crash": res, "fake_hang": res, "fake_noisy": res,
		},
	}, nil
}

func (server5) Configure(context.Context, *tfplugin5.Configure_Request) (*tfplugin5.Configure_Response, error) {
	return &tfplugin5.Configure_Response{}, nil
}

func (server5) ReadResource(_ context.Context, req *tfplugin5.ReadResource_Request) (*tfplugin5.ReadResource_Response, error) {
	misbehave(req.GetTypeName())
	return &tfplugin5.ReadResource_Response{NewState: req.GetCurrentState(), Private: req.GetPrivate()}, nil
}

func (server5) Stop(context.Context, *tfplugin5.Stop_Request) (*tfplugin5.Stop_Response, error) {
	return &tfplugin5.Stop_Response{}, nil
}

type server6 struct {
	tfplugin6.UnimplementedProviderServer
}

func (server6) GetProviderSchema(context.Context, *tfplugin6.GetProviderSchema_Request) (*tfplugin6.GetProviderSchema_Response, error) {
	attr := func(name string, optional, computed, sensitive bool) *tfplugin6.Schema_Attribute {
		return &tfplugin6.Schema_Attribute{Name: name, Type: []byte(`"string"`), Optional: optional, Computed: computed, Sensitive: sensitive}
	}
	res := &tfplugin6.Schema{Version: 1, Block: &tfplugin6.Schema_Block{
		Attributes: []*tfplugin6.Schema_Attribute{
			attr(str("id", false, true, false)),
			attr(str("value", true, false, false)),
			attr(str("secret", true, false, true)),
			{Name: "password", Type: []byte(`"string"`), Optional: true, WriteOnly: true},
			{Name: "endpoints", Optional: true, NestedType: &tfplugin6.Schema_Object{
				Nesting: tfplugin6.Schema_Object_MAP,
				Attributes: []*tfplugin6.Schema_Attribute{
					{Name: "url", Type: []byte(`"string"`), Required: true},
					{Name: "token", Type: []byte(`"string"`), Optional: true, Sensitive: true},
				},
			}},
		},
	}}
	return &tfplugin6.GetProviderSchema_Response{
		Provider:        &tfplugin6.Schema{Block: &tfplugin6.Schema_Block{}},
		ResourceSchemas: map[string]*tfplugin6.Schema{"fake_thing": res, "fake_crash": res},
	}, nil
}

func (server6) ConfigureProvider(context.Context, *tfplugin6.ConfigureProvider_Request) (*tfplugin6.ConfigureProvider_Response, error) {
	return &tfplugin6.ConfigureProvider_Response{}, nil
}

func (server6) ReadResource(_ context.Context, req *tfplugin6.ReadResource_Request) (*tfplugin6.ReadResource_Response, error) {
	misbehave(req.GetTypeName())
	return &tfplugin6.ReadResource_Response{NewState: req.GetCurrentState(), Private: req.GetPrivate()}, nil
}

func (server6) StopProvider(context.Context, *tfplugin6.StopProvider_Request) (*tfplugin6.StopProvider_Response, error) {
	return &tfplugin6.StopProvider_Response{}, nil
}

type plugin5 struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (plugin5) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	tfplugin5.RegisterProviderServer(s, server5{})
	return nil
}

func (plugin5) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, fmt.Errorf("server only")
}

type plugin6 struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (plugin6) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	tfplugin6.RegisterProviderServer(s, server6{})
	return nil
}

func (plugin6) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, fmt.Errorf("server only")
}

func main() {
	versions := map[int]goplugin.PluginSet{5: {"provider": plugin5{}}}
	if os.Getenv("FAKE_PROTOCOL") == "6" {
		versions = map[int]goplugin.PluginSet{6: {"provider": plugin6{}}}
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  handshake,
		VersionedPlugins: versions,
		GRPCServer:       goplugin.DefaultGRPCServer,
	})
}
