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
