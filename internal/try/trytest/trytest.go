// Package trytest runs stand-ins on 127.0.0.1 for what `make try` talks to:
// the hosted domain's /oauth2/authorize (which answers at once, as if the
// passkey ceremony were done) and /oauth2/token (which checks the code, the
// client and the PKCE verifier), the pool's issuer (discovery and a JWKS of
// a test key), and the Cognito API's DescribeUserPoolClient and AdminGetUser.
package trytest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// The deployed stack the stand-ins describe.
const (
	Region       = "us-east-1"
	UserPoolID   = "us-east-1_TryPool01"
	ClientID     = "tryclient00000000000000000a"
	ProviderName = "Descope"
	LogGroup     = "/aws/lambda/passkeys-dev-merge"
	KeyID        = "try-test-key"
	// FakeAccessKeyID signs requests to the Cognito stand-in only.
	FakeAccessKeyID = "AKIATRYFAKEKEY000000"       //nolint:gosec // fake, signs only requests to 127.0.0.1
	FakeSecretKey   = "try-fake-secret-access-key" //nolint:gosec // fake, signs only requests to 127.0.0.1
	ClientSecret    = "try-fake-client-secret-value00"
)

// User is the account the sign-in lands in.
type User struct {
	Username      string
	Email         string
	Groups        []string
	Status        string // AdminGetUser's UserStatus
	Created       time.Time
	DescopeUserID string
	Linked        time.Time // the identities entry's dateCreated
}

// ExistingUser is an account created before Descope, now linked to it.
func ExistingUser() User {
	return User{
		Username:      "7c1e5a52-3f0b-4d9e-9a0c-2f6a8b1d4e01",
		Email:         "ada@example.com",
		Groups:        []string{"admins", "staff"},
		Status:        "CONFIRMED",
		Created:       time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC),
		DescopeUserID: "U2pAsskeyAda0000000000000001",
		Linked:        time.Date(2026, 12, 3, 17, 40, 0, 0, time.UTC),
	}
}

// NewFederatedUser is the account Cognito creates when nothing is linked.
func NewFederatedUser() User {
	created := time.Date(2026, 12, 3, 17, 41, 0, 0, time.UTC)
	return User{
		Username:      "Descope_U2pAsskeyNew0000000000000002",
		Email:         "grace@example.com",
		Status:        "EXTERNAL_PROVIDER",
		Created:       created,
		DescopeUserID: "U2pAsskeyNew0000000000000002",
		Linked:        created,
	}
}

// World is one deployed stack's endpoints. Tests change its fields under Lock.
type World struct {
	mu sync.Mutex

	HostedDomain *httptest.Server
	Issuer       *httptest.Server
	Cognito      *httptest.Server

	key, otherKey *rsa.PrivateKey

	// CallbackURLs are the app client's.
	CallbackURLs []string
	// Confidential gives the client the secret ClientSecret.
	Confidential bool
	User         User

	// ForgedState, when set, is sent back instead of the request's state.
	ForgedState string
	// ErrorAnswer, when set, is sent back instead of a code (error=…).
	ErrorAnswer url.Values
	// ReplayCode sends back the last code already redeemed instead of a new one.
	ReplayCode bool
	// SignWithOtherKey signs ID tokens with a key the JWKS does not hold
	// (under the same key ID).
	SignWithOtherKey bool

	grants     map[string]*grant
	lastCode   string
	Exchanges  int
	Challenges []string // code_challenge_method of each authorization request
}

// grant is an issued authorization code.
type grant struct {
	challenge   string
	redirectURI string
	redeemed    bool
}

// New starts the stand-ins, with an existing, linked user and one
// http://localhost callback URL on a free port, and stops them when t ends.
func New(t testing.TB) *World {
	t.Helper()
	w := &World{User: ExistingUser(), grants: map[string]*grant{}}
	var err error
	if w.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if w.otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	w.HostedDomain = httptest.NewServer(http.HandlerFunc(w.serveHostedDomain))
	t.Cleanup(w.HostedDomain.Close)
	issuer := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: w.key.Public(), KeyID: KeyID, Algorithm: oidc.RS256}}}
	w.Issuer = httptest.NewServer(http.StripPrefix("/"+UserPoolID, issuer))
	t.Cleanup(w.Issuer.Close)
	issuer.SetIssuer(w.IssuerURL())
	w.Cognito = httptest.NewServer(http.HandlerFunc(w.serveCognito))
	t.Cleanup(w.Cognito.Close)
	w.CallbackURLs = []string{"https://app.example.com/callback", FreeCallbackURL(t)}
	return w
}

