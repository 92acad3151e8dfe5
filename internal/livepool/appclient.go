package livepool

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DescopeAttributeMapping is the Descope provider's attribute mapping as the
// component declares it: the program's mappings, plus every other mapping of
// the live provider (live; nil when the provider does not exist yet).
func DescopeAttributeMapping(live map[string]string) map[string]string {
	mapping := map[string]string{
		// Cognito maps username to sub itself; declaring it avoids a diff.
		"username":                          "sub",
		"email":                             "email",
		"email_verified":                    "email_verified",
		"name":                              "name",
		"custom:" + DescopeSubjectAttribute: "sub",
	}
	for attribute, claim := range live {
		if _, set := mapping[attribute]; !set {
			mapping[attribute] = claim
		}
	}
	return mapping
}

// mappedAttributes are the pool attributes the Descope provider writes at
// every federated sign-in, sorted: its mapping's keys except username, which
// names the user rather than an attribute a client writes.
func mappedAttributes(state *State) []string {
	var live map[string]string
	if state.Provider != nil {
		live = state.Provider.AttributeMapping
	}
	mapping := DescopeAttributeMapping(live)
	delete(mapping, "username")
	return slices.Sorted(maps.Keys(mapping))
}

// missingWrites are the mapped attributes a client's explicit write list
// lacks. AWS (UserPoolClientType.WriteAttributes): a client that signs users
// in through an IdP must be able to write every mapped attribute, or Cognito
// fails the sign-in. An empty list lets the client write every attribute.
func missingWrites(client types.UserPoolClientType, mapped []string) []string {
	if len(client.WriteAttributes) == 0 {
		return nil
	}
	var missing []string
	for _, attribute := range mapped {
		if !slices.Contains(client.WriteAttributes, attribute) {
			missing = append(missing, attribute)
		}
	}
	return missing
}

// clientPlan declares every live client setting plus what the Descope sign-in
// needs: the provider among SupportedIdentityProviders, the authorization
// code flow with the openid scope, and write access to the provider's mapped
// attributes (mapped) when the client has an explicit write list.
// GenerateSecret is never declared: the provider does not read it back on
// import, and it forces a replacement, so declaring it would plan a new
// client (with a new ID and secret). Detaching leaves the client as it is
// live.
func clientPlan(client types.UserPoolClientType, owned Owned, mapped []string) ClientPlan {
	poolID, clientID := aws.ToString(client.UserPoolId), aws.ToString(client.ClientId)
	flows, scopes, providers := client.AllowedOAuthFlows, client.AllowedOAuthScopes, client.SupportedIdentityProviders
	codeFlow := aws.ToBool(client.AllowedOAuthFlowsUserPoolClient)
	writes := client.WriteAttributes
	if !owned.Detach {
		flows = appendMissing(flows, types.OAuthFlowTypeCode)
		scopes = appendMissing(scopes, "openid")
		providers = appendMissing(providers, owned.ProviderName)
		codeFlow = true
		writes = append(slices.Clone(writes), missingWrites(client, mapped)...)
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
	if len(writes) > 0 {
		args.WriteAttributes = stringArray(writes)
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
	if u := client.TokenValidityUnits; readsUnits(u) {
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
		config := &cognito.UserPoolClientAnalyticsConfigurationArgs{UserDataShared: pulumi.Bool(ac.UserDataShared)}
		if aws.ToString(ac.ApplicationArn) != "" {
			// The provider takes a project ARN alone (it refuses
			// applicationId, externalId and roleArn beside it); Cognito then
			// reports the service-linked role it uses as RoleArn.
			config.ApplicationArn = pulumi.String(aws.ToString(ac.ApplicationArn))
		} else {
			config.ApplicationId = stringPtr(ac.ApplicationId)
			config.ExternalId = stringPtr(ac.ExternalId)
			config.RoleArn = stringPtr(ac.RoleArn)
		}
		args.AnalyticsConfiguration = config
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

// readsUnits reports whether the provider's Read of an imported client keeps
// its token validity units: not when Cognito reports none, nor when they are
// the defaults (hours, hours, days), which it leaves out of state
// (terraform-provider-aws user_pool_client.go, isDefaultTokenValidityUnits).
// Declared there, they would show as an added tokenValidityUnits.
func readsUnits(u *types.TokenValidityUnitsType) bool {
	if u == nil || u.AccessToken == "" && u.IdToken == "" && u.RefreshToken == "" {
		return false
	}
	return u.AccessToken != types.TimeUnitsTypeHours || u.IdToken != types.TimeUnitsTypeHours || u.RefreshToken != types.TimeUnitsTypeDays
}

// appendMissing returns values with want added at the end when absent; the
// live order stays as it is.
func appendMissing[S ~string](values []S, want S) []S {
	if slices.Contains(values, want) {
		return values
	}
	return append(slices.Clone(values), want)
}
