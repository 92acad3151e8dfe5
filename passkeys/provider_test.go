package passkeys

import (
	"encoding/json"
	"os"
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
	assertEqual(t, "providerDetails", get(t, idp.Inputs, "providerDetails"), map[string]string{ //nolint:gosec // G101: test values, not credentials
		"client_id":                 testProjectID,
		"client_secret":             testAccessKey,
		"oidc_issuer":               "https://api.descope.com/" + testProjectID,
		"authorize_url":             "https://api.descope.com/oauth2/v1/authorize",
		"token_url":                 "https://api.descope.com/oauth2/v1/token",
		"attributes_url":            "https://api.descope.com/oauth2/v1/userinfo",
		"jwks_uri":                  "https://api.descope.com/" + testProjectID + "/.well-known/jwks.json",
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
	for _, path := range idp.IgnoreChanges {
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
			args.DescopeEndpoints = endpointsFor(tt.want)
			rec, _ := mustDeploy(t, args)
			assertEqual(t, "oidc_issuer", get(t, one(t, rec, typeProvider).Inputs, "providerDetails.oidc_issuer"), tt.want)
		})
	}
}

// Moving to a custom CNAME sends the new issuer's endpoints with it: none of
// them is ignored, so the engine cannot keep the old issuer's values.
func TestIssuerChangeTakesItsEndpointsAlong(t *testing.T) {
	before := validArgs()
	after := validArgs()
	after.DescopeIssuerURL = "https://auth.example.com/" + testProjectID
	after.DescopeEndpoints = endpointsFor(after.DescopeIssuerURL)

	recBefore, _ := mustDeploy(t, before)
	recAfter, _ := mustDeploy(t, after)
	planned := one(t, recAfter, typeProvider)
	for key, want := range map[string]string{ //nolint:gosec // G101: URLs, not credentials
		"oidc_issuer":    "https://auth.example.com/" + testProjectID,
		"authorize_url":  "https://auth.example.com/oauth2/v1/authorize",
		"token_url":      "https://auth.example.com/oauth2/v1/token",
		"attributes_url": "https://auth.example.com/oauth2/v1/userinfo",
		"jwks_uri":       "https://auth.example.com/" + testProjectID + "/.well-known/jwks.json",
	} {
		assertEqual(t, key, get(t, planned.Inputs, "providerDetails."+key), want)
		for _, ignored := range append(planned.IgnoreChanges, one(t, recBefore, typeProvider).IgnoreChanges...) {
			if ignored == `providerDetails["`+key+`"]` {
				t.Errorf("ignoreChanges holds %s: a new issuer would keep the old %s", ignored, key)
			}
		}
	}
}

// A second `up` with the same config is a no-op: the same inputs are
// planned, and every key Cognito stores (as DescribeIdentityProvider returns
// them) is either planned with the stored value or ignored, so the
// provider's diff against the state finds nothing.
func TestUnchangedConfigPlansNoProviderChange(t *testing.T) {
	first, _ := mustDeploy(t, validArgs())
	second, _ := mustDeploy(t, validArgs())
	a, b := one(t, first, typeProvider), one(t, second, typeProvider)
	if !a.Inputs.DeepEquals(b.Inputs) || !slices.Equal(a.IgnoreChanges, b.IgnoreChanges) {
		t.Errorf("two runs plan different inputs:\n%v\n%v", a.Inputs, b.Inputs)
	}

	raw, err := os.ReadFile("testdata/describe-identity-provider.json")
	if err != nil {
		t.Fatal(err)
	}
	var stored struct {
		IdentityProvider struct {
			ProviderDetails  map[string]string
			AttributeMapping map[string]string
		}
	}
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	planned := get(t, b.Inputs, "providerDetails").(map[string]any)
	for key, value := range stored.IdentityProvider.ProviderDetails {
		if slices.Contains(b.IgnoreChanges, `providerDetails["`+key+`"]`) {
			continue
		}
		if planned[key] != value {
			t.Errorf("providerDetails.%s: stored %q, planned %v: every run would update it", key, value, planned[key])
		}
	}
	for key := range planned {
		if _, ok := stored.IdentityProvider.ProviderDetails[key]; !ok {
			t.Errorf("providerDetails.%s is planned but Cognito does not store it: every run would add it", key)
		}
	}
	assertEqual(t, "attributeMapping", get(t, b.Inputs, "attributeMapping"), stored.IdentityProvider.AttributeMapping)
}
