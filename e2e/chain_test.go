package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// The chained function: a pool's own pre sign-up rules, a second real
// function run behind a stand-in of Lambda's Invoke API.
const (
	rulesARN      = "arn:aws:lambda:" + lambdaharness.Region + ":000000000000:function:company-rules"
	confirmDomain = "example.com"
	refuseDomain  = "example.net"
	slowDomain    = "slow.example.org"
	// Cognito shows a trigger's error message as "PreSignUp failed with
	// error <message>.": the chained function's own message must come
	// through unchanged.
	rulesRefusal = "Sign-ups from " + refuseDomain + " are not allowed"
	retryMessage = "Sign-in could not be completed, please try again"
)

var (
	rulesOnce     sync.Once
	rulesArtifact lambdabuild.Artifact
	rulesErr      error
)

// rulesFunction builds internal/lambdaharness/presignuprules once per run.
func rulesFunction(t *testing.T) lambdabuild.Artifact {
	t.Helper()
	rulesOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		root, err := lambdaharness.ModuleRoot()
		if err != nil {
			rulesErr = err
			return
		}
		dir := filepath.Join(root, "internal", "lambdaharness", "presignuprules")
		// Stat what the build reads, as statBuildInputs does, so an edit
		// invalidates a cached pass.
		if rulesErr = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				_, err = os.Stat(path)
			}
			return err
		}); rulesErr != nil {
			return
		}
		rulesArtifact, rulesErr = lambdabuild.Build(ctx, lambdabuild.Options{
			Package:   "./internal/lambdaharness/presignuprules",
			ModuleDir: root,
			OutputDir: filepath.Join(tmpDir, "presignuprules"),
			GOARCH:    runtime.GOARCH,
		})
	})
	if rulesErr != nil {
		t.Fatalf("build the chained test function: %v", rulesErr)
	}
	return rulesArtifact
}

// chainFixture is a fixture whose merge function chains the rules function.
type chainFixture struct {
	*fixture
	lambdaAPI *lambdaharness.InvokeAPI
	rules     *lambdaharness.Sandbox
}

