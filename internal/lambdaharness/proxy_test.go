package lambdaharness

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func startProxy(t *testing.T, opts ProxyOptions) *CognitoProxy {
	t.Helper()
	p, err := StartCognitoProxy(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// callCognito posts an awsJson1_1 request as the SDKs do.
func callCognito(t *testing.T, url, operation, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", cognitoTargetPrefix+operation)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: response is not JSON: %s", operation, raw)
	}
	return resp.StatusCode, out
}

func TestProxyForwardsAndAnswersLinkItself(t *testing.T) {
	var (
		mu              sync.Mutex
		upstreamTargets []string
	)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		upstreamTargets = append(upstreamTargets, r.Header.Get("X-Amz-Target"))
		mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{"Users":[],"Echo":` + string(body) + `}`))
	}))
	defer upstream.Close()
	p := startProxy(t, ProxyOptions{Upstream: upstream.URL})

	status, out := callCognito(t, p.URL, OpListUsers, `{"UserPoolId":"pool","Filter":"email = \"a@example.com\""}`)
	if status != http.StatusOK || out["Echo"].(map[string]any)["UserPoolId"] != "pool" {
		t.Fatalf("forwarded ListUsers: %d %v", status, out)
	}
	link := `{"UserPoolId":"pool","DestinationUser":{"ProviderName":"Cognito","ProviderAttributeValue":"alice"},` +
		`"SourceUser":{"ProviderName":"Descope","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"sub-1"}}`
	if status, out := callCognito(t, p.URL, OpAdminLinkProviderForUser, link); status != http.StatusOK || len(out) != 0 {
		t.Fatalf("AdminLinkProviderForUser: %d %v, want 200 {}", status, out)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(upstreamTargets) != 1 || upstreamTargets[0] != cognitoTargetPrefix+OpListUsers {
		t.Errorf("upstream saw %v, want only ListUsers", upstreamTargets)
	}
	if counts := p.Counts(); counts[OpListUsers] != 1 || counts[OpAdminLinkProviderForUser] != 1 || p.TotalCalls() != 2 {
		t.Errorf("counts = %v", counts)
	}
	links, err := p.LinkRequests()
	if err != nil {
		t.Fatal(err)
	}
	want := LinkRequest{
		UserPoolID:      "pool",
		DestinationUser: ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: "alice"},
		SourceUser:      ProviderUser{ProviderName: "Descope", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "sub-1"},
	}
	if len(links) != 1 || links[0] != want {
		t.Errorf("links = %+v, want [%+v]", links, want)
	}

	p.Reset()
	if p.TotalCalls() != 0 {
		t.Errorf("Reset left %d calls", p.TotalCalls())
	}
}

func TestProxyThrottlesThenRecovers(t *testing.T) {
	p := startProxy(t, ProxyOptions{StubListUsers: StubUsersByEmail(nil)})
	p.Throttle(OpListUsers, 2)

	for i := 0; i < 2; i++ {
		status, out := callCognito(t, p.URL, OpListUsers, `{"UserPoolId":"pool"}`)
		if status != http.StatusBadRequest || out["__type"] != "TooManyRequestsException" {
			t.Fatalf("call %d: %d %v, want 400 TooManyRequestsException", i, status, out)
		}
	}
	if status, _ := callCognito(t, p.URL, OpListUsers, `{"UserPoolId":"pool"}`); status != http.StatusOK {
		t.Fatalf("third call: status %d, want 200", status)
	}
	if got := p.Counts()[OpListUsers]; got != 3 {
		t.Errorf("ListUsers count = %d, want 3 (throttled calls count too)", got)
	}
}

// The throttling error must look like Cognito's to the AWS SDK: its retryer
// has to classify it as a throttle and try again.
func TestProxyThrottleIsRetriedBySDK(t *testing.T) {
	stub := StubUsersByEmail(map[string][]StubUser{
		"a@example.com": {{Username: "alice", Enabled: true, Status: "CONFIRMED", Attributes: map[string]string{"email": "a@example.com"}}},
	})
	p := startProxy(t, ProxyOptions{StubListUsers: stub})
	admin, err := NewCognitoAdmin(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	p.Throttle(OpListUsers, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	users, err := admin.ListUsersByEmail(ctx, "pool", "a@example.com")
	if err != nil {
		t.Fatalf("ListUsers after one throttle: %v", err)
	}
	if len(users) != 1 || aws.ToString(users[0].Username) != "alice" {
		t.Errorf("users = %+v", users)
	}
	if got := p.Counts()[OpListUsers]; got != 2 {
		t.Errorf("ListUsers count = %d, want 2 (one throttled, one retried)", got)
	}
}

func TestStubUsersByEmailMatchesExactly(t *testing.T) {
	alice := StubUser{Username: "alice"}
	stub := StubUsersByEmail(map[string][]StubUser{`a"q@example.com`: {alice}, "b@example.com": {alice, alice}})
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{`email = "b@example.com"`, 2},
		{`email="b@example.com"`, 2},
		{`email = "a\"q@example.com"`, 1},
		{`email = "B@example.com"`, 0},
		{`email ^= "b@"`, 0},
		{`username = "b@example.com"`, 0},
	} {
		if got := len(stub(tc.filter)); got != tc.want {
			t.Errorf("%s: %d users, want %d", tc.filter, got, tc.want)
		}
	}
}

func TestProxyWithoutUpstreamRefusesOtherOperations(t *testing.T) {
	p := startProxy(t, ProxyOptions{StubListUsers: StubUsersByEmail(nil)})
	status, out := callCognito(t, p.URL, "AdminGetUser", `{}`)
	if status != http.StatusInternalServerError || out["__type"] != "HarnessUnsupported" {
		t.Errorf("AdminGetUser on stub: %d %v", status, out)
	}
}

func TestProxyRefusesNonLoopbackUpstream(t *testing.T) {
	if _, err := StartCognitoProxy(ProxyOptions{Upstream: "https://cognito-idp.us-east-1.amazonaws.com"}); err == nil {
		t.Fatal("proxy accepted a real AWS endpoint as upstream")
	}
}
