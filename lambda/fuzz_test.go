package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// fuzzPool is a pool with one account that may be linked and several that
// must never be: disabled, unverified, federated, and a duplicated email.
func fuzzPool() *fakeCognito {
	f := newFake(
		jane(),
		fakeUser{username: "disabled", email: "off@example.com", verified: "true", status: types.UserStatusTypeConfirmed, disabled: true},
		fakeUser{username: "unverified", email: "unv@example.com", verified: "false", status: types.UserStatusTypeConfirmed},
		fakeUser{username: "google_1", email: janeEmail, verified: "true", status: types.UserStatusTypeExternalProvider},
		fakeUser{username: "dup-1", email: "dup@example.com", verified: "true", status: types.UserStatusTypeConfirmed},
		fakeUser{username: "dup-2", email: "DUP@example.com", verified: "true", status: types.UserStatusTypeConfirmed},
	)
	return f
}

func addFixtureSeeds(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzHandleEvent decodes and handles arbitrary payloads against a fake pool.
// Whatever the input: no panic reaches the recover guard, the output is the
// input or nothing, and a link only ever happens for a verified Descope email
// to the one enabled, verified, native account with that email, using the
// mapped subject.
func FuzzHandleEvent(f *testing.F) {
	addFixtureSeeds(f)
	f.Add([]byte(`{"triggerSource":"PreSignUp_ExternalProvider","userPoolId":"us-east-1_EXAMPLE1","userName":"DESCOPE_x","request":{"userAttributes":{"email":"DUP@example.com","email_verified":"TRUE","custom:descope_sub":"x"}}}`))
	f.Add([]byte(`{"triggerSource":"PreSignUp_ExternalProvider","userPoolId":"us-east-1_EXAMPLE1","userName":"descope_","request":{"userAttributes":{"email":"off@example.com","email_verified":"true","custom:descope_sub":"s"}}}`))
	f.Add([]byte(`{"triggerSource":"PreSignUp_ExternalProvider","userPoolId":"us-east-1_EXAMPLE1","userName":"descope_s","request":{"userAttributes":{"email":"jane.doe@example.com","email_verified":"false","custom:descope_sub":"s"}}}`))

	f.Fuzz(func(t *testing.T, payload []byte) {
		fake := fuzzPool()
		out, err := NewHandler(defaultCfg, fake, discardLogger).HandleRaw(context.Background(), payload)
		checkHandled(t, payload, fake, out, err)
	})
}

// FuzzDecideFields fuzzes the fields the rules look at, inside a well-formed
// event, so the fuzzer spends its time on decisions rather than on JSON
// syntax. Same invariants as FuzzHandleEvent.
func FuzzDecideFields(f *testing.F) {
	f.Add(triggerExternalProvider, "Descope_U2xAbCdEf123", janeEmail, "true", janeSubject, false)
	f.Add(triggerExternalProvider, "descope_u2xabcdef123", "JANE.DOE@example.com", "TRUE", janeSubject, true)
	f.Add(triggerExternalProvider, "DESCOPE_x", "dup@example.com", "true", "x", false)
	f.Add(triggerExternalProvider, "Descope_x", "off@example.com", "true", "x", false)
	f.Add(triggerExternalProvider, "Descope_x", "unv@example.com", "true", "", true)
	f.Add(triggerExternalProvider, "Descope_x", janeEmail, "false", "x", false)
	f.Add("PreSignUp_SignUp", "Descope_x", janeEmail, "true", "x", false)
	f.Fuzz(func(t *testing.T, trigger, userName, email, verified, subject string, require bool) {
		ev := events.CognitoEventUserPoolsPreSignup{}
		ev.TriggerSource, ev.UserName, ev.UserPoolID = trigger, userName, testPool
		ev.Request.UserAttributes = map[string]string{"email": email, "email_verified": verified, linking.AttrSubject: subject}
		payload, err := json.Marshal(ev)
		if err != nil {
			t.Skip()
		}
		fake := fuzzPool()
		cfg := Config{ProviderName: "Descope", RequireExistingUser: require}
		out, err := NewHandler(cfg, fake, discardLogger).HandleRaw(context.Background(), payload)
		checkHandled(t, payload, fake, out, err)
		descope := trigger == triggerExternalProvider && strings.HasPrefix(strings.ToLower(userName), "descope_")
		for _, l := range fake.linkCalls {
			if linked := aws.ToString(l.SourceUser.ProviderAttributeValue); !descope || !strings.EqualFold(linked, userName[len("descope_"):]) {
				t.Fatalf("linked subject %q for user name %q", linked, userName)
			}
		}
		if descope && strings.EqualFold(verified, "true") && strings.EqualFold(email, janeEmail) &&
			subject != "" && strings.EqualFold(userName[len("descope_"):], subject) {
			// The one eligible account: this must link, or be a retry.
			if err != nil || len(fake.linkCalls) != 1 {
				t.Fatalf("eligible sign-up not linked: err %v, %d links", err, len(fake.linkCalls))
			}
		}
		// A name only shaped like Descope's ("Descope_", "Descope_Staging_<subject>")
		// belongs to no user of this provider, so the rules skip it; the
		// provider rule itself is table-tested in linking.
		provider := linking.IsProviderUser(cfg.ProviderName, linking.FederatedFromAttributes(userName, ev.Request.UserAttributes))
		if require && err == nil && trigger == triggerExternalProvider && provider && len(fake.linkCalls) == 0 {
			t.Fatalf("REQUIRE_EXISTING_USER let a Descope sign-up through without a link")
		}
	})
}

// checkHandled asserts the invariants that hold for every payload.
func checkHandled(t *testing.T, payload []byte, fake *fakeCognito, out []byte, err error) {
	t.Helper()
	if errors.Is(err, errPanic) {
		t.Fatalf("panic while handling %q: %v", payload, errors.Unwrap(err))
	}
	if o := outcome(err); strings.HasPrefix(o, "unexpected") {
		t.Fatalf("error of unexpected type %T: %v", err, err)
	}
	if err == nil && !bytes.Equal(out, payload) {
		t.Fatalf("output differs from input")
	}
	if err != nil && out != nil {
		t.Fatalf("output with an error")
	}

	var ev events.CognitoEventUserPoolsPreSignup
	decodeErr := json.Unmarshal(payload, &ev)
	if decodeErr == nil && ev.TriggerSource != triggerExternalProvider && fake.calls() != 0 {
		t.Fatalf("%d Cognito calls for trigger %q", fake.calls(), ev.TriggerSource)
	}
	email := ev.Request.UserAttributes["email"]
	for _, l := range fake.listCalls {
		attr, v, perr := parseFilter(aws.ToString(l.Filter))
		if perr != nil {
			t.Fatalf("filter %q does not parse: %v", aws.ToString(l.Filter), perr)
		}
		if attr == "email" && v != email && v != strings.ToLower(email) {
			t.Fatalf("queried email %q for event email %q", v, email)
		}
	}
	if len(fake.linkCalls) == 0 {
		return
	}
	if decodeErr != nil {
		t.Fatalf("linked for a payload that does not decode")
	}
	attrs := ev.Request.UserAttributes
	switch {
	case len(fake.linkCalls) != 1:
		t.Fatalf("%d link calls", len(fake.linkCalls))
	case ev.TriggerSource != triggerExternalProvider:
		t.Fatalf("linked for trigger %q", ev.TriggerSource)
	case !strings.HasPrefix(strings.ToLower(ev.UserName), "descope_"):
		t.Fatalf("linked for user name %q", ev.UserName)
	case email == "" || !strings.EqualFold(attrs["email_verified"], "true"):
		t.Fatalf("linked without a verified email: %q", attrs)
	}
	in := fake.linkCalls[0]
	if got := aws.ToString(in.SourceUser.ProviderAttributeValue); got == "" || got != attrs[linking.AttrSubject] {
		t.Fatalf("linked subject %q, mapped subject %q", got, attrs[linking.AttrSubject])
	}
	if aws.ToString(in.SourceUser.ProviderName) != "Descope" || aws.ToString(in.DestinationUser.ProviderName) != "Cognito" {
		t.Fatalf("link providers %s", jsonOf(in))
	}
	dest := aws.ToString(in.DestinationUser.ProviderAttributeValue)
	for _, u := range fake.users {
		if u.username != dest {
			continue
		}
		if u.disabled || u.verified != "true" || u.status == types.UserStatusTypeExternalProvider || !strings.EqualFold(u.email, email) {
			t.Fatalf("linked to ineligible user %+v for email %q", u, email)
		}
		if u.username != janeName {
			t.Fatalf("linked to %q, the only eligible account is %q", u.username, janeName)
		}
		return
	}
	t.Fatalf("linked to unknown user %q", dest)
}

// FuzzEmailFilter checks that any value, once quoted into a filter, parses
// back to itself: the closing quote is the last byte, so no value can end the
// string early and add filter syntax of its own.
func FuzzEmailFilter(f *testing.F) {
	for _, s := range []string{"jane@example.com", `"`, `\`, `\"`, `a" or email ^= "`, "\\\\\"\"", "é@ü.de", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, c := range []struct{ attr, filter string }{{"email", linking.EmailFilter(v)}, {"username", linking.UsernameFilter(v)}} {
			attr, got, err := parseFilter(c.filter)
			if err != nil {
				t.Fatalf("%s: %v", c.filter, err)
			}
			if attr != c.attr || got != v {
				t.Fatalf("%s parses to %s = %q, want %s = %q", c.filter, attr, got, c.attr, v)
			}
		}
		// The mask keeps at most one character of the local part and never
		// the whole address.
		if at := strings.LastIndexByte(v, '@'); at >= 0 && utf8.RuneCountInString(v[:at]) >= 2 && !strings.Contains(v, "*") {
			m := linking.MaskEmail(v)
			if strings.Contains(m, v) || utf8.RuneCountInString(m[:strings.Index(m, "***")]) > 1 {
				t.Fatalf("maskEmail(%q) = %q", v, m)
			}
		}
	})
}
