package passkeys

import (
	"testing"
)

func TestCustomDomain(t *testing.T) {
	args := validArgs()
	args.CustomDomain = "auth.example.com"
	args.CustomDomainCertificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"
	rec, outs := mustDeploy(t, args)
	domain := one(t, rec, typeDomain)
	assertEqual(t, "domain", get(t, domain.Inputs, "domain"), "auth.example.com")
	assertEqual(t, "certificateArn", get(t, domain.Inputs, "certificateArn"), args.CustomDomainCertificateARN)
	assertEqual(t, "hostedUiUrl", outs.values["hostedUiUrl"], "https://auth.example.com")
	assertEqual(t, "descopeRedirectUri", outs.values["descopeRedirectUri"], "https://auth.example.com/oauth2/idpresponse")
	assertEqual(t, "customDomainTarget", outs.values["customDomainTarget"], "d111111abcdef8.cloudfront.net")
}

// A pool has one domain, and a new name forces a replacement: the old domain
// must go first, or the create fails with "already has a domain".
func TestDomainIsDeletedBeforeItsReplacementIsCreated(t *testing.T) {
	custom := validArgs()
	custom.CustomDomain = "auth.example.com"
	custom.CustomDomainCertificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"
	prefix := validArgs()
	prefix.DomainPrefix = "my-passkeys"
	for name, args := range map[string]CognitoPasskeysArgs{"derived prefix": validArgs(), "own prefix": prefix, "custom domain": custom} {
		t.Run(name, func(t *testing.T) {
			rec, _ := mustDeploy(t, args)
			domain := one(t, rec, typeDomain)
			if !domain.DeleteBeforeReplace {
				t.Error("the domain is replaced create-before-delete; Cognito refuses a second domain for the pool")
			}
			// Both kinds of domain share one resource name, so moving between
			// them is a replacement of this resource, not a create beside it.
			assertEqual(t, "domain resource name", domain.Name, "passkeys-domain")
		})
	}
}
