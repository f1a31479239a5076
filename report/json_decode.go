package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/gitdrift/driftctl/drift"
)

// DecodeJSON reads a JSON report (JSON's format, schema version
// SchemaVersion) back into a Report, with what identifies each resource:
// stack, commit SHA, and each result's address, type, ID (and whether it
// is sensitive), provider, account, region, status and reason. Diffs,
// timings and errors are not read. Another schema version, or a resource
// without a type or with an unknown status, is an error.
func DecodeJSON(r io.Reader) (*drift.Report, error) {
	var in struct {
		SchemaVersion *int   `json:"schema_version"`
		Stack         string `json:"stack"`
		Commit        *struct {
			SHA string `json:"sha"`
		} `json:"commit"`
		Resources []jsonResource `json:"resources"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("decoding the JSON report: %w", err)
	}
	if in.SchemaVersion == nil || *in.SchemaVersion != SchemaVersion {
		v := "none"
		if in.SchemaVersion != nil {
			v = fmt.Sprint(*in.SchemaVersion)
		}
		return nil, fmt.Errorf("decoding the JSON report: schema_version %s, this driftctl reads %d (a report of driftctl scan -o json)", v, SchemaVersion)
	}
	rep := &drift.Report{Stack: in.Stack}
	if in.Commit != nil {
		rep.Commit = &drift.Commit{SHA: in.Commit.SHA}
	}
	for i, res := range in.Resources {
		status := drift.Status(res.Status)
		known := false
		for _, s := range drift.Statuses {
			known = known || s == status
		}
		if !known || res.Type == "" {
			return nil, fmt.Errorf("decoding the JSON report: resources[%d]: no type or an unknown status %q", i, res.Status)
		}
		out := drift.Result{Type: res.Type, ID: res.ID, IDSensitive: res.IDSensitive || res.ID == drift.SensitiveID,
			Provider: res.Provider, Account: res.Account, Region: res.Region, Status: status, Reason: res.Reason}
		if res.Address != nil {
			out.Address = *res.Address
		}
		rep.Results = append(rep.Results, out)
	}
	return rep, nil
}
