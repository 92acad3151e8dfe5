package passkeys

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestDescopeProviderKeepsItsSecretAndMapsTheSubject(t *testing.T) {
	args := validArgs()
	// A caller that forgets to mark the key secret still gets it encrypted.
	args.DescopeAccessKey = pulumi.String(testAccessKey)
	rec, _ := mustDeploy(t, args)
	idp := one(t, rec, typeProvider)

	assertEqual(t, "providerName", get(t, idp.Inputs, "providerName"), "Descope")
	assertEqual(t, "providerType", get(t, idp.Inputs, "providerType"), "OIDC")
	assertEqual(t, "providerDetails", get(t, idp.Inputs, "providerDetails"), map[string]string{
		"client_id":                 testProjectID,
		"client_secret":             testAccessKey,
		"oidc_issuer":               "https://api.descope.com/" + testProjectID,
		"authorize_scopes":          "openid profile email descope:custom_claims",
		"attributes_request_method": "GET",
	})
	secret := idp.Inputs["providerDetails"].ObjectValue()["client_secret"]
	if !secret.IsSecret() && !idp.Inputs["providerDetails"].IsSecret() {
		t.Error("providerDetails.client_secret reaches the engine in plain text; it must be a secret")
	}
	assertEqual(t, "attributeMapping", get(t, idp.Inputs, "attributeMapping"), map[string]string{
		"username":           "sub",
		"email":              "email",
		"email_verified":     "email_verified",
		"name":               "name",
		"custom:descope_sub": "sub",
	})
	for _, key := range []string{"authorize_url", "token_url", "attributes_url", "jwks_uri", "attributes_url_add_attributes"} {
		path := `providerDetails["` + key + `"]`
		if !slices.Contains(idp.IgnoreChanges, path) {
			t.Errorf("ignoreChanges %v lacks %s: AWS fills it in, and the next `pulumi up` would show a diff", idp.IgnoreChanges, path)
		}
		if _, err := resource.ParsePropertyPath(path); err != nil {
			t.Errorf("ignoreChanges path %s does not parse: %v", path, err)
		}
	}
	pool := one(t, rec, typeUserPool)
	assertEqual(t, "userPoolId", get(t, idp.Inputs, "userPoolId"), pool.Name+"_id")
}

func TestIssuerIsDerivedOrUsedVerbatim(t *testing.T) {
	regional := "Puse1abcdefghijklmnopqrstuvwxyz1"
	tests := []struct {
		name, projectID, issuer, want string
	}{
		{"default region", testProjectID, "", "https://api.descope.com/" + testProjectID},
		{"regional project", regional, "", "https://api.use1.descope.com/" + regional},
		{"custom CNAME", testProjectID, "https://auth.example.com/" + testProjectID, "https://auth.example.com/" + testProjectID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validArgs()
			args.DescopeProjectID, args.DescopeIssuerURL = tt.projectID, tt.issuer
			rec, _ := mustDeploy(t, args)
			assertEqual(t, "oidc_issuer", get(t, one(t, rec, typeProvider).Inputs, "providerDetails.oidc_issuer"), tt.want)
		})
	}
}