// Lock runs change with the world locked.
func (w *World) Lock(change func(w *World)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	change(w)
}

// FreeCallbackURL is http://localhost:<a port free just now>/callback.
func FreeCallbackURL(t testing.TB) string {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("http://localhost:%d/callback", port)
}

// IssuerURL is the output cognitoIssuerUrl.
func (w *World) IssuerURL() string { return w.Issuer.URL + "/" + UserPoolID }

// StackOutputs is what `pulumi stack output --json` prints.
func (w *World) StackOutputs() map[string]any {
	w.mu.Lock()
	defer w.mu.Unlock()
	login := url.Values{
		"client_id": {ClientID}, "identity_provider": {ProviderName}, "redirect_uri": {w.CallbackURLs[0]},
		"response_type": {"code"}, "scope": {"openid email profile"},
	}
	outputs := map[string]any{
		"userPoolId":            UserPoolID,
		"userPoolClientId":      ClientID,
		"hostedUiUrl":           w.HostedDomain.URL,
		"cognitoIssuerUrl":      w.IssuerURL(),
		"passkeyLoginUrl":       w.HostedDomain.URL + "/oauth2/authorize?" + login.Encode(),
		"descopeRedirectUri":    w.HostedDomain.URL + "/oauth2/idpresponse",
		"mergeFunctionLogGroup": LogGroup,
	}
	if w.Confidential {
		outputs["userPoolClientSecret"] = "[secret]"
	}
	return outputs
}

// StackConfig is what `pulumi config --json` prints.
func (w *World) StackConfig() map[string]any {
	return map[string]any{
		"aws:region": map[string]any{"value": Region, "secret": false},
		"cognito-descope-passkeys:descopeProjectId": map[string]any{"value": "P2TryProject", "secret": false},
		"cognito-descope-passkeys:descopeAccessKey": map[string]any{"value": "[secret]", "secret": true},
	}
}

// FakePulumi writes a `pulumi` that prints w's outputs and config, and
// returns its directory, to put first on PATH.
func (w *World) FakePulumi(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for name, v := range map[string]any{"outputs.json": w.StackOutputs(), "config.json": w.StackConfig()} {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\ncase \"$1 $2\" in\n" +
		"  \"stack output\") cat '" + dir + "/outputs.json' ;;\n" +
		"  \"config --json\") cat '" + dir + "/config.json' ;;\n" +
		"  *) echo \"fake pulumi: unexpected $*\" >&2; exit 2 ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(dir, "pulumi"), []byte(script), 0o700); err != nil { //nolint:gosec // an executable script, for the test
		t.Fatal(err)
	}
	return dir
}

// CognitoClient is a Cognito API client bound to the stand-in: fake
// credentials, a region, its loopback endpoint, no retries.
func (w *World) CognitoClient() *cip.Client {
	return cip.New(cip.Options{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider(FakeAccessKeyID, FakeSecretKey, ""),
		HTTPClient:       &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}},
		BaseEndpoint:     aws.String(w.Cognito.URL),
		RetryMaxAttempts: 1,
	})
}

// serveHostedDomain stands in for /oauth2/authorize and /oauth2/token.
func (w *World) serveHostedDomain(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch r.URL.Path {
	case "/oauth2/authorize":
		w.authorize(rw, r)
	case "/oauth2/token":
		w.token(rw, r)
	default:
		http.NotFound(rw, r)
	}
}

