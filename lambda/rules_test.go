package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// The linking rules of issue 18 as the merge function applies them.
func TestLinkingRulesInTheTrigger(t *testing.T) {
	t.Parallel()
	kim := fakeUser{username: "kim", email: "kim@example.com", verified: "true", status: types.UserStatusTypeConfirmed}
	tenant := jane()
	tenant.custom = map[string]string{"custom:tenant": "acme"}
	cases := []struct {
		name      string
		userName  string
		attrs     map[string]string
		fake      func() *fakeCognito
		want      string // outcome()
		wantLinks int
		wantCalls int
	}{
		{
			// The fake's filter folds Unicode case, as Cognito's might: the
			// function's own check must still refuse the match.
			name: "a KELVIN SIGN address never matches the ASCII account", userName: "Descope_K1",
			attrs: map[string]string{"email": "\u212Aim@example.com", "email_verified": "true", "custom:descope_sub": "K1"},
			fake:  func() *fakeCognito { return newFake(kim) }, want: "ok", wantCalls: 1,
		},
		{
			name: "a Descope_Staging user is not Descope's", userName: "Descope_Staging_abc",
			attrs: map[string]string{"email": janeEmail, "email_verified": "true", "custom:descope_sub": "abc"},
			fake:  func() *fakeCognito { return newFake(jane()) }, want: "ok",
		},
		{
			name: "the five-identity limit is refused as identity_limit, with one attempt", userName: "Descope_" + janeSubject,
			attrs: map[string]string{"email": janeEmail, "email_verified": "true", "custom:descope_sub": janeSubject},
			fake: func() *fakeCognito {
				f := newFake(jane())
				f.linkErrs = []error{&types.LimitExceededException{Message: aws.String("Exceeded limit of linked identities")}}
				return f
			},
			want: "refused:" + linking.ReasonIdentityLimit, wantLinks: 1, wantCalls: 2,
		},
		{
			name: "a target with an immutable custom attribute is refused as immutable_attribute", userName: "Descope_" + janeSubject,
			attrs: map[string]string{"email": janeEmail, "email_verified": "true", "custom:descope_sub": janeSubject},
			fake:  func() *fakeCognito { f := newFake(tenant); f.immutable = []string{"custom:tenant"}; return f },
			want:  "refused:" + linking.ReasonImmutableAttribute, wantLinks: 1, wantCalls: 4, // list, link, read back, schema
		},
		{
			name: "a custom attribute that is mutable leaves the failure a failure", userName: "Descope_" + janeSubject,
			attrs: map[string]string{"email": janeEmail, "email_verified": "true", "custom:descope_sub": janeSubject},
			fake: func() *fakeCognito {
				f := newFake(tenant)
				f.linkErrs = []error{&types.InvalidParameterException{Message: aws.String("something else")}}
				return f
			},
			want: "failed", wantLinks: 1, wantCalls: 4,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fake := c.fake()
			h, _ := newTestHandler(defaultCfg, fake)
			_, err := h.HandleRaw(context.Background(), descopeEvent(t, c.userName, c.attrs))
			if got := outcome(err); got != c.want {
				t.Fatalf("outcome = %s, want %s", got, c.want)
			}
			if len(fake.linkCalls) != c.wantLinks || fake.calls() != c.wantCalls {
				t.Errorf("%d links, %d calls; want %d and %d", len(fake.linkCalls), fake.calls(), c.wantLinks, c.wantCalls)
			}
			if len(fake.links) != 0 {
				t.Errorf("linked %v", fake.links)
			}
		})
	}
}

func TestPoolSchemaIsReadOncePerProcess(t *testing.T) {
	t.Parallel()
	tenant := jane()
	tenant.custom = map[string]string{"custom:tenant": "acme"}
	fake := newFake(tenant)
	fake.immutable = []string{"custom:tenant"}
	h, _ := newTestHandler(defaultCfg, fake)
	ev := descopeEvent(t, "Descope_"+janeSubject, map[string]string{"email": janeEmail, "email_verified": "true", "custom:descope_sub": janeSubject})
	for i := 0; i < 2; i++ {
		if _, err := h.HandleRaw(context.Background(), ev); outcome(err) != "refused:"+linking.ReasonImmutableAttribute {
			t.Fatalf("invocation %d: %v", i+1, err)
		}
	}
	if fake.describeCalls != 1 {
		t.Errorf("%d DescribeUserPool calls, want 1", fake.describeCalls)
	}
}
