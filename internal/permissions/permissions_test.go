package permissions_test

import (
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/permissions"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/reconcile"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/restoretrigger"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/try"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// apis are the AWS API interfaces each part declares; a new interface, or
// a new part, goes here. (The merge function's is in lambda/, package main:
// lambda/permissions_test.go checks it.)
var apis = []struct {
	part permissions.Part
	apis []reflect.Type
}{
	{permissions.AdoptedPoolRead, []reflect.Type{reflect.TypeFor[livepool.API]()}},
	{permissions.Verify, []reflect.Type{reflect.TypeFor[verify.CognitoAPI](), reflect.TypeFor[verify.LambdaAPI](), reflect.TypeFor[verify.IAMAPI]()}},
	{permissions.Reconcile, []reflect.Type{reflect.TypeFor[reconcile.API]()}},
	{permissions.Try, []reflect.Type{reflect.TypeFor[try.CognitoAPI]()}},
	{permissions.TriggerCheck, []reflect.Type{reflect.TypeFor[triggercheck.API]()}},
	{permissions.RestoreTrigger, []reflect.Type{reflect.TypeFor[restoretrigger.CognitoAPI](), reflect.TypeFor[triggercheck.API]()}},
}

// Every method of every API interface maps to an action, and each part's
// list is exactly what its interfaces call: no call missing, none stale.
func TestEachPartListsExactlyTheActionsItsAPIsCall(t *testing.T) {
	for _, tt := range apis {
		t.Run(tt.part.Name, func(t *testing.T) {
			got, unmapped := permissions.ActionsOf(tt.apis...)
			for _, m := range unmapped {
				t.Errorf("%s has no IAM action: add it to permissions.Operations", m)
			}
			want := slices.Sorted(slices.Values(tt.part.Actions))
			if !slices.Equal(got, want) {
				t.Errorf("the APIs call %v, but the part lists %v: make the part's Actions what the code calls", got, want)
			}
		})
	}
}

// ActionsOf refuses a method it has no entry for, and names it.
func TestActionsOfNamesAnUnmappedMethod(t *testing.T) {
	type api interface {
		verify.CognitoAPI
		Nonsense(int) error
	}
	actions, unmapped := permissions.ActionsOf(reflect.TypeFor[api]())
	if !slices.Equal(unmapped, []string{"permissions_test.api.Nonsense (Nonsense)"}) {
		t.Errorf("unmapped = %v", unmapped)
	}
	if !slices.Equal(actions, []string{"cognito-idp:DescribeIdentityProvider", "cognito-idp:DescribeUserPool"}) {
		t.Errorf("actions = %v", actions)
	}
}

// The merge function's role is declared from passkeys.LinkActions.
func TestMergeFunctionIsTheLinkPolicy(t *testing.T) {
	if got := slices.Sorted(slices.Values(passkeys.LinkActions)); !slices.Equal(got, permissions.MergeFunction.Actions) {
		t.Errorf("passkeys.LinkActions = %v, permissions.MergeFunction = %v", got, permissions.MergeFunction.Actions)
	}
}

// allows reports whether an Allow statement of p names action, with IAM's
// wildcards and case-insensitively, as IAM matches action names. It judges
// actions only, not resources or conditions.
func allows(p permissions.Policy, action string) bool {
	for _, st := range p.Statement {
		if st.Effect != "Allow" {
			continue
		}
		for _, pattern := range st.Action {
			if ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(action)); err == nil && ok {
				return true
			}
		}
	}
	return false
}

func TestAllowsMatchesAsIAMDoes(t *testing.T) {
	p := permissions.Policy{Statement: []permissions.Statement{
		{Effect: "Allow", Action: []string{"lambda:Get*", "cognito-idp:ListUsers"}},
		{Effect: "Deny", Action: []string{"iam:*"}},
	}}
	for action, want := range map[string]bool{
		"lambda:GetFunction":     true,
		"lambda:getpolicy":       true,
		"cognito-idp:ListUsers":  true,
		"lambda:InvokeFunction":  false,
		"cognito-idp:ListUsers2": false,
		"iam:GetRole":            false,
	} {
		if got := allows(p, action); got != want {
			t.Errorf("allows(%s) = %v, want %v", action, got, want)
		}
	}
}

// Each CI role allows what the parts it runs call.
func TestRolesAllowWhatTheirJobsCall(t *testing.T) {
	for _, tt := range []struct {
		role  string
		p     permissions.Policy
		parts []permissions.Part
	}{
		{"deploy role (pulumi up, then make verify)", permissions.DeployRole, []permissions.Part{permissions.AdoptedPoolRead, permissions.TriggerCheck, permissions.Verify}},
		{"preview role (pulumi preview)", permissions.PreviewRole, []permissions.Part{permissions.AdoptedPoolRead, permissions.TriggerCheck}},
	} {
		for _, part := range tt.parts {
			for _, action := range part.Actions {
				if !allows(tt.p, action) {
					t.Errorf("the %s does not allow %s, which %s calls", tt.role, action, part.Name)
				}
			}
		}
	}
}
