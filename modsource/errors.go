package modsource

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gitdrift/driftctl/internal/redact"
)

// Sentinel errors that errors from ParseSource and Fetch match with
// errors.Is where the cause is known. Git failures also match gitsource's
// sentinels (gitsource.ErrNotFound, gitsource.ErrRefNotFound, ...).
var (
	// ErrUnsupported: Terraform accepts the source but driftctl cannot fetch
	// it (s3::, gcs::, hg::, file paths, .xz and .zst archives).
	ErrUnsupported = errors.New("source type not supported")
	// ErrNotFound: the registry or web server answered 404 for the module,
	// its versions or its package.
	ErrNotFound = errors.New("not found")
	// ErrNoVersion: no version of a registry module meets the constraint.
	ErrNoVersion = errors.New("no version meets the constraint")
	// ErrUnsafeArchive: an archive entry would land outside the module's
	// directory (../, an absolute path, a symbolic link pointing out).
	ErrUnsafeArchive = errors.New("unsafe archive")
	// ErrTooLarge: a package has more files or bytes than the Fetcher
	// allows.
	ErrTooLarge = errors.New("package too large")
)

// Error is a one-line error about a module source: "module source SOURCE:
// DETAIL". Callers show it at the module block's source attribute. It
// matches the sentinel errors of this package (and gitsource's) with
// errors.Is.
type Error struct {
	// Source is the source as the configuration wrote it, with credentials
	// masked.
	Source string
	// Detail says what failed, in one line, without credentials.
	Detail string
	// Err is the cause.
	Err error
}

// Error returns "module source SOURCE: DETAIL".
func (e *Error) Error() string { return "module source " + e.Source + ": " + e.Detail }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// newError builds an *Error for source.
func newError(source, detail string, err error) *Error {
	return &Error{Source: redactSource(source), Detail: oneLine(detail), Err: err}
}

// wrapError makes err an *Error for source; an *Error passes through.
func wrapError(source string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return newError(source, err.Error(), err)
}

// redactSource masks the credentials a source may carry: a URL's password
// or token user name, credential-like query values (sshkey=, token=). An
// ssh:// URL keeps its user name, a login name.
func redactSource(source string) string {
	forced, rest := splitForced(source)
	prefix := ""
	if forced != "" {
		prefix = source[:len(source)-len(rest)]
	}
	if u, err := url.Parse(rest); err == nil && strings.EqualFold(u.Scheme, "ssh") && u.User != nil {
		if _, hasPassword := u.User.Password(); !hasPassword {
			user := u.User.Username()
			u.User = nil
			shown := redact.URL(u.String())
			return prefix + shown[:len(u.Scheme)+3] + user + "@" + shown[len(u.Scheme)+3:]
		}
	}
	return prefix + redact.URL(rest)
}

// detail is an error with a message of its own that matches a kind and a
// cause.
type detail struct {
	msg  string
	errs []error
}

func (d *detail) Error() string   { return d.msg }
func (d *detail) Unwrap() []error { return d.errs }

// errorf formats a message (with %w for a cause, as fmt.Errorf) that also
// matches kind, which may be nil.
func errorf(kind error, format string, args ...any) error {
	e := fmt.Errorf(format, args...)
	d := &detail{msg: e.Error(), errs: []error{e}}
	if kind != nil {
		d.errs = append(d.errs, kind)
	}
	return d
}

// oneLine joins the lines of a message.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\r", "\n").Replace(s)), " ")
}
