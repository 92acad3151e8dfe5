package main

import (
	"bytes"
	"errors"
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
