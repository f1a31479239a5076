package modsource

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitdrift/driftctl/internal/httpclient"
	"github.com/gitdrift/driftctl/internal/redact"
	"github.com/gitdrift/driftctl/internal/tftoken"
)

// maxHops bounds the X-Terraform-Get answers followed for one source.
const maxHops = 5

// maxAnswer bounds a registry's or web server's JSON or page answer.
const maxAnswer = 4 << 20

// hostKey is the host a token is for: lower case, without https's default
// port.
func hostKey(u *url.URL) string {
	return strings.TrimSuffix(strings.ToLower(u.Host), ":443")
}

// authorize sends the TF_TOKEN_ credentials of the request's host, over
// https only, and no credentials to any other host.
func (f *Fetcher) authorize(req *http.Request) {
	req.Header.Del("Authorization")
	if req.URL.Scheme != "https" {
		return
	}
	if token := f.tokens[hostKey(req.URL)]; token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
}

// httpClient is Client, or a client with deadlines, whose redirects carry
// credentials only to their own host.
func (f *Fetcher) httpClient() *http.Client {
	base := f.Client
	if base == nil {
		base = httpclient.New(httpclient.Defaults)
	}
	c := *base
	next := base.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		f.authorize(req)
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &c
}

// get sends GET rawURL; the caller closes the body.
func (f *Fetcher) get(ctx context.Context, rawURL, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, errorf(nil, "invalid URL %s", redact.URL(rawURL))
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	f.authorize(req)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, errorf(nil, "%w", f.scrub(redact.Error(err, rawURL)))
	}
	return resp, nil
}

// scrub takes every TF_TOKEN_ value out of err's message.
func (f *Fetcher) scrub(err error) error {
	msg := err.Error()
	clean := msg
	for _, t := range f.tokens {
		if len(t) >= 4 {
			clean = strings.ReplaceAll(clean, t, redact.Mask)
		}
	}
	if clean == msg {
		return err
	}
	return &detail{msg: clean, errs: []error{err}}
}

// statusError describes an answer that is not the one expected: "HOST
// answered 404 for WHAT", with a hint about TF_TOKEN_ where credentials may
// be the cause.
func (f *Fetcher) statusError(resp *http.Response, what string) error {
	host := hostKey(resp.Request.URL)
	msg := fmt.Sprintf("%s answered %d for %s", host, resp.StatusCode, what)
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		if v := tftoken.Variable(host); v != "" && resp.Request.URL.Scheme == "https" {
			if f.tokens[host] == "" {
				msg += " (set " + v + " if it needs credentials)"
			} else if resp.StatusCode != http.StatusNotFound {
				msg += " (the token in " + v + " was refused)"
			}
		}
	}
	if resp.StatusCode == http.StatusNotFound {
		return errorf(ErrNotFound, "%s", msg)
	}
	return errorf(nil, "%s", msg)
}

// resolveLocation reads an X-Terraform-Get location: one that starts with
// "/", "./" or "../" is a URL relative to base, as Terraform reads it;
// anything else is a source address of its own.
func resolveLocation(base *url.URL, loc string) (string, error) {
	if !strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "./") && !strings.HasPrefix(loc, "../") {
		return loc, nil
	}
	rel, err := url.Parse(loc)
	if err != nil {
		return "", errorf(nil, "invalid relative location %q", redact.URL(loc))
	}
	return base.ResolveReference(rel).String(), nil
}

// fetchHTTP fetches an HTTP source: an archive is downloaded and unpacked;
// any other URL is asked, as go-getter asks, for the X-Terraform-Get
// header that names the real source.
func (f *Fetcher) fetchHTTP(ctx context.Context, src Source, hops int) (*Module, error) {
	if src.Archive == "" {
		return f.followTerraformGet(ctx, src, hops)
	}
	dir, err := f.downloadArchive(ctx, src.Location, src.Archive)
	if err != nil {
		return nil, err
	}
	m, err := newModule(dir, src.Subdir)
	if err != nil {
		return nil, err
	}
	var args []string
	if archiveFormat(src.Location) != src.Archive {
		args = append(args, "archive="+src.Archive) // it came from archive=
	}
	display(m, redact.URL(src.Location), m.Subdir, args...)
	m.Source = m.Dir
	return m, nil
}

