package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestNumericFlagsOutOfRange: a number out of a flag's range is exit 2
// with a message naming the flag and the range, never a silent default.
func TestNumericFlagsOutOfRange(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // never read: the flags are checked first
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--parallelism", "0"}, "--parallelism 0: expected 1 or more"},
		{[]string{"scan", "--parallelism", "-5"}, "--parallelism -5: expected 1 or more"},
		{[]string{"scan", "--api-rate", "0"}, "--api-rate 0: expected a number of requests per second above 0"},
		{[]string{"scan", "--api-rate", "-1"}, "--api-rate -1: expected a number of requests per second above 0"},
		{[]string{"scan", "--api-rate", "NaN"}, "--api-rate NaN: expected"},
		{[]string{"scan", "--api-rate", "+Inf"}, "--api-rate +Inf: expected"},
		{[]string{"scan", "--metrics-max-resources", "-1"}, "--metrics-max-resources -1: expected 0 or more"},
		{[]string{"scan", "--timeout", "0s"}, "--timeout 0s: expected a duration above 0"},
		{[]string{"scan", "--timeout", "-1m"}, "--timeout -1m0s: expected a duration above 0"},
		{[]string{"remediate", "--parallelism", "0"}, "--parallelism 0: expected 1 or more"},
		{[]string{"remediate", "--api-rate", "-1"}, "--api-rate -1: expected"},
		{[]string{"remediate", "--concurrency", "0"}, "--concurrency 0: expected 1 or more"},
		{[]string{"remediate", "--concurrency", "-2"}, "--concurrency -2: expected 1 or more"},
		{[]string{"remediate", "--timeout", "0s"}, "--timeout 0s: expected a duration above 0"},
		{[]string{"gen-import", "--parallelism", "0"}, "--parallelism 0: expected 1 or more"},
		{[]string{"gen-import", "--timeout", "0s"}, "--timeout 0s: expected a duration above 0"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(tt.args, dir), &stdout, &stderr)
			if code != exitError || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr.String(), tt.want)
			}
		})
	}
}
