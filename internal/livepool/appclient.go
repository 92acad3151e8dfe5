package livepool

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// clientPlan declares every live client setting plus what the Descope sign-in
// needs: the provider among SupportedIdentityProviders and the authorization
// code flow with the openid scope. GenerateSecret is never declared: the
// provider does not read it back on import, and it forces a replacement, so
// declaring it would plan a new client (with a new ID and secret). Detaching
// leaves the client as it is live.
func clientPlan(client types.UserPoolClientType, owned Owned) ClientPlan {
	poolID, clientID := aws.ToString(client.UserPoolId), aws.ToString(client.ClientId)
	flows, scopes, providers := client.AllowedOAuthFlows, client.AllowedOAuthScopes, client.SupportedIdentityProviders
	codeFlow := aws.ToBool(client.AllowedOAuthFlowsUserPoolClient)
	if !owned.Detach {
		flows = appendMissing(flows, types.OAuthFlowTypeCode)
		scopes = appendMissing(scopes, "openid")
		providers = appendMissing(providers, owned.ProviderName)
		codeFlow = true
	}
	args := &cognito.UserPoolClientArgs{
		UserPoolId:                      pulumi.String(poolID),
		Name:                            pulumi.String(aws.ToString(client.ClientName)),
		AllowedOauthFlowsUserPoolClient: pulumi.Bool(codeFlow),
		AllowedOauthFlows:               stringArray(flows),
		AllowedOauthScopes:              stringArray(scopes),
		SupportedIdentityProviders:      stringArray(providers),
		CallbackUrls:                    stringArray(client.CallbackURLs),
		DefaultRedirectUri:              stringPtr(client.DefaultRedirectURI),
		AccessTokenValidity:             intPtr(client.AccessTokenValidity),
		IdTokenValidity:                 intPtr(client.IdTokenValidity),
		AuthSessionValidity:             intPtr(client.AuthSessionValidity),
		RefreshTokenValidity:            pulumi.Int(int(client.RefreshTokenValidity)),
	}
	if len(client.LogoutURLs) > 0 {
		args.LogoutUrls = stringArray(client.LogoutURLs)
	}
	if len(client.ExplicitAuthFlows) > 0 {
		args.ExplicitAuthFlows = stringArray(client.ExplicitAuthFlows)
	}
	if len(client.ReadAttributes) > 0 {
		args.ReadAttributes = stringArray(client.ReadAttributes)
	}
	if len(client.WriteAttributes) > 0 {
		args.WriteAttributes = stringArray(client.WriteAttributes)
	}
	if client.PreventUserExistenceErrors != "" {
		args.PreventUserExistenceErrors = pulumi.String(string(client.PreventUserExistenceErrors))
	}
	if v := client.EnableTokenRevocation; v != nil {
		args.EnableTokenRevocation = pulumi.Bool(*v)
	}
	if v := client.EnablePropagateAdditionalUserContextData; v != nil {
		args.EnablePropagateAdditionalUserContextData = pulumi.Bool(*v)
	}
	if u := client.TokenValidityUnits; u != nil {
		units := &cognito.UserPoolClientTokenValidityUnitsArgs{}
		if u.AccessToken != "" {
			units.AccessToken = pulumi.String(string(u.AccessToken))
		}
		if u.IdToken != "" {
			units.IdToken = pulumi.String(string(u.IdToken))
		}
		if u.RefreshToken != "" {
			units.RefreshToken = pulumi.String(string(u.RefreshToken))
		}
		args.TokenValidityUnits = units
	}
	if ac := client.AnalyticsConfiguration; ac != nil {
		args.AnalyticsConfiguration = &cognito.UserPoolClientAnalyticsConfigurationArgs{
			ApplicationArn: stringPtr(ac.ApplicationArn),
			ApplicationId:  stringPtr(ac.ApplicationId),
			ExternalId:     stringPtr(ac.ExternalId),
			RoleArn:        stringPtr(ac.RoleArn),
			UserDataShared: pulumi.Bool(ac.UserDataShared),
		}
	}
	if rr := client.RefreshTokenRotation; rr != nil && rr.Feature != "" {
		args.RefreshTokenRotation = &cognito.UserPoolClientRefreshTokenRotationArgs{
			Feature:                 pulumi.String(string(rr.Feature)),
			RetryGracePeriodSeconds: intPtr(rr.RetryGracePeriodSeconds),
		}
	}
	return ClientPlan{
		ImportID:     ClientImportID(poolID, clientID),
		Args:         args,
		CallbackURLs: client.CallbackURLs,
		Scopes:       scopes,
	}
}

// appendMissing returns values with want added at the end when absent; the
// live order stays as it is.
func appendMissing[S ~string](values []S, want S) []S {
	if slices.Contains(values, want) {
		return values
	}
	return append(slices.Clone(values), want)
}
