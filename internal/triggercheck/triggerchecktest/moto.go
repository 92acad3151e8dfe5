package triggerchecktest

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// CreateFunction creates a Python function in moto_server at endpoint, with
// the IAM role moto insists on, and returns its ARN.
func CreateFunction(ctx context.Context, t *testing.T, api *lambda.Client, endpoint, name string) string {
	t.Helper()
	created, err := api.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("lambda_function.lambda_handler"),
		Role: aws.String(createRole(ctx, t, endpoint, name+"-role")), Code: &types.FunctionCode{ZipFile: pythonZip(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(created.FunctionArn)
}

// Grant lets Cognito invoke the function for the pool, as
// triggercheck.AddPermissionCommand does.
func Grant(ctx context.Context, t *testing.T, api *lambda.Client, functionARN, poolARN string) {
	t.Helper()
	if _, err := api.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String(functionARN), StatementId: aws.String("cognito-" + poolARN[strings.LastIndex(poolARN, "/")+1:]),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("cognito-idp.amazonaws.com"), SourceArn: aws.String(poolARN),
	}); err != nil {
		t.Fatal(err)
	}
}

// createRole creates an IAM role in moto with one raw Query request.
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