func (w *World) authorize(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	w.Challenges = append(w.Challenges, q.Get("code_challenge_method"))
	switch {
	case q.Get("client_id") != ClientID, q.Get("response_type") != "code", q.Get("identity_provider") != ProviderName,
		!slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		http.Error(rw, "authorize: unexpected request "+q.Encode(), http.StatusBadRequest)
		return
	case !slices.Contains(w.CallbackURLs, q.Get("redirect_uri")):
		http.Error(rw, "redirect_mismatch", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		http.Error(rw, "authorize: no S256 code_challenge", http.StatusBadRequest)
		return
	}
	answer := url.Values{"state": {q.Get("state")}}
	if w.ForgedState != "" {
		answer.Set("state", w.ForgedState)
	}
	switch {
	case w.ErrorAnswer != nil:
		for k, v := range w.ErrorAnswer {
			answer[k] = v
		}
	case w.ReplayCode && w.lastCode != "":
		answer.Set("code", w.lastCode)
	default:
		code := rand.Text()
		w.grants[code] = &grant{challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri")}
		w.lastCode = code
		answer.Set("code", code)
	}
	// redirect_uri is one of CallbackURLs, checked above, as Cognito checks it.
	http.Redirect(rw, r, q.Get("redirect_uri")+"?"+answer.Encode(), http.StatusFound) //nolint:gosec // see above
}

// token answers as Cognito's token endpoint does: JSON, and {"error": …}
// with status 400 for a refusal.
func (w *World) token(rw http.ResponseWriter, r *http.Request) {
	w.Exchanges++
	refuse := func(code string) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(rw).Encode(map[string]string{"error": code})
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "authorization_code" {
		refuse("invalid_request")
		return
	}
	clientID, secret, basic := r.BasicAuth()
	if !basic {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if clientID != ClientID || (w.Confidential && secret != ClientSecret) || (!w.Confidential && secret != "") {
		refuse("invalid_client")
		return
	}
	g := w.grants[r.PostForm.Get("code")]
	if g == nil || g.redeemed || g.redirectURI != r.PostForm.Get("redirect_uri") {
		refuse("invalid_grant")
		return
	}
	g.redeemed = true
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		refuse("invalid_grant")
		return
	}
	key := w.key
	if w.SignWithOtherKey {
		key = w.otherKey
	}
	rw.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(rw).Encode(map[string]any{
		"id_token":      oidctest.SignIDToken(key, KeyID, oidc.RS256, w.idClaims()),
		"access_token":  "fake-access-token",
		"refresh_token": "fake-refresh-token",
		"token_type":    "Bearer",
		"expires_in":    3600,
	})
}

// idClaims are a Cognito ID token's claims for w.User.
func (w *World) idClaims() string {
	now := time.Now()
	claims := map[string]any{
		"iss": w.IssuerURL(), "aud": ClientID, "sub": "0b3e9d1c-5a7f-4c2e-8d6b-1f9a3c5e7b02",
		"token_use": "id", "auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"cognito:username": w.User.Username, "email": w.User.Email, "email_verified": true,
		"identities": []map[string]any{{
			"userId": w.User.DescopeUserID, "providerName": ProviderName, "providerType": "OIDC",
			"issuer": nil, "primary": "false", "dateCreated": strconv.FormatInt(w.User.Linked.UnixMilli(), 10),
		}},
	}
	if len(w.User.Groups) > 0 {
		claims["cognito:groups"] = w.User.Groups
	}
	raw, _ := json.Marshal(claims)
	return string(raw)
}

// serveCognito answers DescribeUserPoolClient and AdminGetUser (awsJson1.1).
func (w *World) serveCognito(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	answer := func(status int, v any) {
		rw.Header().Set("Content-Type", "application/x-amz-json-1.1")
		rw.WriteHeader(status)
		_ = json.NewEncoder(rw).Encode(v)
	}
	if !strings.Contains(r.Header.Get("Authorization"), FakeAccessKeyID) {
		answer(http.StatusForbidden, map[string]string{"__type": "UnrecognizedClientException", "message": "not signed with the fake credentials"})
		return
	}
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		ClientID   string `json:"ClientId"`
		Username   string
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	if in.UserPoolID != UserPoolID {
		answer(http.StatusBadRequest, map[string]string{"__type": "ResourceNotFoundException", "message": "User pool " + in.UserPoolID + " does not exist."})
		return
	}
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.") {
	case "DescribeUserPoolClient":
		client := map[string]any{"UserPoolId": UserPoolID, "ClientId": in.ClientID, "ClientName": "passkeys", "CallbackURLs": w.CallbackURLs}
		if w.Confidential {
			client["ClientSecret"] = ClientSecret
		}
		answer(http.StatusOK, map[string]any{"UserPoolClient": client})
	case "AdminGetUser":
		if in.Username != w.User.Username {
			answer(http.StatusBadRequest, map[string]string{"__type": "UserNotFoundException", "message": "User does not exist."})
			return
		}
		answer(http.StatusOK, map[string]any{
			"Username": w.User.Username, "UserStatus": w.User.Status, "Enabled": true,
			"UserCreateDate": float64(w.User.Created.Unix()), "UserLastModifiedDate": float64(w.User.Linked.Unix()),
		})
	default:
		answer(http.StatusBadRequest, map[string]string{"__type": "InvalidAction", "message": "not stubbed"})
	}
}
