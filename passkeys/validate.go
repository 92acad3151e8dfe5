package passkeys

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// descopeProjectIDPattern matches Descope project IDs: "P" and letters or digits,
// 28 characters for the default region and 32 for regional projects.
var descopeProjectIDPattern = regexp.MustCompile(`^P[A-Za-z0-9]{27,63}$`)

// ValidateDescopeProjectID checks the shape of a Descope project ID.
func ValidateDescopeProjectID(projectID string) error {
	if projectID == "" {
		return fmt.Errorf("it is empty: copy the project ID from Project settings in the Descope console")
	}
	if !descopeProjectIDPattern.MatchString(projectID) {
		return fmt.Errorf("%q is not a Descope project ID (an ID starts with P followed by 27 or more letters and digits, as shown under Project settings in the Descope console)", projectID)
	}
	return nil
}

// DescopeIssuerURL derives the OIDC issuer of a Descope project the way Descope's
// own SDKs derive the API host: 32-character (regional) project IDs carry their
// region in characters 2-5, and their API lives at api.<region>.descope.com.
func DescopeIssuerURL(projectID string) string {
	host := "api.descope.com"
	if len(projectID) >= 32 {
		host = "api." + projectID[1:5] + ".descope.com"
	}
	return "https://" + host + "/" + projectID
}

// ValidateIssuerURL checks an explicit issuer, such as a custom CNAME's.
// Cognito fetches <issuer>/.well-known/openid-configuration, so it must be an
// absolute https URL without query or fragment.
func ValidateIssuerURL(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", issuer, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q must be an absolute https:// URL such as https://auth.example.com/P2abc…", issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q must not carry credentials, a query or a fragment", issuer)
	}
	return nil
}

// ValidateRedirectURL checks a callback or sign-out URL the way Cognito does:
// https only, except http://localhost for local development, and no fragment.
func ValidateRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" {
		return fmt.Errorf("%q must be an absolute URL such as https://app.example.com/callback", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if u.Hostname() != "localhost" {
			return fmt.Errorf("%q uses http: only https:// URLs are allowed, except http://localhost for local development", raw)
		}
	default:
		return fmt.Errorf("%q must use https:// (or http://localhost for local development)", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%q must not contain a fragment (#…)", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q must not carry credentials", raw)
	}
	return nil
}

// ValidateRedirectURLs checks a list of redirect URLs; required says whether
// the list may be empty.
func ValidateRedirectURLs(urls []string, required bool) error {
	if required && len(urls) == 0 {
		return fmt.Errorf("at least one URL is required, for example [\"https://app.example.com/callback\"]")
	}
	if len(urls) > 100 {
		return fmt.Errorf("%d URLs given; Cognito allows at most 100", len(urls))
	}
	seen := make(map[string]bool, len(urls))
	for _, u := range urls {
		if err := ValidateRedirectURL(u); err != nil {
			return err
		}
		if seen[u] {
			return fmt.Errorf("%q is listed twice", u)
		}
		seen[u] = true
	}
	return nil
}

// providerNamePattern is a conservative subset of Cognito's provider-name rule:
// no underscore (Cognito joins "<provider>_<subject>" into the federated
// userName, which the merge function splits on) and no spaces.
var providerNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,30}[A-Za-z0-9]$`)

// ValidateProviderName checks the identity provider's name in the pool.
func ValidateProviderName(name string) error {
	if !providerNamePattern.MatchString(name) {
		return fmt.Errorf("%q must be 2-32 letters, digits, dots or hyphens, starting and ending with a letter or digit (for example Descope)", name)
	}
	if strings.EqualFold(name, "Cognito") {
		return fmt.Errorf("%q is reserved by Cognito for the pool's own users", name)
	}
	return nil
}

var domainPrefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateDomainPrefix checks a hosted-domain prefix: lowercase letters, digits
// and hyphens, and none of the words Cognito reserves.
func ValidateDomainPrefix(prefix string) error {
	if !domainPrefixPattern.MatchString(prefix) {
		return fmt.Errorf("%q must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen", prefix)
	}
	for _, reserved := range []string{"aws", "amazon", "cognito"} {
		if strings.Contains(prefix, reserved) {
			return fmt.Errorf("%q contains %q, which Cognito does not allow in a domain prefix", prefix, reserved)
		}
	}
	return nil
}

var domainNamePattern = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// ValidateCustomDomain checks a custom hosted domain such as auth.example.com.
func ValidateCustomDomain(domain string) error {
	if !domainNamePattern.MatchString(domain) {
		return fmt.Errorf("%q must be a lowercase fully qualified domain name such as auth.example.com", domain)
	}
	return nil
}

var certificateARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[A-Za-z0-9-]+$`)

// ValidateCertificateARN checks that a custom domain's certificate is an ACM
// certificate in us-east-1, where Cognito's CloudFront distribution needs it.
func ValidateCertificateARN(arn string) error {
	if !certificateARNPattern.MatchString(arn) {
		return fmt.Errorf("%q must be an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>): Cognito's custom domains are served by CloudFront, which only uses us-east-1 certificates", arn)
	}
	return nil
}

var topicARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$`)

// ValidateTopicARN checks an SNS topic ARN for alarm notifications.
func ValidateTopicARN(arn string) error {
	if !topicARNPattern.MatchString(arn) {
		return fmt.Errorf("%q must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)", arn)
	}
	return nil
}

// LogRetentionDays lists the retention periods CloudWatch Logs accepts.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// ValidateLogRetentionDays checks a retention period against CloudWatch's list.
func ValidateLogRetentionDays(days int) error {
	for _, allowed := range LogRetentionDays {
		if days == allowed {
			return nil
		}
	}
	return fmt.Errorf("%d is not a retention period CloudWatch Logs accepts; use one of %v", days, LogRetentionDays)
}

// ValidateEmail checks an alarm notification address: a bare address, no display name.
func ValidateEmail(address string) error {
	if parsed, err := mail.ParseAddress(address); err != nil || parsed.Address != address {
		return fmt.Errorf("%q is not an email address such as ops@example.com", address)
	}
	return nil
}
