package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	vt "github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify/verifytest"
)

// verifyBinary builds cmd/verify as `go build` does for a user.
func verifyBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "verify")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/verify: %v\n%s", err, out)
	}
	return bin
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

// runBinary runs the built command as a user does: every value from the
// (fake) Pulumi CLI, AWS settings from the environment only, pointed at the
// world's stub. It returns the exit code and standard output.
func runBinary(t *testing.T, bin string, w *vt.World, caBundle string, args ...string) (int, string, string) {
	t.Helper()
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
	if caBundle != "" {
		env = append(env, "AWS_CA_BUNDLE="+caBundle)
	}
	cmd := exec.CommandContext(t.Context(), bin, args...)
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

// TestBinaryRunsWithAndWithoutCABundle: AWS_CA_BUNDLE unset, and set to a
// real bundle, as on corporate networks and this project's CI machines.
func TestBinaryRunsWithAndWithoutCABundle(t *testing.T) {
	bin := verifyBinary(t)
	for _, tt := range []struct{ name, bundle string }{
		{"AWS_CA_BUNDLE unset", ""},
		{"AWS_CA_BUNDLE set", caBundle(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := vt.New(t)
			code, stdout, stderr := runBinary(t, bin, w, tt.bundle, "--stack", "dev")
			if code != verify.ExitPassed || !strings.HasSuffix(stdout, "5 of 5 checks passed.\n") {
				t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

// TestBinaryJudgesTheDeployment: the cases issue 19 names, through the
// built command and its JSON report.
func TestBinaryJudgesTheDeployment(t *testing.T) {
	bin := verifyBinary(t)
	tests := []struct {
		name       string
		breakWorld func(w *vt.World)
		code       int
		failed     string // the one check that fails, or ""
	}{
		{"Auth Hosting running descopeFlowId", func(w *vt.World) {
			w.DescopeAuthorize = vt.Answer{Status: http.StatusFound, Location: "https://auth.descope.io/" + vt.ProjectID + "?flow=" + vt.FlowID}
		}, verify.ExitPassed, ""},
		{"the user's own page", func(w *vt.World) {
			w.DescopeAuthorize = vt.Answer{Status: http.StatusFound, Location: vt.FlowHostingPage}
		}, verify.ExitPassed, ""},
		{"Auth Hosting running another flow", func(w *vt.World) {
			w.DescopeAuthorize = vt.Answer{Status: http.StatusFound, Location: "https://auth.descope.io/" + vt.ProjectID + "?flow=sign-up-or-in"}
		}, verify.ExitFailed, "hosted-ui"},
		{"a role without ListUsers", func(w *vt.World) {
			w.RoleGrants = []vt.Grant{{Role: vt.RoleARN, Action: "cognito-idp:AdminLinkProviderForUser", Resource: vt.UserPoolARN}}
		}, verify.ExitFailed, "trigger-wiring"},
		{"a provider-name mismatch", func(w *vt.World) {
			w.Function["Configuration"].(map[string]any)["Environment"] = map[string]any{"Variables": map[string]any{"DESCOPE_PROVIDER_NAME": "DescopeOld"}}
		}, verify.ExitFailed, "trigger-wiring"},
		{"a chained function that auto-confirms", func(w *vt.World) {
			w.Chain(events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true})
		}, verify.ExitPassed, ""},
		{"a chained function that refuses verify's event", func(w *vt.World) {
			w.Chain(events.CognitoEventUserPoolsPreSignupResponse{})
			w.Invoke = vt.ChainedRefusal("Sign-up refused: only example.com addresses may register")
		}, verify.ExitUnknown, ""},
		{"a role that may not invoke the chained function", func(w *vt.World) {
			w.Chain(events.CognitoEventUserPoolsPreSignupResponse{})
			w.RoleGrants = vt.LinkGrants(vt.RoleARN, vt.UserPoolARN)
		}, verify.ExitFailed, "trigger-wiring"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := vt.New(t)
			w.Lock(tt.breakWorld)
			code, stdout, stderr := runBinary(t, bin, w, "", "--json")
			var r verify.Report
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("exit %d, no JSON report: %v\nstdout:\n%s\nstderr:\n%s", code, err, stdout, stderr)
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d; report %+v", code, tt.code, r)
			}
			for _, c := range r.Checks {
				if want := c.ID == tt.failed; want != (c.Status == verify.StatusFail) {
					t.Errorf("check %s is %s: %+v", c.ID, c.Status, c.Findings)
				}
			}
		})
	}
}
