package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/gitdrift/driftctl/providers"
)

// route53ZoneData is the aws_route53_zone data source: the hosted zone
// that zone_id names (route53:GetHostedZone), or the one zone of the
// account that has the name, is private or not (private_zone, or vpc_id
// set), is associated with vpc_id and has the tags
// (route53:ListHostedZones), as terraform-provider-aws v5's
// dataSourceZoneRead (internal/service/route53/zone_data_source.go). Its
// name has no trailing dot, its name servers are the delegation set's (the
// zone's NS record for a private zone).
func route53ZoneData() *dataSource {
	schema := &providers.Schema{
		Type: "aws_route53_zone",
		Attributes: map[string]*providers.Attribute{
			"id":                         computed(cty.String),
			"arn":                        computed(cty.String),
			"caller_reference":           computed(cty.String),
			"comment":                    computed(cty.String),
			"linked_service_description": computed(cty.String),
			"linked_service_principal":   computed(cty.String),
			"name":                       optComp(cty.String),
			"name_servers":               computed(cty.List(cty.String)),
			"primary_name_server":        computed(cty.String),
			"private_zone":               {Type: cty.Bool, Optional: true, Default: cty.False},
			"resource_record_set_count":  computed(cty.Number),
			"tags":                       optComp(cty.Map(cty.String)),
			"vpc_id":                     {Type: cty.String, Optional: true},
			"zone_id":                    optComp(cty.String),
		},
	}
	return &dataSource{
		schema: schema,
		read: func(ctx context.Context, p *Provider, config cty.Value) (cty.Value, error) {
			zoneID, name, vpcID := attrString(config, "zone_id"), attrString(config, "name"), attrString(config, "vpc_id")
			if zoneID != "" && name != "" {
				// The provider warns and reads nothing; an error says why.
				return cty.NilVal, errors.New("only one of zone_id or name may be set")
			}
			// vpc_id implies a private zone, unless private_zone says so.
			private := vpcID != "" || boolOr(config, "private_zone", false)
			var (
				zone *route53.GetHostedZoneOutput
				tags map[string]string
				err  error
			)
			if zoneID != "" {
				zone, err = getHostedZone(ctx, p, zoneID)
			} else {
				zone, tags, err = findHostedZone(ctx, p, name, private, vpcID, wantedTags(config))
			}
			if err != nil {
				return cty.NilVal, err
			}
			return route53ZoneDataValue(ctx, p, schema, config, zone, tags)
		},
	}
}

// getHostedZone is GetHostedZone of a zone ID ("Z123" or
// "/hostedzone/Z123"); an unknown zone is no match.
func getHostedZone(ctx context.Context, p *Provider, id string) (*route53.GetHostedZoneOutput, error) {
	out, err := p.route53.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
	if isAPIError(err, "NoSuchHostedZone") {
		return nil, &SingularMatchError{Kind: "Route 53 Hosted Zone", Operation: "route53:GetHostedZone"}
	}
	if err != nil {
		return nil, fmt.Errorf("getting Route 53 hosted zone %s: %w", id, err)
	}
	if out.HostedZone == nil {
		return nil, fmt.Errorf("getting Route 53 hosted zone %s: the answer has no hosted zone", id)
	}
	return out, nil
}

// findHostedZone lists the account's zones and keeps the one that has the
// name (when not empty), the privacy, an association with vpcID (when not
// empty) and every tag of want; it returns the zone (GetHostedZone) and
// its tags when it read them.
func findHostedZone(ctx context.Context, p *Provider, name string, private bool, vpcID string, want map[string]string) (*route53.GetHostedZoneOutput, map[string]string, error) {
	type match struct {
		zone *route53.GetHostedZoneOutput
		tags map[string]string
	}
	var matches []match
	pages := route53.NewListHostedZonesPaginator(p.route53, &route53.ListHostedZonesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("listing Route 53 hosted zones: %w", err)
		}
		for _, z := range page.HostedZones {
			if name != "" && normalizeZoneName(aws.ToString(z.Name)) != normalizeZoneName(name) {
				continue
			}
			if zonePrivate := z.Config != nil && z.Config.PrivateZone; zonePrivate != private {
				continue
			}
			id := cleanZoneID(aws.ToString(z.Id))
			m := match{zone: &route53.GetHostedZoneOutput{HostedZone: &z}}
			if vpcID != "" {
				full, err := getHostedZone(ctx, p, id)
				if err != nil {
					return nil, nil, err
				}
				if !slices.ContainsFunc(full.VPCs, func(v r53types.VPC) bool { return aws.ToString(v.VPCId) == vpcID }) {
					continue
				}
				m.zone = full
			}
			if len(want) > 0 {
				tags, err := hostedZoneTags(ctx, p, id)
				if err != nil {
					return nil, nil, err
				}
				if !containsTags(tags, want) {
					continue
				}
				m.tags = tags
			}
			matches = append(matches, m)
		}
	}
	m, err := oneFrom("Route 53 Hosted Zone", "route53:ListHostedZones", matches)
	return m.zone, m.tags, err
}