// archiveFormat returns the archive format a URL's path names by its
// extension, "" for none or an unsupported one.
func archiveFormat(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	p := strings.ToLower(u.Path)
	for _, s := range archiveSuffixes {
		if strings.HasSuffix(p, s.suffix) {
			return s.format
		}
	}
	return ""
}

// followTerraformGet asks a URL for its X-Terraform-Get header (GET with
// terraform-get=1) and fetches the source it names.
func (f *Fetcher) followTerraformGet(ctx context.Context, src Source, hops int) (*Module, error) {
	shown := redact.URL(src.Location)
	if hops >= maxHops {
		return nil, errorf(nil, "more than %d X-Terraform-Get answers in a row", maxHops)
	}
	u, err := url.Parse(src.Location)
	if err != nil {
		return nil, errorf(nil, "invalid URL %s", shown)
	}
	q := u.Query()
	q.Set("terraform-get", "1")
	u.RawQuery = q.Encode()
	resp, err := f.get(ctx, u.String(), "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, f.statusError(resp, shown)
	}
	loc := resp.Header.Get("X-Terraform-Get")
	if loc == "" {
		return nil, errorf(nil, "%s is not an archive (.zip, .tar.gz, ...) and gave no X-Terraform-Get header", shown)
	}
	loc, err = resolveLocation(resp.Request.URL, loc)
	if err != nil {
		return nil, err
	}
	next, err := remoteLocation(loc, src.Subdir)
	if err != nil {
		return nil, errorf(nil, "%s answered X-Terraform-Get %q: %w", shown, redactSource(loc), err)
	}
	if next.Kind == Git {
		return f.fetchGit(ctx, next)
	}
	return f.fetchHTTP(ctx, next, hops+1)
}

// remoteLocation parses a location a server answered, which must be a Git
// or HTTP source, and puts subdir under the location's own subdirectory.
func remoteLocation(loc, subdir string) (Source, error) {
	next, err := ParseSource(loc)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return Source{}, errorf(nil, "%s: %w", e.Detail, e.Err)
		}
		return Source{}, err
	}
	if next.Kind != Git && next.Kind != HTTP {
		return Source{}, errorf(nil, "a %s source, not a Git or HTTP one", next.Kind)
	}
	if subdir != "" {
		next.Subdir = path.Join(next.Subdir, subdir)
	}
	return next, nil
}

// downloadArchive downloads an archive and unpacks it under
// CacheDir/archives/SHA256-OF-THE-ARCHIVE, returning that directory.
func (f *Fetcher) downloadArchive(ctx context.Context, rawURL, format string) (string, error) {
	shown := redact.URL(rawURL)
	resp, err := f.get(ctx, rawURL, "")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", f.statusError(resp, shown)
	}
	dir := filepath.Join(f.cache, "archives")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", errorf(nil, "creating the cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "download-*")
	if err != nil {
		return "", errorf(nil, "creating the cache directory: %w", err)
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	limit := f.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return "", errorf(nil, "downloading %s: %w", shown, f.scrub(redact.Error(err, rawURL)))
	}
	if n > limit {
		return "", errorf(ErrTooLarge, "%s is larger than %s", shown, size(limit))
	}
	final := filepath.Join(dir, hexSum(sum))
	err = f.unpackInto(final, func(u *unpacker) error {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		return u.unpackArchive(tmp, format)
	})
	if err != nil {
		return "", errorf(nil, "unpacking %s: %w", shown, err)
	}
	f.log.Debug("module archive", "url", shown, "dir", final)
	return final, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
