package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

const chainedARN = "arn:aws:lambda:us-east-1:123456789012:function:company-rules"

// fakeInvoker answers Invoke with answer and records each call's payload
// and deadline.
type fakeInvoker struct {
	mu        sync.Mutex
	answer    func(ctx context.Context) (invokeResult, error)
	payloads  [][]byte
	arns      []string
	deadlines []time.Time
}

func (f *fakeInvoker) Invoke(ctx context.Context, arn string, payload []byte) (invokeResult, error) {
	f.mu.Lock()
	f.payloads = append(f.payloads, bytes.Clone(payload))
	f.arns = append(f.arns, arn)
	deadline, _ := ctx.Deadline()
	f.deadlines = append(f.deadlines, deadline)
	f.mu.Unlock()
	return f.answer(ctx)
}

func answers(functionError, payload string) func(context.Context) (invokeResult, error) {
	return func(context.Context) (invokeResult, error) {
		return invokeResult{functionError: functionError, payload: []byte(payload)}, nil
	}
}

func echoWithResponse(response string) func(context.Context) (invokeResult, error) {
	return answers("", `{"version":"1","response":`+response+`}`)
}

// decisionLine is the one log line, decoded.
func decisionLine(t *testing.T, buf *bytes.Buffer) map[string]any {
	t.Helper()
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); err != nil {
		t.Fatalf("decision line is not one JSON object: %v\n%s", err, buf)
	}
	return line
}

