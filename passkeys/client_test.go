package passkeys

import (
	"testing"
)

func TestAppClient(t *testing.T) {
	tests := []struct {
		name          string
		descopeOnly   bool
		confidential  bool
		wantProviders []string
		wantFlows     []string
	}{
		{"public client with both sign-ins", false, false, []string{"COGNITO", "Descope"}, []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"}},
		// No password flow at all: with only the refresh flow, InitiateAuth
		// refuses USER_SRP_AUTH and USER_PASSWORD_AUTH on this client.
		{"Descope only", true, false, []string{"Descope"}, []string{"ALLOW_REFRESH_TOKEN_AUTH"}},
		{"confidential client", false, true, []string{"COGNITO", "Descope"}, []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validArgs()
			args.DescopeOnly, args.ConfidentialClient = tt.descopeOnly, tt.confidential
			rec, outs := mustDeploy(t, args)
			client := one(t, rec, typeClient)
			assertEqual(t, "supportedIdentityProviders", get(t, client.Inputs, "supportedIdentityProviders"), tt.wantProviders)
			assertEqual(t, "explicitAuthFlows", get(t, client.Inputs, "explicitAuthFlows"), tt.wantFlows)
			assertEqual(t, "allowedOauthFlows", get(t, client.Inputs, "allowedOauthFlows"), []string{"code"})
			assertEqual(t, "allowedOauthFlowsUserPoolClient", get(t, client.Inputs, "allowedOauthFlowsUserPoolClient"), true)
			assertEqual(t, "allowedOauthScopes", get(t, client.Inputs, "allowedOauthScopes"), []string{"openid", "email", "profile"})
			assertEqual(t, "callbackUrls", get(t, client.Inputs, "callbackUrls"), args.CallbackURLs)
			assertEqual(t, "logoutUrls", get(t, client.Inputs, "logoutUrls"), args.LogoutURLs)
			assertEqual(t, "preventUserExistenceErrors", get(t, client.Inputs, "preventUserExistenceErrors"), "ENABLED")
			assertEqual(t, "generateSecret", get(t, client.Inputs, "generateSecret"), tt.confidential)
			assertEqual(t, "accessTokenValidity", get(t, client.Inputs, "accessTokenValidity"), 60)
			assertEqual(t, "idTokenValidity", get(t, client.Inputs, "idTokenValidity"), 60)
			assertEqual(t, "enableTokenRevocation", get(t, client.Inputs, "enableTokenRevocation"), true)
			assertEqual(t, "refreshTokenValidity", get(t, client.Inputs, "refreshTokenValidity"), 30)
			assertEqual(t, "tokenValidityUnits", get(t, client.Inputs, "tokenValidityUnits"),
				map[string]string{"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"})
			if !outs.secrets["userPoolClientSecret"] {
				t.Error("userPoolClientSecret output is not a secret")
			}
			if gotSecret := outs.values["userPoolClientSecret"] != ""; gotSecret != tt.confidential {
				t.Errorf("client secret present = %v, want %v", gotSecret, tt.confidential)
			}
		})
	}
}
