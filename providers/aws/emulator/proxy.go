package emulator

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what the proxy does to requests of one service and operation.
type Fault struct {
	// Service is the signing name ("ec2", "s3", "iam", "sts").
	Service string
	// Operation is the API operation ("DescribeVpcs", "GetBucketVersioning");
	// "" matches every operation of the service.
	Operation string
	// Status, when non-zero, is returned instead of forwarding the request,
	// with an AWS error body carrying Code in the service's protocol (EC2's
	// Response/Errors, S3's Error, the query services' ErrorResponse).
	// Throttles as AWS sends them: EC2 400 RequestLimitExceeded, IAM and
	// STS 400 Throttling, S3 503 SlowDown; the SDK retries each of them.
	Status int
	Code   string
	// Lie, when true, answers 200 text/html with a web page instead of
	// forwarding the request, as a captive portal or a misrouted proxy
	// does: an answer that is not AWS's.
	Lie bool
	// Latency is added before the request is handled.
	Latency time.Duration
	// Times limits how many requests the fault hits; 0 means all.
	Times int
	// Probability, when in (0, 1), is the chance that the fault hits a
	// matching request, drawn from the proxy's seeded source (see Seed); 0
	// means every matching request. A request the fault spares is checked
	// against the later faults.
	Probability float64
}

// LiePage is the body of a Lie fault's answer.
const LiePage = "<html><head><title>Welcome</title></head><body>Please log in to continue.</body></html>\n"

// Proxy sits in front of a Server and injects faults. Its zero faults
// forward every request unchanged.
type Proxy struct {
	srv    *httptest.Server
	mu     sync.Mutex
	faults []*faultState
	calls  map[string]int
	rng    *rand.Rand
}

// defaultSeed seeds a new proxy's source, so that runs draw the same
// sequence unless Seed says otherwise.
const defaultSeed = 1

type faultState struct {
	Fault
	hits int
}

// NewProxy starts a proxy to target (a Server's URL) on 127.0.0.1. Close it
// when done.
func NewProxy(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("parsing proxy target: %w", err)
	}
	p := &Proxy{calls: map[string]int{}, rng: newRand(defaultSeed)}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		service, op := Identify(r, body)
		if f := p.match(service, op); f != nil {
			if f.Latency > 0 {
				select {
				case <-time.After(f.Latency):
				case <-r.Context().Done():
					return
				}
			}
			if f.Lie {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusOK)
				fmt.Fprint(w, LiePage)
				return
			}
			if f.Status != 0 {
				writeError(w, service, f.Status, f.Code)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	return p, nil
}

// StartProxy starts a proxy in front of s for one test.
func (s *Server) StartProxy(t testing.TB) *Proxy {
	t.Helper()
	p, err := NewProxy(s.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// URL is the proxy's base URL.
func (p *Proxy) URL() string { return p.srv.URL }

// Close stops the proxy.
func (p *Proxy) Close() { p.srv.Close() }

// Inject adds a fault; later faults are checked after earlier ones.
func (p *Proxy) Inject(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &faultState{Fault: f})
}

// Seed restarts the source of the faults' probabilities. The sequence of
// draws is reproducible; which request gets which draw still depends on
// the order in which concurrent requests arrive.
func (p *Proxy) Seed(seed int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rng = newRand(seed)
}

func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
}

// Clear removes every fault.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
}

// Calls is how many requests of service:operation went through the proxy.
func (p *Proxy) Calls(service, operation string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[service+":"+operation]
}

func (p *Proxy) match(service, op string) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[service+":"+op]++
	for _, f := range p.faults {
		if f.Service != service || (f.Operation != "" && f.Operation != op) {
			continue
		}
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		if f.Probability > 0 && p.rng.Float64() >= f.Probability {
			continue
		}
		f.hits++
		cp := f.Fault
		return &cp
	}
	return nil
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// Identify returns the signing service and the operation of an AWS request:
// the Action of query-protocol services (EC2, IAM, STS), the X-Amz-Target of
// JSON ones (SSM, KMS), for S3 the REST operation named by method and
// sub-resource, and for Route 53 the read named by its path.
func Identify(r *http.Request, body []byte) (service, operation string) {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if i := strings.LastIndex(t, "."); i >= 0 {
			return service, t[i+1:]
		}
	}
	switch service {
	case "s3":
		return service, s3Operation(r)
	case "route53":
		return service, route53Operation(r)
	}
	if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
		return service, v.Get("Action")
	}
	return service, r.URL.Query().Get("Action")
}

// route53Operation names the Route 53 reads driftctl makes from their REST
// paths (API version 2013-04-01); "" for another request.
func route53Operation(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.Method != http.MethodGet || len(parts) < 2 {
		return ""
	}
	switch {
	case parts[1] == "hostedzone" && len(parts) == 2:
		return "ListHostedZones"
	case parts[1] == "hostedzone" && len(parts) == 3:
		return "GetHostedZone"
	case parts[1] == "hostedzone" && len(parts) == 4 && parts[3] == "rrset":
		return "ListResourceRecordSets"
	case parts[1] == "tags" && len(parts) == 4:
		return "ListTagsForResource"
	}
	return ""
}

// s3Operation names the S3 operations driftctl uses from their REST shape.
func s3Operation(r *http.Request) string {
	q := r.URL.Query()
	path := strings.Trim(r.URL.Path, "/")
	verb := map[string]string{http.MethodGet: "Get", http.MethodPut: "Put", http.MethodDelete: "Delete", http.MethodHead: "Head", http.MethodPost: "Post"}[r.Method]
	subresources := []struct{ key, name string }{
		{"versioning", "BucketVersioning"},
		{"policy", "BucketPolicy"},
		{"publicAccessBlock", "PublicAccessBlock"},
		{"tagging", "BucketTagging"},
		{"location", "BucketLocation"},
		{"acl", "BucketAcl"},
		{"encryption", "BucketEncryption"},
		{"object-lock", "ObjectLockConfiguration"},
	}
	for _, s := range subresources {
		if q.Has(s.key) {
			return verb + s.name
		}
	}
	switch {
	case path == "" && r.Method == http.MethodGet:
		return "ListBuckets"
	case !strings.Contains(path, "/") && r.Method == http.MethodPut:
		return "CreateBucket"
	case !strings.Contains(path, "/") && r.Method == http.MethodHead:
		return "HeadBucket"
	case !strings.Contains(path, "/") && r.Method == http.MethodDelete:
		return "DeleteBucket"
	case !strings.Contains(path, "/") && r.Method == http.MethodGet:
		return "ListObjects"
	}
	return verb + "Object"
}

func writeError(w http.ResponseWriter, service string, status int, code string) {
	if code == "" {
		code = http.StatusText(status)
		code = strings.ReplaceAll(code, " ", "")
	}
	msg := "injected by awstest"
	// The query protocol says who is at fault: the caller for 4xx (a
	// throttle included), AWS for 5xx.
	party := "Sender"
	if status >= 500 {
		party = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	switch service {
	case "ec2":
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>awstest</RequestID></Response>`, code, msg)
	case "s3":
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>awstest</RequestId></Error>`, code, msg)
	default:
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>awstest</RequestId></ErrorResponse>`, party, code, msg)
	}
}
