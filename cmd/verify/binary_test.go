package main

import (
	"bytes"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	vt "github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify/verifytest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// verifyBinary builds cmd/verify once per test run, as `go build` does for a user.
func verifyBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "verify-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "verify")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/verify: %v", buildErr)
	}
	return binPath
}

// caBundle writes a real PEM bundle (a test server's certificate) to a file.
func caBundle(t *testing.T) string {
	t.Helper()
	server := httptest.NewTLSServer(http.NotFoundHandler())
	defer server.Close()
	path := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBinaryRunsWithAndWithoutCABundle runs the built command as a user
// does: every value from the (fake) Pulumi CLI, AWS settings from the
// environment only, with AWS_CA_BUNDLE unset and set to a real bundle.
func TestBinaryRunsWithAndWithoutCABundle(t *testing.T) {
	bin := verifyBinary(t)
	for _, withBundle := range []bool{false, true} {
		name := "AWS_CA_BUNDLE unset"
		if withBundle {
			name = "AWS_CA_BUNDLE set"
		}
		t.Run(name, func(t *testing.T) {
			w := vt.New(t)
			withFakePulumi(t, w)
			env := []string{
				"PATH=" + os.Getenv("PATH"),
				"HOME=" + t.TempDir(),
				"AWS_ACCESS_KEY_ID=" + vt.FakeAccessKeyID,
				"AWS_SECRET_ACCESS_KEY=" + vt.FakeSecretKey,
				"AWS_EC2_METADATA_DISABLED=true",
				"AWS_CONFIG_FILE=" + os.DevNull,
				"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
				"AWS_ENDPOINT_URL=" + w.AWS.URL,
			}
			if withBundle {
				env = append(env, "AWS_CA_BUNDLE="+caBundle(t))
			}
			cmd := exec.CommandContext(t.Context(), bin, "--stack", "dev")
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
			if code != verify.ExitPassed || !strings.HasSuffix(stdout.String(), "5 of 5 checks passed.\n") {
				t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
		})
	}
}
