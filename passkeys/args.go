package passkeys

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Defaults of the optional arguments.
const (
	DefaultProviderName     = "Descope"
	DefaultLogRetentionDays = 30
)

// MergeFunctionCode is a built merge function: a zip holding a linux `bootstrap`.
type MergeFunctionCode struct {
	// ZipPath is the deployment archive on local disk.
	ZipPath string
	// SourceCodeHash is the base64 SHA-256 of the archive.
	SourceCodeHash string
	// Environment is what the build asks the binary to run with
	// (lambdabuild's Artifact.Environment), deployed beside the function's
	// own settings.
	Environment map[string]string
}

// CognitoPasskeysArgs configures CognitoPasskeys. Plain values are validated
// before any resource is declared.
type CognitoPasskeysArgs struct {
	// DescopeProjectID is the Descope project ID, Cognito's OIDC client ID.
	DescopeProjectID string
	// DescopeAccessKey is a Descope access key, Cognito's OIDC client secret.
	// Pass a secret output (config.RequireSecret or pulumi.ToSecret).
	DescopeAccessKey pulumi.StringInput
	// DescopeIssuerURL is the OIDC issuer; empty derives it from the project ID.
	DescopeIssuerURL string
	// DescopeFlowID is the Descope flow Cognito's users run; empty means
	// DefaultDescopeFlowID. It only shapes DescopeFlowHostingURL.
	DescopeFlowID string
	// DescopeEndpoints are the issuer's endpoints, from DiscoverOIDCEndpoints.
	DescopeEndpoints OIDCEndpoints
	// ProviderName names the identity provider in the pool; empty means "Descope".
	ProviderName string
	// CallbackURLs are the app's sign-in redirect URLs; the first one goes into PasskeyLoginURL.
	CallbackURLs []string
	// LogoutURLs are the app's sign-out redirect URLs.
	LogoutURLs []string
	// DomainPrefix is the hosted domain's prefix; empty derives a per-stack,
	// per-account prefix. Ignored when CustomDomain is set.
	DomainPrefix string
	// CustomDomain serves the hosted UI from your own domain, with CustomDomainCertificateARN.
	CustomDomain string
	// CustomDomainCertificateARN is an ACM certificate in us-east-1 for CustomDomain.
	CustomDomainCertificateARN string
	// DescopeOnly removes Cognito's own username/password sign-in from the app client.
	DescopeOnly bool
	// ConfidentialClient gives the app client a secret, for server-side apps.
	ConfidentialClient bool
	// RequireExistingUser makes the merge function refuse Descope sign-ups that
	// match no existing Cognito user.
	RequireExistingUser bool
	// MergeFunction is the built pre sign-up function.
	MergeFunction MergeFunctionCode
	// LogRetentionDays keeps the function's logs this long; zero means 30.
	LogRetentionDays int
	// AlarmEmail subscribes an address to the function's failure alarm.
	AlarmEmail string
	// AlarmTopicARN sends the failure alarm to an existing SNS topic.
	AlarmTopicARN string
	// Adoption adopts an existing pool instead of creating one (adoption.go).
	Adoption *Adoption
	// Teardown prepares a throwaway stack for `pulumi destroy`: the pool's
	// deletion protection off, and nothing protected or retained, so the
	// destroy that follows deletes the pool and its users.
	// Never set it on a stack whose users matter. An adopted pool is never
	// deleted: teardown detaches it (Adoption.Detach) and lets it go.
	Teardown bool
}

// withDefaults returns a copy with empty optional fields filled in.
func (a CognitoPasskeysArgs) withDefaults() CognitoPasskeysArgs {
	if a.ProviderName == "" {
		a.ProviderName = DefaultProviderName
	}
	if a.DescopeIssuerURL == "" {
		a.DescopeIssuerURL = DescopeIssuerURL(a.DescopeProjectID)
	}
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = DefaultLogRetentionDays
	}
	if a.DescopeFlowID == "" {
		a.DescopeFlowID = DefaultDescopeFlowID
	}
	return a
}

// validate reports every problem at once, naming the field and the fix.
func (a CognitoPasskeysArgs) validate() error {
	var problems []error
	check := func(field string, err error) {
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", field, err))
		}
	}
	check("DescopeProjectID", ValidateDescopeProjectID(a.DescopeProjectID))
	if a.DescopeAccessKey == nil {
		check("DescopeAccessKey", errors.New("is required: a Descope access key, passed as a secret"))
	}
	check("DescopeIssuerURL", ValidateIssuerURL(a.DescopeIssuerURL))
	check("DescopeFlowID", ValidateDescopeFlowID(a.DescopeFlowID))
	if a.DescopeEndpoints == (OIDCEndpoints{}) {
		check("DescopeEndpoints", errors.New("are required: read them with passkeys.DiscoverOIDCEndpoints from the issuer"))
	} else {
		check("DescopeEndpoints", a.DescopeEndpoints.validate())
	}
	check("ProviderName", ValidateProviderName(a.ProviderName))
	// Adopted app clients keep their own redirect URLs.
	if !a.adoptingClients() {
		check("CallbackURLs", ValidateRedirectURLs(a.CallbackURLs, true))
		check("LogoutURLs", ValidateRedirectURLs(a.LogoutURLs, false))
	}
	if a.DomainPrefix != "" {
		check("DomainPrefix", ValidateDomainPrefix(a.DomainPrefix))
	}
	switch {
	case a.CustomDomain != "" && a.CustomDomainCertificateARN == "":
		check("CustomDomainCertificateARN", errors.New("is required with CustomDomain: an ACM certificate in us-east-1 that covers it"))
	case a.CustomDomain == "" && a.CustomDomainCertificateARN != "":
		check("CustomDomain", errors.New("is required with CustomDomainCertificateARN"))
	case a.CustomDomain != "":
		check("CustomDomain", ValidateCustomDomain(a.CustomDomain))
		check("CustomDomainCertificateARN", ValidateCertificateARN(a.CustomDomainCertificateARN))
	}
	if a.MergeFunction.ZipPath == "" || a.MergeFunction.SourceCodeHash == "" {
		check("MergeFunction", errors.New("is required: build ./lambda with lambdabuild.Build"))
	}
	check("LogRetentionDays", ValidateLogRetentionDays(a.LogRetentionDays))
	if a.AlarmEmail != "" {
		check("AlarmEmail", ValidateEmail(a.AlarmEmail))
	}
	if a.AlarmTopicARN != "" {
		check("AlarmTopicARN", ValidateTopicARN(a.AlarmTopicARN))
	}
	return errors.Join(problems...)
}
