package passkeys

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// DefaultDescopeFlowID is the flow Descope's Auth Hosting runs when its URL
// names none, and so the flow of a project's default Flow Hosting URL.
const DefaultDescopeFlowID = "sign-up-or-in"

// DescopeAuthHostingHost serves Descope's Auth Hosting page for every project
// on Descope's own domains (docs.descope.com, "Auth Hosting App").
const DescopeAuthHostingHost = "auth.descope.io"

// descopeFlowIDPattern is a flow ID as the Descope console shows it, such as
// sign-up-or-in or oidc-flow.
var descopeFlowIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)

// ValidateDescopeFlowID checks the shape of a Descope flow ID.
func ValidateDescopeFlowID(flowID string) error {
	if !descopeFlowIDPattern.MatchString(flowID) {
		return fmt.Errorf("%q is not a Descope flow ID (letters, digits, - and _, as shown under Flows in the Descope console, such as %s)", flowID, DefaultDescopeFlowID)
	}
	return nil
}

// DescopeFlowHostingURL is the Auth Hosting URL that runs flowID for the
// project: the Flow Hosting URL to enter in the Descope console when no page
// of one's own embeds the flow. With Descope's own issuer (api.descope.com or
// a regional api.<region>.descope.com) it is
// https://auth.descope.io/<project>?flow=<flow>; with a custom domain, whose
// host the issuer then carries, Descope serves it at
// https://<custom domain>/login/<project>?flow=<flow> (docs.descope.com,
// "Auth Hosting App": "When utilizing Descope auth hosting with a custom
// CNAME … include /login within the URL").
func DescopeFlowHostingURL(projectID, issuerURL, flowID string) string {
	query := "?flow=" + url.QueryEscape(flowID)
	if host := customDescopeDomain(issuerURL); host != "" {
		return "https://" + host + "/login/" + projectID + query
	}
	return "https://" + DescopeAuthHostingHost + "/" + projectID + query
}

// customDescopeDomain is the issuer's host when it is not one of Descope's
// own (a custom CNAME), or "".
func customDescopeDomain(issuerURL string) string {
	u, err := url.Parse(issuerURL)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Host)
	if host == "descope.com" || strings.HasSuffix(host, ".descope.com") {
		return ""
	}
	return host
}
