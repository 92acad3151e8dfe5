package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

const (
	janeEmail   = "jane.doe@example.com"
	janeSubject = "U2xAbCdEf123"
	janeName    = "a1b2c3d4-0000-4000-8000-00000000jane"
)

var defaultCfg = Config{ProviderName: "Descope"}

func jane() fakeUser {
	return fakeUser{username: janeName, email: janeEmail, verified: "true", status: types.UserStatusTypeConfirmed}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// descopeEvent builds a documented-shape PreSignUp_ExternalProvider event.
func descopeEvent(t testing.TB, userName string, attrs map[string]string) []byte {
	t.Helper()
	ev := events.CognitoEventUserPoolsPreSignup{}
	ev.Version, ev.Region, ev.UserPoolID = "1", "us-east-1", testPool
	ev.TriggerSource, ev.UserName = triggerExternalProvider, userName
	ev.CallerContext.AWSSDKVersion, ev.CallerContext.ClientID = "aws-sdk-unknown-unknown", "1example23456789"
	ev.Request.UserAttributes = attrs
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newTestHandler(cfg Config, api cognitoAPI) (*Handler, *bytes.Buffer) {
	var buf bytes.Buffer
	return NewHandler(cfg, api, slog.New(slog.NewJSONHandler(&buf, nil))), &buf
}

func wantLink(username, subject string) cip.AdminLinkProviderForUserInput {
	return cip.AdminLinkProviderForUserInput{
		UserPoolId: aws.String(testPool),
		DestinationUser: &types.ProviderUserIdentifierType{
			ProviderName:           aws.String("Cognito"),
			ProviderAttributeValue: aws.String(username),
		},
		SourceUser: &types.ProviderUserIdentifierType{
			ProviderName:           aws.String("Descope"),
			ProviderAttributeName:  aws.String("Cognito_Subject"),
			ProviderAttributeValue: aws.String(subject),
		},
	}
}

// outcome names how an invocation ended, for table comparisons.
func outcome(err error) string {
	var refused *SignUpRefusedError
	var failed *SignUpFailedError
	var invalid *InvalidEventError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &refused):
		return "refused:" + refused.Reason
	case errors.As(err, &failed):
		return "failed"
	case errors.As(err, &invalid):
		return "invalid"
	}
	return "unexpected:" + err.Error()
}