// newChainFixture starts the rules function (with Lambda timeout
// rulesTimeout), the Invoke stand-in in front of it, and the merge function
// chaining it.
func newChainFixture(t *testing.T, rulesTimeout time.Duration) *chainFixture {
	t.Helper()
	rules := rulesFunction(t)
	sandbox, err := lambdaharness.StartSandbox(lambdaharness.FunctionOptions{
		Command: []string{rules.BinaryPath},
		Dir:     filepath.Dir(rules.BinaryPath),
		// The rules function calls no AWS service.
		CognitoEndpoint: "http://127.0.0.1:9",
		Env:             []string{"AUTO_CONFIRM_DOMAIN=" + confirmDomain, "REFUSE_DOMAIN=" + refuseDomain, "SLOW_DOMAIN=" + slowDomain},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := sandbox.Stop(); err != nil {
			t.Error(err)
		}
	})
	api, err := lambdaharness.StartInvokeAPI(map[string]lambdaharness.InvokeTarget{rulesARN: {Sandbox: sandbox, Timeout: rulesTimeout}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	f := newFixture(t, "CHAINED_PRE_SIGN_UP_ARN="+rulesARN, "AWS_ENDPOINT_URL_LAMBDA="+api.URL)
	return &chainFixture{fixture: f, lambdaAPI: api, rules: sandbox}
}

// chainedOnce asserts the rules function got exactly event, once, signed
// with the function's credentials for Lambda in its region.
func (f *chainFixture) chainedOnce(event []byte) {
	f.t.Helper()
	calls := f.lambdaAPI.Calls()
	if len(calls) != 1 {
		f.t.Fatalf("chained invocations = %d, want 1", len(calls))
	}
	c := calls[0]
	if c.FunctionName != rulesARN || c.InvocationType != "RequestResponse" || !bytes.Equal(c.Payload, event) {
		f.t.Errorf("chained call = %s %s %s, want %s RequestResponse with the event as sent", c.FunctionName, c.InvocationType, c.Payload, rulesARN)
	}
	if !strings.Contains(c.Authorization, "Credential="+lambdaharness.FakeAccessKeyID+"/") || !strings.Contains(c.Authorization, "/"+lambdaharness.Region+"/lambda/aws4_request") {
		f.t.Errorf("Authorization = %q, want SigV4 for lambda in %s", c.Authorization, lambdaharness.Region)
	}
}

// answeredWith asserts the function let the sign-up go on with event, its
// response set to want.
func (f *chainFixture) answeredWith(r lambdaharness.Result, event []byte, want events.CognitoEventUserPoolsPreSignupResponse) {
	f.t.Helper()
	if r.Error != nil {
		f.t.Fatalf("function failed: %s\nfunction output:\n%s", r.Error.Raw, f.sandbox.Function.Output())
	}
	var got, sent map[string]any
	if err := json.Unmarshal(r.Response, &got); err != nil {
		f.t.Fatalf("response is not JSON: %s", r.Response)
	}
	if err := json.Unmarshal(event, &sent); err != nil {
		f.t.Fatal(err)
	}
	var resp events.CognitoEventUserPoolsPreSignupResponse
	raw, _ := json.Marshal(got["response"])
	if err := json.Unmarshal(raw, &resp); err != nil || resp != want {
		f.t.Errorf("response = %s, want %+v", raw, want)
	}
	delete(got, "response")
	delete(sent, "response")
	if !reflect.DeepEqual(got, sent) {
		f.t.Errorf("answer changes more than the response:\n got %v\nwant %v", got, sent)
	}
}

// lastDecision stops the merge function and returns its last decision line.
func (f *chainFixture) lastDecision() map[string]any {
	f.t.Helper()
	f.stop()
	var last map[string]any
	for _, line := range bytes.Split(f.sandbox.Function.Output(), []byte("\n")) {
		var entry map[string]any
		if json.Unmarshal(line, &entry) == nil && entry["msg"] == "pre sign-up decision" {
			last = entry
		}
	}
	if last == nil {
		f.t.Fatalf("no decision line:\n%s", f.sandbox.Function.Output())
	}
	return last
}

func (f *chainFixture) decided(decision, reason, outcome string) map[string]any {
	f.t.Helper()
	line := f.lastDecision()
	if line["decision"] != decision || line["reason"] != reason || line["chained_outcome"] != outcome {
		f.t.Errorf("decision line: decision=%v reason=%v chained_outcome=%v, want %s %s %s", line["decision"], line["reason"], line["chained_outcome"], decision, reason, outcome)
	}
	if _, ok := line["chained_ms"].(float64); !ok {
		f.t.Errorf("decision line has no chained_ms: %v", line)
	}
	return line
}

func TestChainedDescopeSignInIsConfirmedByTheRulesAndLinked(t *testing.T) {
	f := newChainFixture(t, 3*time.Second)
	jane := f.user("jane", "jane.doe@"+confirmDomain, true)
	event := f.descopeSignUp("U2xAbCdEf123", "jane.doe@"+confirmDomain).Event()

	f.answeredWith(f.invoke(event), event, events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true})
	f.chainedOnce(event)
	links := f.links()
	if len(links) != 1 || links[0].DestinationUser.ProviderAttributeValue != jane || links[0].SourceUser.ProviderAttributeValue != "U2xAbCdEf123" {
		t.Errorf("links = %+v, want the Descope subject linked to %s", links, jane)
	}
	f.calls(map[string]int{lambdaharness.OpListUsers: 1, lambdaharness.OpAdminLinkProviderForUser: 1})
	f.decided("link", "linked_existing_user", "ok")
}

func TestChainedNativeSignUpKeepsTheRulesFlags(t *testing.T) {
	for _, c := range []struct {
		email string
		want  events.CognitoEventUserPoolsPreSignupResponse
	}{
		{"new.person@" + confirmDomain, events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true}},
		{"new.person@other.example", events.CognitoEventUserPoolsPreSignupResponse{}},
	} {
		t.Run(c.email, func(t *testing.T) {
			f := newChainFixture(t, 3*time.Second)
			f.emails = append(f.emails, c.email)
			event := lambdaharness.NativeSignUpEvent(f.pool, "new-person", c.email)
			f.answeredWith(f.invoke(event), event, c.want)
			f.chainedOnce(event)
			f.calls(nil)
			f.decided("skip", "other_trigger", "ok")
		})
	}
}

