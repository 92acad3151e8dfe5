package passkeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// OIDCEndpoints are the endpoints of the issuer's discovery document. Cognito
// fills them in itself when only oidc_issuer is given, and then keeps them
// when the issuer changes; stated explicitly they follow the issuer.
type OIDCEndpoints struct {
	Authorize string // authorization_endpoint
	Token     string // token_endpoint
	UserInfo  string // userinfo_endpoint, Cognito's attributes_url
	JWKS      string // jwks_uri
}

func (e OIDCEndpoints) validate() error {
	var problems []error
	for _, f := range []struct{ name, value string }{
		{"authorization_endpoint", e.Authorize}, {"token_endpoint", e.Token},
		{"userinfo_endpoint", e.UserInfo}, {"jwks_uri", e.JWKS},
	} {
		u, err := url.Parse(f.value)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			problems = append(problems, fmt.Errorf("%s %q is not an https URL", f.name, f.value))
		}
	}
	return errors.Join(problems...)
}

// maxDiscoveryDocument bounds what is read from the issuer.
const maxDiscoveryDocument = 1 << 20

// DiscoverOIDCEndpoints reads <issuer>/.well-known/openid-configuration, as
// Cognito does, and returns its endpoints. The document must name the same
// issuer: a custom domain whose issuer differs is caught here, not at sign-in.
func DiscoverOIDCEndpoints(ctx context.Context, client *http.Client, issuer string) (OIDCEndpoints, error) {
	where := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, http.NoBody)
	if err != nil {
		return OIDCEndpoints{}, fmt.Errorf("discover the endpoints of %s: %w", issuer, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return OIDCEndpoints{}, fmt.Errorf("discover the endpoints of %s: %w (Cognito reads the same document: check descopeIssuerUrl and the network)", issuer, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return OIDCEndpoints{}, fmt.Errorf("discover the endpoints of %s: GET %s answered %s: check descopeIssuerUrl (the issuer shown on Descope's Authentication Methods page)", issuer, where, resp.Status)
	}
	var doc struct {
		Issuer   string `json:"issuer"`
		Authz    string `json:"authorization_endpoint"`
		Token    string `json:"token_endpoint"`
		UserInfo string `json:"userinfo_endpoint"`
		JWKS     string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDiscoveryDocument)).Decode(&doc); err != nil {
		return OIDCEndpoints{}, fmt.Errorf("discover the endpoints of %s: %s is not a discovery document: %w", issuer, where, err)
	}
	if strings.TrimSuffix(doc.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return OIDCEndpoints{}, fmt.Errorf("discover the endpoints of %s: the document names the issuer %q: set descopeIssuerUrl to the issuer shown on Descope's Authentication Methods page", issuer, doc.Issuer)
	}
	endpoints := OIDCEndpoints{Authorize: doc.Authz, Token: doc.Token, UserInfo: doc.UserInfo, JWKS: doc.JWKS}
	if err := endpoints.validate(); err != nil {
		return OIDCEndpoints{}, fmt.Errorf("discover the endpoints of %s: %w", issuer, err)
	}
	return endpoints, nil
}
