package passkeys

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
)

// DescopeScopes are the scopes Cognito requests from Descope. descope:custom_claims
// carries roles, tenants and custom claims from the Descope flow.
const DescopeScopes = "openid profile email descope:custom_claims"

// providerDetailsFilledByAWS are the keys Cognito adds to an OIDC provider's
// details that the program does not state. The upstream provider diffs them
// against the program's inputs on every run; ignoring them keeps a second
// `pulumi up` with unchanged config a no-op. The endpoints are stated, not
// ignored: ignored, they would keep the old issuer's values when it changes.
var providerDetailsFilledByAWS = []string{
	"attributes_url_add_attributes",
}

// newDescopeProvider federates Descope into the pool as an OpenID Connect
// provider. An adopted pool's existing provider of that name is imported, not
// duplicated, and keeps its identifiers and the mappings the program does not
// set. In an adopted pool a destroy leaves the provider, imported or not
// (adoptedOptions).
func newDescopeProvider(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, poolID pulumi.StringInput, plan *livepool.Plan, opts ...pulumi.ResourceOption) (*cognito.IdentityProvider, error) {
	// The mapping lives in livepool, which also gives adopted clients with
	// a write list write access to every mapped attribute.
	var liveMapping map[string]string
	var identifiers pulumi.StringArrayInput
	opts = withOptions(opts, append(a.adoptedOptions(), pulumi.IgnoreChanges(ignoredProviderDetails()))...)
	if plan != nil && plan.Provider != nil {
		liveMapping = plan.Provider.AttributeMapping
		if len(plan.Provider.IdpIdentifiers) > 0 {
			identifiers = pulumi.ToStringArray(plan.Provider.IdpIdentifiers)
		}
		opts = withOptions(opts, plan.Provider.Options()...)
	}
	return cognito.NewIdentityProvider(ctx, name+"-descope", &cognito.IdentityProviderArgs{
		UserPoolId:   poolID,
		ProviderName: pulumi.String(a.ProviderName),
		ProviderType: pulumi.String("OIDC"),
		ProviderDetails: pulumi.StringMap{
			"client_id":                 pulumi.String(a.DescopeProjectID),
			"client_secret":             pulumi.ToSecret(a.DescopeAccessKey).(pulumi.StringOutput),
			"oidc_issuer":               pulumi.String(a.DescopeIssuerURL),
			"authorize_url":             pulumi.String(a.DescopeEndpoints.Authorize),
			"token_url":                 pulumi.String(a.DescopeEndpoints.Token),
			"attributes_url":            pulumi.String(a.DescopeEndpoints.UserInfo),
			"jwks_uri":                  pulumi.String(a.DescopeEndpoints.JWKS),
			"authorize_scopes":          pulumi.String(DescopeScopes),
			"attributes_request_method": pulumi.String("GET"),
		},
		AttributeMapping: pulumi.ToStringMap(livepool.DescopeAttributeMapping(liveMapping)),
		IdpIdentifiers:   identifiers,
	}, opts...)
}

func ignoredProviderDetails() []string {
	paths := make([]string, len(providerDetailsFilledByAWS))
	for i, key := range providerDetailsFilledByAWS {
		paths[i] = fmt.Sprintf("providerDetails[%q]", key)
	}
	return paths
}