// route53ZoneDataValue is the aws_route53_zone value of a zone: its name
// servers and tags are read unless known already.
func route53ZoneDataValue(ctx context.Context, p *Provider, schema *providers.Schema, config cty.Value, zone *route53.GetHostedZoneOutput, tags map[string]string) (cty.Value, error) {
	hz := zone.HostedZone
	id := cleanZoneID(aws.ToString(hz.Id))
	private := hz.Config != nil && hz.Config.PrivateZone
	var nameServers []string
	switch {
	case private:
		// A private zone has no delegation set; the provider reads its NS
		// record, sorted.
		ns, err := zoneNameServers(ctx, p, id, aws.ToString(hz.Name))
		if err != nil {
			return cty.NilVal, err
		}
		nameServers = ns
	default:
		// A zone found by listing has no delegation set yet.
		if zone.DelegationSet == nil {
			full, err := getHostedZone(ctx, p, id)
			if err != nil {
				return cty.NilVal, err
			}
			zone = full
		}
		if zone.DelegationSet != nil {
			nameServers = zone.DelegationSet.NameServers
		}
	}
	if tags == nil {
		t, err := hostedZoneTags(ctx, p, id)
		if err != nil {
			return cty.NilVal, err
		}
		tags = t
	}
	vals := map[string]cty.Value{
		"id":                         cty.StringVal(id),
		"zone_id":                    cty.StringVal(id),
		"arn":                        cty.StringVal("arn:" + partitionOf(p.region).name + ":route53:::hostedzone/" + id),
		"caller_reference":           str(hz.CallerReference),
		"comment":                    cty.StringVal(""),
		"linked_service_description": cty.StringVal(""),
		"linked_service_principal":   cty.StringVal(""),
		"name":                       cty.StringVal(normalizeZoneName(aws.ToString(hz.Name))),
		"name_servers":               stringList(nameServers),
		"primary_name_server":        cty.StringVal(""),
		"private_zone":               cty.BoolVal(private),
		"resource_record_set_count":  cty.NumberIntVal(aws.ToInt64(hz.ResourceRecordSetCount)),
		"tags":                       dataTags(p, tags),
	}
	if hz.Config != nil {
		vals["comment"] = str(hz.Config.Comment)
	}
	if ls := hz.LinkedService; ls != nil {
		vals["linked_service_description"], vals["linked_service_principal"] = str(ls.Description), str(ls.ServicePrincipal)
	}
	if len(nameServers) > 0 {
		vals["primary_name_server"] = cty.StringVal(nameServers[0])
	}
	if v := attr(config, "vpc_id"); !v.IsNull() {
		vals["vpc_id"] = v
	}
	return objectOf(schema.Attributes, vals), nil
}

// zoneNameServers are the values of the zone's own NS record, sorted (the
// provider's findNameServersByZone); none when it has none.
func zoneNameServers(ctx context.Context, p *Provider, id, name string) ([]string, error) {
	out, err := p.route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(id), StartRecordName: aws.String(name), StartRecordType: r53types.RRTypeNs,
	})
	if err != nil {
		return nil, fmt.Errorf("listing the NS record of Route 53 hosted zone %s: %w", id, err)
	}
	for _, rs := range out.ResourceRecordSets {
		if rs.Type != r53types.RRTypeNs || normalizeZoneName(aws.ToString(rs.Name)) != normalizeZoneName(name) {
			continue
		}
		var ns []string
		for _, r := range rs.ResourceRecords {
			ns = append(ns, aws.ToString(r.Value))
		}
		slices.Sort(ns)
		return ns, nil
	}
	return nil, nil
}

// hostedZoneTags are a zone's tags (route53:ListTagsForResource).
func hostedZoneTags(ctx context.Context, p *Provider, id string) (map[string]string, error) {
	out, err := p.route53.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{
		ResourceId: aws.String(id), ResourceType: r53types.TagResourceTypeHostedzone,
	})
	if err != nil {
		return nil, fmt.Errorf("listing the tags of Route 53 hosted zone %s: %w", id, err)
	}
	m := map[string]string{}
	if out.ResourceTagSet != nil {
		for _, t := range out.ResourceTagSet.Tags {
			m[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return m, nil
}

// wantedTags is the configuration's tags argument, without the reserved
// "aws:" ones (the provider's IgnoreAWS).
func wantedTags(config cty.Value) map[string]string {
	m := map[string]string{}
	tags := attr(config, "tags")
	if tags.IsNull() || !tags.IsKnown() || !tags.CanIterateElements() {
		return m
	}
	for it := tags.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if !v.IsNull() && v.Type() == cty.String && !strings.HasPrefix(k.AsString(), "aws:") {
			m[k.AsString()] = v.AsString()
		}
	}
	return m
}

// containsTags reports whether have has every key of want with its value.
func containsTags(have, want map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

// cleanZoneID is a zone ID without the "/hostedzone/" the API puts before it.
func cleanZoneID(id string) string { return strings.TrimPrefix(id, "/hostedzone/") }

// normalizeZoneName is a zone name as the provider's normalizeDomainName
// compares and stores it: lower case, without the trailing dot (the root
// "." stays).
func normalizeZoneName(name string) string {
	if name == "." {
		return name
	}
	return strings.TrimSuffix(strings.ToLower(name), ".")
}
