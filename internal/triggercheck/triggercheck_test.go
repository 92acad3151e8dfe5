package triggercheck_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck/triggerchecktest"
)

const (
	poolARN  = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AdOpT1234"
	function = "arn:aws:lambda:us-east-1:123456789012:function:"
)

// lambdaClient is a real SDK client with fixed fake credentials, talking
// only to endpoint (loopback), so the SDK's own decoder reads the answers.
func lambdaClient(endpoint string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIATRIGGERCHECK0000", "triggercheck-fake-secret", ""),
		BaseEndpoint: aws.String(endpoint),
	})
}

func TestCheckOverRecordedAnswers(t *testing.T) {
	api := lambdaClient(triggerchecktest.Serve(t, "testdata"))
	tests := []struct {
		function string
		// want is "" for a callable function, else what the refusal says.
		want    []string
		missing bool
	}{
		{function: "descope-blog-presignup"},
		{function: "deleted-presignup", missing: true, want: []string{"does not exist", "recreate the function", "aws lambda add-permission"}},
		{function: "presignup-no-permission", want: []string{"no resource-policy statement", "cognito-idp.amazonaws.com", "us-east-1_AdOpT1234"}},
		{function: "presignup-other-pool", want: []string{"no resource-policy statement"}},
		{function: "presignup-failed", want: []string{"Failed state", "could not be initialized"}},
	}
	for _, tt := range tests {
		t.Run(tt.function, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			err := triggercheck.Check(ctx, api, function+tt.function, poolARN)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Check: %v, want a callable function", err)
				}
				return
			}
			var refused *triggercheck.NotInvokableError
			if !errors.As(err, &refused) {
				t.Fatalf("Check: %v, want a *NotInvokableError", err)
			}
			if refused.Missing != tt.missing {
				t.Errorf("Missing = %v, want %v", refused.Missing, tt.missing)
			}
			text := err.Error() + " " + refused.Restore()
			for _, want := range append(tt.want, "every sign-up in us-east-1_AdOpT1234 would fail") {
				if !strings.Contains(text, want) {
					t.Errorf("%q does not say %q", text, want)
				}
			}
			grant := "aws lambda add-permission --function-name " + function + tt.function +
				" --statement-id cognito-us-east-1_AdOpT1234 --action lambda:InvokeFunction --principal cognito-idp.amazonaws.com --source-arn " + poolARN
			if !strings.HasSuffix(refused.Restore(), grant) {
				t.Errorf("Restore() = %q, want it to end with %q", refused.Restore(), grant)
			}
		})
	}
}

func TestCheckReportsWhatItCouldNotAsk(t *testing.T) {
	api := lambdaClient("http://127.0.0.1:9") // nothing listens: a network failure, not a refusal
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err := triggercheck.Check(ctx, api, function+"descope-blog-presignup", poolARN)
	var refused *triggercheck.NotInvokableError
	if err == nil || errors.As(err, &refused) || !strings.Contains(err.Error(), "lambda:GetFunction") {
		t.Errorf("Check: %v; want an error naming the call it could not make, not a verdict", err)
	}
	if err := triggercheck.Check(ctx, api, function+"x", "us-east-1_AdOpT1234"); err == nil || !strings.Contains(err.Error(), "not a user pool ARN") {
		t.Errorf("Check with a pool ID: %v, want the ARN asked for", err)
	}
}

func TestAllows(t *testing.T) {
	statement := func(body string) string { return `{"Version":"2012-10-17","Statement":` + body + `}` }
	const cognito = `"Principal":{"Service":"cognito-idp.amazonaws.com"}`
	tests := []struct {
		name   string
		policy string
		want   bool
	}{
		{"add-permission with the pool", statement(`[{"Effect":"Allow",` + cognito + `,"Action":"lambda:InvokeFunction","Condition":{"ArnLike":{"AWS:SourceArn":"` + poolARN + `"}}}]`), true},
		{"a single statement, not a list", statement(`{"Effect":"Allow",` + cognito + `,"Action":"lambda:InvokeFunction"}`), true},
		{"no source condition", statement(`[{"Effect":"Allow",` + cognito + `,"Action":"lambda:InvokeFunction"}]`), true},
		{"a wildcard source in the account", statement(`[{"Effect":"Allow",` + cognito + `,"Action":"lambda:*","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/*"}}}]`), true},
		{"the source account", statement(`[{"Effect":"Allow",` + cognito + `,"Action":["lambda:GetFunction","lambda:InvokeFunction"],"Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"}}}]`), true},
		{"a list of services", statement(`[{"Effect":"Allow","Principal":{"Service":["events.amazonaws.com","cognito-idp.amazonaws.com"]},"Action":"lambda:InvokeFunction"}]`), true},
		{"anyone", statement(`[{"Effect":"Allow","Principal":"*","Action":"*"}]`), true},
		{"another pool", statement(`[{"Effect":"Allow",` + cognito + `,"Action":"lambda:InvokeFunction","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_OtHeR9876"}}}]`), false},
		{"another account", statement(`[{"Effect":"Allow",` + cognito + `,"Action":"lambda:InvokeFunction","Condition":{"StringEquals":{"AWS:SourceAccount":"210987654321"}}}]`), false},
		{"another service", statement(`[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction"}]`), false},
		{"another action", statement(`[{"Effect":"Allow",` + cognito + `,"Action":"lambda:GetFunction"}]`), false},
		{"a condition it does not know", statement(`[{"Effect":"Allow",` + cognito + `,"Action":"lambda:InvokeFunction","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]`), false},
		{"allowed, then denied", statement(`[{"Effect":"Allow",` + cognito + `,"Action":"lambda:InvokeFunction"},{"Effect":"Deny",` + cognito + `,"Action":"lambda:InvokeFunction"}]`), false},
		{"no statements", statement(`[]`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := triggercheck.Allows(tt.policy, poolARN)
			if err != nil || got != tt.want {
				t.Errorf("Allows = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if _, err := triggercheck.Allows("not json", poolARN); err == nil {
		t.Error("Allows accepted a policy that is not JSON")
	}
}
