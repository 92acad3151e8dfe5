package passkeys

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
)

// hostedDomain is the pool's domain and the host name it serves.
type hostedDomain struct {
	domain *cognito.UserPoolDomain
	host   pulumi.StringOutput
}

// newHostedDomain declares the hosted domain: the custom domain when set,
// otherwise a prefix domain under amazoncognito.com. A pool has one domain and
// a new name replaces it, so the old one is deleted first: created first, the
// new one would be refused. Sign-in through the hosted domain pauses between
// the two; both kinds share one resource name so that a move between them is
// that same replacement.
func newHostedDomain(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, poolID, accountID, region pulumi.StringOutput, opts ...pulumi.ResourceOption) (*hostedDomain, error) {
	opts = withOptions(opts, pulumi.DeleteBeforeReplace(true))
	if a.CustomDomain != "" {
		domain, err := cognito.NewUserPoolDomain(ctx, name+"-domain", &cognito.UserPoolDomainArgs{
			UserPoolId:     poolID,
			Domain:         pulumi.String(a.CustomDomain),
			CertificateArn: pulumi.String(a.CustomDomainCertificateARN),
		}, opts...)
		if err != nil {
			return nil, err
		}
		return &hostedDomain{domain: domain, host: domain.Domain}, nil
	}

	prefix := pulumi.String(a.DomainPrefix).ToStringOutput()
	if a.DomainPrefix == "" {
		prefix = accountID.ApplyT(func(accountID string) string {
			return DefaultDomainPrefix(ctx.Project(), ctx.Stack(), name, accountID)
		}).(pulumi.StringOutput)
	}
	domain, err := cognito.NewUserPoolDomain(ctx, name+"-domain", &cognito.UserPoolDomainArgs{
		UserPoolId: poolID,
		Domain:     prefix,
	}, opts...)
	if err != nil {
		return nil, err
	}
	host := pulumi.Sprintf("%s.auth.%s.amazoncognito.com", domain.Domain, region)
	return &hostedDomain{domain: domain, host: host}, nil
}

// declareDomain declares the hosted domain, or adopts the pool's own.
func declareDomain(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, plan *livepool.Plan, poolID, accountID, region pulumi.StringOutput, opts ...pulumi.ResourceOption) (*hostedDomain, []pulumi.Resource, error) {
	if plan != nil && len(plan.Domains) > 0 {
		return adoptedDomains(ctx, name, plan, opts...)
	}
	domain, err := newHostedDomain(ctx, name, a, poolID, accountID, region, withOptions(opts, a.adoptedOptions()...)...)
	if err != nil {
		return nil, nil, err
	}
	return domain, []pulumi.Resource{domain.domain}, nil
}