func TestHandleRawDecisions(t *testing.T) {
	t.Parallel()
	type tc struct {
		name        string
		payload     func(t testing.TB) []byte
		cfg         Config
		fake        func() *fakeCognito
		want        string   // outcome()
		wantFilters []string // every ListUsers filter, in order
		wantLinks   []cip.AdminLinkProviderForUserInput
		wantCalls   int
	}
	fx := func(name string) func(t testing.TB) []byte {
		return func(t testing.TB) []byte { return fixture(t, name) }
	}
	janeFilter := `email = "jane.doe@example.com"`
	cases := []tc{
		{
			name: "links the one verified native account: exactly ListUsers then AdminLink", payload: fx("external-descope.json"),
			fake: func() *fakeCognito { return newFake(jane()) }, want: "ok",
			wantFilters: []string{janeFilter}, wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 2,
		},
		{
			name: "lowercased user name still matches the provider; subject keeps the attribute's case", payload: fx("external-descope-lowercased-username.json"),
			fake: func() *fakeCognito { return newFake(jane()) }, want: "ok",
			wantFilters: []string{janeFilter}, wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 2,
		},
		{
			name: "mixed-case federated email: exact query misses, lowercase query finds", payload: fx("external-descope-mixed-case-email.json"),
			fake: func() *fakeCognito { f := newFake(jane()); f.caseSensitiveEmail = true; return f }, want: "ok",
			wantFilters: []string{`email = "Jane.Doe@Example.com"`, janeFilter},
			wantLinks:   []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 3,
		},
		{
			name: "mixed-case federated email on a case-insensitive filter: both queries find the same user once", payload: fx("external-descope-mixed-case-email.json"),
			fake: func() *fakeCognito { return newFake(jane()) }, want: "ok",
			wantFilters: []string{`email = "Jane.Doe@Example.com"`, janeFilter},
			wantLinks:   []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 3,
		},
		{
			name: "stored email in other case is still compared without case", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				u := jane()
				u.email = "JANE.DOE@EXAMPLE.COM"
				return newFake(u)
			}, want: "ok",
			wantFilters: []string{janeFilter}, wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 2,
		},
		{
			name: "no account: event passes, one ListUsers", payload: fx("external-descope.json"),
			fake: func() *fakeCognito { return newFake() }, want: "ok", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "no account with REQUIRE_EXISTING_USER: refused", payload: fx("external-descope.json"),
			cfg:  Config{ProviderName: "Descope", RequireExistingUser: true},
			fake: func() *fakeCognito { return newFake() }, want: "refused:no_existing_user", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "REQUIRE_EXISTING_USER still links an existing account", payload: fx("external-descope.json"),
			cfg:  Config{ProviderName: "Descope", RequireExistingUser: true},
			fake: func() *fakeCognito { return newFake(jane()) }, want: "ok",
			wantFilters: []string{janeFilter}, wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 2,
		},
		{name: "native sign-up is not touched", payload: fx("signup.json"), fake: func() *fakeCognito { return newFake(jane()) }, want: "ok"},
		{name: "admin create user is not touched", payload: fx("admin-create-user.json"), fake: func() *fakeCognito { return newFake(jane()) }, want: "ok"},
		{name: "another provider is not touched", payload: fx("external-google.json"), fake: func() *fakeCognito { return newFake(jane()) }, want: "ok"},
		{
			name: "a provider whose name merely starts with ours is not touched",
			payload: func(t testing.TB) []byte {
				return descopeEvent(t, "DescopeStaging_abc", map[string]string{"email": janeEmail, "email_verified": "true", linking.AttrSubject: "abc"})
			},
			fake: func() *fakeCognito { return newFake(jane()) }, want: "ok",
		},
		{
			name: "configured provider name is honoured",
			payload: func(t testing.TB) []byte {
				return descopeEvent(t, "descopeprod_abc", map[string]string{"email": janeEmail, "email_verified": "true", linking.AttrSubject: "abc"})
			},
			cfg:  Config{ProviderName: "DescopeProd"},
			fake: func() *fakeCognito { return newFake(jane()) }, want: "ok", wantFilters: []string{janeFilter},
			wantLinks: []cip.AdminLinkProviderForUserInput{func() cip.AdminLinkProviderForUserInput {
				in := wantLink(janeName, "abc")
				in.SourceUser.ProviderName = aws.String("DescopeProd")
				return in
			}()},
			wantCalls: 2,
		},
		{name: "missing email: refused before any call", payload: fx("external-descope-missing-email.json"), fake: func() *fakeCognito { return newFake(jane()) }, want: "refused:missing_email"},
		{name: "email_verified false: refused before any call", payload: fx("external-descope-unverified-email.json"), fake: func() *fakeCognito { return newFake(jane()) }, want: "refused:email_not_verified"},
		{name: "email_verified absent: refused before any call", payload: fx("external-descope-no-email-verified.json"), fake: func() *fakeCognito { return newFake(jane()) }, want: "refused:email_not_verified"},
		{
			name: "email_verified with a non-boolean value is not verified",
			payload: func(t testing.TB) []byte {
				return descopeEvent(t, "Descope_"+janeSubject, map[string]string{"email": janeEmail, "email_verified": "yes", linking.AttrSubject: janeSubject})
			},
			fake: func() *fakeCognito { return newFake(jane()) }, want: "refused:email_not_verified",
		},
		{
			name: "missing subject when a link is needed: refused, no link", payload: fx("external-descope-missing-subject.json"),
			fake: func() *fakeCognito { return newFake(jane()) }, want: "refused:missing_subject", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "subject attribute disagreeing with the user name: refused, no link",
			payload: func(t testing.TB) []byte {
				return descopeEvent(t, "Descope_"+janeSubject, map[string]string{"email": janeEmail, "email_verified": "true", linking.AttrSubject: "U2xSomeoneElse"})
			},
			fake: func() *fakeCognito { return newFake(jane()) }, want: "refused:subject_mismatch", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "missing subject with no account to link: event passes", payload: fx("external-descope-missing-subject.json"),
			fake: func() *fakeCognito { return newFake() }, want: "ok", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "disabled account: refused, no link", payload: fx("external-descope.json"),
			fake: func() *fakeCognito { u := jane(); u.disabled = true; return newFake(u) },
			want: "refused:candidate_disabled", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "two verified native accounts: refused, no link", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				other := jane()
				other.username = "other-user"
				return newFake(jane(), other)
			},
			want: "refused:multiple_candidates", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "federated users with the same email are not candidates", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				g := fakeUser{username: "google_1098765", email: janeEmail, verified: "true", status: types.UserStatusTypeExternalProvider}
				return newFake(g, jane())
			},
			want: "ok", wantFilters: []string{janeFilter}, wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 2,
		},
		{
			name: "only a federated user with the email: no candidate", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				return newFake(fakeUser{username: "google_1098765", email: janeEmail, verified: "true", status: types.UserStatusTypeExternalProvider})
			},
			want: "ok", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "unverified native account is not a candidate", payload: fx("external-descope.json"),
			fake: func() *fakeCognito { u := jane(); u.verified = "false"; return newFake(u) },
			want: "ok", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "native account without email_verified is not a candidate", payload: fx("external-descope.json"),
			fake: func() *fakeCognito { u := jane(); u.verified = ""; return newFake(u) },
			want: "ok", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "unverified native account with REQUIRE_EXISTING_USER: refused", payload: fx("external-descope.json"),
			cfg:  Config{ProviderName: "Descope", RequireExistingUser: true},
			fake: func() *fakeCognito { u := jane(); u.verified = "false"; return newFake(u) },
			want: "refused:no_existing_user", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "a filter that returns other users is not trusted", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				f := newFake(fakeUser{username: "mallory", email: "mallory@example.com", verified: "true", status: types.UserStatusTypeConfirmed})
				f.ignoreFilter = true
				return f
			},
			want: "ok", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "quote and backslash in the email are escaped in the filter",
			payload: func(t testing.TB) []byte {
				return descopeEvent(t, "Descope_"+janeSubject, map[string]string{"email": `"ja\ne"@example.com`, "email_verified": "true", linking.AttrSubject: janeSubject})
			},
			fake: func() *fakeCognito {
				return newFake(fakeUser{username: "quoted", email: `"ja\ne"@example.com`, verified: "true", status: types.UserStatusTypeConfirmed})
			},
			want: "ok", wantFilters: []string{`email = "\"ja\\ne\"@example.com"`},
			wantLinks: []cip.AdminLinkProviderForUserInput{wantLink("quoted", janeSubject)}, wantCalls: 2,
		},
		{
			name: "an email that would break out of the filter does not match another user",
			payload: func(t testing.TB) []byte {
				return descopeEvent(t, "Descope_"+janeSubject, map[string]string{"email": `x" or email ^= "`, "email_verified": "true", linking.AttrSubject: janeSubject})
			},
			fake: func() *fakeCognito { return newFake(jane()) },
			want: "ok", wantFilters: []string{`email = "x\" or email ^= \""`}, wantCalls: 1,
		},
		{
			name: "control characters in the email: refused before any call",
			payload: func(t testing.TB) []byte {
				return descopeEvent(t, "Descope_"+janeSubject, map[string]string{"email": "jane\n@example.com", "email_verified": "true", linking.AttrSubject: janeSubject})
			},
			fake: func() *fakeCognito { return newFake(jane()) }, want: "refused:invalid_email",
		},
		{
			name: "email too long for a filter: refused before any call",
			payload: func(t testing.TB) []byte {
				return descopeEvent(t, "Descope_"+janeSubject, map[string]string{"email": strings.Repeat("a", 250) + "@example.com", "email_verified": "true", linking.AttrSubject: janeSubject})
			},
			fake: func() *fakeCognito { return newFake(jane()) }, want: "refused:invalid_email",
		},
		{
			name:    "pagination is followed",
			payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				f := newFake(fakeUser{username: "google_1", email: janeEmail, verified: "true", status: types.UserStatusTypeExternalProvider}, jane())
				f.pageSize = 1
				return f
			},
			want: "ok", wantFilters: []string{janeFilter, janeFilter},
			wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 3,
		},
		{
			name:    "more pages than the bound: fails closed, no link",
			payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				var us []fakeUser
				for i := 0; i < maxListPages+1; i++ {
					us = append(us, fakeUser{username: "google_" + string(rune('a'+i)), email: janeEmail, verified: "true", status: types.UserStatusTypeExternalProvider})
				}
				f := newFake(us...)
				f.pageSize = 1
				return f
			},
			want: "failed", wantFilters: []string{janeFilter, janeFilter, janeFilter}, wantCalls: maxListPages,
		},
		{
			name: "ListUsers error: fails closed", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				f := newFake(jane())
				f.listErrs = []error{&types.TooManyRequestsException{Message: aws.String("Rate exceeded")}}
				return f
			},
			want: "failed", wantFilters: []string{janeFilter}, wantCalls: 1,
		},
		{
			name: "link refused for another reason: fails closed without read-back", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				f := newFake(jane())
				f.linkErrs = []error{&types.AliasExistsException{Message: aws.String("An account with the email already exists.")}}
				return f
			},
			want: "failed", wantFilters: []string{janeFilter}, wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 2,
		},
		{
			name: "subject already linked to a different user: fails closed", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				f := newFake(jane(), fakeUser{username: "someone-else", email: "else@example.com", verified: "true", status: types.UserStatusTypeConfirmed})
				f.links[linkKey{"Descope", janeSubject}] = "someone-else"
				return f
			},
			want: "failed", wantFilters: []string{janeFilter, `username = "` + janeName + `"`},
			wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 3,
		},
		{
			name: "a different subject already linked to the same user does not count", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				f := newFake(jane())
				f.links[linkKey{"Descope", "U2xOTHER"}] = janeName
				f.linkErrs = []error{&types.InvalidParameterException{Message: aws.String("already linked")}}
				return f
			},
			want: "failed", wantFilters: []string{janeFilter, `username = "` + janeName + `"`},
			wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 3,
		},
		{
			name: "read-back failing after InvalidParameterException: fails closed", payload: fx("external-descope.json"),
			fake: func() *fakeCognito {
				f := newFake(jane())
				f.linkErrs = []error{&types.InvalidParameterException{Message: aws.String("Invalid SourceUser")}}
				f.listErrs = []error{nil, &types.InternalErrorException{Message: aws.String("internal")}}
				return f
			},
			want: "failed", wantFilters: []string{janeFilter, `username = "` + janeName + `"`},
			wantLinks: []cip.AdminLinkProviderForUserInput{wantLink(janeName, janeSubject)}, wantCalls: 3,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := c.cfg
			if cfg.ProviderName == "" {
				cfg = defaultCfg
			}
			fake := c.fake()
			h, _ := newTestHandler(cfg, fake)
			in := c.payload(t)
			out, err := h.HandleRaw(context.Background(), in)

			if got := outcome(err); got != c.want {
				t.Fatalf("outcome = %s (%v), want %s", got, err, c.want)
			}
			if err == nil && !bytes.Equal(out, in) {
				t.Errorf("returned event differs from the input:\n got %s\nwant %s", out, in)
			}
			if err != nil && out != nil {
				t.Errorf("returned an event with an error: %s", out)
			}
			var filters []string
			for _, l := range fake.listCalls {
				filters = append(filters, aws.ToString(l.Filter))
				if aws.ToString(l.UserPoolId) != testPool {
					t.Errorf("ListUsers on pool %q", aws.ToString(l.UserPoolId))
				}
				if strings.HasPrefix(aws.ToString(l.Filter), "email") {
					if !reflect.DeepEqual(l.AttributesToGet, []string{"email", "email_verified"}) || aws.ToInt32(l.Limit) != listLimit {
						t.Errorf("ListUsers asks for %v limit %d, want [email email_verified] limit %d", l.AttributesToGet, aws.ToInt32(l.Limit), listLimit)
					}
				}
			}
			if !reflect.DeepEqual(filters, c.wantFilters) {
				t.Errorf("filters = %q, want %q", filters, c.wantFilters)
			}
			if !reflect.DeepEqual(fake.linkCalls, c.wantLinks) {
				t.Errorf("link calls = %s, want %s", jsonOf(fake.linkCalls), jsonOf(c.wantLinks))
			}
			if got := fake.calls(); got != c.wantCalls {
				t.Errorf("Cognito calls = %d, want %d", got, c.wantCalls)
			}
		})
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRefusalMessagesAreShortAndFreeOfPersonalData(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{msgMissingEmail, msgUnverifiedEmail, msgInvalidEmail, msgMissingSubject, msgSubjectMismatch, msgAmbiguous, msgDisabled, msgNoAccount, msgIdentityLimit, msgTryAgain, msgInvalidEvent} {
		if len(msg) > 100 || strings.ContainsAny(msg, "@\n") || strings.HasSuffix(msg, ".") {
			t.Errorf("message %q: want ≤100 chars, no '@', no newline, no final period (Cognito appends one)", msg)
		}
	}
	h, _ := newTestHandler(defaultCfg, newFake())
	_, err := h.HandleRaw(context.Background(), fixture(t, "external-descope-unverified-email.json"))
	if err == nil || err.Error() != msgUnverifiedEmail {
		t.Fatalf("error = %v, want the user-facing message %q", err, msgUnverifiedEmail)
	}
	fake := newFake(jane())
	fake.listErrs = []error{&types.InternalErrorException{Message: aws.String("boom for " + janeEmail)}}
	h, _ = newTestHandler(defaultCfg, fake)
	_, err = h.HandleRaw(context.Background(), fixture(t, "external-descope.json"))
	if err == nil || err.Error() != msgTryAgain || strings.Contains(err.Error(), janeEmail) {
		t.Fatalf("error = %v, want the generic %q", err, msgTryAgain)
	}
	var internal *types.InternalErrorException
	if !errors.As(err, &internal) || !strings.Contains(errorChain(err), "list users for "+testPool) {
		t.Errorf("cause lost: chain = %q", errorChain(err))
	}
}

