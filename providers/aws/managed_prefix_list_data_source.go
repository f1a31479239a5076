package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// managedPrefixListData is the aws_ec2_managed_prefix_list data source:
// the one prefix list that id, name and filter blocks select
// (DescribeManagedPrefixLists), with its entries
// (GetManagedPrefixListEntries), as terraform-provider-aws v5's
// dataSourceManagedPrefixListRead
// (internal/service/ec2/vpc_managed_prefix_list_data_source.go). AWS's
// own lists (com.amazonaws.REGION.s3) are found as the account's are.
func managedPrefixListData() *dataSource {
	schema := &providers.Schema{
		Type: "aws_ec2_managed_prefix_list",
		Attributes: map[string]*providers.Attribute{
			"id":             optComp(cty.String),
			"address_family": computed(cty.String),
			"arn":            computed(cty.String),
			"entries": computed(cty.Set(cty.Object(map[string]cty.Type{
				"cidr": cty.String, "description": cty.String,
			}))),
			"filter":      filterBlock(),
			"max_entries": computed(cty.Number),
			"name":        optComp(cty.String),
			"owner_id":    computed(cty.String),
			"tags":        optComp(cty.Map(cty.String)),
			"timeouts":    timeoutsAttribute("read"),
			"version":     computed(cty.Number),
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			in := &ec2.DescribeManagedPrefixListsInput{Filters: attributeFilters(map[string]string{
				"prefix-list-name": attrString(config, "name"),
			})}
			if id := attrString(config, "id"); id != "" {
				in.PrefixListIds = []string{id}
			}
			in.Filters = append(in.Filters, customFilters(config)...)
			var lists []ec2types.ManagedPrefixList
			pages := ec2.NewDescribeManagedPrefixListsPaginator(p.ec2, in)
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				// An unknown ID fails the call; the provider's
				// FindManagedPrefixLists reads that as no match.
				if isAPIError(err, "InvalidPrefixListID.NotFound") {
					break
				}
				if err != nil {
					return cty.NilVal, fmt.Errorf("describing managed prefix lists: %w", err)
				}
				lists = append(lists, page.PrefixLists...)
			}
			pl, err := oneFrom("EC2 Managed Prefix List", "ec2:DescribeManagedPrefixLists", lists)
			if err != nil {
				return cty.NilVal, err
			}
			id := aws.ToString(pl.PrefixListId)
			var entries []cty.Value
			entryPages := ec2.NewGetManagedPrefixListEntriesPaginator(p.ec2, &ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String(id)})
			for entryPages.HasMorePages() {
				page, err := entryPages.NextPage(ctx)
				if err != nil {
					return cty.NilVal, fmt.Errorf("getting the entries of managed prefix list %s: %w", id, err)
				}
				for _, e := range page.Entries {
					entries = append(entries, cty.ObjectVal(map[string]cty.Value{"cidr": str(e.Cidr), "description": str(e.Description)}))
				}
			}
			vals := map[string]cty.Value{
				"id":             cty.StringVal(id),
				"address_family": str(pl.AddressFamily),
				"arn":            str(pl.PrefixListArn),
				"entries":        cty.SetValEmpty(schema.Attributes["entries"].Type.ElementType()),
				"max_entries":    num(pl.MaxEntries),
				"name":           str(pl.PrefixListName),
				"owner_id":       str(pl.OwnerId),
				"tags":           dataTags(p, ec2TagMap(pl.Tags)),
				"version":        cty.NumberIntVal(aws.ToInt64(pl.Version)),
			}
			if len(entries) > 0 {
				vals["entries"] = cty.SetVal(entries)
			}
			for _, a := range []string{"filter", "timeouts"} {
				if v := attr(config, a); !v.IsNull() {
					vals[a] = v
				}
			}
			return objectOf(schema.Attributes, vals), nil
		},
	}
}
