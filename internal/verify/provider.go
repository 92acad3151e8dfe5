package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

const fixProviderDeclared = "run `pulumi up` so the identity provider matches the program again (someone changed it outside Pulumi)"

// fixStaleEndpoints: Cognito copies the endpoints from the discovery document
// when the provider is created or its issuer changes; the program ignores
// those keys, so only a change of the provider itself refreshes them.
const fixStaleEndpoints = "Cognito holds endpoints from an earlier issuer: replace the provider with `pulumi up --replace <the Descope identity provider's URN>` (find it with `pulumi stack --show-urns`), or save it unchanged in the Cognito console so Cognito reads the discovery document again"

// checkProvider is check 2: the identity provider as Cognito holds it. The
// client secret it returns is never read, compared or printed.
func (v *Verifier) checkProvider(ctx context.Context, doc *Discovery) Check {
	c := Check{ID: "identity-provider", Title: fmt.Sprintf("Identity provider %q in Cognito", v.In.ProviderName), Status: StatusPass}
	callCtx, cancel := v.callContext(ctx)
	out, err := v.Cognito.DescribeIdentityProvider(callCtx, &cip.DescribeIdentityProviderInput{
		UserPoolId:   aws.String(v.In.UserPoolID),
		ProviderName: aws.String(v.In.ProviderName),
	})
	cancel()
	if isNotFound(err) {
		c.fail("run `pulumi up`; if providerName was changed, pass the deployed name with --provider-name",
			"user pool %s has no identity provider named %q", v.In.UserPoolID, v.In.ProviderName)
		return c
	}
	if err != nil {
		msg, fix := awsFix("cognito-idp:DescribeIdentityProvider", err)
		c.fail(fix, "%s", msg)
		return c
	}
	if out.IdentityProvider == nil {
		c.fail(fixProviderDeclared, "DescribeIdentityProvider returned no provider")
		return c
	}
	details := out.IdentityProvider.ProviderDetails
	mapping := out.IdentityProvider.AttributeMapping

	if got := details["client_id"]; got == v.In.DescopeProjectID {
		c.pass("client_id is the Descope project ID")
	} else {
		c.fail("set descopeProjectId to the project this stack should use, then `pulumi up`",
			"client_id is %q, not the Descope project ID %q", got, v.In.DescopeProjectID)
	}
	if got := details["oidc_issuer"]; got == v.In.DescopeIssuerURL {
		c.pass("oidc_issuer is %s", got)
	} else {
		c.fail(fixProviderDeclared, "oidc_issuer is %q, not %q", got, v.In.DescopeIssuerURL)
	}
	wantScopes := strings.Fields(passkeys.DescopeScopes)
	gotScopes := strings.Fields(details["authorize_scopes"])
	slices.Sort(wantScopes)
	slices.Sort(gotScopes)
	if slices.Equal(wantScopes, gotScopes) {
		c.pass("authorize_scopes are %s", passkeys.DescopeScopes)
	} else {
		c.fail(fixProviderDeclared, "authorize_scopes are %q, not %q", details["authorize_scopes"], passkeys.DescopeScopes)
	}
	if got := details["attributes_request_method"]; got == "GET" {
		c.pass("attributes are requested with GET")
	} else {
		c.fail(fixProviderDeclared, "attributes_request_method is %q, not GET", got)
	}

	if doc == nil {
		c.fail("fix check 1 first", "cannot compare the endpoints: the discovery document did not load (check 1)")
	} else {
		stale := false
		for _, e := range []struct{ key, docKey, want string }{
			{"authorize_url", "authorization_endpoint", doc.AuthorizationEndpoint},
			{"token_url", "token_endpoint", doc.TokenEndpoint},
			{"attributes_url", "userinfo_endpoint", doc.UserinfoEndpoint},
			{"jwks_uri", "jwks_uri", doc.JWKSURI},
		} {
			if got := details[e.key]; got != e.want {
				stale = true
				c.fail(fixStaleEndpoints, "%s is %q, but the discovery document's %s is %q", e.key, got, e.docKey, e.want)
			}
		}
		if !stale {
			c.pass("authorize_url, token_url, attributes_url and jwks_uri equal the discovery document's")
		}
	}

	for _, m := range []struct{ attr, claim, why string }{
		{passkeys.DescopeSubjectAttribute, "sub", "the merge function links with it"},
		{"email_verified", "email_verified", "the merge function refuses to link without it"},
		{"email", "email", "the merge function matches users by it"},
	} {
		if got := mapping[m.attr]; got == m.claim {
			c.pass("maps %s ← %s", m.attr, m.claim)
		} else {
			c.fail(fixProviderDeclared, "attribute mapping has %s ← %q, not ← %s (%s)", m.attr, got, m.claim, m.why)
		}
	}
	return c
}