func TestChainedTriggerDecidesFirst(t *testing.T) {
	native := fixture(t, "signup.json")
	descope := fixture(t, "external-descope.json")
	unverified := fixture(t, "external-descope-unverified-email.json")
	cases := []struct {
		name    string
		event   []byte
		answer  func(context.Context) (invokeResult, error)
		wantErr string // exact message; "" for success
		// wantResponse is the response the answer must carry on success.
		wantResponse   events.CognitoEventUserPoolsPreSignupResponse
		wantOutcome    string
		wantDecision   string
		wantReason     string
		wantLinkCalls  int
		wantCognitoAny bool
	}{
		{
			name: "flags kept", event: native,
			answer:       echoWithResponse(`{"autoConfirmUser":true,"autoVerifyEmail":true,"autoVerifyPhone":false}`),
			wantResponse: events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true},
			wantOutcome:  chainOK, wantDecision: "skip", wantReason: "other_trigger",
		},
		{
			name: "refusal passes through with its own message", event: native,
			answer:      answers("Unhandled", `{"errorMessage":"Sign-ups from example.net are not allowed","errorType":"Exception"}`),
			wantErr:     "Sign-ups from example.net are not allowed",
			wantOutcome: chainRefused, wantDecision: "refuse", wantReason: "chained_function",
		},
		{
			name: "refusal stops a Descope sign-in before linking", event: descope,
			answer:      answers("Handled", `{"errorMessage":"Domain not allowed","errorType":"Error"}`),
			wantErr:     "Domain not allowed",
			wantOutcome: chainRefused, wantDecision: "refuse", wantReason: "chained_function",
		},
		{
			name: "Descope sign-in chained and linked", event: descope,
			answer:       echoWithResponse(`{"autoConfirmUser":false,"autoVerifyEmail":true,"autoVerifyPhone":false}`),
			wantResponse: events.CognitoEventUserPoolsPreSignupResponse{AutoVerifyEmail: true},
			wantOutcome:  chainOK, wantDecision: "link", wantReason: "linked_existing_user", wantLinkCalls: 1, wantCognitoAny: true,
		},
		{
			name: "merge function's own refusal after the chained function allowed", event: unverified,
			answer:      echoWithResponse(`{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}`),
			wantErr:     msgUnverifiedEmail,
			wantOutcome: chainOK, wantDecision: "refuse", wantReason: "email_not_verified",
		},
		{
			name: "Lambda timed the chained function out", event: native,
			answer:      answers("Unhandled", `{"errorMessage":"2026-12-03T17:00:00.000Z 1b2c Task timed out after 3.00 seconds","errorType":"Sandbox.Timedout"}`),
			wantErr:     msgTryAgain,
			wantOutcome: chainTimeout, wantDecision: "error", wantReason: "chained_timeout",
		},
		{
			name: "throttled", event: native,
			answer: func(context.Context) (invokeResult, error) {
				return invokeResult{}, &lambdaAPIError{status: 429, code: "TooManyRequestsException", message: "Rate Exceeded."}
			},
			wantErr:     msgTryAgain,
			wantOutcome: chainThrottled, wantDecision: "error", wantReason: "chained_throttled",
		},
		{
			name: "Lambda service error", event: native,
			answer: func(context.Context) (invokeResult, error) {
				return invokeResult{}, &lambdaAPIError{status: 500, code: "ServiceException", message: "boom"}
			},
			wantErr:     msgTryAgain,
			wantOutcome: chainFailed, wantDecision: "error", wantReason: "chained_failed",
		},
		{
			name: "answer without a response", event: native,
			answer:      answers("", `null`),
			wantErr:     msgTryAgain,
			wantOutcome: chainFailed, wantDecision: "error", wantReason: "chained_failed",
		},
		{
			name: "function error without a message", event: native,
			answer:      answers("Unhandled", `not json`),
			wantErr:     msgTryAgain,
			wantOutcome: chainFailed, wantDecision: "error", wantReason: "chained_failed",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := newFake(jane())
			h, buf := newTestHandler(defaultCfg, fake)
			invoker := &fakeInvoker{answer: c.answer}
			h.chain = &chainedTrigger{arn: chainedARN, api: invoker}

			out, err := h.HandleRaw(context.Background(), c.event)

			if len(invoker.payloads) != 1 || !bytes.Equal(invoker.payloads[0], c.event) || invoker.arns[0] != chainedARN {
				t.Fatalf("chained calls = %d (arns %v), want one with the event as sent", len(invoker.payloads), invoker.arns)
			}
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("HandleRaw: %v", err)
			case c.wantErr != "" && (err == nil || err.Error() != c.wantErr):
				t.Fatalf("error = %v, want exactly %q", err, c.wantErr)
			}
			if c.wantErr == "" {
				var got, in map[string]json.RawMessage
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("answer is not an object: %s", out)
				}
				if err := json.Unmarshal(c.event, &in); err != nil {
					t.Fatal(err)
				}
				var resp events.CognitoEventUserPoolsPreSignupResponse
				if err := json.Unmarshal(got["response"], &resp); err != nil || resp != c.wantResponse {
					t.Errorf("response = %s, want %+v", got["response"], c.wantResponse)
				}
				delete(got, "response")
				delete(in, "response")
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(in)
				if !bytes.Equal(g, w) {
					t.Errorf("answer changed more than the response:\n got %s\nwant %s", g, w)
				}
			}
			if got := len(fake.linkCalls); got != c.wantLinkCalls {
				t.Errorf("link calls = %d, want %d", got, c.wantLinkCalls)
			}
			if !c.wantCognitoAny && c.wantDecision != "refuse" && fake.calls() != 0 {
				t.Errorf("Cognito calls = %d, want none", fake.calls())
			}
			line := decisionLine(t, buf)
			if line["decision"] != c.wantDecision || line["reason"] != c.wantReason || line["chained_outcome"] != c.wantOutcome {
				t.Errorf("decision line: decision=%v reason=%v chained_outcome=%v, want %s %s %s", line["decision"], line["reason"], line["chained_outcome"], c.wantDecision, c.wantReason, c.wantOutcome)
			}
			if _, ok := line["chained_ms"].(float64); !ok {
				t.Errorf("decision line has no chained_ms: %v", line)
			}
			if strings.Contains(buf.String(), "example.net") || strings.Contains(buf.String(), janeEmail) {
				t.Errorf("decision line holds the chained function's message or an email: %s", buf)
			}
		})
	}
}

