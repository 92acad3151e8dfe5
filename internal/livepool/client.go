// Package livepool reads an existing Cognito user pool, its app clients, its
// Descope identity provider and its hosted domain with the AWS SDK, refuses
// what cannot be adopted without losing a setting, and translates what it read
// into pulumi-aws v6 arguments that equal the live settings plus only the
// changes this program owns (see Owned).
//
// The program calls Read once, with a client built by internal/awsconfig;
// the component (passkeys) calls Adopt and declares each Plan entry with its
// Args and Options (import ID, retain on delete); nothing here registers a
// resource.
//
// Why every setting is declared: Pulumi's import option now updates an
// imported resource to the declared inputs, and UpdateUserPool resets any
// setting it is not given, so an omitted setting would be lost. Every field
// of the SDK's pool, MFA and client types is decided in fields_test.go:
// carried to an input, owned, read-only, or refused by Check; an SDK upgrade
// that adds a field fails that test until someone decides.
//
// What adoption changes: the pre sign-up trigger (to the merge function; with
// an existing Descope provider and no custom:descope_sub, only in the run
// after the one that adds it, Plan.PreSignUpWaits), the
// custom:descope_sub attribute (added in place), and on the given clients the
// provider in SupportedIdentityProviders plus the code flow with openid, and
// the provider's mapped attributes in an explicit write list. Plan.Changes
// lists them in words (and a legacy temporary password validity carried into
// the password policy); it is empty once the pool is adopted.
// Owned.Detach plans the way back: only the trigger returns to the one
// adoption replaced.
package livepool

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// API is the part of the Cognito user pools API that Read uses.
// *cognitoidentityprovider.Client satisfies it; tests may fake it.
type API interface {
	DescribeUserPool(ctx context.Context, in *cognitoidentityprovider.DescribeUserPoolInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolOutput, error)
	GetUserPoolMfaConfig(ctx context.Context, in *cognitoidentityprovider.GetUserPoolMfaConfigInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.GetUserPoolMfaConfigOutput, error)
	DescribeUserPoolClient(ctx context.Context, in *cognitoidentityprovider.DescribeUserPoolClientInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolClientOutput, error)
	ListIdentityProviders(ctx context.Context, in *cognitoidentityprovider.ListIdentityProvidersInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.ListIdentityProvidersOutput, error)
	DescribeIdentityProvider(ctx context.Context, in *cognitoidentityprovider.DescribeIdentityProviderInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeIdentityProviderOutput, error)
	DescribeUserPoolDomain(ctx context.Context, in *cognitoidentityprovider.DescribeUserPoolDomainInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolDomainOutput, error)
}
