package aws

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// InvalidAnswerError is a successful (2xx) HTTP answer whose body is not
// the operation's result: an HTML page from a proxy or captive portal, an
// empty body where AWS always sends one, another service's document. The
// SDK's deserializers skip what they do not know and would read such an
// answer as an empty result ("no VPCs"); driftctl fails the call instead,
// and never retries it.
type InvalidAnswerError struct {
	// Service and Operation name the call ("ec2", "DescribeVpcs").
	Service, Operation string
	// ContentType is the answer's Content-Type header.
	ContentType string
	// Start is the beginning of the body, at most answerQuoteLen bytes.
	Start string
	// Want says what the answer should have been.
	Want string
}

func (e *InvalidAnswerError) Error() string {
	ct := e.ContentType
	if ct == "" {
		ct = "none"
	}
	start := "it is empty"
	if e.Start != "" {
		start = fmt.Sprintf("starts with %q", e.Start)
	}
	return fmt.Sprintf("operation %s: the endpoint's answer is not an AWS response (content-type %s, %s; want %s)",
		e.Operation, ct, start, e.Want)
}

// answerQuoteLen bounds the body quoted in an InvalidAnswerError.
const answerQuoteLen = 40

// answerPeekLimit bounds what is read of a body to find its root element:
// AWS's answers put it within the first bytes (after the XML declaration).
const answerPeekLimit = 64 << 10

// validatorID names the answer validator in the SDK's stacks.
const validatorID = "driftctl.ValidateAnswer"

// validateAnswers returns an aws.Config.APIOptions entry that checks the
// body of every successful answer before the SDK's deserializer reads it.
func validateAnswers(stack *middleware.Stack) error {
	// Added last in the deserialize step, it runs closest to the
	// transport: it sees the raw answer first, and its error is wrapped as
	// a response error with the (non-retryable) 2xx status.
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc(validatorID, func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		if err != nil {
			return out, md, err
		}
		resp, ok := out.RawResponse.(*smithyhttp.Response)
		if !ok || resp.StatusCode < 200 || resp.StatusCode > 299 {
			return out, md, err
		}
		service := serviceCode(awsmiddleware.GetServiceID(ctx))
		name := awsmiddleware.GetOperationName(ctx)
		if verr := checkAnswer(resp, service, name); verr != nil {
			return out, md, verr
		}
		return out, md, nil
	}), middleware.After)
}

// checkAnswer reads the start of resp's body, puts it back, and says
// whether it is the answer the operation expects.
func checkAnswer(resp *smithyhttp.Response, service, name string) error {
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	var seen bytes.Buffer
	root, parsed := rootElement(io.TeeReader(io.LimitReader(resp.Body, answerPeekLimit), &seen))
	// Whatever was read goes back in front of the rest, for the SDK.
	rest := resp.Body
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(seen.Bytes()), rest), rest}
	if parsed.err != nil {
		// The body could not be read (a reset, a timeout): the SDK's
		// deserializer meets the same error and reports it.
		return nil
	}
	want := expectedAnswer(service, name)
	contentType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(seen.Bytes())
	// A web page is never AWS's answer. (An empty body is not a page:
	// moto sends its empty answers as text/html. Nor is a JSON object
	// where one is expected: moto (5.x) sends KMS's answers as text/html;
	// no web page starts with "{".)
	jsonObject := want.json && len(trimmed) > 0 && trimmed[0] == '{'
	page := strings.EqualFold(root, "html") || (contentType == "text/html" && len(trimmed) > 0 && !jsonObject)
	var ok bool
	switch {
	case page:
		ok = false
	case want.json:
		ok = jsonObject
	case want.root != "":
		ok = root == want.root || (want.alsoRoot != "" && root == want.alsoRoot)
	default:
		// No output: the SDK reads nothing of the body (AWS sends none;
		// moto answers PutBucketPolicy with "True").
		ok = true
	}
	if ok {
		return nil
	}
	return &InvalidAnswerError{
		Service: service, Operation: name,
		ContentType: resp.Header.Get("Content-Type"),
		Start:       quoteStart(trimmed),
		Want:        want.String(),
	}
}

// expectedAnswer is the answer of service:name. An operation missing from
// the table (TestOperationsCoverCalls keeps that from happening) is held
// to the query protocol's rule where it applies, else only to not being
// HTML.
func expectedAnswer(service, name string) answer {
	if op := lookupOperation(service, name); op != nil {
		return op.answer
	}
	switch service {
	case "ec2", "iam", "sts":
		return answer{root: name + "Response"}
	}
	return answer{}
}

// String says what the answer should be, for errors.
func (a answer) String() string {
	switch {
	case a.json:
		return "a JSON document"
	case a.root != "":
		return "an XML document <" + a.root + ">"
	}
	return "no web page"
}

// parseResult is how rootElement ended.
type parseResult struct {
	// err is an error reading the body (not a parse error).
	err error
}

// rootElement returns the name of the first element of an XML document,
// "" when the input is not XML.
func rootElement(r io.Reader) (string, parseResult) {
	er := &errReader{r: r}
	d := xml.NewDecoder(er)
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return "", parseResult{err: er.err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Local, parseResult{}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return "", parseResult{}
			}
		}
		// The XML declaration, comments, a DOCTYPE: on to the root.
	}
}

// errReader remembers a read error other than EOF.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && e.err == nil {
		e.err = err
	}
	return n, err
}

// quoteStart is the beginning of a body, cut on a character boundary.
func quoteStart(b []byte) string {
	if len(b) > answerQuoteLen {
		b = b[:answerQuoteLen]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return string(b)
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}
