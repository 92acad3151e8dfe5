package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// makeWith runs a make target with exactly the given PATH entries and
// environment, and reports its exit code, standard error, and whether a
// `pulumi` on that PATH was ever started.
func makeWith(t *testing.T, target string, withPulumi bool, env ...string) (int, string, bool) {
	t.Helper()
	makeBin, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed (apt-get install make)")
	}
	bin, home := t.TempDir(), t.TempDir()
	called := filepath.Join(t.TempDir(), "pulumi-called")
	if withPulumi {
		script := "#!/bin/sh\n: > " + called + "\nexit 0\n" // a builtin: PATH holds nothing else
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
			code, stderr, _ := makeWith(t, target, false, "AWS_PROFILE=dev")
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
	for _, target := range []string{"preview", "up"} {
		t.Run(target, func(t *testing.T) {
			code, stderr, called := makeWith(t, target, true)
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
			code, _, called := makeWith(t, "destroy", true, "AWS_PROFILE=dev", "STACK=dev", confirm)
			if code == 0 || called {
				t.Errorf("exit %d, pulumi called %v; want a refusal before pulumi runs", code, called)
			}
		})
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
