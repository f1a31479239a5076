package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/bmatcuk/doublestar/v4"

	"github.com/gitdrift/driftctl/internal/redact"
)

// globMeta are the characters that make a location a pattern: doublestar's
// (path.Match's *, ? and [...], plus ** for any number of directories and
// {a,b} alternatives).
const globMeta = "*?[{"

// IsPattern reports whether location is a pattern Expand expands: a local
// path or an s3:// key with a wildcard (*, **, ?, [...] or {a,b}). An
// http(s) URL is never one: its ? starts a query.
func IsPattern(location string) bool {
	switch {
	case strings.HasPrefix(location, "http://"), strings.HasPrefix(location, "https://"), strings.HasPrefix(location, remoteScheme):
		return false
	case strings.HasPrefix(location, "s3://"):
		_, key, _ := strings.Cut(strings.TrimPrefix(location, "s3://"), "/")
		return strings.ContainsAny(key, globMeta)
	}
	return strings.ContainsAny(strings.TrimPrefix(location, "file://"), globMeta)
}

// NoMatchError is the error of a pattern that matches no state. It
// matches ErrNotFound.
type NoMatchError struct {
	// Pattern is the location as given (credentials redacted).
	Pattern string
	// Where says what was searched: "no file", "no object in bucket B".
	Where string
}

// Error reads "reading state PATTERN: the pattern matches no file".
func (e *NoMatchError) Error() string {
	return fmt.Sprintf("reading state %s: the pattern matches %s", e.Pattern, e.Where)
}

// Is makes a NoMatchError match ErrNotFound.
func (e *NoMatchError) Is(target error) bool { return target == ErrNotFound }

// Expand returns the locations to read for the locations given: each
// pattern (see IsPattern) replaced by what it matches, in lexical order,
// and each other location as it is. A local pattern is matched against
// the file system (regular files only, symbolic links to directories not
// followed), an s3:// one against the keys of the bucket listed under the
// literal prefix before the first wildcard (ListObjectsV2, every page),
// with the S3 settings of opts. "**" matches any number of path segments,
// the other wildcards one segment's characters, as path.Match. A pattern
// that matches nothing is a *NoMatchError. A location named twice (given
// twice, or matched by two patterns) is returned once, where it first
// appears.
func Expand(ctx context.Context, locations []string, opts ...Option) ([]string, error) {
	var o loadOptions
	for _, opt := range opts {
		opt(&o)
	}
	var (
		out  []string
		seen = map[string]bool{}
	)
	add := func(loc string) {
		key := loc
		if !strings.Contains(loc, "://") {
			if abs, err := filepath.Abs(loc); err == nil {
				key = abs
			}
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, loc)
		}
	}
	for _, loc := range locations {
		if !IsPattern(loc) || literalFileExists(loc) {
			add(loc)
			continue
		}
		var (
			matches []string
			err     error
		)
		if strings.HasPrefix(loc, "s3://") {
			matches, err = expandS3(ctx, loc, &o)
		} else {
			matches, err = expandLocal(strings.TrimPrefix(loc, "file://"))
		}
		if err != nil {
			return nil, redact.Error(err, loc)
		}
		for _, m := range matches {
			add(m)
		}
	}
	return out, nil
}

// literalFileExists reports whether a local location that looks like a
// pattern is a file of that very name ("states/[prod].tfstate").
func literalFileExists(loc string) bool {
	if strings.HasPrefix(loc, "s3://") {
		return false
	}
	fi, err := os.Stat(strings.TrimPrefix(loc, "file://"))
	return err == nil && fi.Mode().IsRegular()
}

func expandLocal(pattern string) ([]string, error) {
	if !doublestar.ValidatePathPattern(filepath.ToSlash(pattern)) {
		return nil, fmt.Errorf("reading state %s: invalid pattern (an unclosed [ or {?)", pattern)
	}
	matches, err := doublestar.FilepathGlob(pattern, doublestar.WithFilesOnly(), doublestar.WithNoFollow(), doublestar.WithFailOnIOErrors())
	if err != nil {
		return nil, fmt.Errorf("reading state %s: matching the pattern: %w", pattern, err)
	}
	if len(matches) == 0 {
		return nil, &NoMatchError{Pattern: pattern, Where: "no file"}
	}
	slices.Sort(matches)
	return matches, nil
}

// expandS3 lists the keys of s3://BUCKET/PATTERN's bucket that match
// PATTERN.
func expandS3(ctx context.Context, location string, o *loadOptions) ([]string, error) {
	shown := redact.URL(location)
	bucket, pattern, err := splitS3(location)
	if err != nil {
		return nil, fmt.Errorf("reading state %s: %w", shown, err)
	}
	if !doublestar.ValidatePattern(pattern) {
		return nil, fmt.Errorf("reading state %s: invalid pattern (an unclosed [ or {?)", shown)
	}
	prefix := pattern
	if i := strings.IndexAny(pattern, globMeta); i >= 0 {
		prefix = pattern[:i]
	}
	client, err := newS3Client(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("reading state %s: %w", shown, err)
	}
	var matches []string
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	if o.s3PageSize > 0 {
		in.MaxKeys = aws.Int32(o.s3PageSize)
	}
	pages := s3.NewListObjectsV2Paginator(client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading state %s: listing s3://%s/%s: %w", shown, bucket, prefix, s3NotFound(err))
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") {
				continue // a "folder" the console made
			}
			if doublestar.MatchUnvalidated(pattern, key) {
				matches = append(matches, "s3://"+bucket+"/"+key)
			}
		}
	}
	if len(matches) == 0 {
		return nil, &NoMatchError{Pattern: shown, Where: "no object in bucket " + bucket}
	}
	slices.Sort(matches)
	return matches, nil
}
