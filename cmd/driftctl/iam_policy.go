package main

import (
	"github.com/spf13/cobra"

	"github.com/gitdrift/driftctl/providers/aws"
)

// newIAMPolicyCommand prints the least-privilege IAM policy that driftctl
// needs, generated from the AWS operations it calls.
func newIAMPolicyCommand() *cobra.Command {
	var remediate bool
	cmd := &cobra.Command{
		Use:   "iam-policy",
		Short: "Print the least-privilege IAM policy driftctl needs (read-only for scan and serve)",
		Long: `Print the IAM policy document that allows exactly the AWS actions driftctl calls.
Without flags, the read-only policy for scan and serve (deploy/iam/driftctl-readonly.json);
with --remediate, the policy for remediate: the same reads and the changes it makes.`,
		Example: `  driftctl iam-policy > driftctl-readonly.json
  aws iam create-policy --policy-name driftctl-readonly --policy-document file://driftctl-readonly.json
  driftctl iam-policy --remediate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc := aws.ReadOnlyPolicy()
			if remediate {
				doc = aws.RemediationPolicy()
			}
			_, err := cmd.OutOrStdout().Write(doc)
			return err
		},
	}
	cmd.Flags().BoolVar(&remediate, "remediate", false, "print the policy for driftctl remediate (reads and changes)")
	return cmd
}
