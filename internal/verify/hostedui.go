package verify

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

const fixUnknownAnswer = "verify does not recognise this answer and will not guess its cause; read it, and check the Flow Hosting URL and the allowed redirect URL in Descope (README, Descope console steps 2 and 4)"

// checkHostedUI is check 5: passkeyLoginUrl must redirect to Descope's
// authorization endpoint for this project and this pool's redirect URI; then
// Descope's own answer to that request is reported.
func (v *Verifier) checkHostedUI(ctx context.Context, doc *Discovery) Check {
	c := Check{ID: "hosted-ui", Title: "Hosted UI → Descope", Status: StatusPass}

	// Cognito's /oauth2/authorize with identity_provider redirects silently to
	// that provider's sign-in page (Cognito developer guide, "The redirect and
	// authorization endpoint").
	cognito, err := v.get(ctx, v.In.PasskeyLoginURL)
	if err != nil {
		c.fail("check the network and the passkeyLoginUrl output; rerun", "GET passkeyLoginUrl: %v", err)
		return c
	}
	location := cognito.location
	if location == nil {
		c.fail("open passkeyLoginUrl in a browser to read Cognito's message; check the app client's identity providers and callback URLs (`pulumi up`)",
			"Cognito answered %s instead of a redirect to Descope: %s", cognito.status, printable(cognito.body))
		return c
	}
	if doc == nil {
		c.fail("fix check 1 first", "Cognito redirects to %s; cannot tell whether that is Descope's authorization endpoint: the discovery document did not load (check 1)", withoutQuery(location))
		return c
	}
	if withoutQuery(location) != doc.AuthorizationEndpoint {
		if login, err := url.Parse(v.In.PasskeyLoginURL); err == nil && sameHost(location, login) {
			c.fail("open passkeyLoginUrl in a browser to read Cognito's message; check the provider name and the app client (`pulumi up`)",
				"Cognito redirects to its own page %s instead of to Descope", location.String())
			return c
		}
		c.fail(fixStaleEndpoints, "Cognito redirects to %s, not to Descope's authorization endpoint %s", withoutQuery(location), doc.AuthorizationEndpoint)
		return c
	}
	query := location.Query()
	problems := false
	if got := query.Get("client_id"); got != v.In.DescopeProjectID {
		problems = true
		c.fail("set descopeProjectId to the project this stack should use, then `pulumi up`",
			"Cognito sends client_id=%q to Descope, not the project ID %q", got, v.In.DescopeProjectID)
	}
	if got := query.Get("redirect_uri"); got != v.In.DescopeRedirectURI {
		problems = true
		c.fail("pass the deployed stack's descopeRedirectUri (or let verify read it from Pulumi)",
			"Cognito sends redirect_uri=%q to Descope, not descopeRedirectUri %q", got, v.In.DescopeRedirectURI)
	}
	if problems {
		return c
	}
	c.pass("Cognito redirects to Descope's authorization endpoint with client_id = the project ID and redirect_uri = %s", v.In.DescopeRedirectURI)

	descope, err := v.get(ctx, location.String())
	if err != nil {
		c.fail("check the network; rerun", "GET Descope's authorization endpoint: %v", err)
		return c
	}
	v.judgeDescopeAnswer(&c, descope)
	return c
}

// judgeDescopeAnswer maps Descope's answer to the authorization request. Only
// answers whose meaning is documented are mapped; anything else is printed as
// it came and marked unknown.
func (v *Verifier) judgeDescopeAnswer(c *Check, got answer) {
	target := got.location
	if target == nil {
		c.unknown(fixUnknownAnswer, "Descope answered %s: %s", got.status, printable(got.body))
		return
	}
	redirectURI, _ := url.Parse(v.In.DescopeRedirectURI)
	switch {
	case redirectURI != nil && sameEndpoint(target, redirectURI) && target.Query().Get("error") != "":
		// A standard OAuth 2.0 error response (RFC 6749, 4.1.2.1): Descope
		// accepted the redirect URI but refused the request for the reason it names.
		q := target.Query()
		c.fail("Descope refused the sign-in for the reason it names: fix that in the Descope console, then rerun",
			"Descope answered with an error to Cognito: error=%q error_description=%q", q.Get("error"), q.Get("error_description"))
	case redirectURI != nil && sameEndpoint(target, redirectURI):
		// Straight back to Cognito without a sign-in and without an error: not a documented answer.
		c.unknown(fixUnknownAnswer, "Descope answered %s to %s", got.status, target.String())
	case v.isAuthHosting(target):
		v.judgeAuthHostingFlow(c, target)
	case sameHost(target, got.requestURL):
		c.unknown(fixUnknownAnswer, "Descope answered %s to %s", got.status, target.String())
	default:
		// A page of the user's own that embeds a flow: which flow it runs is
		// in its code, out of verify's sight.
		c.pass("Descope sends the sign-in to your own page %s (not Auth Hosting; it must embed the flow %s)", withoutQuery(target), v.In.DescopeFlowID)
	}
}

// isAuthHosting reports whether target is Descope's Auth Hosting page for this
// project: https://auth.descope.io/<project>, or on the issuer's host (Descope's
// API host, or a custom domain) /<project> or /login/<project>
// (docs.descope.com, "Auth Hosting"; "/<project>/login" in older pages).
func (v *Verifier) isAuthHosting(target *url.URL) bool {
	project := v.In.DescopeProjectID
	path := strings.TrimSuffix(target.EscapedPath(), "/")
	if strings.EqualFold(target.Hostname(), passkeys.DescopeAuthHostingHost) {
		return path == "/"+project
	}
	issuer, err := url.Parse(v.In.DescopeIssuerURL)
	if err != nil || !sameHost(target, issuer) {
		return false
	}
	return path == "/"+project || path == "/login/"+project || path == "/"+project+"/login"
}

// judgeAuthHostingFlow passes when Auth Hosting runs descopeFlowId. Its flow
// query parameter names the flow; without one it runs Descope's default.
func (v *Verifier) judgeAuthHostingFlow(c *Check, target *url.URL) {
	flow, shown := target.Query().Get("flow"), ""
	if flow == "" {
		flow, shown = passkeys.DefaultDescopeFlowID, " (no flow parameter: Descope's default)"
	}
	if flow == v.In.DescopeFlowID {
		c.pass("Descope sends the sign-in to Auth Hosting %s, running flow=%s%s, the configured descopeFlowId", withoutQuery(target), flow, shown)
		return
	}
	hostingURL := passkeys.DescopeFlowHostingURL(v.In.DescopeProjectID, v.In.DescopeIssuerURL, v.In.DescopeFlowID)
	c.fail(fmt.Sprintf("set the Flow Hosting URL (Descope console: Authentication Methods → SSO → OpenID Connect) to the descopeFlowHostingUrl output, %s (README, Descope console step 2); or, if %q is the flow your users should run, `pulumi config set descopeFlowId %s`", hostingURL, flow, flow),
		"Descope sends the sign-in to Auth Hosting %s running flow=%s%s, not the configured descopeFlowId %s", withoutQuery(target), flow, shown, v.In.DescopeFlowID)
}

func withoutQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment = "", ""
	return c.String()
}

func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

func sameEndpoint(a, b *url.URL) bool {
	return sameHost(a, b) && a.Path == b.Path
}
