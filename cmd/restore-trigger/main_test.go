package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool/livepooltest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck/triggerchecktest"
)

// buildBinary builds the command as a user would get it.
func buildBinary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	binary := filepath.Join(t.TempDir(), "restore-trigger")
	cmd := exec.CommandContext(t.Context(), goBin, "build", "-o", binary, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binary
}

// caBundle writes a real PEM bundle file (a test server's certificate).
func caBundle(t *testing.T) string {
	t.Helper()
	server := httptest.NewTLSServer(nil)
	defer server.Close()
	path := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// userEnv is all the environment the binary gets: fake credentials, the
// emulator as every AWS endpoint, and no region (the pool ID names it).
func userEnv(t *testing.T, endpoint, bundle string) []string {
	env := []string{
		"HOME=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=AKIARESTORETRIGGER00",
		"AWS_SECRET_ACCESS_KEY=restore-trigger-fake-secret",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_ENDPOINT_URL=" + endpoint,
	}
	if bundle != "" {
		env = append(env, "AWS_CA_BUNDLE="+bundle)
	}
	return env
}

func runBinary(t *testing.T, binary string, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// world is moto_server with Lambda functions to restore and a way to read a
// pool's trigger.
type world struct {
	endpoint string
	cognito  *cognitoidentityprovider.Client
	lambda   *lambda.Client
}

func startWorld(t *testing.T) *world {
	t.Helper()
	endpoint := livepooltest.StartMoto(t)
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint)
	cfg, err := awsconfig.Load(t.Context(), awsconfig.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return &world{endpoint: endpoint, cognito: cognitoidentityprovider.NewFromConfig(cfg), lambda: lambda.NewFromConfig(cfg)}
}

// pool creates a pool signing in by email whose pre sign-up trigger is trigger.
func (w *world) pool(ctx context.Context, t *testing.T, name, trigger string) string {
	t.Helper()
	created, err := w.cognito.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{
		PoolName: aws.String(name), UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		DeletionProtection:     types.DeletionProtectionTypeActive,
		LambdaConfig:           &types.LambdaConfigType{PreSignUp: aws.String(trigger), CustomMessage: aws.String("arn:aws:lambda:us-east-1:123456789012:function:custom-message")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(created.UserPool.Id)
}

func (w *world) trigger(ctx context.Context, t *testing.T, poolID string) (preSignUp, customMessage string) {
	t.Helper()
	out, err := w.cognito.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatal(err)
	}
	lc := out.UserPool.LambdaConfig
	return aws.ToString(lc.PreSignUp), aws.ToString(lc.CustomMessage)
}

const mergeFunction = "arn:aws:lambda:us-east-1:123456789012:function:passkeys-prod-merge"

// The binary, run as a user runs it, with AWS_CA_BUNDLE unset (most
// machines) and set to a real bundle (this one, and corporate networks).
func TestBinaryAgainstMoto(t *testing.T) {
	binary := buildBinary(t)
	w := startWorld(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	previous := triggerchecktest.CreateFunction(ctx, t, w.lambda, w.endpoint, "descope-blog-presignup")

	for i, bundle := range []string{"", caBundle(t)} {
		t.Run("AWS_CA_BUNDLE="+bundle, func(t *testing.T) {
			env := userEnv(t, w.endpoint, bundle)
			poolID := w.pool(ctx, t, fmt.Sprintf("acme-%d", i), mergeFunction)
			triggerchecktest.Grant(ctx, t, w.lambda, previous, "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"+poolID)

			code, stdout, stderr := runBinary(t, binary, env, "--user-pool-id", poolID, "--pre-sign-up", previous)
			if code != exitOK || !strings.Contains(stdout, "after: "+previous) || !strings.Contains(stdout, "Dry run: nothing was changed") {
				t.Fatalf("dry run: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
			if got, _ := w.trigger(ctx, t, poolID); got != mergeFunction {
				t.Errorf("the dry run changed the trigger to %q", got)
			}

			code, stdout, _ = runBinary(t, binary, env, "--user-pool-id", poolID, "--pre-sign-up", previous, "--json")
			var result struct {
				Current string `json:"currentPreSignUp"`
				New     string `json:"newPreSignUp"`
				Checked bool
				Applied bool
				Request map[string]any
			}
			if err := json.Unmarshal([]byte(stdout), &result); code != exitOK || err != nil {
				t.Fatalf("--json: exit %d, %v:\n%s", code, err, stdout)
			}
			if result.Current != mergeFunction || result.New != previous || !result.Checked || result.Applied || result.Request["UserPoolId"] != poolID {
				t.Errorf("--json result %+v", result)
			}

			code, _, stderr = runBinary(t, binary, env, "--user-pool-id", poolID, "--pre-sign-up", "arn:aws:lambda:us-east-1:123456789012:function:deleted", "--apply")
			if code != exitNotInvokable || !strings.Contains(stderr, "does not exist") || !strings.Contains(stderr, "aws lambda add-permission") || !strings.Contains(stderr, "--remove") {
				t.Errorf("a deleted function: exit %d, stderr %s; want %d naming both ways out", code, stderr, exitNotInvokable)
			}

			code, stdout, stderr = runBinary(t, binary, env, "--user-pool-id", poolID, "--pre-sign-up", previous, "--apply")
			if code != exitOK || !strings.Contains(stdout, "Applied") {
				t.Fatalf("--apply: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
			if got, kept := w.trigger(ctx, t, poolID); got != previous || !strings.HasSuffix(kept, ":function:custom-message") {
				t.Errorf("after --apply: pre sign-up %q, custom message %q; want %s and the custom message kept", got, kept, previous)
			}
		})
	}
}

func TestBadFlagsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--user-pool-id", "us-east-1_AbC123"},
		{"--user-pool-id", "us-east-1_AbC123", "--remove", "--pre-sign-up", mergeFunction},
		{"--user-pool-id", "us-east-1_AbC123", "--pre-sign-up", "not-an-arn"},
		{"--user-pool-id", "us-east-1_AbC123", "--remove", "extra"},
		{"--no-such-flag"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitUsage || stderr.Len() == 0 || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want %d with the reason on stderr", args, code, stderr.String(), stdout.String(), exitUsage)
		}
	}
}
