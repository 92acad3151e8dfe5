package passkeys

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// discoveryServer serves one discovery document over TLS on 127.0.0.1.
func discoveryServer(t *testing.T, status int, body func(issuer string) string) (issuer string, client *http.Client) {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+testProjectID+"/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body(srv.URL + "/" + testProjectID)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/" + testProjectID, srv.Client()
}

func TestDiscoverOIDCEndpoints(t *testing.T) {
	issuer, client := discoveryServer(t, http.StatusOK, func(issuer string) string {
		host := strings.TrimSuffix(issuer, "/"+testProjectID)
		return `{"issuer":"` + issuer + `","authorization_endpoint":"` + host + `/oauth2/v1/authorize",` +
			`"token_endpoint":"` + host + `/oauth2/v1/token","userinfo_endpoint":"` + host + `/oauth2/v1/userinfo",` +
			`"jwks_uri":"` + issuer + `/.well-known/jwks.json","response_types_supported":["code"]}`
	})
	got, err := DiscoverOIDCEndpoints(t.Context(), client, issuer)
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimSuffix(issuer, "/"+testProjectID)
	assertEqual(t, "endpoints", got, OIDCEndpoints{
		Authorize: host + "/oauth2/v1/authorize",
		Token:     host + "/oauth2/v1/token",
		UserInfo:  host + "/oauth2/v1/userinfo",
		JWKS:      issuer + "/.well-known/jwks.json",
	})
}

func TestDiscoverOIDCEndpointsRefusesWhatCognitoWouldRefuse(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   func(issuer string) string
		want   string
	}{
		{"not found", http.StatusNotFound, func(string) string { return "no" }, "404"},
		{"not JSON", http.StatusOK, func(string) string { return "<html>" }, "not a discovery document"},
		{"another issuer", http.StatusOK, func(string) string {
			return `{"issuer":"https://api.descope.com/` + testProjectID + `","authorization_endpoint":"https://a/x","token_endpoint":"https://a/t","userinfo_endpoint":"https://a/u","jwks_uri":"https://a/j"}`
		}, "descopeIssuerUrl"},
		{"missing endpoint", http.StatusOK, func(issuer string) string {
			return `{"issuer":"` + issuer + `","authorization_endpoint":"https://a/x","token_endpoint":"https://a/t","jwks_uri":"https://a/j"}`
		}, "userinfo_endpoint"},
		{"plain http endpoint", http.StatusOK, func(issuer string) string {
			return `{"issuer":"` + issuer + `","authorization_endpoint":"http://a/x","token_endpoint":"https://a/t","userinfo_endpoint":"https://a/u","jwks_uri":"https://a/j"}`
		}, "authorization_endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issuer, client := discoveryServer(t, tt.status, tt.body)
			_, err := DiscoverOIDCEndpoints(t.Context(), client, issuer)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
