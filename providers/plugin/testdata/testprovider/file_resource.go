package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// fileResource is testfs_file: a file under the provider's root.
type fileResource struct {
	data *providerData
}

var (
	_ resource.ResourceWithConfigure   = (*fileResource)(nil)
	_ resource.ResourceWithImportState = (*fileResource)(nil)
)

// fileModel is testfs_file's state.
type fileModel struct {
	ID      types.String `tfsdk:"id"`
	Path    types.String `tfsdk:"path"`
	Content types.String `tfsdk:"content"`
	Mode    types.String `tfsdk:"mode"`
	Secret  types.String `tfsdk:"secret"`
	Tags    types.Map    `tfsdk:"tags"`
	Size    types.Int64  `tfsdk:"size"`
}

// Metadata names the resource testfs_file.
func (r *fileResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_file"
}

// Schema: see README.md for each attribute's semantics.
func (r *fileResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A file under the provider's root.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description:   "The path.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{idFromPath{}},
			},
			"path": schema.StringAttribute{
				Description:   "The file's path relative to the root; a new path replaces the file.",
				Required:      true,
				Validators:    []validator.String{pathValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"content": schema.StringAttribute{
				Description: "The file's content.",
				Required:    true,
			},
			"mode": schema.StringAttribute{
				Description:   `The permission bits in octal; "644" and "0644" are the same mode.`,
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString("0644"),
				Validators:    []validator.String{modeValidator{}},
				PlanModifiers: []planmodifier.String{sameModeAsState{}},
			},
			"secret": schema.StringAttribute{
				Description: "Written to the sidecar .PATH.secret (mode 0600).",
				Optional:    true,
				Sensitive:   true,
			},
			"tags": schema.MapAttribute{
				Description: "Kept as JSON in the sidecar .PATH.tags.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"size": schema.Int64Attribute{
				Description:   "The content's length in bytes.",
				Computed:      true,
				PlanModifiers: []planmodifier.Int64{sizeFromContent{}},
			},
		},
	}
}

// Configure keeps the provider's data; it is nil while the provider is not
// configured yet (validation).
func (r *fileResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

// Create writes the file and its sidecars.
func (r *fileResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan fileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	data := configured(r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.write(ctx, &plan, data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Update rewrites the file and its sidecars; the path never changes in
// place.
func (r *fileResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan fileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	data := configured(r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.write(ctx, &plan, data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// write puts m on disk and fills its computed attributes.
func (r *fileResource) write(ctx context.Context, m *fileModel, data *providerData, diags *diag.Diagnostics) {
	mode, err := parseMode(m.Mode.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("mode"), "Invalid mode", err.Error())
		return
	}
	obj := fileObject{Content: m.Content.ValueString(), Mode: mode}
	if !m.Secret.IsNull() {
		s := m.Secret.ValueString()
		obj.Secret = &s
	}
	if !m.Tags.IsNull() {
		obj.Tags = map[string]string{}
		if d := m.Tags.ElementsAs(ctx, &obj.Tags, false); d.HasError() {
			diags.AddError("Invalid tags", "The tags are not a map of strings.")
			return
		}
	}
	if err := data.store.write(m.Path.ValueString(), obj); err != nil {
		diags.AddError("Writing the file", err.Error())
		return
	}
	m.ID = m.Path
	m.Size = types.Int64Value(int64(len(obj.Content)))
}

// Read refreshes the state from disk; a missing file removes the resource.
// A mode equal to the state's ("644" for 0644) keeps the state's spelling.
func (r *fileResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state fileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	data := configured(r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	p := state.Path.ValueString()
	if state.Path.IsNull() {
		p = state.ID.ValueString()
	}
	data.faults.onRead("testfs_file " + p)
	obj, err := data.store.read(p)
	if err != nil {
		resp.Diagnostics.AddError("Reading the file", err.Error())
		return
	}
	if obj == nil {
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(p)
	state.Path = types.StringValue(p)
	state.Content = types.StringValue(obj.Content)
	state.Size = types.Int64Value(obj.Size)
	if mode := formatMode(obj.Mode); !sameMode(state.Mode.ValueString(), mode) || state.Mode.IsNull() {
		state.Mode = types.StringValue(mode)
	}
	state.Secret = types.StringPointerValue(obj.Secret)
	if obj.Tags == nil {
		state.Tags = types.MapNull(types.StringType)
	} else {
		tags, d := types.MapValueFrom(ctx, types.StringType, obj.Tags)
		resp.Diagnostics.Append(d...)
		state.Tags = tags
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete removes the file and its sidecars.
func (r *fileResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state fileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	data := configured(r.data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := data.store.remove(state.Path.ValueString()); err != nil {
		resp.Diagnostics.AddError("Deleting the file", err.Error())
	}
}

// ImportState takes the path as the import ID; Read fills in the rest.
func (r *fileResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if err := checkPath(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid import ID", "The import ID is the file's path: "+err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("path"), req.ID)...)
}
