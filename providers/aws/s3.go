package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// The four S3 types (aws_s3_bucket, _versioning, _policy,
// _public_access_block) read the same buckets. S3 has no batch API for
// bucket settings, so every setting is one call per bucket; each call is
// made at most once per Provider and shared between the types through
// Provider.buckets, keyed by "operation/bucket".

// bucketConcurrency bounds the per-bucket calls in flight for one read.
const bucketConcurrency = 16

// bucketCall is one memoized S3 call: the bucket list or one bucket's
// setting.
type bucketCall struct {
	once sync.Once
	out  any
	err  error
}

// errBucketGone means the bucket was deleted between ListBuckets and a
// per-bucket call; the bucket is then absent, not an error.
var errBucketGone = errors.New("bucket no longer exists")

// bucketInfo is one bucket of ListBuckets with its region.
type bucketInfo struct {
	name   string
	region string
}

// s3Memo runs fn once per key for this provider and returns its result to
// every caller.
func (p *Provider) s3Memo(key string, fn func() (any, error)) (any, error) {
	p.s3Mu.Lock()
	c, ok := p.buckets[key]
	if !ok {
		c = &bucketCall{}
		p.buckets[key] = c
	}
	p.s3Mu.Unlock()
	c.once.Do(func() { c.out, c.err = fn() })
	if errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded) {
		// A cancelled read (another bucket failed first) says nothing about
		// this call: forget it so that a later read makes it again.
		p.s3Mu.Lock()
		if p.buckets[key] == c {
			delete(p.buckets, key)
		}
		p.s3Mu.Unlock()
	}
	return c.out, c.err
}

// allBuckets lists every bucket of the account with its region.
func (p *Provider) allBuckets(ctx context.Context) ([]bucketInfo, error) {
	out, err := p.s3Memo("ListBuckets", func() (any, error) {
		var list []bucketInfo
		var unknown []int
		pages := s3.NewListBucketsPaginator(p.s3, &s3.ListBucketsInput{MaxBuckets: aws.Int32(10000)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing buckets: %w", err)
			}
			for _, b := range page.Buckets {
				list = append(list, bucketInfo{name: aws.ToString(b.Name), region: aws.ToString(b.BucketRegion)})
				if b.BucketRegion == nil {
					unknown = append(unknown, len(list)-1)
				}
			}
		}
		// AWS returns BucketRegion in ListBuckets; older S3-compatible
		// services and moto do not, so ask GetBucketLocation for those.
		err := forEachBounded(ctx, len(unknown), func(ctx context.Context, i int) error {
			b := &list[unknown[i]]
			loc, err := p.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(b.name)})
			if isAPIError(err, "NoSuchBucket") {
				b.name = "" // deleted since the list
				return nil
			}
			if err != nil {
				return fmt.Errorf("reading location of bucket %s: %w", b.name, err)
			}
			b.region = locationRegion(loc.LocationConstraint)
			return nil
		})
		if err != nil {
			return nil, err
		}
		kept := list[:0]
		for _, b := range list {
			if b.name != "" {
				kept = append(kept, b)
			}
		}
		return kept, nil
	})
	if err != nil {
		return nil, err
	}
	return out.([]bucketInfo), nil
}

// locationRegion turns a GetBucketLocation constraint into a region name.
// S3 reports us-east-1 as an empty constraint and the legacy eu-west-1
// buckets as "EU" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
func locationRegion(c s3types.BucketLocationConstraint) string {
	switch c {
	case "":
		return "us-east-1"
	case s3types.BucketLocationConstraintEu:
		return "eu-west-1"
	}
	return string(c)
}

// regionalBuckets returns the names of the buckets in the provider's
// region, sorted, limited to ids when ids is not empty. Buckets of other
// regions belong to the providers of those regions.
func (p *Provider) regionalBuckets(ctx context.Context, ids []string) ([]string, error) {
	all, err := p.allBuckets(ctx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		// The per-bucket types take "bucket,expected_bucket_owner" as
		// their ID when the owner is set.
		name, _, _ := strings.Cut(id, ",")
		want[name] = true
	}
	var names []string
	for _, b := range all {
		if b.region != p.region || (len(ids) > 0 && !want[b.name]) {
			continue
		}
		names = append(names, b.name)
	}
	sort.Strings(names)
	return names, nil
}