func TestRetryAfterSuccessfulLinkSucceeds(t *testing.T) {
	t.Parallel()
	fake := newFake(jane())
	h, logs := newTestHandler(defaultCfg, fake)
	in := fixture(t, "external-descope.json")

	if _, err := h.HandleRaw(context.Background(), in); err != nil {
		t.Fatalf("first invocation: %v", err)
	}
	// Cognito retries the same trigger (say the first answer was lost): the
	// native user is still listed, and linking again is refused.
	out, err := h.HandleRaw(context.Background(), in)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if !bytes.Equal(out, in) {
		t.Errorf("retry returned a different event")
	}
	if len(fake.linkCalls) != 2 || len(fake.listCalls) != 3 {
		t.Fatalf("calls: %d ListUsers, %d links; want 3 and 2", len(fake.listCalls), len(fake.linkCalls))
	}
	readBack := fake.listCalls[2]
	if got := aws.ToString(readBack.Filter); got != `username = "`+janeName+`"` || readBack.AttributesToGet != nil {
		t.Errorf("read-back = filter %q attributes %v", got, readBack.AttributesToGet)
	}
	if fake.links[linkKey{"Descope", janeSubject}] != janeName || len(fake.links) != 1 {
		t.Errorf("links = %v", fake.links)
	}
	lines := logLines(t, logs)
	if len(lines) != 2 || lines[0]["decision"] != "link" || lines[1]["decision"] != "already_linked" {
		t.Errorf("decisions = %v", lines)
	}
}

