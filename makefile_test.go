package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	cognitotypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool/livepooltest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

// currentPulumi is a Pulumi CLI version the Makefile accepts.
const currentPulumi = "v3.190.1"

// makeWith runs a make target with exactly the given PATH entries and
// environment, and reports its exit code, standard error, and whether a
// `pulumi` on that PATH was started for anything but `pulumi version`. The
// fake `pulumi` prints pulumiVersion for `pulumi version`; with "" there is
// no `pulumi` on PATH.
func makeWith(t *testing.T, target, pulumiVersion string, env ...string) (int, string, bool) {
	t.Helper()
	makeBin, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed (apt-get install make)")
	}
	bin, home := t.TempDir(), t.TempDir()
	called := filepath.Join(t.TempDir(), "pulumi-called")
	if pulumiVersion != "" {
		// Builtins only: PATH holds nothing else.
		script := "#!/bin/sh\nif [ \"$1\" = version ]; then echo " + pulumiVersion + "; exit 0; fi\n: > " + called + "\nexit 0\n"
		if err := os.WriteFile(filepath.Join(bin, "pulumi"), []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), makeBin, "-s", target)
	cmd.Env = append([]string{"PATH=" + bin, "HOME=" + home}, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	code := 0
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	_, statErr := os.Stat(called)
	return code, stderr.String(), statErr == nil
}

func TestTargetsThatNeedThePulumiCLISayWhereToGetIt(t *testing.T) {
	for _, target := range []string{"stack", "configure", "preview", "up"} {
		t.Run(target, func(t *testing.T) {
			code, stderr, _ := makeWith(t, target, "", "AWS_PROFILE=dev")
			first, _, _ := strings.Cut(stderr, "\n")
			if code == 0 || !strings.Contains(first, "the Pulumi CLI is not installed") || !strings.Contains(first, "https://www.pulumi.com/docs/install/") {
				t.Errorf("make %s: exit %d, first line %q; want a failure saying where to install the CLI", target, code, first)
			}
			if strings.Contains(stderr, "command not found") {
				t.Errorf("make %s still runs pulumi without it:\n%s", target, stderr)
			}
		})
	}
}

func TestTargetsThatNeedAWSCredentialsSaySoFirst(t *testing.T) {
	for _, target := range []string{"preview", "up", "restore-trigger"} {
		t.Run(target, func(t *testing.T) {
			code, stderr, called := makeWith(t, target, currentPulumi)
			first, _, _ := strings.Cut(stderr, "\n")
			if code == 0 || !strings.Contains(first, "no AWS credentials found") || !strings.Contains(first, "aws configure") {
				t.Errorf("make %s: exit %d, first line %q; want a failure saying how to set credentials", target, code, first)
			}
			if called {
				t.Errorf("make %s ran pulumi before finding there are no credentials", target)
			}
		})
	}
}

func TestDestroyWithoutConfirmationChangesNothing(t *testing.T) {
	for _, confirm := range []string{"", "CONFIRM=prod"} {
		t.Run("STACK=dev "+confirm, func(t *testing.T) {
			code, _, called := makeWith(t, "destroy", currentPulumi, "AWS_PROFILE=dev", "STACK=dev", confirm)
			if code == 0 || called {
				t.Errorf("exit %d, pulumi called %v; want a refusal before pulumi runs", code, called)
			}
		})
	}
}

// Adoption needs the import option to update an imported resource (CLI
// 3.174): an older CLI is stopped, in one line, before it touches the stack.
func TestPreviewAndUpNeedPulumi3174(t *testing.T) {
	tests := []struct {
		version string
		ok      bool
	}{
		{"v3.173.0", false},
		{"v3.100.2", false},
		{"v2.25.2", false},
		{"not a version", false},
		{"v3.174.0", true},
		{"v3.174.1-alpha.x1234", true},
		{"v3.180.0", true},
		{"v4.0.0", true},
	}
	for _, target := range []string{"preview", "up"} {
		for _, tt := range tests {
			t.Run(target+" "+tt.version, func(t *testing.T) {
				// No AWS credentials: an accepted CLI gets as far as saying so.
				code, stderr, called := makeWith(t, target, tt.version)
				first, _, _ := strings.Cut(stderr, "\n")
				refused := strings.Contains(stderr, "needs 3.174 or later")
				switch {
				case tt.ok && (refused || !strings.Contains(first, "no AWS credentials found")):
					t.Errorf("make %s with %s: exit %d, stderr %q; want the version accepted (and the missing credentials named)", target, tt.version, code, stderr)
				case !tt.ok && (code == 0 || !strings.Contains(first, "needs 3.174 or later") || !strings.Contains(first, "https://www.pulumi.com/docs/install/")):
					t.Errorf("make %s with %s: exit %d, stderr %q; want a first line saying to install 3.174 or later", target, tt.version, code, stderr)
				}
				if called {
					t.Errorf("make %s with %s ran pulumi beyond `pulumi version`", target, tt.version)
				}
			})
		}
	}
}

