package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// testfsProvider is the provider "testfs": files under the directory its
// configuration names as root.
type testfsProvider struct {
	faults faults
}

var _ provider.Provider = (*testfsProvider)(nil)

type providerModel struct {
	Root types.String `tfsdk:"root"`
}

// Metadata names the provider "testfs" at version 0.1.0.
func (p *testfsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "testfs"
	resp.Version = version
}

// Schema has one argument, root: the directory the provider manages.
func (p *testfsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Files under a root directory, for driftctl's plugin tests.",
		Attributes: map[string]schema.Attribute{
			"root": schema.StringAttribute{
				Description: "The directory the provider manages; it must exist. A relative root is taken from the provider's working directory.",
				Required:    true,
			},
		},
	}
}

// Configure checks that root is a directory and hands a fileStore to the
// resources and data sources.
func (p *testfsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Root.IsUnknown() {
		// Known only after apply; the resources say so if they are used
		// before then.
		return
	}
	root, err := filepath.Abs(m.Root.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("root"), "Invalid root", err.Error())
		return
	}
	info, err := os.Stat(root)
	if err != nil || !info.IsDir() {
		resp.Diagnostics.AddAttributeError(path.Root("root"), "Invalid root",
			fmt.Sprintf("The root %s must be an existing directory.", root))
		return
	}
	data := &providerData{store: fileStore{root: root}, faults: p.faults}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// Resources is testfs_file.
func (p *testfsProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &fileResource{} }}
}

// DataSources is testfs_file.
func (p *testfsProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{func() datasource.DataSource { return &fileDataSource{} }}
}

// providerData is what Configure hands to the resources and data sources.
type providerData struct {
	store  fileStore
	faults faults
}

// configured returns the providerData set by Configure, or adds an error.
func configured(v any, diags *diag.Diagnostics) *providerData {
	if d, ok := v.(*providerData); ok && d != nil {
		return d
	}
	diags.AddError("Unconfigured provider", "The testfs provider has no root yet: configure it with a known root.")
	return nil
}
