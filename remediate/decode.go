package remediate

import (
	"encoding/json"
	"fmt"
)

// DecodePlan reads a saved plan (WriteJSON's format). It refuses another
// format version and a plan no driftctl could have saved: a change without
// an address or type, or with an action that is not one of the four.
func DecodePlan(data []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	if p.Version != PlanFormatVersion {
		return nil, fmt.Errorf("format version %d, this driftctl reads %d", p.Version, PlanFormatVersion)
	}
	for i, c := range p.Changes {
		switch c.Action {
		case Create, Update, Replace, Delete:
		default:
			return nil, fmt.Errorf("changes[%d]: unknown action %q", i, c.Action)
		}
		if c.Address == "" || c.Type == "" {
			return nil, fmt.Errorf("changes[%d]: no address or type", i)
		}
	}
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	if p.Skipped == nil {
		p.Skipped = []Skip{}
	}
	return &p, nil
}
