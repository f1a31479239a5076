package main

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// fileDataSource is data "testfs_file": reads a file under the root.
type fileDataSource struct {
	data *providerData
}

var _ datasource.DataSourceWithConfigure = (*fileDataSource)(nil)

type fileDataModel struct {
	Path    types.String `tfsdk:"path"`
	Content types.String `tfsdk:"content"`
	Size    types.Int64  `tfsdk:"size"`
}

// Metadata names the data source testfs_file.
func (d *fileDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_file"
}

// Schema: path in; content and size out.
func (d *fileDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Reads a file under the provider's root.",
		Attributes: map[string]schema.Attribute{
			"path": schema.StringAttribute{
				Description: "The file's path relative to the root.",
				Required:    true,
				Validators:  []validator.String{pathValidator{}},
			},
			"content": schema.StringAttribute{Description: "The file's content.", Computed: true},
			"size":    schema.Int64Attribute{Description: "The content's length in bytes.", Computed: true},
		},
	}
}

// Configure keeps the provider's data.
func (d *fileDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	d.data = configured(req.ProviderData, &resp.Diagnostics)
}

// Read reads the file; a missing file is an error.
func (d *fileDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m fileDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	data := configured(d.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	p := m.Path.ValueString()
	data.faults.onRead("data testfs_file " + p)
	obj, err := data.store.read(p)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("path"), "Reading the file", err.Error())
		return
	}
	if obj == nil {
		resp.Diagnostics.AddAttributeError(path.Root("path"), "No such file",
			fmt.Sprintf("There is no file %s under %s.", p, data.store.root))
		return
	}
	m.Content = types.StringValue(obj.Content)
	m.Size = types.Int64Value(obj.Size)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