// readBuckets calls read for each bucket, at most bucketConcurrency at a
// time, and returns the resources in the order of names. A nil resource or
// errBucketGone leaves the bucket out; any other error fails the read. A
// read with a page sink (ReadRequest.Page) gets the resources a page at a
// time as they are read, in no particular order, and the rest returned.
func readBuckets(ctx context.Context, req *readRequest, names []string, read func(ctx context.Context, name string) (*providers.Live, error)) ([]*providers.Live, error) {
	if req.page != nil {
		var mu sync.Mutex
		var page []*providers.Live
		err := forEachBounded(ctx, len(names), func(ctx context.Context, i int) error {
			l, err := read(ctx, names[i])
			if errors.Is(err, errBucketGone) || (err == nil && l == nil) {
				return nil
			}
			if err != nil {
				return err
			}
			mu.Lock()
			page = append(page, l)
			var full []*providers.Live
			if len(page) >= req.pageSize {
				full, page = page, nil
			}
			mu.Unlock()
			if full != nil {
				req.page(full)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return page, nil
	}
	found := make([]*providers.Live, len(names))
	err := forEachBounded(ctx, len(names), func(ctx context.Context, i int) error {
		l, err := read(ctx, names[i])
		if errors.Is(err, errBucketGone) {
			return nil
		}
		found[i] = l
		return err
	})
	if err != nil {
		return nil, err
	}
	live := make([]*providers.Live, 0, len(found))
	for _, l := range found {
		if l != nil {
			live = append(live, l)
		}
	}
	return live, nil
}

// forEachBounded runs fn(i) for i in [0, n), bucketConcurrency at a time.
// The first error cancels the others and is returned.
func forEachBounded(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, bucketConcurrency)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// isAPIError reports whether err is an AWS error with one of the codes.
func isAPIError(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// bucketSetting memoizes one per-bucket call. absent lists the error codes
// that mean "not configured" (the result is then nil); NoSuchBucket becomes
// errBucketGone; other errors are wrapped with what was read.
func bucketSetting[T any](ctx context.Context, p *Provider, op, bucket, what string, absent []string, call func(ctx context.Context) (*T, error)) (*T, error) {
	out, err := p.s3Memo(op+"/"+bucket, func() (any, error) {
		v, err := call(ctx)
		switch {
		case err == nil:
			return v, nil
		case isAPIError(err, absent...):
			return (*T)(nil), nil
		case isAPIError(err, "NoSuchBucket"):
			return nil, errBucketGone
		}
		return nil, fmt.Errorf("reading %s of bucket %s: %w", what, bucket, err)
	})
	if err != nil {
		return nil, err
	}
	return out.(*T), nil
}

// bucketVersioning is the bucket's GetBucketVersioning output.
func (p *Provider) bucketVersioning(ctx context.Context, bucket string) (*s3.GetBucketVersioningOutput, error) {
	return bucketSetting(ctx, p, "GetBucketVersioning", bucket, "versioning", nil, func(ctx context.Context) (*s3.GetBucketVersioningOutput, error) {
		return p.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	})
}

// bucketPolicy is the bucket's policy document, nil when it has none.
func (p *Provider) bucketPolicy(ctx context.Context, bucket string) (*string, error) {
	out, err := bucketSetting(ctx, p, "GetBucketPolicy", bucket, "policy", []string{"NoSuchBucketPolicy"}, func(ctx context.Context) (*s3.GetBucketPolicyOutput, error) {
		return p.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	})
	if err != nil || out == nil {
		return nil, err
	}
	return out.Policy, nil
}

// bucketPublicAccessBlock is the bucket's public access block, nil when it
// has none.
func (p *Provider) bucketPublicAccessBlock(ctx context.Context, bucket string) (*s3types.PublicAccessBlockConfiguration, error) {
	out, err := bucketSetting(ctx, p, "GetPublicAccessBlock", bucket, "public access block", []string{"NoSuchPublicAccessBlockConfiguration"}, func(ctx context.Context) (*s3.GetPublicAccessBlockOutput, error) {
		return p.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	})
	if err != nil || out == nil {
		return nil, err
	}
	return out.PublicAccessBlockConfiguration, nil
}

// bucketTags are the bucket's tags; a bucket without tags answers
// NoSuchTagSet.
func (p *Provider) bucketTags(ctx context.Context, bucket string) (map[string]string, error) {
	out, err := bucketSetting(ctx, p, "GetBucketTagging", bucket, "tags", []string{"NoSuchTagSet"}, func(ctx context.Context) (*s3.GetBucketTaggingOutput, error) {
		return p.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	})
	if err != nil || out == nil {
		return nil, err
	}
	tags := make(map[string]string, len(out.TagSet))
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// bucketEncryption is the bucket's default encryption, nil when it has
// none (buckets made before 2023 and S3-compatible services).
func (p *Provider) bucketEncryption(ctx context.Context, bucket string) (*s3types.ServerSideEncryptionConfiguration, error) {
	out, err := bucketSetting(ctx, p, "GetBucketEncryption", bucket, "encryption", []string{"ServerSideEncryptionConfigurationNotFoundError"}, func(ctx context.Context) (*s3.GetBucketEncryptionOutput, error) {
		return p.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	})
	if err != nil || out == nil {
		return nil, err
	}
	return out.ServerSideEncryptionConfiguration, nil
}

// bucketObjectLockEnabled says whether Object Lock is enabled on the
// bucket. terraform-provider-aws treats a missing configuration (and
// partitions without Object Lock: MethodNotAllowed, NotImplemented) as
// disabled.
func (p *Provider) bucketObjectLockEnabled(ctx context.Context, bucket string) (bool, error) {
	out, err := bucketSetting(ctx, p, "GetObjectLockConfiguration", bucket, "object lock configuration",
		[]string{"ObjectLockConfigurationNotFoundError", "MethodNotAllowed", "NotImplemented"},
		func(ctx context.Context) (*s3.GetObjectLockConfigurationOutput, error) {
			return p.s3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
		})
	if err != nil || out == nil || out.ObjectLockConfiguration == nil {
		return false, err
	}
	return out.ObjectLockConfiguration.ObjectLockEnabled == s3types.ObjectLockEnabledEnabled, nil
}

// The remediation of each S3 type, in the type's file, follows what
// terraform-provider-aws v5 does for the same change; where it differs, the
// comment says why. What they share follows.

// bucketName is the bucket a change is about: the bucket attribute, or the
// ID ("bucket" or "bucket,expected_bucket_owner").
func (c *applyChange) bucketName() string {
	for _, v := range []cty.Value{c.Desired, c.Live} {
		if s := attrString(v, "bucket"); s != "" {
			return s
		}
	}
	name, _, _ := strings.Cut(c.ID, ",")
	return name
}
