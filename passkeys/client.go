package passkeys

import (
	"net/url"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
)

// AppClientScopes are the scopes the app client may request from Cognito.
var AppClientScopes = []string{"openid", "email", "profile"}

// newAppClient declares the app client: authorization-code flow only, with
// the Descope provider, and Cognito's own sign-in (the hosted UI's password
// form and SRP through InitiateAuth) unless DescopeOnly.
func newAppClient(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, poolID, providerName pulumi.StringInput, opts ...pulumi.ResourceOption) (*cognito.UserPoolClient, error) {
	identityProviders := pulumi.StringArray{providerName}
	// An empty list would not do: Cognito then allows SRP and custom auth.
	authFlows := pulumi.StringArray{pulumi.String("ALLOW_REFRESH_TOKEN_AUTH")}
	if !a.DescopeOnly {
		identityProviders = pulumi.StringArray{pulumi.String("COGNITO"), providerName}
		authFlows = append(authFlows, pulumi.String("ALLOW_USER_SRP_AUTH"))
	}
	return cognito.NewUserPoolClient(ctx, name+"-client", &cognito.UserPoolClientArgs{
		UserPoolId:                      poolID,
		GenerateSecret:                  pulumi.Bool(a.ConfidentialClient),
		AllowedOauthFlowsUserPoolClient: pulumi.Bool(true),
		AllowedOauthFlows:               pulumi.StringArray{pulumi.String("code")},
		AllowedOauthScopes:              pulumi.ToStringArray(AppClientScopes),
		SupportedIdentityProviders:      identityProviders,
		CallbackUrls:                    pulumi.ToStringArray(a.CallbackURLs),
		LogoutUrls:                      pulumi.ToStringArray(a.LogoutURLs),
		PreventUserExistenceErrors:      pulumi.String("ENABLED"),
		EnableTokenRevocation:           pulumi.Bool(true),
		ExplicitAuthFlows:               authFlows,
		AuthSessionValidity:             pulumi.Int(3),
		AccessTokenValidity:             pulumi.Int(60),
		IdTokenValidity:                 pulumi.Int(60),
		RefreshTokenValidity:            pulumi.Int(30),
		TokenValidityUnits: &cognito.UserPoolClientTokenValidityUnitsArgs{
			AccessToken:  pulumi.String("minutes"),
			IdToken:      pulumi.String("minutes"),
			RefreshToken: pulumi.String("days"),
		},
	}, opts...)
}

// PasskeyLoginURL is what the app's "Login with Passkeys" button opens: Cognito's
// authorize endpoint, sent straight to the Descope provider.
func PasskeyLoginURL(hostedUIURL, clientID, providerName, redirectURI string) string {
	return passkeyLoginURL(hostedUIURL, clientID, providerName, redirectURI, AppClientScopes)
}

// passkeyLoginURL asks for the given scopes: an adopted client's own.
func passkeyLoginURL(hostedUIURL, clientID, providerName, redirectURI string, scopes []string) string {
	query := url.Values{
		"client_id":         {clientID},
		"identity_provider": {providerName},
		"redirect_uri":      {redirectURI},
		"response_type":     {"code"},
		"scope":             {strings.Join(scopes, " ")},
	}
	return hostedUIURL + "/oauth2/authorize?" + query.Encode()
}

// appClient is the client passkeyLoginUrl uses, with its redirect URL and scopes.
type appClient struct {
	client      *cognito.UserPoolClient
	redirectURI string
	scopes      []string
}

// declareAppClient picks the client passkeyLoginUrl uses: the first adopted
// one, or else a client the stack creates. Created in an adopted pool, it
// stays through a destroy, like the pool's own.
func declareAppClient(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, plan *livepool.Plan, adopted []*cognito.UserPoolClient, poolID pulumi.StringOutput, provider *cognito.IdentityProvider, opts ...pulumi.ResourceOption) (*appClient, []pulumi.Resource, error) {
	if len(adopted) > 0 {
		first := plan.Clients[0]
		return &appClient{client: adopted[0], redirectURI: first.CallbackURLs[0], scopes: first.Scopes}, resources(adopted), nil
	}
	client, err := newAppClient(ctx, name, a, poolID, provider.ProviderName, withOptions(opts, a.adoptedOptions()...)...)
	if err != nil {
		return nil, nil, err
	}
	return &appClient{client: client, redirectURI: a.CallbackURLs[0], scopes: AppClientScopes}, []pulumi.Resource{client}, nil
}
