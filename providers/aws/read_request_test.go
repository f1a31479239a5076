package aws

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gitdrift/driftctl/providers"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

// A read with ReadRequest.Page gives its finished resources a page at a
// time, finished as the response's are (type, region, ignore_tags), and
// the pages and the response together hold what a read without Page
// returns.
func TestReadGivesPages(t *testing.T) {
	srv := emulator.Start(t)
	ctx := context.Background()
	c := ec2Seed(srv)
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.7.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	for _, cidr := range []string{"10.7.1.0/24", "10.7.2.0/24", "10.7.3.0/24"} {
		if _, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(cidr)}); err != nil {
			t.Fatal(err)
		}
	}
	s3c := s3Seeder(srv)
	for _, b := range []string{"pages-a", "pages-b", "pages-c"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	p := testProvider(t, srv.URL(), "us-east-1")
	p.pageSize = 1 // every API page, every bucket, is given as soon as it is read
	for _, typ := range []string{"aws_subnet", "aws_s3_bucket"} {
		t.Run(typ, func(t *testing.T) { checkPages(t, p, typ) })
	}
}

func checkPages(t *testing.T, p *Provider, typ string) {
	ctx := context.Background()
	want := ids(mustRead(t, p, typ))

	var mu sync.Mutex
	var paged []*providers.Live
	pages := 0
	resp, err := p.Read(ctx, providers.ReadRequest{Type: typ, Page: func(page []*providers.Live) {
		mu.Lock()
		defer mu.Unlock()
		pages++
		paged = append(paged, page...)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if pages == 0 || len(paged) == 0 {
		t.Fatalf("Page was called %d times with %d resources; want them in pages", pages, len(paged))
	}
	for _, l := range paged {
		if l.Type != typ || l.Region != "us-east-1" {
			t.Errorf("paged %s: type %q, region %q; want them set as in the response", l.ID, l.Type, l.Region)
		}
	}
	got := append(ids(paged), ids(resp.Resources)...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("pages and response hold %v, a read without Page %v", got, want)
	}
}
