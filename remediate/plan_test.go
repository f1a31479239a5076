package remediate

import (
	"strings"
	"testing"

	"github.com/gitdrift/driftctl/drift"
	"github.com/gitdrift/driftctl/providers"
)

// A resource reported missing is not created when the scan could not read
// its type in its region: an HTML page answered 200 to DescribeVpcs reads
// as "no VPCs", and creating the VPC would make a second one.
func TestNoCreateAfterReadProblem(t *testing.T) {
	t.Parallel()
	schemaOf := func(typ string) (*providers.Schema, bool) { return &providers.Schema{Type: typ}, true }
	missing := func(addr, typ, region string) drift.Result {
		return drift.Result{Address: addr, Type: typ, Region: region, Provider: "aws", Status: drift.Missing}
	}
	tests := []struct {
		name    string
		report  drift.Report
		creates string // the addresses created, sorted
		skipped string // what a skip's reason must say
	}{
		{
			name:    "no read problem",
			report:  drift.Report{Results: []drift.Result{missing("aws_vpc.main", "aws_vpc", "us-east-1")}},
			creates: "aws_vpc.main",
		},
		{
			name: "the type's read failed",
			report: drift.Report{
				Results: []drift.Result{missing("aws_vpc.main", "aws_vpc", "us-east-1"), missing("aws_s3_bucket.b", "aws_s3_bucket", "us-east-1")},
				Errors:  []drift.Error{{Type: "aws_vpc", Region: "us-east-1", Operation: "ec2:DescribeVpcs", Message: "operation DescribeVpcs: the endpoint's answer is not an AWS response"}},
			},
			creates: "aws_s3_bucket.b",
			skipped: "reading aws_vpc in us-east-1 failed (ec2:DescribeVpcs)",
		},
		{
			name: "another region's read failed",
			report: drift.Report{
				Results: []drift.Result{missing("aws_vpc.main", "aws_vpc", "us-east-1")},
				Errors:  []drift.Error{{Type: "aws_vpc", Region: "eu-west-1", Operation: "ec2:DescribeVpcs"}},
			},
			creates: "aws_vpc.main",
		},
		{
			name: "a global type's read failed",
			report: drift.Report{
				Results: []drift.Result{missing("aws_iam_role.app", "aws_iam_role", "global")},
				Errors:  []drift.Error{{Type: "aws_iam_role", Region: "global", Operation: "iam:GetAccountAuthorizationDetails"}},
			},
			skipped: "iam:GetAccountAuthorizationDetails",
		},
		{
			name: "a resource of the type is unknown",
			report: drift.Report{Results: []drift.Result{
				missing("aws_vpc.main", "aws_vpc", "us-east-1"),
				{Address: "aws_vpc.other", Type: "aws_vpc", Region: "us-east-1", Status: drift.Unknown, Reason: "read failed"},
			}},
			skipped: "aws_vpc.other, of the same type, has an unknown status",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan := NewPlan(&tt.report, schemaOf, Options{})
			var creates []string
			for _, c := range plan.Changes {
				if c.Action == Create {
					creates = append(creates, c.Address)
				}
			}
			if got := strings.Join(creates, " "); got != tt.creates {
				t.Errorf("creates %q, want %q", got, tt.creates)
			}
			if tt.skipped == "" {
				return
			}
			found := false
			for _, s := range plan.Skipped {
				found = found || strings.Contains(s.Reason, tt.skipped) && strings.Contains(s.Reason, "not created")
			}
			if !found {
				t.Errorf("skipped = %+v, want a reason saying %q", plan.Skipped, tt.skipped)
			}
		})
	}
}
