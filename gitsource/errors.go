package gitsource

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Sentinel errors that errors from Open and Blame match with errors.Is.
var (
	// ErrNotFound: the repository does not exist (or is not a repository).
	ErrNotFound = errors.New("repository not found")
	// ErrAuth: credentials were missing, refused, or the SSH host key did not
	// verify.
	ErrAuth = errors.New("authentication failed")
	// ErrRefNotFound: the ref names no branch, tag or commit.
	ErrRefNotFound = errors.New("ref not found")
	// ErrUnreachable: the host could not be reached (DNS, connection, TLS).
	ErrUnreachable = errors.New("unreachable")
	// ErrPathNotFound: Options.Path (or a blamed file or line) is not in the
	// commit.
	ErrPathNotFound = errors.New("path not found")
	// ErrUnsigned: RequireSigned and the commit does not verify against the
	// trusted keys.
	ErrUnsigned = errors.New("commit not signed by a trusted key")
)

// Error is a one-line error about a repository: "git REPO: DETAIL". It
// matches Kind and the underlying cause with errors.Is and errors.As. REPO
// never carries userinfo and DETAIL never carries a credential.
type Error struct {
	Repository string // the location without userinfo
	Kind       error  // one of the sentinel errors, or nil when unclassified
	Detail     string // one line, no secrets
	Err        error  // the cause, may be nil
}

// Error returns "git REPO: DETAIL".
func (e *Error) Error() string { return "git " + e.Repository + ": " + e.Detail }

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// quote quotes a user-given name for a message.
func quote(s string) string { return strconv.Quote(s) }

// classifier turns go-git and network errors into *Error for one repository,
// scrubbing the secrets it was given from every message.
type classifier struct {
	repo     string
	secrets  []string
	hasCreds bool
}

// wrap returns err as a one-line *Error. An *Error passes through.
func (c classifier) wrap(doing string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	kind, detail := c.classify(err)
	if kind == nil && doing != "" {
		detail = doing + ": " + detail
	}
	return &Error{Repository: c.repo, Kind: kind, Detail: c.scrub(detail), Err: err}
}

// errorf builds an *Error of a kind with a fixed detail.
func (c classifier) errorf(kind error, detail string, cause error) error {
	return &Error{Repository: c.repo, Kind: kind, Detail: c.scrub(detail), Err: cause}
}

// classify names the reason of err.
func (c classifier) classify(err error) (kind error, detail string) {
	msg := err.Error()
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, "canceled: " + msg
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return ErrNotFound, "repository not found"
	case errors.Is(err, transport.ErrAuthenticationRequired):
		if c.hasCreds {
			return ErrAuth, "authentication failed"
		}
		return ErrAuth, "authentication required (set DRIFTCTL_GIT_TOKEN, or DRIFTCTL_GIT_USERNAME and DRIFTCTL_GIT_PASSWORD)"
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return ErrAuth, "authorization failed"
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return ErrRefNotFound, "repository is empty"
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		return ErrRefNotFound, "ref not found"
	case strings.Contains(msg, "unable to authenticate"):
		return ErrAuth, "authentication failed"
	case strings.Contains(msg, "knownhosts:"), strings.Contains(msg, "known hosts"):
		return ErrAuth, "host key verification failed: " + oneLine(msg)
	case errors.As(err, &dnsErr):
		return ErrUnreachable, "unreachable: " + oneLine(dnsErr.Error())
	case errors.As(err, &opErr):
		return ErrUnreachable, "unreachable: " + oneLine(opErr.Error())
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"),
		strings.Contains(msg, "i/o timeout"), strings.Contains(msg, "tls:"), strings.Contains(msg, "x509:"):
		return ErrUnreachable, "unreachable: " + oneLine(msg)
	}
	return nil, oneLine(msg)
}

// scrub replaces every secret in s.
func (c classifier) scrub(s string) string {
	for _, sec := range c.secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return oneLine(s)
}

// oneLine joins the lines of a multi-line message.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return strings.Join(fields, "; ")
}