// make restore-trigger, as the runbook's emergency detach runs it: built from
// the checkout, with only the user's environment, against moto_server.
func TestMakeRestoreTriggerDryRun(t *testing.T) {
	makeBin, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed (apt-get install make)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	endpoint := livepooltest.StartMoto(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Region: pulumitest.Region})
	if err != nil {
		t.Fatal(err)
	}
	created, err := cognitoidentityprovider.NewFromConfig(cfg).CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{
		PoolName: aws.String("acme-make"), UsernameAttributes: []cognitotypes.UsernameAttributeType{cognitotypes.UsernameAttributeTypeEmail},
		LambdaConfig: &cognitotypes.LambdaConfigType{PreSignUp: aws.String(mergeFunctionARN)},
	})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(created.UserPool.Id)

	cmd := exec.CommandContext(ctx, makeBin, "-s", "restore-trigger", "RESTORE_TRIGGER_FLAGS=--user-pool-id "+poolID+" --remove")
	// The Go toolchain's own settings (its cache), fake AWS credentials and
	// the emulator; nothing else.
	cmd.Env = []string{"PATH=" + filepath.Dir(goBin) + ":/usr/bin:/bin",
		"AWS_ACCESS_KEY_ID=AKIAMAKERESTORE00000", "AWS_SECRET_ACCESS_KEY=make-restore-fake-secret", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_ENDPOINT_URL=" + endpoint}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); name == "HOME" || strings.HasPrefix(name, "GO") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("make restore-trigger: %v\nstdout %s\nstderr %s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"now:   " + mergeFunctionARN, "after: none", "Dry run: nothing was changed", "--remove --apply"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("make restore-trigger does not say %q:\n%s", want, stdout.String())
		}
	}
}

// makeAsAUser runs a make target with go and a fake `pulumi` (the given
// script, or none) on PATH, this machine's Go caches so nothing is
// downloaded, the commands built into a temporary BIN, and env; it returns
// whether make succeeded, and its standard output and error.
func makeAsAUser(t *testing.T, target, pulumiScript string, env ...string) (ok bool, stdout, stderr string) {
	t.Helper()
	makeBin, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed (apt-get install make)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	bin := t.TempDir()
	if err := os.Symlink(goBin, filepath.Join(bin, "go")); err != nil {
		t.Fatal(err)
	}
	if pulumiScript != "" {
		if err := os.WriteFile(filepath.Join(bin, "pulumi"), []byte("#!/bin/sh\n"+pulumiScript), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), makeBin, "-s", target, "BIN="+t.TempDir())
	cmd.Env = append([]string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + t.TempDir()}, env...)
	for _, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOTOOLCHAIN", "GOFLAGS", "GOPROXY"} {
		if v, err := exec.CommandContext(t.Context(), goBin, "env", name).Output(); err == nil && strings.TrimSpace(string(v)) != "" {
			cmd.Env = append(cmd.Env, name+"="+strings.TrimSpace(string(v)))
		}
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if exit := (*exec.ExitError)(nil); err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return err == nil, out.String(), errOut.String()
}

// make's own status is 2 on any failure; what reaches the caller is the
// command's own code in make's last line, where `go run` would always have
// put "Error 1".
func TestMakeTargetsPassOnTheCommandsExitCodes(t *testing.T) {
	noStack := `echo "error: no stack named 'dev' found" >&2; exit 255` + "\n"
	emptyStack := `[ "$1" = config ] && { echo '{}'; exit 0; }; echo "fake pulumi: $*" >&2; exit 3` + "\n"
	tests := []struct {
		name, target, pulumi string
		env                  []string
		code                 string
	}{
		// reconcile: an unknown flag is exit 2.
		{"reconcile", "reconcile", "", []string{"AWS_ACCESS_KEY_ID=AKIAMAKEFAKE", "RECONCILE_FLAGS=--no-such-flag"}, "2"},
		// verify: a stack that was never deployed is exit 2.
		{"verify", "verify", noStack, []string{"AWS_ACCESS_KEY_ID=AKIAMAKEFAKE", "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=http://127.0.0.1:9"}, "2"},
		// configure: values missing and nobody to ask is exit 2.
		{"configure", "configure", emptyStack, nil, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, _, stderr := makeAsAUser(t, tt.target, tt.pulumi, tt.env...)
			if ok || !strings.Contains(stderr, "] Error "+tt.code+"\n") {
				t.Errorf("make %s: want its last line to end in Error %s:\n%s", tt.target, tt.code, stderr)
			}
		})
	}
}

// `make reconcile` runs on a machine without AWS_CA_BUNDLE, configured from
// the environment alone (here against a loopback Cognito with an empty pool).
func TestMakeReconcileWithoutCABundle(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.") {
		case "DescribeUserPool":
			_, _ = w.Write([]byte(`{"UserPool":{"Id":"us-east-1_Make1","Name":"make"}}`))
		case "DescribeIdentityProvider":
			_, _ = w.Write([]byte(`{"IdentityProvider":{"ProviderName":"Descope"}}`))
		case "ListUsers":
			_, _ = w.Write([]byte(`{"Users":[]}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"InvalidParameterException","message":"a dry run only reads"}`))
		}
	}))
	defer server.Close()
	ok, stdout, stderr := makeAsAUser(t, "reconcile", "",
		"RECONCILE_FLAGS=--user-pool-id us-east-1_Make1", "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIAMAKEFAKE", "AWS_SECRET_ACCESS_KEY=make-fake-secret", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+server.URL)
	if !ok || !strings.Contains(stdout, "dry run") {
		t.Errorf("make reconcile failed:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}
