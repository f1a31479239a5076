package emulator

import "testing"

func TestFaultProbabilityIsSeeded(t *testing.T) {
	hits := func(seed int64) []bool {
		p, err := NewProxy("http://127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		p.Seed(seed)
		p.Inject(Fault{Service: "ec2", Status: 400, Code: "RequestLimitExceeded", Probability: 0.3})
		p.Inject(Fault{Service: "ec2", Status: 500, Code: "InternalError"})
		var out []bool
		for range 1000 {
			f := p.match("ec2", "DescribeVpcs")
			if f == nil {
				t.Fatal("a request matched no fault; the second fault matches every one")
			}
			out = append(out, f.Code == "RequestLimitExceeded")
		}
		return out
	}
	a, b := hits(7), hits(7)
	n := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d differs between two proxies seeded alike", i)
		}
		if a[i] {
			n++
		}
	}
	if n < 250 || n > 350 {
		t.Errorf("probability 0.3 hit %d of 1000 requests", n)
	}
}
