package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// DefaultTimeout bounds each request to AWS, Cognito or Descope.
const DefaultTimeout = 10 * time.Second

// maxBody bounds what verify reads of any HTTP answer.
const maxBody = 64 << 10

// Verifier runs the five checks against one deployed stack.
type Verifier struct {
	In      Inputs
	Cognito CognitoAPI
	Lambda  LambdaAPI
	IAM     IAMAPI
	// HTTP fetches the discovery document and the authorize redirects. It
	// must not follow redirects: NewHTTPClient builds one.
	HTTP    *http.Client
	Timeout time.Duration
}

// NewHTTPClient returns a client that never follows redirects, so each hop
// of the sign-in can be inspected, and gives up after timeout.
func NewHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Run performs the checks in order and returns the report. It never stops
// early: a failed check is reported, and later checks that need its result
// say so.
func (v *Verifier) Run(ctx context.Context) Report {
	discoveryCheck, doc := v.checkIssuer(ctx)
	triggerCheck, chainedARN := v.checkTrigger(ctx)
	checks := []Check{
		discoveryCheck,
		v.checkProvider(ctx, doc),
		triggerCheck,
		v.checkFunctionRuns(ctx, chainedARN),
		v.checkHostedUI(ctx, doc),
	}
	r := Report{Status: StatusPass, Checks: checks}
	for _, c := range checks {
		r.Status = worse(r.Status, c.Status)
	}
	return r
}

// Discovery is the part of an OpenID Provider's discovery document the checks compare.
type Discovery struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	ScopesSupported       []string `json:"scopes_supported"`
	ClaimsSupported       []string `json:"claims_supported"`
}

// discoveryURL is where Cognito, like any OIDC client, reads the issuer's metadata.
func discoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

const fixIssuer = "set descopeIssuerUrl to the issuer shown on Descope's Authentication Methods page (or unset it to derive it from descopeProjectId), then `pulumi up`"

// checkIssuer is check 1: the Descope discovery document. It returns the
// document for the later checks, or nil when it could not be read.
func (v *Verifier) checkIssuer(ctx context.Context) (Check, *Discovery) {
	c := Check{ID: "descope-issuer", Title: "Descope issuer " + v.In.DescopeIssuerURL, Status: StatusPass}
	target := discoveryURL(v.In.DescopeIssuerURL)
	got, err := v.get(ctx, target)
	if err != nil {
		c.fail("check the network, and that descopeIssuerUrl is right; "+fixIssuer, "GET %s: %v", target, err)
		return c, nil
	}
	switch {
	case got.statusCode == http.StatusNotFound:
		c.fail("the issuer is wrong or the project does not exist: "+fixIssuer, "GET %s answered %s: %s", target, got.status, printable(got.body))
		return c, nil
	case got.statusCode != http.StatusOK:
		c.fail("rerun in a while; if the answer stays, check descopeIssuerUrl", "GET %s answered %s: %s", target, got.status, printable(got.body))
		return c, nil
	}
	var doc Discovery
	if err := json.Unmarshal(got.body, &doc); err != nil {
		c.fail(fixIssuer, "GET %s answered no JSON discovery document: %s", target, printable(got.body))
		return c, nil
	}
	c.pass("discovery document at %s answers", target)

	if doc.Issuer == v.In.DescopeIssuerURL {
		c.pass("issuer is %s", doc.Issuer)
	} else {
		// OpenID Connect requires the ID token's iss to equal the configured issuer exactly.
		c.fail(fmt.Sprintf("set descopeIssuerUrl to exactly %q, then `pulumi up`", doc.Issuer),
			"the document's issuer %q differs from the configured %q", doc.Issuer, v.In.DescopeIssuerURL)
	}

	requested := strings.Fields(passkeys.DescopeScopes)
	if doc.ScopesSupported == nil {
		c.pass("scopes_supported is not published; the provider requests %s", passkeys.DescopeScopes)
	} else if missing := notIn(requested, doc.ScopesSupported); len(missing) > 0 {
		c.fail("the issuer is not the Descope project this stack expects, or the project lacks these scopes: check descopeIssuerUrl and descopeProjectId",
			"scopes_supported lacks %s, which the provider requests", strings.Join(missing, ", "))
	} else {
		c.pass("supports the scopes the provider requests (%s)", passkeys.DescopeScopes)
	}

	if doc.ClaimsSupported == nil {
		c.pass("claims_supported is not published")
	} else if missing := notIn([]string{"email", "email_verified"}, doc.ClaimsSupported); len(missing) > 0 {
		c.fail("the merge function refuses to link without email_verified: use a Descope project (and flow) that issues email and email_verified",
			"claims_supported lacks %s", strings.Join(missing, ", "))
	} else {
		c.pass("claims_supported includes email and email_verified")
	}
	return c, &doc
}

// answer is an HTTP answer, read and closed.
type answer struct {
	status     string
	statusCode int
	// location is the absolute target of a redirect; nil for any other answer.
	location *url.URL
	// requestURL is where the request went.
	requestURL *url.URL
	body       []byte
}

// get fetches target without following redirects, reading at most maxBody bytes.
func (v *Verifier) get(ctx context.Context, target string) (answer, error) {
	ctx, cancel := v.callContext(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Accept", "application/json, text/html;q=0.9")
	resp, err := v.HTTP.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return answer{}, fmt.Errorf("read the answer of %s: %w", target, err)
	}
	a := answer{status: resp.Status, statusCode: resp.StatusCode, requestURL: req.URL, body: body}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if loc, err := resp.Location(); err == nil {
			a.location = loc
		}
	}
	return a, nil
}

// notIn returns the wanted values absent from have.
func notIn(wanted, have []string) []string {
	var missing []string
	for _, w := range wanted {
		if !slices.Contains(have, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

// printable shortens an answer's body to one readable line, as it came.
func printable(body []byte) string {
	const limit = 300
	s := strings.Join(strings.FieldsFunc(string(body), func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r)
	}), " ")
	if s == "" {
		return "(empty body)"
	}
	if runes := []rune(s); len(runes) > limit {
		s = string(runes[:limit]) + "…"
	}
	return s
}
