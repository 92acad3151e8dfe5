package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTokenBucketAdmitsTheQuota(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newTokenBucket(30, 30, func() time.Time { return now })
	admitted := 0
	for range 100 {
		if b.take() {
			admitted++
		}
	}
	if admitted != 30 {
		t.Fatalf("a full bucket admitted %d of 100 at once, want its burst of 30", admitted)
	}
	// 100 ms later three tokens are back: 30 per second.
	now = now.Add(100 * time.Millisecond)
	admitted = 0
	for range 10 {
		if b.take() {
			admitted++
		}
	}
	if admitted != 3 {
		t.Errorf("after 100 ms admitted %d, want 3", admitted)
	}
	// A long pause refills to the burst, no more.
	now = now.Add(time.Hour)
	admitted = 0
	for range 100 {
		if b.take() {
			admitted++
		}
	}
	if admitted != 30 {
		t.Errorf("after an hour admitted %d, want the burst of 30", admitted)
	}
	unlimited := newTokenBucket(0, 0, func() time.Time { return now })
	for range 1000 {
		if !unlimited.take() {
			t.Fatal("a zero-rate bucket refused a request")
		}
	}
}

func TestThrottlingCognitoAnswersLikeCognito(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stand := &throttlingCognito{bucket: newTokenBucket(1, 1, func() time.Time { return now })}
	srv := httptest.NewServer(stand)
	defer srv.Close()
	call := func(op string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(body)
	}
	status, _, body := call("ListUsers")
	if status != http.StatusOK || !strings.Contains(body, `"Username":"jane"`) {
		t.Fatalf("admitted ListUsers = %d %s", status, body)
	}
	status, header, body := call("AdminLinkProviderForUser")
	if status != http.StatusBadRequest || header.Get("X-Amzn-ErrorType") != "TooManyRequestsException" ||
		!strings.Contains(body, `"__type":"TooManyRequestsException"`) {
		t.Fatalf("over the quota = %d %v %s, want 400 TooManyRequestsException in header and body", status, header, body)
	}
	now = now.Add(time.Second)
	if status, _, body = call("AdminLinkProviderForUser"); status != http.StatusOK || body != `{}` {
		t.Errorf("admitted link = %d %s", status, body)
	}
	if requests, throttled := stand.counts(); requests != 3 || throttled != 1 {
		t.Errorf("counts = %d requests, %d throttled; want 3 and 1", requests, throttled)
	}
}

func TestSumThrottledAttempts(t *testing.T) {
	out := `{"level":"INFO","msg":"configured"}
{"level":"INFO","msg":"pre sign-up decision","decision":"link","throttled_attempts":3}
not json
{"level":"ERROR","msg":"pre sign-up decision","decision":"error","throttled_attempts":12}
`
	if sum, lines, err := sumThrottledAttempts([]byte(out)); err != nil || sum != 15 || lines != 2 {
		t.Errorf("sum = %d over %d lines, %v; want 15 over 2", sum, lines, err)
	}
	if _, _, err := sumThrottledAttempts([]byte(`{"msg":"pre sign-up decision","decision":"link"}`)); err == nil {
		t.Error("a decision line without throttled_attempts was accepted")
	}
}

func TestParseInitTrace(t *testing.T) {
	out := `init internal/bytealg @0.006 ms, 0 ms clock, 0 bytes, 0 allocs
init github.com/aws/aws-sdk-go-v2/service/sts @3.1 ms, 0.40 ms clock, 100 bytes, 2 allocs
init main @5.5 ms, 0.25 ms clock, 4312 bytes, 48 allocs
{"level":"ERROR","msg":"invalid configuration"}
`
	clock, mainAt, pkgs, err := parseInitTrace(out)
	if err != nil {
		t.Fatal(err)
	}
	if clock != 650*time.Microsecond || mainAt != 5500*time.Microsecond || len(pkgs) != 3 {
		t.Errorf("clock %v, main at %v, packages %v", clock, mainAt, pkgs)
	}
	if !credentialPackage.MatchString(pkgs[1]) || credentialPackage.MatchString("github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider") {
		t.Error("credentialPackage does not tell STS from Cognito")
	}
	if _, _, _, err := parseInitTrace("no trace at all"); err == nil {
		t.Error("output without a trace was accepted")
	}
}

func TestWaveTableMarksTargets(t *testing.T) {
	base := waveResult{instances: 20, requests: 400, elapsed: 13 * time.Second}
	control := base
	control.wave = wave{name: "control", signIns: 200}
	control.succeeded, control.latencies = 200, durations(2*time.Millisecond, 200)
	above := base
	above.wave = wave{name: "above", quota: 30, signIns: 200}
	above.succeeded, above.failed = 191, 9
	above.latencies = append(durations(time.Second, 199), 4600*time.Millisecond)
	above.throttled, above.loggedThrottled = 900, 900

	var b strings.Builder
	var v verdicts
	writeWaves(&b, &v, []waveResult{control, above})
	if len(v.missed) != 0 || v.checked != 2 {
		t.Fatalf("verdicts %+v for passing waves:\n%s", v, b.String())
	}
	if !strings.Contains(b.String(), "| above | 200 | 191 (95.5%) |") {
		t.Errorf("row missing:\n%s", b.String())
	}

	// Below 95%, an invocation over 5 s, and a log count that disagrees.
	short := above
	short.succeeded, short.failed = 180, 20
	slow := above
	slow.latencies = append(durations(time.Second, 199), 5100*time.Millisecond)
	miscounted := above
	miscounted.loggedThrottled = 899
	for _, w := range []waveResult{short, slow, miscounted} {
		var v verdicts
		writeWaves(&strings.Builder{}, &v, []waveResult{w})
		if len(v.missed) != 1 {
			t.Errorf("wave %+v passed", w)
		}
	}
}
