package drift

import "testing"

// Coverage counts only what was checked: a resource whose read failed
// (unknown) lowers it as an unmanaged one does, so that a scan whose every
// read failed never claims 100%.
func TestSummaryCoverageCountsOnlyCheckedResources(t *testing.T) {
	t.Parallel()
	results := func(statuses ...Status) []Result {
		out := make([]Result, len(statuses))
		for i, s := range statuses {
			out[i] = Result{Address: "test_thing.r" + string(rune('a'+i)), Type: "test_thing", Status: s}
		}
		return out
	}
	tests := []struct {
		name    string
		results []Result
		want    float64
	}{
		{"every read failed", results(Unknown, Unknown), 0},
		{"nothing", nil, 1},
		{"all checked and managed", results(InSync, Drifted, Missing, Ignored), 1},
		{"one unmanaged of four", results(InSync, InSync, InSync, Unmanaged), 0.75},
		{"one unknown of four", results(InSync, InSync, Drifted, Unknown), 0.75},
		{"unknown and unmanaged", results(InSync, Unknown, Unmanaged, InSync), 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &Report{Results: tt.results}
			if got := rep.Summary().Coverage; got != tt.want {
				t.Errorf("coverage = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCompleteIgnoresWhatIsNotSupportedYet: an unknown result driftctl
// cannot check by design (no reader, a module) does not make a scan
// partial; one whose read failed, or that nothing identified, does.
func TestCompleteIgnoresWhatIsNotSupportedYet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		results []Result
		errors  []Error
		want    bool
	}{
		{"all checked", []Result{{Status: InSync}, {Status: Drifted}}, nil, true},
		{"unknown, not supported yet", []Result{{Status: InSync}, {Status: Unknown, Unsupported: true}}, nil, true},
		{"unknown otherwise", []Result{{Status: Unknown, Unsupported: true}, {Status: Unknown}}, nil, false},
		{"a failed read", []Result{{Status: InSync}}, []Error{{Type: "aws_vpc"}}, false},
	}
	for _, tt := range tests {
		r := &Report{Results: tt.results, Errors: tt.errors}
		if got := r.Complete(); got != tt.want {
			t.Errorf("%s: Complete() = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Coverage still counts them as not checked.
	r := &Report{Results: []Result{{Status: InSync}, {Status: Unknown, Unsupported: true}}}
	if c := r.Summary().Coverage; c != 0.5 {
		t.Errorf("coverage %v, want 0.5", c)
	}
}
