package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/drift"
)

// benchReport is sampleReport's header with n results: one in ten drifted
// (two diffs each), a few missing and unmanaged, the rest in sync.
func benchReport(n int) *drift.Report {
	r := sampleReport()
	r.Results = r.Results[:0]
	r.Errors = nil
	for i := 0; i < n; i++ {
		res := drift.Result{Address: fmt.Sprintf("aws_s3_bucket.b%d", i), Type: "aws_s3_bucket", ID: fmt.Sprintf("bucket-%d", i),
			Provider: "aws", Region: "us-east-1", Status: drift.InSync}
		switch {
		case i%10 == 0:
			res.Status = drift.Drifted
			res.Diffs = []drift.Diff{
				{Path: "tags.Owner", Want: cty.NullVal(cty.String), Got: cty.StringVal("alice"), Range: rng("storage.tf", 10+i)},
				{Path: "versioning[0].enabled", Want: cty.True, Got: cty.False, Range: rng("storage.tf", 12+i)},
			}
		case i%50 == 1:
			res.Status = drift.Missing
		case i%50 == 2:
			res.Address, res.Status = "", drift.Unmanaged
		}
		r.Results = append(r.Results, res)
	}
	return r
}

func BenchmarkConsole1000(b *testing.B) {
	r := benchReport(1000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := Console(io.Discard, r, ConsoleOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSON1000(b *testing.B) {
	r := benchReport(1000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := JSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
