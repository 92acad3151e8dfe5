package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// fixture is one test's world: a fresh user pool on the shared cognito-local,
// a recording proxy in front of it, and a freshly started function.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	pool    string
	admin   *lambdaharness.CognitoAdmin
	proxy   *lambdaharness.CognitoProxy
	sandbox *lambdaharness.Sandbox
	// emails are the addresses the test used; the function's log must not
	// contain any of them.
	emails []string
}

var poolCounter atomic.Int64

func newFixture(t *testing.T, functionEnv ...string) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)

	upstream := cognito(t).Endpoint
	admin, err := lambdaharness.NewCognitoAdmin(upstream)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := admin.CreateUserPool(ctx, fmt.Sprintf("e2e-%d", poolCounter.Add(1)), lambdaharness.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := lambdaharness.StartCognitoProxy(lambdaharness.ProxyOptions{Upstream: upstream})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })

	f := &fixture{t: t, ctx: ctx, pool: pool, admin: admin, proxy: proxy}
	f.sandbox = f.start(functionEnv...)
	t.Cleanup(func() {
		f.stop()
		f.assertLogsHideEmails()
	})
	return f
}

func (f *fixture) start(functionEnv ...string) *lambdaharness.Sandbox {
	f.t.Helper()
	// The function runs as deployed: with its build's runtime environment.
	artifact := bootstrap(f.t)
	env := append(artifact.Environ(), "DESCOPE_PROVIDER_NAME=Descope")
	sandbox, err := lambdaharness.StartSandbox(lambdaharness.FunctionOptions{
		Command:         []string{artifact.BinaryPath},
		Dir:             filepath.Dir(artifact.BinaryPath),
		CognitoEndpoint: f.proxy.URL,
		Env:             append(env, functionEnv...),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return sandbox
}

func (f *fixture) stop() {
	if _, err := f.sandbox.Stop(); err != nil {
		f.t.Error(err)
	}
}

// user creates a confirmed native user and returns its username.
func (f *fixture) user(username, email string, verified bool) string {
	f.t.Helper()
	f.emails = append(f.emails, email)
	name, err := f.admin.CreateUser(f.ctx, f.pool, lambdaharness.NewUser{
		Username: username, Email: email, EmailVerified: verified, Confirmed: true,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return name
}

// descopeSignUp is a first Descope sign-in with a verified email.
func (f *fixture) descopeSignUp(subject, email string) lambdaharness.ExternalSignUp {
	f.emails = append(f.emails, email)
	return lambdaharness.ExternalSignUp{
		PoolID:        f.pool,
		UserName:      "Descope_" + subject,
		Subject:       subject,
		Email:         email,
		EmailVerified: "true",
	}
}

func (f *fixture) invoke(payload []byte) lambdaharness.Result {
	f.t.Helper()
	r, err := f.sandbox.Invoke(f.ctx, payload)
	if err != nil {
		f.t.Fatalf("invoke: %v\nfunction output:\n%s", err, f.sandbox.Function.Output())
	}
	return r
}

// succeeded asserts the function answered with the event it was given,
// unchanged, which is what lets Cognito go on with the sign-up.
func (f *fixture) succeeded(r lambdaharness.Result, event []byte) {
	f.t.Helper()
	if r.Error != nil {
		f.t.Fatalf("function failed: %s\nfunction output:\n%s", r.Error.Raw, f.sandbox.Function.Output())
	}
	var got, want any
	if err := json.Unmarshal(r.Response, &got); err != nil {
		f.t.Fatalf("response is not JSON: %s", r.Response)
	}
	if err := json.Unmarshal(event, &want); err != nil {
		f.t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		f.t.Errorf("response differs from the input event\n got: %s\nwant: %s", r.Response, event)
	}
}

// refused asserts the function posted an error whose message contains want.
func (f *fixture) refused(r lambdaharness.Result, want string) {
	f.t.Helper()
	if r.Error == nil {
		f.t.Fatalf("function answered %s, want an error containing %q", r.Response, want)
	}
	if !strings.Contains(r.Error.Message, want) {
		f.t.Errorf("error message %q does not contain %q", r.Error.Message, want)
	}
}

// calls asserts the per-operation Cognito call counts since the last check.
func (f *fixture) calls(want map[string]int) {
	f.t.Helper()
	got := f.proxy.Counts()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		f.t.Errorf("Cognito calls = %v, want %v", got, want)
	}
	f.proxy.Reset()
}

func (f *fixture) links() []lambdaharness.LinkRequest {
	f.t.Helper()
	links, err := f.proxy.LinkRequests()
	if err != nil {
		f.t.Fatal(err)
	}
	return links
}

func (f *fixture) assertLogsHideEmails() {
	f.t.Helper()
	out := f.sandbox.Function.Output()
	for _, email := range f.emails {
		if bytes.Contains(bytes.ToLower(out), []byte(strings.ToLower(email))) {
			f.t.Errorf("function output contains the raw email %q:\n%s", email, out)
		}
	}
}

func TestLinksFirstDescopeSignInToExistingAccount(t *testing.T) {
	for _, tc := range []struct {
		name     string
		userName func(subject string) string
	}{
		{"provider prefix as configured", func(s string) string { return "Descope_" + s }},
		// Case-insensitive pools lowercase the whole user name; the subject
		// must still come from custom:descope_sub in its exact case.
		{"user name lowercased by Cognito", func(s string) string { return strings.ToLower("Descope_" + s) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			jane := f.user("jane", "jane.doe@example.com", true)
			signUp := f.descopeSignUp("U2xAbCdEf123", "jane.doe@example.com")
			signUp.UserName = tc.userName(signUp.Subject)
			event := signUp.Event()

			f.succeeded(f.invoke(event), event)
			want := []lambdaharness.LinkRequest{{
				UserPoolID:      f.pool,
				DestinationUser: lambdaharness.ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: jane},
				SourceUser:      lambdaharness.ProviderUser{ProviderName: "Descope", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "U2xAbCdEf123"},
			}}
			if got := f.links(); !reflect.DeepEqual(got, want) {
				t.Errorf("links = %+v, want %+v", got, want)
			}
			f.calls(map[string]int{lambdaharness.OpListUsers: 1, lambdaharness.OpAdminLinkProviderForUser: 1})
		})
	}
}

func TestNoMatchingAccountLetsSignUpContinue(t *testing.T) {
	f := newFixture(t)
	f.user("someone", "someone.else@example.com", true)
	event := f.descopeSignUp("NewPerson1", "new.person@example.com").Event()

	f.succeeded(f.invoke(event), event)
	if links := f.links(); len(links) != 0 {
		t.Errorf("links = %+v, want none", links)
	}
	f.calls(map[string]int{lambdaharness.OpListUsers: 1})
}

func TestRequireExistingUserRefusesUnknownEmail(t *testing.T) {
	f := newFixture(t, "REQUIRE_EXISTING_USER=true")
	f.refused(f.invoke(f.descopeSignUp("NewPerson1", "new.person@example.com").Event()), "no account exists")
	f.calls(map[string]int{lambdaharness.OpListUsers: 1})
}

func TestUnrelatedTriggersMakeNoCognitoCall(t *testing.T) {
	f := newFixture(t)
	f.user("jane", "jane.doe@example.com", true)
	f.emails = append(f.emails, "jane.doe@example.com")

	native := lambdaharness.NativeSignUpEvent(f.pool, "jane2", "jane.doe@example.com")
	f.succeeded(f.invoke(native), native)
	// Another federated provider's sign-up is not Descope's business either.
	google := lambdaharness.ExternalSignUp{
		PoolID: f.pool, UserName: "Google_1234567890", Subject: "1234567890",
		Email: "jane.doe@example.com", EmailVerified: "true",
	}.Event()
	f.succeeded(f.invoke(google), google)
	f.calls(nil)
}

func TestUnverifiedFederatedEmailIsRefused(t *testing.T) {
	f := newFixture(t)
	f.user("jane", "jane.doe@example.com", true)
	signUp := f.descopeSignUp("Attacker1", "jane.doe@example.com")
	signUp.EmailVerified = "false"

	f.refused(f.invoke(signUp.Event()), "not verified")
	if links := f.links(); len(links) != 0 {
		t.Errorf("links = %+v, want none", links)
	}
	f.calls(nil)
}

func TestUnverifiedExistingAccountIsNotLinked(t *testing.T) {
	f := newFixture(t)
	f.user("jane", "jane.doe@example.com", false)
	event := f.descopeSignUp("U2xAbCdEf123", "jane.doe@example.com").Event()

	// An account whose own email is unverified is no candidate: the sign-up
	// goes on as a new user instead of taking it over.
	f.succeeded(f.invoke(event), event)
	if links := f.links(); len(links) != 0 {
		t.Errorf("links = %+v, want none", links)
	}
	f.calls(map[string]int{lambdaharness.OpListUsers: 1})
}

// cognito-local only allows two users with one email in a pool without email
// usernames, which the fixture's pools are (see cognitoLocalConfig).
func TestTwoAccountsWithTheSameEmailAreRefused(t *testing.T) {
	f := newFixture(t)
	f.user("jane", "jane.doe@example.com", true)
	f.user("jane-work", "jane.doe@example.com", true)

	f.refused(f.invoke(f.descopeSignUp("U2xAbCdEf123", "jane.doe@example.com").Event()), "more than one account")
	if links := f.links(); len(links) != 0 {
		t.Errorf("links = %+v, want none", links)
	}
	f.calls(map[string]int{lambdaharness.OpListUsers: 1})
}

func TestDisabledAccountIsRefused(t *testing.T) {
	f := newFixture(t)
	jane := f.user("jane", "jane.doe@example.com", true)
	if err := f.admin.DisableUser(f.ctx, f.pool, jane); err != nil {
		t.Fatal(err)
	}

	f.refused(f.invoke(f.descopeSignUp("U2xAbCdEf123", "jane.doe@example.com").Event()), "disabled")
	if links := f.links(); len(links) != 0 {
		t.Errorf("links = %+v, want none", links)
	}
	f.calls(map[string]int{lambdaharness.OpListUsers: 1})
}

func TestMalformedPayloadFailsAndProcessKeepsServing(t *testing.T) {
	f := newFixture(t)
	// The handler takes the raw bytes, so it refuses what is not JSON as it
	// refuses JSON that is not a pre sign-up event.
	for _, payload := range []string{`not json`, `{"triggerSource":`, `[]`, `{}`, `{"triggerSource":""}`} {
		f.refused(f.invoke([]byte(payload)), "invalid sign-up event")
	}
	select {
	case <-f.sandbox.Function.Exited():
		t.Fatalf("function exited after malformed payloads:\n%s", f.sandbox.Function.Output())
	default:
	}

	f.user("jane", "jane.doe@example.com", true)
	event := f.descopeSignUp("U2xAbCdEf123", "jane.doe@example.com").Event()
	f.succeeded(f.invoke(event), event)
	if links := f.links(); len(links) != 1 {
		t.Errorf("links = %+v, want one after recovering", links)
	}
	f.calls(map[string]int{lambdaharness.OpListUsers: 1, lambdaharness.OpAdminLinkProviderForUser: 1})
}

func TestThrottledListUsersIsRetried(t *testing.T) {
	f := newFixture(t)
	jane := f.user("jane", "jane.doe@example.com", true)
	f.proxy.Throttle(lambdaharness.OpListUsers, 1)
	event := f.descopeSignUp("U2xAbCdEf123", "jane.doe@example.com").Event()

	f.succeeded(f.invoke(event), event)
	links := f.links()
	if len(links) != 1 || links[0].DestinationUser.ProviderAttributeValue != jane {
		t.Errorf("links = %+v, want one to %s", links, jane)
	}
	f.calls(map[string]int{lambdaharness.OpListUsers: 2, lambdaharness.OpAdminLinkProviderForUser: 1})
}

func TestInvalidConfigurationFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		env, names string
	}{
		{"REQUIRE_EXISTING_USER=maybe", "REQUIRE_EXISTING_USER"},
		// Lambda always sets these; without them the function cannot build
		// its Cognito client and must stop at start-up, saying which is missing.
		{"AWS_REGION=", "AWS_REGION"},
		{"AWS_SECRET_ACCESS_KEY=", "AWS_SECRET_ACCESS_KEY"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			f := newFixture(t)
			f.stop()
			f.sandbox = f.start(tc.env)

			_, err := f.sandbox.Invoke(f.ctx, f.descopeSignUp("U2xAbCdEf123", "jane.doe@example.com").Event())
			if err == nil {
				t.Fatal("a function with an invalid configuration answered")
			}
			exit, stopErr := f.sandbox.Function.Stop()
			if stopErr != nil {
				t.Fatal(stopErr)
			}
			if exit.Err == nil {
				t.Error("function exited with status 0 on an invalid configuration")
			}
			out := f.sandbox.Function.Output()
			if !bytes.Contains(out, []byte(tc.names)) {
				t.Errorf("log does not name the bad variable %s:\n%s", tc.names, out)
			}
			if bytes.Contains(out, []byte(lambdaharness.FakeSecretAccessKey)) {
				t.Errorf("log prints the secret access key:\n%s", out)
			}
			f.calls(nil)
		})
	}
}