func TestChainedRefusalIsTheSignUpsWithItsOwnMessage(t *testing.T) {
	for _, c := range []struct {
		name  string
		event func(f *chainFixture) []byte
	}{
		{"native sign-up", func(f *chainFixture) []byte {
			f.emails = append(f.emails, "someone@"+refuseDomain)
			return lambdaharness.NativeSignUpEvent(f.pool, "someone", "someone@"+refuseDomain)
		}},
		{"Descope sign-in, not linked", func(f *chainFixture) []byte {
			f.user("jane", "jane.doe@"+refuseDomain, true)
			return f.descopeSignUp("U2xAbCdEf123", "jane.doe@"+refuseDomain).Event()
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newChainFixture(t, 3*time.Second)
			event := c.event(f)
			r := f.invoke(event)
			if r.Error == nil || r.Error.Message != rulesRefusal {
				t.Fatalf("answer %s, error %+v; want exactly the rules' message %q", r.Response, r.Error, rulesRefusal)
			}
			if got := fmt.Sprintf("PreSignUp failed with error %s.", r.Error.Message); got != "PreSignUp failed with error "+rulesRefusal+"." {
				t.Errorf("the user would see %q", got)
			}
			f.chainedOnce(event)
			if links := f.links(); len(links) != 0 {
				t.Errorf("links = %+v after the rules refused", links)
			}
			f.calls(nil)
			// The decision line keeps the message out (it is the rules
			// function's text and may name the person); aws-lambda-go's
			// own error line repeats it, as it did for the rules function.
			line := f.decided("refuse", "chained_function", "refused")
			if encoded, _ := json.Marshal(line); bytes.Contains(encoded, []byte(refuseDomain)) {
				t.Errorf("the decision line holds the rules' message or the email domain: %s", encoded)
			}
		})
	}
}

func TestChainedFailuresFailClosed(t *testing.T) {
	for _, c := range []struct {
		name         string
		rulesTimeout time.Duration
		setup        func(f *chainFixture)
		email        string
		reason       string
		outcome      string
		maxDuration  time.Duration
	}{
		{
			name: "throttled", rulesTimeout: 3 * time.Second, email: "new.person@" + confirmDomain,
			setup:  func(f *chainFixture) { f.lambdaAPI.Throttle(1) },
			reason: "chained_throttled", outcome: "throttled", maxDuration: time.Second,
		},
		{
			// The rules function's own Lambda timeout, shorter than the budget.
			name: "timed out by Lambda", rulesTimeout: time.Second, email: "new.person@" + slowDomain,
			reason: "chained_timeout", outcome: "timeout", maxDuration: 2500 * time.Millisecond,
		},
		{
			// A function allowed longer than the budget: the merge
			// function stops waiting in time to answer Cognito.
			name: "past the budget", rulesTimeout: 10 * time.Second, email: "new.person@" + slowDomain,
			reason: "chained_timeout", outcome: "timeout", maxDuration: lambdaharness.CognitoTriggerTimeout,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newChainFixture(t, c.rulesTimeout)
			if c.setup != nil {
				c.setup(f)
			}
			f.emails = append(f.emails, c.email)
			event := lambdaharness.NativeSignUpEvent(f.pool, "new-person", c.email)
			r := f.invoke(event)
			if r.Error == nil || r.Error.Message != retryMessage {
				t.Fatalf("answer %s, error %+v; want the retry message", r.Response, r.Error)
			}
			if d := r.Latency(); d > c.maxDuration {
				t.Errorf("answered after %s, want within %s", d, c.maxDuration)
			}
			f.calls(nil)
			f.decided("error", c.reason, c.outcome)
		})
	}
}
