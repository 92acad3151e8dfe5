package main

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// These tests run the real SDK client, built exactly as main builds it,
// against a loopback server. The environment pins fake credentials, a region
// and the endpoint, and turns off the instance metadata service, so nothing
// can reach AWS. They use t.Setenv and therefore do not run in parallel.

func isolateAWSEnv(t *testing.T, endpoint string) {
	t.Helper()
	missing := filepath.Join(t.TempDir(), "missing")
	for k, v := range map[string]string{
		"AWS_REGION":                                 "us-east-1",
		"AWS_DEFAULT_REGION":                         "",
		"AWS_ACCESS_KEY_ID":                          "AKIDFAKEFORTESTS",
		"AWS_SECRET_ACCESS_KEY":                      "fake-secret-for-tests",
		"AWS_SESSION_TOKEN":                          "",
		"AWS_PROFILE":                                "",
		"AWS_CONFIG_FILE":                            missing,
		"AWS_SHARED_CREDENTIALS_FILE":                missing,
		"AWS_EC2_METADATA_DISABLED":                  "true",
		"AWS_ENDPOINT_URL":                           "",
		"AWS_MAX_ATTEMPTS":                           "",
		"AWS_RETRY_MODE":                             "",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": endpoint,
	} {
		t.Setenv(k, v)
	}
}

// fakeCognitoServer answers Cognito's JSON protocol from a script per
// operation; past the end of a script the last answer repeats.
type fakeCognitoServer struct {
	mu      sync.Mutex
	scripts map[string][]cannedResponse
	calls   map[string]int
	auth    []string
	tokens  []string
	hang    bool
}

type cannedResponse struct {
	status int
	body   string
}

func throttled() cannedResponse {
	return cannedResponse{400, `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`}
}

const janeListUsers = `{"Users":[{"Username":"` + janeName + `","Enabled":true,"UserStatus":"CONFIRMED",` +
	`"Attributes":[{"Name":"email","Value":"` + janeEmail + `"},{"Name":"email_verified","Value":"true"}]}]}`

func startServer(t *testing.T, s *fakeCognitoServer) string {
	t.Helper()
	s.calls = map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
		_, _ = io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		n := s.calls[op]
		s.calls[op]++
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.tokens = append(s.tokens, r.Header.Get("X-Amz-Security-Token"))
		script, hang := s.scripts[op], s.hang
		s.mu.Unlock()
		if hang {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		if len(script) == 0 {
			http.Error(w, `{"__type":"InternalErrorException","message":"unscripted"}`, http.StatusInternalServerError)
			return
		}
		resp := script[min(n, len(script)-1)]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(resp.status)
		_, _ = io.WriteString(w, resp.body)
	}))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server is not on loopback: %s", srv.URL)
	}
	return srv.URL
}

func (s *fakeCognitoServer) count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