func TestWithoutChainTheDecisionLineHasNoChainFields(t *testing.T) {
	h, buf := newTestHandler(defaultCfg, newFake())
	if _, err := h.HandleRaw(context.Background(), fixture(t, "signup.json")); err != nil {
		t.Fatal(err)
	}
	if line := decisionLine(t, buf); line["chained_outcome"] != nil || line["chained_ms"] != nil {
		t.Errorf("decision line without chaining has chain fields: %v", line)
	}
}

// The chained call gets what is left of the budget less the linking reserve
// for a Descope event, all of it otherwise, and the linking that follows
// runs under the same invocation deadline, not a fresh one.
func TestChainedCallBudget(t *testing.T) {
	for _, c := range []struct {
		name        string
		event       string
		wantReserve time.Duration
	}{
		{"Descope event keeps time for linking", "external-descope.json", linkingReserve},
		{"other events get all of it", "signup.json", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := newFake(jane())
			h, _ := newTestHandler(defaultCfg, fake)
			invoker := &fakeInvoker{answer: echoWithResponse(`{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}`)}
			h.chain = &chainedTrigger{arn: chainedARN, api: invoker}
			start := time.Now()
			if _, err := h.HandleRaw(context.Background(), fixture(t, c.event)); err != nil {
				t.Fatal(err)
			}
			want := start.Add(cognitoBudget - safetyMargin - c.wantReserve)
			if got := invoker.deadlines[0]; got.Before(want.Add(-50*time.Millisecond)) || got.After(want.Add(50*time.Millisecond)) {
				t.Errorf("chained deadline %s after start, want %s", got.Sub(start), want.Sub(start))
			}
		})
	}

	t.Run("linking after a slow chained call keeps the invocation deadline", func(t *testing.T) {
		fake := newFake(jane())
		recorder := &deadlineRecorder{cognitoAPI: fake}
		h, _ := newTestHandler(defaultCfg, recorder)
		clock := time.Now()
		h.now = func() time.Time { return clock }
		// The chained call takes 3.2 of the 4.5 s: 1.3 s are left, and
		// linking must not start a fresh 4.5 s from here.
		invoker := &fakeInvoker{answer: func(context.Context) (invokeResult, error) {
			clock = clock.Add(3200 * time.Millisecond)
			return echoWithResponse(`{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}`)(context.Background())
		}}
		h.chain = &chainedTrigger{arn: chainedARN, api: &budgetIgnoringInvoker{invoker}}
		if _, err := h.HandleRaw(context.Background(), fixture(t, "external-descope.json")); err != nil {
			t.Fatal(err)
		}
		start := clock.Add(-3200 * time.Millisecond)
		if want := start.Add(cognitoBudget - safetyMargin); !recorder.deadline.Equal(want) {
			t.Errorf("linking deadline = start + %s, want start + %s", recorder.deadline.Sub(start), cognitoBudget-safetyMargin)
		}
	})

	t.Run("too little time left fails closed without calling", func(t *testing.T) {
		h, buf := newTestHandler(defaultCfg, newFake(jane()))
		invoker := &fakeInvoker{answer: echoWithResponse(`{}`)}
		h.chain = &chainedTrigger{arn: chainedARN, api: invoker}
		// Lambda's deadline leaves 0.3 s after the safety margin: less
		// than the linking reserve of a Descope event.
		ctx, cancel := context.WithTimeout(context.Background(), safetyMargin+300*time.Millisecond)
		defer cancel()
		_, err := h.HandleRaw(ctx, fixture(t, "external-descope.json"))
		if err == nil || err.Error() != msgTryAgain || !errors.Is(err, errBudget) {
			t.Fatalf("error = %v, want the retry message over errBudget", err)
		}
		if len(invoker.payloads) != 0 {
			t.Errorf("chained function called %d times with no time for it", len(invoker.payloads))
		}
		if line := decisionLine(t, buf); line["chained_outcome"] != chainTimeout {
			t.Errorf("chained_outcome = %v, want %s", line["chained_outcome"], chainTimeout)
		}
	})

	t.Run("a hung chained function times out at its deadline", func(t *testing.T) {
		h, buf := newTestHandler(defaultCfg, newFake())
		h.chain = &chainedTrigger{arn: chainedARN, api: &fakeInvoker{answer: func(ctx context.Context) (invokeResult, error) {
			<-ctx.Done()
			return invokeResult{}, ctx.Err()
		}}}
		ctx, cancel := context.WithTimeout(context.Background(), safetyMargin+300*time.Millisecond)
		defer cancel()
		_, err := h.HandleRaw(ctx, fixture(t, "signup.json"))
		if err == nil || err.Error() != msgTryAgain {
			t.Fatalf("error = %v, want the retry message", err)
		}
		if line := decisionLine(t, buf); line["chained_outcome"] != chainTimeout || line["reason"] != "chained_timeout" {
			t.Errorf("decision line = %v, want chained_outcome %s", line, chainTimeout)
		}
	})
}

