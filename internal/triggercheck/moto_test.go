package triggercheck_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/motoserver"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck/triggerchecktest"
)

// TestCheckAgainstMoto follows the post's function through its life: created,
// granted to the pool, granted only to another pool, deleted.
func TestCheckAgainstMoto(t *testing.T) {
	endpoint := motoserver.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	api := lambdaClient(endpoint)
	arn := triggerchecktest.CreateFunction(ctx, t, api, endpoint, "descope-blog-presignup")
	check := func(pool string) error {
		t.Helper()
		return triggercheck.Check(ctx, api, arn, pool)
	}
	var refused *triggercheck.NotInvokableError

	if err := check(poolARN); !errors.As(err, &refused) || refused.Missing {
		t.Fatalf("no permission yet: %v, want a refusal for the missing permission", err)
	}
	triggerchecktest.Grant(ctx, t, api, arn, poolARN)
	if err := check(poolARN); err != nil {
		t.Errorf("granted to the pool: %v, want callable", err)
	}
	if err := check(strings.Replace(poolARN, "AdOpT1234", "OtHeR9876", 1)); !errors.As(err, &refused) || refused.Missing {
		t.Errorf("granted to another pool: %v, want a refusal for the missing permission", err)
	}
	if _, err := api.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if err := check(poolARN); !errors.As(err, &refused) || !refused.Missing {
		t.Errorf("deleted: %v, want a refusal for the missing function", err)
	}
}