func TestMalformedPayloadsAreErrors(t *testing.T) {
	t.Parallel()
	payloads := []string{
		``, `null`, `[]`, `"PreSignUp_ExternalProvider"`, `42`, `{`, `{}`, `{"triggerSource":5}`,
		`{"triggerSource":"PreSignUp_ExternalProvider","userName":"Descope_x","userPoolId":"us-east-1_EXAMPLE1","request":{"userAttributes":{"email":1}}}`,
		`{"triggerSource":"PreSignUp_ExternalProvider","userName":"Descope_x","userPoolId":"us-east-1_EXAMPLE1","request":{"userAttributes":["email"]}}`,
		`{"triggerSource":"PreSignUp_ExternalProvider","userName":"Descope_x","request":{"userAttributes":{"email":"a@b.c","email_verified":"true"}}}`,
		`{"triggerSource":"PreSignUp_ExternalProvider","userName":"Descope_x","userPoolId":"../../etc","request":{"userAttributes":{"email":"a@b.c","email_verified":"true"}}}`,
		`{"triggerSource":"PreSignUp_SignUp"} trailing`,
	}
	fake := newFake(jane())
	h, _ := newTestHandler(defaultCfg, fake)
	for _, p := range payloads {
		out, err := h.HandleRaw(context.Background(), json.RawMessage(p))
		if got := outcome(err); got != "invalid" || out != nil {
			t.Errorf("payload %q: outcome %s, output %q; want invalid and no output", p, got, out)
		}
	}
	if fake.calls() != 0 {
		t.Errorf("malformed payloads made %d Cognito calls", fake.calls())
	}
}