// deadlineRecorder records the deadline of the first ListUsers call.
type deadlineRecorder struct {
	cognitoAPI
	deadline time.Time
}

func (r *deadlineRecorder) ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	if r.deadline.IsZero() {
		r.deadline, _ = ctx.Deadline()
	}
	return r.cognitoAPI.ListUsers(ctx, in, optFns...)
}

// budgetIgnoringInvoker drops the context's deadline, so a test's fake clock
// decides the budget.
type budgetIgnoringInvoker struct{ next lambdaInvoker }

func (b *budgetIgnoringInvoker) Invoke(_ context.Context, arn string, payload []byte) (invokeResult, error) {
	return b.next.Invoke(context.Background(), arn, payload)
}

func TestNewChainedTriggerConfiguration(t *testing.T) {
	base := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDFAKE", "AWS_SECRET_ACCESS_KEY": "fake"}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	t.Run("unset means no chaining", func(t *testing.T) {
		chain, err := newChainedTrigger(lookupIn(base))
		if err != nil || chain != nil {
			t.Fatalf("chain = %v, err = %v; want nil, nil", chain, err)
		}
	})
	for _, c := range []struct {
		name, arn, want string
	}{
		{"not an ARN", "company-rules", "not a Lambda function ARN"},
		{"not a function", "arn:aws:sns:us-east-1:123456789012:topic", "not a Lambda function ARN"},
		{"short account", "arn:aws:lambda:us-east-1:12345:function:company-rules", "not a Lambda function ARN"},
		{"empty qualifier", chainedARN + ":", "not a Lambda function ARN"},
		{"bad name", "arn:aws:lambda:us-east-1:123456789012:function:company rules", "not a Lambda function ARN"},
		{"another region", "arn:aws:lambda:eu-west-1:123456789012:function:company-rules", "in eu-west-1, not in this function's region us-east-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := newChainedTrigger(lookupIn(with(envChainedPreSignUpARN, c.arn)))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), envChainedPreSignUpARN) {
				t.Fatalf("error = %v, want one naming %s and %q", err, envChainedPreSignUpARN, c.want)
			}
		})
	}
	for _, c := range []struct {
		name, arn, region, endpoint, want string
	}{
		{"public endpoint", chainedARN, "us-east-1", "", "https://lambda.us-east-1.amazonaws.com"},
		{"China", "arn:aws-cn:lambda:cn-north-1:123456789012:function:rules", "cn-north-1", "", "https://lambda.cn-north-1.amazonaws.com.cn"},
		{"version qualifier", chainedARN + ":7", "us-east-1", "", "https://lambda.us-east-1.amazonaws.com"},
		{"configured endpoint", chainedARN, "us-east-1", "http://127.0.0.1:9001", "http://127.0.0.1:9001"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := with(envChainedPreSignUpARN, c.arn, "AWS_REGION", c.region)
			if c.endpoint != "" {
				env[envEndpointLambda] = c.endpoint
			}
			chain, err := newChainedTrigger(lookupIn(env))
			if err != nil {
				t.Fatal(err)
			}
			if got := chain.api.(*invokeClient).endpoint; got != c.want || chain.arn != c.arn {
				t.Errorf("endpoint = %q, arn = %q; want %q, %q", got, chain.arn, c.want, c.arn)
			}
		})
	}
	t.Run("missing credentials", func(t *testing.T) {
		env := with(envChainedPreSignUpARN, chainedARN)
		delete(env, "AWS_SECRET_ACCESS_KEY")
		if _, err := newChainedTrigger(lookupIn(env)); err == nil || !strings.Contains(err.Error(), "AWS_SECRET_ACCESS_KEY") {
			t.Fatalf("error = %v, want one naming AWS_SECRET_ACCESS_KEY", err)
		}
	})
}