func sdkHandler(t *testing.T, endpoint string) *Handler {
	t.Helper()
	isolateAWSEnv(t, endpoint)
	client, err := newCognitoClient(os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newTestHandler(defaultCfg, client)
	return h
}

func TestSDKRetriesThrottlingThenLinks(t *testing.T) {
	s := &fakeCognitoServer{scripts: map[string][]cannedResponse{
		"ListUsers":                {throttled(), throttled(), {200, janeListUsers}},
		"AdminLinkProviderForUser": {throttled(), {200, `{}`}},
	}}
	h := sdkHandler(t, startServer(t, s))
	in := fixture(t, "external-descope.json")

	out, err := h.HandleRaw(context.Background(), in)
	if err != nil {
		t.Fatalf("HandleRaw: %v", err)
	}
	if string(out) != string(in) {
		t.Errorf("event changed")
	}
	if got := s.count("ListUsers"); got != 3 {
		t.Errorf("ListUsers attempts = %d, want 3 (two throttled, one answered)", got)
	}
	if got := s.count("AdminLinkProviderForUser"); got != 2 {
		t.Errorf("link attempts = %d, want 2", got)
	}
	for _, a := range s.auth {
		if !strings.Contains(a, "Credential=AKIDFAKEFORTESTS/") || !strings.Contains(a, "/us-east-1/cognito-idp/") {
			t.Fatalf("request not signed with the fake credentials and region: %q", a)
		}
	}
}

func TestSDKPersistentThrottlingFailsClosedWithinBudget(t *testing.T) {
	s := &fakeCognitoServer{scripts: map[string][]cannedResponse{"ListUsers": {throttled()}}}
	isolateAWSEnv(t, startServer(t, s))
	client, err := newCognitoClient(os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	h, logs := newTestHandler(defaultCfg, client)
	// A 1.5 s Lambda deadline leaves 1 s after the safety margin.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err = h.HandleRaw(ctx, fixture(t, "external-descope.json"))
	elapsed := time.Since(start)

	var tooMany *types.TooManyRequestsException
	if outcome(err) != "failed" || !errors.As(err, &tooMany) || !errors.Is(err, errBudget) {
		t.Fatalf("err = %v, want a failure caused by TooManyRequestsException once the budget ran out", err)
	}
	// Throttled answers are instant here, so the budget allows many
	// attempts: far more than the old fixed 3.
	attempts := s.count("ListUsers")
	if attempts < 5 {
		t.Errorf("ListUsers attempts = %d, want the 1 s budget spent on retries", attempts)
	}
	if s.count("AdminLinkProviderForUser") != 0 {
		t.Errorf("linked despite failing to list users")
	}
	if elapsed > time.Second {
		t.Errorf("took %v, over the 1 s budget", elapsed)
	}
	lines := logLines(t, logs)
	if len(lines) != 1 || lines[0]["decision"] != "error" || lines[0]["throttled_attempts"] != float64(attempts) {
		t.Errorf("decision line = %v, want decision error and throttled_attempts %d", lines, attempts)
	}
}

func TestSDKAccessDeniedIsNotRetried(t *testing.T) {
	s := &fakeCognitoServer{scripts: map[string][]cannedResponse{"ListUsers": {
		{400, `{"__type":"NotAuthorizedException","message":"User is not authorized"}`},
	}}}
	h := sdkHandler(t, startServer(t, s))

	start := time.Now()
	_, err := h.HandleRaw(context.Background(), fixture(t, "external-descope.json"))
	if outcome(err) != "failed" {
		t.Fatalf("err = %v, want a failure", err)
	}
	if got := s.count("ListUsers"); got != 1 {
		t.Errorf("ListUsers attempts = %d, want 1", got)
	}
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Errorf("took %v to fail on access denied", elapsed)
	}
}

func TestSDKHungCognitoFailsClosedBeforeTheDeadline(t *testing.T) {
	s := &fakeCognitoServer{hang: true}
	h := sdkHandler(t, startServer(t, s))
	// A 2 s Lambda deadline leaves 1.5 s after the safety margin.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	start := time.Now()
	_, err := h.HandleRaw(ctx, fixture(t, "external-descope.json"))
	elapsed := time.Since(start)

	if outcome(err) != "failed" {
		t.Fatalf("err = %v, want a failure", err)
	}
	if elapsed > 1800*time.Millisecond {
		t.Errorf("took %v; the invocation deadline was 1.5 s", elapsed)
	}
	if got := s.count("ListUsers"); got != 1 {
		t.Errorf("ListUsers attempts = %d, want 1 (only one attempt fits)", got)
	}
}

func TestSDKUnrelatedTriggerMakesNoRequest(t *testing.T) {
	s := &fakeCognitoServer{scripts: map[string][]cannedResponse{}}
	h := sdkHandler(t, startServer(t, s))
	for _, name := range []string{"signup.json", "admin-create-user.json", "external-google.json"} {
		if _, err := h.HandleRaw(context.Background(), fixture(t, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(s.auth) != 0 {
		t.Errorf("%d requests for unrelated triggers", len(s.auth))
	}
}

func TestNewCognitoClientNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"AWS_REGION":            "eu-west-1",
		"AWS_ACCESS_KEY_ID":     "AKIDFAKEFORTESTS",
		"AWS_SECRET_ACCESS_KEY": "fake-secret-for-tests",
	}
	cases := []struct {
		unset string
		want  []string
	}{
		{"AWS_REGION", []string{"set AWS_REGION"}},
		{"AWS_ACCESS_KEY_ID", []string{"set AWS_ACCESS_KEY_ID", "execution role"}},
		{"AWS_SECRET_ACCESS_KEY", []string{"set AWS_SECRET_ACCESS_KEY", "execution role"}},
	}
	for _, c := range cases {
		env := maps.Clone(full)
		env[c.unset] = " "
		_, err := newCognitoClient(lookupIn(env))
		if err == nil {
			t.Errorf("without %s: no error", c.unset)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("without %s: err = %q, want it to say %q", c.unset, err, w)
			}
		}
	}
	if _, err := newCognitoClient(lookupIn(full)); err != nil {
		t.Errorf("with region and credentials: %v", err)
	}
}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

func TestConfiguredEndpointFollowsTheSDKRule(t *testing.T) {
	t.Parallel()
	const service, global = "http://127.0.0.1:1001", "http://127.0.0.1:1002"
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"none", map[string]string{}, ""},
		{"global only", map[string]string{"AWS_ENDPOINT_URL": global}, global},
		{"service wins", map[string]string{"AWS_ENDPOINT_URL": global, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": service}, service},
		{"ignored", map[string]string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": service, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, ""},
	}
	for _, c := range cases {
		get := func(name string) string { return c.env[name] }
		if got := configuredEndpoint(get, envEndpointCognito); got != c.want {
			t.Errorf("%s: endpoint = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSDKClientSignsWithSessionToken(t *testing.T) {
	s := &fakeCognitoServer{scripts: map[string][]cannedResponse{"ListUsers": {{200, `{"Users":[]}`}}}}
	isolateAWSEnv(t, startServer(t, s))
	t.Setenv("AWS_SESSION_TOKEN", "fake-session-token")
	client, err := newCognitoClient(os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newTestHandler(defaultCfg, client)
	if _, err := h.HandleRaw(context.Background(), fixture(t, "external-descope.json")); err != nil {
		t.Fatalf("HandleRaw: %v", err)
	}
	s.mu.Lock()
	tokens := s.tokens
	s.mu.Unlock()
	if len(tokens) == 0 || tokens[0] != "fake-session-token" {
		t.Errorf("X-Amz-Security-Token = %q, want the session token from the environment", tokens)
	}
}
