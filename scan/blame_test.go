package scan

import (
	"context"
	"errors"
	"testing"

	"github.com/gitdrift/driftctl/drift"
	"github.com/hashicorp/hcl/v2"
)

func TestAttributeBlameOnlyDriftedLines(t *testing.T) {
	at := func(file string, line int) *hcl.Range {
		return &hcl.Range{Filename: file, Start: hcl.Pos{Line: line}}
	}
	rep := &drift.Report{Results: []drift.Result{
		{Address: "a", Status: drift.Drifted, Diffs: []drift.Diff{{Path: "tags.Env", Range: at("main.tf", 7)}, {Path: "tags.Owner"}, {Path: "name", Range: at("gone.tf", 3)}}},
		{Address: "b", Status: drift.InSync},
	}}
	var asked []string
	err := AttributeBlame(context.Background(), rep, func(_ context.Context, file string, line int) (*drift.Blame, error) {
		asked = append(asked, file)
		if file == "gone.tf" {
			return nil, errors.New("no such file")
		}
		return &drift.Blame{SHA: "abc", Author: "Jane"}, nil
	})
	if err == nil {
		t.Error("the failed line's error is not returned")
	}
	if len(asked) != 2 {
		t.Errorf("blamed %v, want only the two lines with ranges", asked)
	}
	d := rep.Results[0].Diffs
	if d[0].Blame == nil || d[0].Blame.Author != "Jane" || d[1].Blame != nil || d[2].Blame != nil {
		t.Errorf("blames = %+v %+v %+v", d[0].Blame, d[1].Blame, d[2].Blame)
	}
}