// The invoke client speaks Lambda's REST protocol: the request as the SDK
// would send it, signed for lambda in the region, and each kind of answer.
func TestInvokeClientProtocol(t *testing.T) {
	type seen struct {
		method, path, invocationType, auth, token string
		body                                      []byte
	}
	var got seen
	var status int
	var header map[string]string
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.URL.EscapedPath(), r.Header.Get("X-Amz-Invocation-Type"), r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token"), b}
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	creds := aws.Credentials{AccessKeyID: "AKIDFAKE", SecretAccessKey: "fake", SessionToken: "session"}
	client := newInvokeClient(srv.URL+"/", "us-east-1", aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }))

	status, header, body = 200, map[string]string{}, `{"response":{}}`
	res, err := client.Invoke(context.Background(), chainedARN, []byte(`{"a":1}`))
	if err != nil || res.functionError != "" || string(res.payload) != body {
		t.Fatalf("success: %+v, %v", res, err)
	}
	if got.method != http.MethodPost || got.path != "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Acompany-rules/invocations" ||
		got.invocationType != "RequestResponse" || string(got.body) != `{"a":1}` {
		t.Errorf("request = %+v", got)
	}
	if !strings.Contains(got.auth, "Credential=AKIDFAKE/") || !strings.Contains(got.auth, "/us-east-1/lambda/aws4_request") || got.token != "session" {
		t.Errorf("signature = %q, token = %q: want SigV4 for lambda in us-east-1 with the session token", got.auth, got.token)
	}

	status, header, body = 200, map[string]string{"X-Amz-Function-Error": "Unhandled"}, `{"errorMessage":"no"}`
	if res, err = client.Invoke(context.Background(), chainedARN, []byte(`{}`)); err != nil || res.functionError != "Unhandled" || string(res.payload) != body {
		t.Errorf("function error: %+v, %v", res, err)
	}

	status, header, body = 429, map[string]string{"X-Amzn-ErrorType": "TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.lambda/"}, `{"Type":"User","message":"Rate Exceeded."}`
	if _, err = client.Invoke(context.Background(), chainedARN, []byte(`{}`)); !isThrottle(err) || !strings.Contains(err.Error(), "Rate Exceeded.") {
		t.Errorf("throttle: %v, want a TooManyRequestsException", err)
	}
	status, header, body = 429, map[string]string{}, ``
	if _, err = client.Invoke(context.Background(), chainedARN, []byte(`{}`)); !isThrottle(err) {
		t.Errorf("bare 429: %v, want a throttle", err)
	}
	status, header, body = 403, map[string]string{"X-Amzn-ErrorType": "AccessDeniedException"}, `{"Message":"not authorized to perform: lambda:InvokeFunction"}`
	var apiErr *lambdaAPIError
	if _, err = client.Invoke(context.Background(), chainedARN, []byte(`{}`)); !errors.As(err, &apiErr) || apiErr.code != "AccessDeniedException" || isThrottle(err) || !strings.Contains(err.Error(), "lambda:InvokeFunction") {
		t.Errorf("access denied: %v", err)
	}
}
