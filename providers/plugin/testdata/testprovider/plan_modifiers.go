package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// sameModeAsState plans the prior state's mode when the configured mode is
// the same mode spelt differently ("644" against "0644"), so that the
// provider's own semantics suppress the diff.
type sameModeAsState struct{}

func (sameModeAsState) Description(context.Context) string {
	return `"644" and "0644" are the same mode: keep the state's spelling`
}

func (m sameModeAsState) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (sameModeAsState) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if sameMode(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

// idFromPath plans id as the path, known whenever the path is.
type idFromPath struct{}

func (idFromPath) Description(context.Context) string { return "id is the path" }

func (m idFromPath) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (idFromPath) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var p types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("path"), &p)...)
	if !p.IsUnknown() && !p.IsNull() {
		resp.PlanValue = p
	}
}

// sizeFromContent plans size as the content's length, known whenever the
// content is.
type sizeFromContent struct{}

func (sizeFromContent) Description(context.Context) string {
	return "size is the content's length in bytes"
}

func (m sizeFromContent) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (sizeFromContent) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	var c types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("content"), &c)...)
	if !c.IsUnknown() && !c.IsNull() {
		resp.PlanValue = types.Int64Value(int64(len(c.ValueString())))
	}
}

// modeValidator accepts three or four octal digits up to 0777.
type modeValidator struct{}

func (modeValidator) Description(context.Context) string {
	return "three or four octal digits, 000 to 0777"
}

func (v modeValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (modeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseMode(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid mode", err.Error())
	}
}

// pathValidator accepts clean relative paths inside the root.
type pathValidator struct{}

func (pathValidator) Description(context.Context) string {
	return "a clean path relative to the provider's root"
}

func (v pathValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (pathValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkPath(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid path", err.Error())
	}
}
