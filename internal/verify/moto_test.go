package verify_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/motoserver"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	vt "github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify/verifytest"
)

// createRole creates the function's role in moto's IAM, which CreateFunction
// checks, with a signed Query API call (no IAM client in this module).
func createRole(t *testing.T, endpoint string) string {
	t.Helper()
	form := url.Values{
		"Action":                   {"CreateRole"},
		"Version":                  {"2010-05-08"},
		"RoleName":                 {"passkeys-merge-role-test"},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: vt.FakeAccessKeyID, SecretAccessKey: vt.FakeSecretKey}
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), "iam", vt.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateRole in moto: %s", resp.Status)
	}
	return "arn:aws:iam::123456789012:role/passkeys-merge-role-test"
}

func tinyZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("#!/bin/sh\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// invokeToStub forwards every Lambda call to moto except Invoke, which moto
// can only run with Docker: that goes to the world's stub.
func invokeToStub(t *testing.T, motoEndpoint, stubEndpoint string) string {
	t.Helper()
	moto, _ := url.Parse(motoEndpoint)
	stub, _ := url.Parse(stubEndpoint)
	toMoto := httputil.NewSingleHostReverseProxy(moto)
	toStub := httputil.NewSingleHostReverseProxy(stub)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/invocations") {
			toStub.ServeHTTP(rw, r)
			return
		}
		toMoto.ServeHTTP(rw, r)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}

