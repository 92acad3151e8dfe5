package triggercheck_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/motoserver"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck"
)

// createRole creates an IAM role in moto (which refuses a function whose
// role it does not know) with one raw Query request.
func createRole(ctx context.Context, t *testing.T, endpoint, name string) string {
	t.Helper()
	form := url.Values{
		"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {name},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIATRIGGERCHECK0000/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateRole: %s", resp.Status)
	}
	return "arn:aws:iam::123456789012:role/" + name
}

func pythonZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("lambda_function.py")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("def lambda_handler(event, context):\n    return event\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCheckAgainstMoto follows the post's function through its life: created,
// granted to the pool, granted only to another pool, deleted.
func TestCheckAgainstMoto(t *testing.T) {
	endpoint := motoserver.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	api := lambdaClient(endpoint)
	created, err := api.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("descope-blog-presignup"), Runtime: types.RuntimePython312, Handler: aws.String("lambda_function.lambda_handler"),
		Role: aws.String(createRole(ctx, t, endpoint, "descope-blog-presignup-role")), Code: &types.FunctionCode{ZipFile: pythonZip(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.FunctionArn)
	check := func(pool string) error {
		t.Helper()
		return triggercheck.Check(ctx, api, arn, pool)
	}
	var refused *triggercheck.NotInvokableError

	if err := check(poolARN); !errors.As(err, &refused) || refused.Missing {
		t.Fatalf("no permission yet: %v, want a refusal for the missing permission", err)
	}
	if _, err := api.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String(arn), StatementId: aws.String("cognito-us-east-1_AdOpT1234"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String(triggercheck.CognitoPrincipal), SourceArn: aws.String(poolARN),
	}); err != nil {
		t.Fatal(err)
	}
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
