package scan

import (
	"testing"

	"github.com/gitdrift/driftctl/config/funcs"
	"github.com/gitdrift/driftctl/providers"
)

// The mark a provider's ReadData puts on a data source's sensitive
// attributes (aws_ssm_parameter's value) is the one the configuration
// treats as sensitive: scan is where both packages meet.
func TestDataSourceSensitiveMarkIsTheConfigurations(t *testing.T) {
	if providers.SensitiveMark != funcs.SensitiveMark {
		t.Errorf("providers.SensitiveMark = %q, config/funcs.SensitiveMark = %q", providers.SensitiveMark, funcs.SensitiveMark)
	}
}