// TestChecksAgainstMoto deploys the stack's Cognito and Lambda resources
// into moto, as the program declares them, and runs every check; then breaks
// the wiring the way a console edit would and expects the exact findings.
func TestChecksAgainstMoto(t *testing.T) {
	endpoint := motoserver.Start(t)
	w := vt.New(t)
	ctx := t.Context()
	motoClients, err := vt.ClientsAt(endpoint, endpoint, endpoint, vt.Region, verify.DefaultTimeout)
	if err != nil {
		t.Fatal(err)
	}
	cognito := motoClients.Cognito.(*cip.Client)
	lambdaClient := motoClients.Lambda.(*lambda.Client)
	roleARN := createRole(t, endpoint)

	fn, err := lambdaClient.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName:  aws.String(vt.FunctionName),
		Role:          aws.String(roleARN),
		Runtime:       lambdatypes.RuntimeProvidedal2023,
		Handler:       aws.String("bootstrap"),
		Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
		Code:          &lambdatypes.FunctionCode{ZipFile: tinyZip(t)},
		Timeout:       aws.Int32(5),
		MemorySize:    aws.Int32(128),
		Environment:   &lambdatypes.Environment{Variables: map[string]string{"DESCOPE_PROVIDER_NAME": vt.ProviderName}},
	})
	if err != nil {
		t.Fatalf("CreateFunction in moto: %v", err)
	}
	pool, err := cognito.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:           aws.String("passkeys-user-pool"),
		UsernameAttributes: []ciptypes.UsernameAttributeType{ciptypes.UsernameAttributeTypeEmail},
		LambdaConfig:       &ciptypes.LambdaConfigType{PreSignUp: fn.FunctionArn},
	})
	if err != nil {
		t.Fatalf("CreateUserPool in moto: %v", err)
	}
	poolID, poolARN := aws.ToString(pool.UserPool.Id), aws.ToString(pool.UserPool.Arn)
	provider := w.IdentityProvider["IdentityProvider"].(map[string]any)
	providerDetails, attributeMapping := map[string]string{}, map[string]string{}
	for k, v := range provider["ProviderDetails"].(map[string]any) {
		providerDetails[k] = v.(string)
	}
	for k, v := range provider["AttributeMapping"].(map[string]any) {
		attributeMapping[k] = v.(string)
	}
	if _, err := cognito.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId:       aws.String(poolID),
		ProviderName:     aws.String(vt.ProviderName),
		ProviderType:     ciptypes.IdentityProviderTypeTypeOidc,
		ProviderDetails:  providerDetails,
		AttributeMapping: attributeMapping,
	}); err != nil {
		t.Fatalf("CreateIdentityProvider in moto: %v", err)
	}
	if _, err := lambdaClient.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName:  aws.String(vt.FunctionName),
		StatementId:   aws.String("passkeys-merge-invoke"),
		Action:        aws.String("lambda:InvokeFunction"),
		Principal:     aws.String("cognito-idp.amazonaws.com"),
		SourceArn:     aws.String(poolARN),
		SourceAccount: aws.String("123456789012"),
	}); err != nil {
		t.Fatalf("AddPermission in moto: %v", err)
	}

	// moto has no IAM policy simulation: the stub answers it for moto's role and pool.
	w.Lock(func(w *vt.World) { w.RoleGrants = vt.LinkGrants(roleARN, poolARN) })
	viaProxy, err := vt.ClientsAt(endpoint, invokeToStub(t, endpoint, w.AWS.URL), w.AWS.URL, vt.Region, verify.DefaultTimeout)
	if err != nil {
		t.Fatal(err)
	}
	in := w.Inputs()
	in.UserPoolID = poolID
	v := &verify.Verifier{In: in, Cognito: cognito, Lambda: viaProxy.Lambda, IAM: viaProxy.IAM, HTTP: verify.NewHTTPClient(verify.DefaultTimeout), Timeout: verify.DefaultTimeout}
	run := func(ctx context.Context) verify.Report { return v.Run(ctx) }

	r := run(ctx)
	if r.Status != verify.StatusPass {
		var text bytes.Buffer
		_ = r.WriteText(&text)
		t.Fatalf("against moto, status %s:\n%s", r.Status, text.String())
	}
	if w.Invocations != 1 {
		t.Errorf("Invoke reached the stub %d times, want 1", w.Invocations)
	}

	t.Run("a second grant in the function's policy", func(t *testing.T) {
		if _, err := lambdaClient.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String(vt.FunctionName),
			StatementId:  aws.String("console-test"),
			Action:       aws.String("lambda:InvokeFunction"),
			Principal:    aws.String("cognito-idp.amazonaws.com"),
		}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = lambdaClient.RemovePermission(context.WithoutCancel(ctx), &lambda.RemovePermissionInput{FunctionName: aws.String(vt.FunctionName), StatementId: aws.String("console-test")})
		})
		expectFinding(t, run(ctx), "trigger-wiring", verify.Finding{
			Status:  verify.StatusFail,
			Message: `the function's resource policy also lets cognito-idp.amazonaws.com from any source invoke it (statement "console-test")`,
			Fix:     "remove it: `aws lambda remove-permission --function-name " + vt.FunctionName + " --statement-id console-test`, then `pulumi up`",
		})
	})

	t.Run("the mapping of the subject removed", func(t *testing.T) {
		broken := map[string]string{}
		for k, v := range attributeMapping {
			if k != "custom:descope_sub" {
				broken[k] = v
			}
		}
		update := func(m map[string]string) error {
			_, err := cognito.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{
				UserPoolId: aws.String(poolID), ProviderName: aws.String(vt.ProviderName), AttributeMapping: m,
			})
			return err
		}
		if err := update(broken); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = update(attributeMapping) })
		expectFinding(t, run(ctx), "identity-provider", verify.Finding{
			Status:  verify.StatusFail,
			Message: `attribute mapping has custom:descope_sub ← "", not ← sub (the merge function links with it)`,
			Fix:     fixDeclared,
		})
	})

	t.Run("the trigger detached", func(t *testing.T) {
		if _, err := cognito.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(poolID), LambdaConfig: &ciptypes.LambdaConfigType{}}); err != nil {
			t.Fatal(err)
		}
		expectFinding(t, run(ctx), "trigger-wiring", verify.Finding{
			Status:  verify.StatusFail,
			Message: "user pool " + poolID + " has no pre sign-up trigger",
			Fix:     fixRedeploy + "; without the trigger a Descope sign-in for an existing email creates a second user",
		})
	})

	t.Run("a provider that is not there", func(t *testing.T) {
		other := *v
		other.In.ProviderName = "DescopeEU"
		expectFinding(t, other.Run(ctx), "identity-provider", verify.Finding{
			Status:  verify.StatusFail,
			Message: `user pool ` + poolID + ` has no identity provider named "DescopeEU"`,
			Fix:     "run `pulumi up`; if providerName was changed, pass the deployed name with --provider-name",
		})
	})
}

func expectFinding(t *testing.T, r verify.Report, checkID string, want verify.Finding) {
	t.Helper()
	c := checkByID(t, r, checkID)
	for _, f := range c.Findings {
		if f == want {
			return
		}
	}
	t.Errorf("check %s lacks\n  %+v\ngot\n  %+v", checkID, want, c.Findings)
}
