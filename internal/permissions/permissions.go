// Package permissions is the one list of the AWS actions each part of the
// project calls, and of the CI roles that docs/ci-cd.md tells users to
// create. Its tests hold both to the code: every method of every AWS API
// interface the code declares (livepool.API, verify's CognitoAPI, LambdaAPI
// and IAMAPI, reconcile.API, the merge function's cognitoAPI) must have an
// entry in Operations and appear in its part's Actions; each role must allow
// what its parts call; and the policies in docs/ci-cd.md must be exactly
// DeployRole and PreviewRole.
//
// To add an AWS call: add the method to the package's API interface, its
// operation to Operations, its action to the part below, and, if a CI role
// runs that part, to that role's statements and docs/ci-cd.md. The tests
// name each step that is missing.
package permissions

import (
	"path"
	"reflect"
	"slices"
)

// Operations maps each AWS SDK for Go v2 operation the code calls, as
// "<service package>.<method>", to the IAM action it needs. Most actions are
// the operation's name; Lambda's Invoke is lambda:InvokeFunction.
var Operations = map[string]string{
	"cognitoidentityprovider.AdminAddUserToGroup":      "cognito-idp:AdminAddUserToGroup",
	"cognitoidentityprovider.AdminDeleteUser":          "cognito-idp:AdminDeleteUser",
	"cognitoidentityprovider.AdminGetUser":             "cognito-idp:AdminGetUser",
	"cognitoidentityprovider.AdminLinkProviderForUser": "cognito-idp:AdminLinkProviderForUser",
	"cognitoidentityprovider.AdminListGroupsForUser":   "cognito-idp:AdminListGroupsForUser",
	"cognitoidentityprovider.DescribeIdentityProvider": "cognito-idp:DescribeIdentityProvider",
	"cognitoidentityprovider.DescribeUserPool":         "cognito-idp:DescribeUserPool",
	"cognitoidentityprovider.DescribeUserPoolClient":   "cognito-idp:DescribeUserPoolClient",
	"cognitoidentityprovider.DescribeUserPoolDomain":   "cognito-idp:DescribeUserPoolDomain",
	"cognitoidentityprovider.GetUserPoolMfaConfig":     "cognito-idp:GetUserPoolMfaConfig",
	"cognitoidentityprovider.ListIdentityProviders":    "cognito-idp:ListIdentityProviders",
	"cognitoidentityprovider.ListUsers":                "cognito-idp:ListUsers",
	"cognitoidentityprovider.UpdateUserPool":           "cognito-idp:UpdateUserPool",
	"iam.SimulatePrincipalPolicy":                      "iam:SimulatePrincipalPolicy",
	"lambda.GetFunction":                               "lambda:GetFunction",
	"lambda.GetPolicy":                                 "lambda:GetPolicy",
	"lambda.Invoke":                                    "lambda:InvokeFunction",
}

// Part is one piece of the project that calls AWS with the SDK, and the
// actions it calls.
type Part struct {
	Name    string
	Actions []string
}

var (
	// AdoptedPoolRead is the program reading the pool it adopts
	// (internal/livepool), in every preview and update of an adopted stack.
	AdoptedPoolRead = Part{Name: "the program, reading an adopted pool (internal/livepool)", Actions: []string{
		"cognito-idp:DescribeIdentityProvider",
		"cognito-idp:DescribeUserPool",
		"cognito-idp:DescribeUserPoolClient",
		"cognito-idp:DescribeUserPoolDomain",
		"cognito-idp:GetUserPoolMfaConfig",
		"cognito-idp:ListIdentityProviders",
	}}
	// Verify is cmd/verify: reads, one invocation, one IAM policy simulation.
	Verify = Part{Name: "cmd/verify", Actions: []string{
		"cognito-idp:DescribeIdentityProvider",
		"cognito-idp:DescribeUserPool",
		"iam:SimulatePrincipalPolicy",
		"lambda:GetFunction",
		"lambda:GetPolicy",
		"lambda:InvokeFunction",
	}}
	// Reconcile is cmd/reconcile, run by an operator, never by CI.
	Reconcile = Part{Name: "cmd/reconcile", Actions: []string{
		"cognito-idp:AdminAddUserToGroup",
		"cognito-idp:AdminDeleteUser",
		"cognito-idp:AdminGetUser",
		"cognito-idp:AdminLinkProviderForUser",
		"cognito-idp:AdminListGroupsForUser",
		"cognito-idp:DescribeIdentityProvider",
		"cognito-idp:DescribeUserPool",
		"cognito-idp:ListUsers",
	}}
	// MergeFunction is the pre sign-up function (lambda/), with its own role
	// (passkeys.LinkActions on the pool).
	MergeFunction = Part{Name: "the merge function (lambda/)", Actions: []string{
		"cognito-idp:AdminLinkProviderForUser",
		"cognito-idp:DescribeUserPool",
		"cognito-idp:ListUsers",
	}}
	// Try is cmd/try: the app client's callback URLs, and the account the
	// sign-in landed in.
	Try = Part{Name: "cmd/try", Actions: []string{
		"cognito-idp:AdminGetUser",
		"cognito-idp:DescribeUserPoolClient",
	}}
	// TriggerCheck is the program, before a detach or teardown puts an
	// adopted pool's previous trigger back, and cmd/restore-trigger: may
	// Cognito still invoke that function (internal/triggercheck)? The
	// function is the pool's own, usually not one of the stack's.
	TriggerCheck = Part{Name: "the previous trigger's check (internal/triggercheck)", Actions: []string{
		"lambda:GetFunction",
		"lambda:GetPolicy",
	}}
	// RestoreTrigger is cmd/restore-trigger, run by an operator in an
	// emergency: the adopted pool's read, its one update, and TriggerCheck.
	RestoreTrigger = Part{Name: "cmd/restore-trigger", Actions: []string{
		"cognito-idp:DescribeIdentityProvider",
		"cognito-idp:DescribeUserPool",
		"cognito-idp:DescribeUserPoolClient",
		"cognito-idp:DescribeUserPoolDomain",
		"cognito-idp:GetUserPoolMfaConfig",
		"cognito-idp:ListIdentityProviders",
		"cognito-idp:UpdateUserPool",
		"lambda:GetFunction",
		"lambda:GetPolicy",
	}}
)

// ActionsOf returns the IAM actions the methods of the API interface types
// call, sorted and without repeats, and the methods Operations has no entry
// for. Each method must take a context and an SDK input such as
// *cognitoidentityprovider.ListUsersInput, whose package names the service.
func ActionsOf(apis ...reflect.Type) (actions, unmapped []string) {
	for _, api := range apis {
		for i := range api.NumMethod() {
			m := api.Method(i)
			operation := m.Name
			if m.Type.NumIn() >= 2 && m.Type.In(1).Kind() == reflect.Pointer {
				operation = path.Base(m.Type.In(1).Elem().PkgPath()) + "." + m.Name
			}
			if action, ok := Operations[operation]; ok {
				actions = append(actions, action)
			} else {
				unmapped = append(unmapped, api.String()+"."+m.Name+" ("+operation+")")
			}
		}
	}
	slices.Sort(actions)
	return slices.Compact(actions), unmapped
}
