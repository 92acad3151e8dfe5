package livepool

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool/livepooltest"
)

// TestMotoPoolIsAdoptedExactlyAndStably creates a pool with non-default
// settings everywhere in moto_server, reads it back with the SDK, and checks
// that the declared inputs equal the live settings plus only the owned
// changes; then applies those changes and checks a second run declares the
// same inputs.
func TestMotoPoolIsAdoptedExactlyAndStably(t *testing.T) {
	endpoint := livepooltest.StartMoto(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	api := livepooltest.Cognito(ctx, t)
	poolID, clientID := livepooltest.CreateRichPool(ctx, t, api)
	request := Request{UserPoolID: poolID, ClientIDs: []string{clientID}, ProviderName: "Descope"}

	state, err := Read(ctx, api, request)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	first := register(t, plan)
	seen := map[string]bool{}
	compareCarried(t, "moto pool", state.Pool, poolFieldRules, first.pool, seen)
	compareCarried(t, "moto MFA", state.MFA, mfaFieldRules, first.pool, seen)
	compareCarried(t, "moto client", state.Clients[0], clientFieldRules, first.clients[0], seen)
	if len(seen) < 60 {
		t.Errorf("only %d carried fields were compared; the emulated pool lost settings", len(seen))
	}

	// The pool has a Descope provider but not custom:descope_sub: this run
	// keeps the trigger, the next moves it.
	if v, _ := lookup(first.pool, "lambdaConfig.preSignUp"); v != livepooltest.BlogTrigger || !plan.PreSignUpWaits {
		t.Errorf("pre sign-up %v (waits %v), want the live %s kept for this run", v, plan.PreSignUpWaits, livepooltest.BlogTrigger)
	}
	if plan.PreviousPreSignUpARN != livepooltest.BlogTrigger {
		t.Errorf("PreviousPreSignUpARN %q, want %s", plan.PreviousPreSignUpARN, livepooltest.BlogTrigger)
	}
	schemaNames := []string{}
	for _, s := range first.pool["schemas"].([]any) {
		schemaNames = append(schemaNames, s.(map[string]any)["name"].(string))
	}
	slices.Sort(schemaNames)
	if want := []string{DescopeSubjectAttribute, "email", "risk_flags", "tenant_id"}; !slices.Equal(schemaNames, want) {
		t.Errorf("schemas %v, want %v", schemaNames, want)
	}
	if got := asStrings(first.clients[0]["supportedIdentityProviders"].([]any)); !slices.Equal(got, []string{"COGNITO", "Descope"}) {
		t.Errorf("supportedIdentityProviders %v", got)
	}
	if plan.Provider == nil || plan.Provider.ImportID != poolID+":Descope" {
		t.Errorf("the existing Descope provider is not adopted: %+v", plan.Provider)
	}
	if plan.HostedDomain != "acme-moto.auth.us-east-1.amazoncognito.com" || len(plan.Domains) != 1 || plan.Domains[0].ImportID != "acme-moto" {
		t.Errorf("domain plan %+v, hosted %q", plan.Domains, plan.HostedDomain)
	}

	livepooltest.ApplyOwnedChanges(ctx, t, endpoint, api, poolID, clientID, mergeFunctionARN)
	adopted, err := Read(ctx, api, request)
	if err != nil {
		t.Fatal(err)
	}
	again := ownedForTest()
	again.ReplacePreSignUpTrigger = false
	secondPlan, err := Adopt(adopted, again)
	if err != nil {
		t.Fatalf("second run refused: %v", err)
	}
	if len(plan.Changes) != 4 || len(secondPlan.Changes) != 0 {
		t.Errorf("changes: first run %v (want the trigger, the attribute, the provider and the write list), second run %v (want none)", plan.Changes, secondPlan.Changes)
	}
	second := register(t, secondPlan)
	// ApplyOwnedChanges moved the trigger, as the run after the first does.
	first.pool["lambdaConfig"].(map[string]any)["preSignUp"] = mergeFunctionARN
	if !reflect.DeepEqual(first, second) {
		for _, key := range sortedKeys(first.pool) {
			if !reflect.DeepEqual(first.pool[key], second.pool[key]) {
				t.Errorf("pool %s changed on the second run:\n first %v\nsecond %v", key, first.pool[key], second.pool[key])
			}
		}
		if !reflect.DeepEqual(first.clients, second.clients) {
			t.Errorf("client changed on the second run:\n first %v\nsecond %v", first.clients, second.clients)
		}
	}
}

// TestMotoRefusesAnUnsafePool: a pool with an inbound federation trigger,
// the blog's pre sign-up trigger and phone-number sign-in is refused with
// all three reasons at once.
func TestMotoRefusesAnUnsafePool(t *testing.T) {
	livepooltest.StartMoto(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	api := livepooltest.Cognito(ctx, t)
	created, err := api.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{
		PoolName:           aws.String("unsafe"),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypePhoneNumber},
		LambdaConfig: &types.LambdaConfigType{
			PreSignUp:         aws.String(livepooltest.BlogTrigger),
			InboundFederation: &types.InboundFederationLambdaType{LambdaArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:inbound"), LambdaVersion: types.InboundFederationLambdaVersionTypeV10},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	state, err := Read(ctx, api, Request{UserPoolID: aws.ToString(created.UserPool.Id), ProviderName: "Descope"})
	if err != nil {
		t.Fatal(err)
	}
	owned := ownedForTest()
	owned.ReplacePreSignUpTrigger = false
	_, err = Adopt(state, owned)
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("err = %v, want a refusal", err)
	}
	for _, setting := range []string{"LambdaConfig.InboundFederation", "LambdaConfig.PreSignUp", "UsernameAttributes/AliasAttributes"} {
		if !strings.Contains(err.Error(), setting) {
			t.Errorf("refusal does not name %s:\n%v", setting, err)
		}
	}
}

// TestMotoLegacyTemporaryPasswordValidityIsKept: a pool created with only
// the legacy UnusedAccountValidityDays keeps that validity through adoption,
// as the password policy's TemporaryPasswordValidityDays.
func TestMotoLegacyTemporaryPasswordValidityIsKept(t *testing.T) {
	livepooltest.StartMoto(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	api := livepooltest.Cognito(ctx, t)
	created, err := api.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{
		PoolName:              aws.String("legacy"),
		UsernameAttributes:    []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		Policies:              &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(10)}},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{UnusedAccountValidityDays: 4},
	})
	if err != nil {
		t.Fatal(err)
	}
	state, err := Read(ctx, api, Request{UserPoolID: aws.ToString(created.UserPool.Id), ProviderName: "Descope"})
	if err != nil {
		t.Fatal(err)
	}
	if pp := state.Pool.Policies.PasswordPolicy; pp.TemporaryPasswordValidityDays != 0 || state.Pool.AdminCreateUserConfig.UnusedAccountValidityDays != 4 {
		t.Fatalf("the emulated pool reports TemporaryPasswordValidityDays %d and UnusedAccountValidityDays %d, want 0 and 4",
			pp.TemporaryPasswordValidityDays, state.Pool.AdminCreateUserConfig.UnusedAccountValidityDays)
	}
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := lookup(register(t, plan).pool, "passwordPolicy.temporaryPasswordValidityDays"); v != float64(4) {
		t.Errorf("temporaryPasswordValidityDays %v, want the legacy 4", v)
	}
}
