package passkeys

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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

// newDescopeProvider federates Descope into the pool as an OpenID Connect provider.
func newDescopeProvider(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, poolID pulumi.StringInput, opts ...pulumi.ResourceOption) (*cognito.IdentityProvider, error) {
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
		AttributeMapping: pulumi.StringMap{
			// Cognito maps username to sub itself; declaring it avoids a diff.
			"username":              pulumi.String("sub"),
			"email":                 pulumi.String("email"),
			"email_verified":        pulumi.String("email_verified"),
			"name":                  pulumi.String("name"),
			DescopeSubjectAttribute: pulumi.String("sub"),
		},
	}, withOptions(opts, pulumi.IgnoreChanges(ignoredProviderDetails()))...)
}

func ignoredProviderDetails() []string {
	paths := make([]string, len(providerDetailsFilledByAWS))
	for i, key := range providerDetailsFilledByAWS {
		paths[i] = fmt.Sprintf("providerDetails[%q]", key)
	}
	return paths
}
