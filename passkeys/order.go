package passkeys

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
)

// signIn is the pool and what sign-in through it needs: the trigger's
// access, the Descope provider and the app clients.
type signIn struct {
	pool     *cognito.UserPool
	plan     *livepool.Plan
	access   []pulumi.Resource
	provider *cognito.IdentityProvider
	client   *appClient
	clients  []pulumi.Resource
}

// declareSignIn declares the pool, the trigger's access (Cognito's right to
// invoke the merge function, the function's right to link in the pool), the
// Descope provider and the app clients. The engine creates and updates in
// dependency order, so their dependencies are the order of the steps.
//
// A created pool has no users or clients before its first run: the trigger's
// access follows the pool, whose ARN exists only then, and the provider and
// the client follow the pool. On a later move to a new function (the stack,
// project or component renamed) that gap remains; the only way around it,
// letting Cognito invoke the function for every pool of the account, would
// be a wider grant than verify accepts.
//
// An adopted pool is in use, so the order must keep every sign-in working at
// each step and after a run that stops between two (declareAdoptedSignIn).
func declareSignIn(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, life lifecycle, fn *mergeFunction, accountID pulumi.StringOutput, component pulumi.Resource, opts ...pulumi.ResourceOption) (*signIn, error) {
	if a.Adoption != nil {
		return declareAdoptedSignIn(ctx, name, a, life, fn, accountID, component, opts...)
	}
	pool, err := newUserPool(ctx, name, a, life, fn.function.Arn, opts...)
	if err != nil {
		return nil, fmt.Errorf("user pool: %w", err)
	}
	s := &signIn{pool: pool}
	if s.access, err = newTriggerAccess(ctx, name, fn, pool.Arn, accountID, opts...); err != nil {
		return nil, fmt.Errorf("trigger access: %w", err)
	}
	poolID := pool.ID().ToStringOutput()
	if s.provider, err = newDescopeProvider(ctx, name, a, poolID, nil, opts...); err != nil {
		return nil, fmt.Errorf("the Descope provider: %w", err)
	}
	if s.client, s.clients, err = declareAppClient(ctx, name, a, nil, nil, poolID, s.provider, opts...); err != nil {
		return nil, fmt.Errorf("app client: %w", err)
	}
	return s, nil
}

// declareAdoptedSignIn orders the adopted pool's steps so that no sign-in
// fails at any of them:
//
//   - the trigger's access, declared from the pool's live ARN, comes before
//     the pool, whose update may move the trigger: Cognito fails every
//     SignUp, AdminCreateUser and first federated sign-in whose trigger it
//     may not invoke;
//   - the pool's schema gains custom:descope_sub before a client's write list
//     or the provider's mapping names it (Cognito refuses an attribute the
//     pool does not have);
//   - an existing provider maps new attributes only once every client that
//     signs in through it can write them (Cognito fails a federated sign-in
//     through a client that cannot write a mapped attribute), so the adopted
//     clients come first; a created provider maps them all from the start
//     and the clients name it only once it exists, so they come after it;
//   - the trigger moves to the merge function only once the provider maps
//     custom:descope_sub: the function links with it and refuses a sign-in
//     it would link without it (it never rebuilds the subject from the user
//     name, which Cognito may lowercase).
//
// The pool's schema and trigger change in one update, so for an existing
// provider and a pool without custom:descope_sub these cannot all hold in
// one run: the first keeps the trigger (livepool's Plan.PreSignUpWaits) and
// runs pool, clients, provider; the next, with the attribute live, runs
// clients, provider, pool. A created provider takes one run: pool (schema
// and trigger), provider, clients; before the provider exists no Descope
// sign-in happens, and the merge function lets every other sign-up through.
//
// A destroy goes the other way, but deletes nothing in an adopted pool.
func declareAdoptedSignIn(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, life lifecycle, fn *mergeFunction, accountID pulumi.StringOutput, component pulumi.Resource, opts ...pulumi.ResourceOption) (*signIn, error) {
	plan, err := livepool.Adopt(a.Adoption.State, a.owned(ctx, name, fn.function.Arn))
	if err != nil {
		return nil, fmt.Errorf("user pool: %w", err)
	}
	if err := logChanges(ctx, component, plan, a.Adoption.ChainPreSignUpARN != ""); err != nil {
		return nil, err
	}
	s := &signIn{plan: plan}
	if s.access, err = newTriggerAccess(ctx, name, fn, pulumi.String(a.adoptedPoolARN()).ToStringOutput(), accountID, opts...); err != nil {
		return nil, fmt.Errorf("trigger access: %w", err)
	}
	// The live ID, so that nothing follows the pool by a data edge: each
	// step's dependencies below are the whole order.
	poolID := pulumi.String(aws.ToString(a.Adoption.State.Pool.Id)).ToStringOutput()
	existingProvider := plan.Provider != nil
	poolFirst := !existingProvider || !plan.SubjectAttributeLive

	var providerWaitsFor []pulumi.Resource
	if poolFirst {
		if s.pool, err = adoptedPool(ctx, name, plan, life, withOptions(opts, pulumi.DependsOn(s.access))...); err != nil {
			return nil, fmt.Errorf("user pool: %w", err)
		}
		providerWaitsFor = []pulumi.Resource{s.pool}
	}
	var adopted []*cognito.UserPoolClient
	if existingProvider {
		if adopted, err = adoptedClients(ctx, name, plan, withOptions(opts, pulumi.DependsOn(providerWaitsFor))...); err != nil {
			return nil, err
		}
		providerWaitsFor = append(providerWaitsFor, resources(adopted)...)
	}
	if s.provider, err = newDescopeProvider(ctx, name, a, poolID, plan, withOptions(opts, pulumi.DependsOn(providerWaitsFor))...); err != nil {
		return nil, fmt.Errorf("the Descope provider: %w", err)
	}
	if !existingProvider {
		if adopted, err = adoptedClients(ctx, name, plan, withOptions(opts, pulumi.DependsOn([]pulumi.Resource{s.provider}))...); err != nil {
			return nil, err
		}
	}
	if !poolFirst {
		waitsFor := append(append([]pulumi.Resource{s.provider}, s.access...), resources(adopted)...)
		if s.pool, err = adoptedPool(ctx, name, plan, life, withOptions(opts, pulumi.DependsOn(waitsFor))...); err != nil {
			return nil, fmt.Errorf("user pool: %w", err)
		}
	}
	if s.client, s.clients, err = declareAppClient(ctx, name, a, plan, adopted, poolID, s.provider, opts...); err != nil {
		return nil, fmt.Errorf("app client: %w", err)
	}
	return s, nil
}

func resources(clients []*cognito.UserPoolClient) []pulumi.Resource {
	out := make([]pulumi.Resource, len(clients))
	for i, c := range clients {
		out[i] = c
	}
	return out
}
