package scan_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gitdrift/driftctl/providers/aws"
	"github.com/gitdrift/driftctl/scan"
)

// A command scans with one call: where the configuration is, and what to
// look for; the source, the state, the providers and the reads are scan's.
func ExampleRun() {
	ctx := context.Background()
	res, err := scan.Run(ctx, aws.NewFactory(), scan.Options{Location: "infra/prod", Unmanaged: true, Blame: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err, res.Diagnostics)
		return
	}
	sum := res.Report.Summary()
	fmt.Printf("%d drifted, %d missing, %d unmanaged, %d unknown\n", sum.Drifted, sum.Missing, sum.Unmanaged, sum.Unknown)
}
