package reconcile

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/motoserver"
)

// TestPreflightAgainstMoto runs the checks before any change against moto,
// which answers DescribeUserPool and DescribeIdentityProvider as Cognito does
// and cognito-local cannot; the shim's answers in the other tests mirror it.
func TestPreflightAgainstMoto(t *testing.T) {
	endpoint := motoserver.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	api := loopbackClient(endpoint, nil)
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("moto-reconcile")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if _, err := api.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: aws.String(poolID), ProviderName: aws.String("Descope"), ProviderType: types.IdentityProviderTypeTypeOidc,
		ProviderDetails: map[string]string{
			"client_id": "P2abc", "client_secret": "fake", "attributes_request_method": "GET",
			"oidc_issuer": "https://api.descope.com/P2abc", "authorize_scopes": "openid email",
		},
	}); err != nil {
		t.Fatal(err)
	}

	rep, err := runJSON(ctx, t, api, Options{UserPoolID: poolID, Provider: "Descope", Region: lambdaharness.Region})
	if err != nil {
		t.Fatalf("dry run on a pool with the provider: %v", err)
	}
	if rep.Plan.UserPoolName != "moto-reconcile" || rep.Summary.Federated != 0 {
		t.Errorf("plan %+v, summary %+v", rep.Plan, rep.Summary)
	}
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{UserPoolID: "us-east-1_Missing1", Provider: "Descope", Region: lambdaharness.Region}, "user pool us-east-1_Missing1 does not exist in region us-east-1"},
		{Options{UserPoolID: poolID, Provider: "Okta", Region: lambdaharness.Region}, `identity provider "Okta" does not exist in user pool ` + poolID},
	} {
		if _, err := runJSON(ctx, t, api, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.opts, err, c.want)
		}
	}
}