func TestPanicBecomesErrorAndHandlerKeepsServing(t *testing.T) {
	t.Parallel()
	fake := newFake(jane())
	fake.panicOnList = true
	h, logs := newTestHandler(defaultCfg, fake)
	in := fixture(t, "external-descope.json")

	out, err := h.HandleRaw(context.Background(), in)
	if !errors.Is(err, errPanic) || outcome(err) != "failed" || out != nil {
		t.Fatalf("after panic: out %q err %v; want a SignUpFailedError wrapping errPanic", out, err)
	}
	fake.panicOnList = false
	if _, err := h.HandleRaw(context.Background(), in); err != nil {
		t.Fatalf("next invocation: %v", err)
	}
	lines := logLines(t, logs)
	if len(lines) != 2 || lines[0]["reason"] != "panic" || !strings.Contains(lines[0]["stack"].(string), "HandleRaw") {
		t.Errorf("log lines = %v", lines)
	}
}

func TestExhaustedBudgetFailsClosedWithoutCalling(t *testing.T) {
	t.Parallel()
	fake := newFake(jane())
	h, _ := newTestHandler(defaultCfg, fake)
	// 550 ms to the Lambda deadline leaves 50 ms after the safety margin:
	// too little to start a call.
	ctx, cancel := context.WithTimeout(context.Background(), safetyMargin+50*time.Millisecond)
	defer cancel()
	_, err := h.HandleRaw(ctx, fixture(t, "external-descope.json"))
	if !errors.Is(err, errBudget) || outcome(err) != "failed" {
		t.Fatalf("err = %v, want a failure wrapping errBudget", err)
	}
	if fake.calls() != 0 {
		t.Errorf("made %d calls with no budget", fake.calls())
	}
}

