package tftoken

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFromEnviron(t *testing.T) {
	t.Parallel()
	got := FromEnviron([]string{
		"TF_TOKEN_app_terraform_io=a",
		"TF_TOKEN_my__tfe_Example_com=b", // hyphen as "__", any case
		"TF_TOKEN_empty_example_com=",
		"TF_TOKEN_=c",
		"OTHER=d",
	})
	want := map[string]string{"app.terraform.io": "a", "my-tfe.example.com": "b"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromEnviron (-want +got):\n%s", diff)
	}
	for host, want := range map[string]string{"app.terraform.io": "TF_TOKEN_app_terraform_io", "my-tfe.example.com": "TF_TOKEN_my__tfe_example_com", "localhost:8443": ""} {
		if got := Variable(host); got != want {
			t.Errorf("Variable(%q) = %q, want %q", host, got, want)
		}
	}
}
