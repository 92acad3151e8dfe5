package reconcile

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// startMoto runs moto_server on a free 127.0.0.1 port for this test. moto
// answers DescribeUserPool and DescribeIdentityProvider as Cognito does,
// which cognito-local cannot; the shim's answers in the other tests mirror it.
func startMoto(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not on PATH: install it with `pip install 'moto[server]==5.2.1'` to run this test; the cognito-local and unit tests cover the same logic")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+lambdaharness.FakeAccessKeyID, "AWS_SECRET_ACCESS_KEY="+lambdaharness.FakeSecretAccessKey, "AWS_DEFAULT_REGION="+lambdaharness.Region)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/", nil)
		resp, err := client.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 30s: %v", endpoint, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPreflightAgainstMoto(t *testing.T) {
	endpoint := startMoto(t)
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