func TestHandleTypedReturnsTheSameEvent(t *testing.T) {
	t.Parallel()
	var ev events.CognitoEventUserPoolsPreSignup
	if err := json.Unmarshal(fixture(t, "external-descope.json"), &ev); err != nil {
		t.Fatal(err)
	}
	fake := newFake(jane())
	h, _ := newTestHandler(defaultCfg, fake)
	got, err := h.Handle(context.Background(), ev)
	if err != nil || !reflect.DeepEqual(got, ev) {
		t.Fatalf("Handle = %+v, %v", got, err)
	}
	if got.Response.AutoConfirmUser || got.Response.AutoVerifyEmail {
		t.Errorf("response flags changed: %+v", got.Response)
	}
	if len(fake.linkCalls) != 1 {
		t.Errorf("link calls = %d", len(fake.linkCalls))
	}
	ev.Request.UserAttributes["email_verified"] = "false"
	if _, err := h.Handle(context.Background(), ev); outcome(err) != "refused:email_not_verified" {
		t.Errorf("unverified typed event: %v", err)
	}
}

func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	return lines
}

func TestLogsOneJSONLinePerDecisionWithoutPersonalData(t *testing.T) {
	t.Parallel()
	mixed := "Jane.Doe@Example.com"
	scenarios := []struct {
		payload      []byte
		fake         *fakeCognito
		wantDecision string
	}{
		{fixture(t, "external-descope.json"), newFake(jane()), "link"},
		{fixture(t, "external-descope-mixed-case-email.json"), newFake(), "no_match"},
		{fixture(t, "external-descope-unverified-email.json"), newFake(jane()), "refuse"},
		{fixture(t, "external-descope-missing-subject.json"), newFake(jane()), "refuse"},
		{fixture(t, "signup.json"), newFake(jane()), "skip"},
		{fixture(t, "external-descope.json"), func() *fakeCognito {
			f := newFake(jane())
			f.listErrs = []error{&types.InvalidParameterException{Message: aws.String("Invalid filter " + janeEmail + " / " + strings.ToUpper(janeEmail))}}
			return f
		}(), "error"},
		{[]byte(`{"triggerSource":"PreSignUp_ExternalProvider","userName":"Descope_x","request":{"userAttributes":{"email":"` + janeEmail + `"}}}`), newFake(), "error"},
	}
	var all bytes.Buffer
	for i, s := range scenarios {
		h, buf := newTestHandler(defaultCfg, s.fake)
		_, _ = h.HandleRaw(context.Background(), s.payload)
		lines := logLines(t, buf)
		if len(lines) != 1 {
			t.Fatalf("scenario %d: %d log lines, want 1", i, len(lines))
		}
		if lines[0]["decision"] != s.wantDecision {
			t.Errorf("scenario %d: decision %v, want %s", i, lines[0]["decision"], s.wantDecision)
		}
		for _, k := range []string{"reason", "user_pool_id", "trigger_source", "email"} {
			if _, ok := lines[0][k]; !ok {
				t.Errorf("scenario %d: no %q in %v", i, k, lines[0])
			}
		}
		// The settings behind the decision: the function writes no start-up line.
		if lines[0]["provider"] != defaultCfg.ProviderName || lines[0]["require_existing_user"] != defaultCfg.RequireExistingUser {
			t.Errorf("scenario %d: settings %v / %v, want %s / %v", i, lines[0]["provider"], lines[0]["require_existing_user"], defaultCfg.ProviderName, defaultCfg.RequireExistingUser)
		}
		all.Write(buf.Bytes())
	}
	text := strings.ToLower(all.String())
	for _, secret := range []string{janeEmail, strings.ToLower(mixed), "jane.doe", "example.com", strings.ToLower(janeSubject), "callercontext", "userattributes"} {
		if strings.Contains(text, secret) {
			t.Errorf("logs contain %q:\n%s", secret, all.String())
		}
	}
	if !strings.Contains(all.String(), `"email":"j***@e***.com"`) {
		t.Errorf("logs lack the masked email:\n%s", all.String())
	}
	if !strings.Contains(all.String(), `"user_pool_id":"`+testPool+`"`) {
		t.Errorf("logs lack the pool:\n%s", all.String())
	}
}

// discardLogger is used where log output is not under test.
var discardLogger = slog.New(slog.DiscardHandler)

// lambda.Start uses Invoke as is: the event's bytes go in, and on success
// the same bytes come back, whitespace and all.
func TestInvokeAnswersWithTheEventBytes(t *testing.T) {
	t.Parallel()
	var _ lambda.Handler = (*Handler)(nil)
	payload := append(fixture(t, "external-descope.json"), "\n  "...)
	fake := newFake(jane())
	h, _ := newTestHandler(defaultCfg, fake)
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if !bytes.Equal(out, payload) {
		t.Errorf("Invoke answered %q, want the event's bytes %q", out, payload)
	}
	if len(fake.links) != 1 {
		t.Errorf("links = %d, want 1", len(fake.links))
	}

	if _, err := h.Invoke(context.Background(), []byte("not json")); err == nil || !strings.Contains(err.Error(), "invalid sign-up event") {
		t.Errorf("Invoke(not json) error = %v, want the invalid event refusal", err)
	}
}