// The function logs one structured JSON line per invocation on stdout.
func TestLogsAreStructuredAndMaskEmails(t *testing.T) {
	f := newFixture(t)
	f.user("jane", "jane.doe@example.com", true)
	event := f.descopeSignUp("U2xAbCdEf123", "jane.doe@example.com").Event()
	f.succeeded(f.invoke(event), event)
	unverified := f.descopeSignUp("Attacker1", "jane.doe@example.com")
	unverified.EmailVerified = "false"
	f.refused(f.invoke(unverified.Event()), "not verified")
	// The log line is written before the answer is posted, but it travels
	// through a pipe: stop the process so all of its output has been read.
	f.stop()

	var decisions []map[string]any
	for _, line := range bytes.Split(f.sandbox.Function.Output(), []byte("\n")) {
		var entry map[string]any
		if json.Unmarshal(line, &entry) == nil && entry["msg"] == "pre sign-up decision" {
			decisions = append(decisions, entry)
		}
	}
	if len(decisions) != 2 {
		t.Fatalf("%d decision log lines, want 2:\n%s", len(decisions), f.sandbox.Function.Output())
	}
	if decisions[0]["decision"] != "link" || decisions[1]["decision"] != "refuse" {
		t.Errorf("decisions = %v, %v", decisions[0]["decision"], decisions[1]["decision"])
	}
	for _, d := range decisions {
		if email, _ := d["email"].(string); email == "" || strings.Contains(email, "jane.doe") {
			t.Errorf("email field %q is not masked", email)
		}
	}
	// assertLogsHideEmails, run at cleanup, checks the whole output.
}
