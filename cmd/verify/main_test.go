package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	vt "github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify/verifytest"
)

// TestMain fences the process off from real AWS.
func TestMain(m *testing.M) { vt.RunFenced(m) }

// withFakePulumi puts a `pulumi` first on PATH that prints w's outputs and config.
func withFakePulumi(t *testing.T, w *vt.World) {
	t.Helper()
	dir := t.TempDir()
	for name, v := range map[string]any{"outputs.json": w.StackOutputs(), "config.json": w.StackConfig()} {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\ncase \"$1 $2\" in\n" +
		"  \"stack output\") cat '" + dir + "/outputs.json' ;;\n" +
		"  \"config --json\") cat '" + dir + "/config.json' ;;\n" +
		"  *) exit 2 ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(dir, "pulumi"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func runCommand(t *testing.T, w *vt.World, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, &out, &errOut, verify.RunPulumi, w.Clients)
	return code, out.String(), errOut.String()
}

func TestHealthyStackReadFromPulumi(t *testing.T) {
	w := vt.New(t)
	withFakePulumi(t, w)
	code, stdout, stderr := runCommand(t, w, "--stack", "dev")
	if code != verify.ExitPassed {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.HasPrefix(stdout, "✔ 1. Descope issuer "+w.IssuerURL()+"\n") || !strings.HasSuffix(stdout, "5 of 5 checks passed.\n") {
		t.Errorf("unexpected report:\n%s", stdout)
	}
	if stderr != "" {
		t.Errorf("stderr is not a terminal, so it must stay empty; got %q", stderr)
	}
}

func TestJSONReportAndExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		breakWorld func(w *vt.World)
		code       int
		status     verify.Status
	}{
		{"healthy", func(*vt.World) {}, verify.ExitPassed, verify.StatusPass},
		{"a check fails", func(w *vt.World) { w.Discovery["issuer"] = "https://elsewhere.example.com" }, verify.ExitFailed, verify.StatusFail},
		{"an answer is unknown", func(w *vt.World) {
			w.DescopeAuthorize = vt.Answer{Status: http.StatusTeapot, Body: "short and stout"}
		}, verify.ExitUnknown, verify.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := vt.New(t)
			w.Lock(tt.breakWorld)
			withFakePulumi(t, w)
			code, stdout, stderr := runCommand(t, w, "--json")
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
			var r verify.Report
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("stdout is not a JSON report: %v\n%s", err, stdout)
			}
			if r.Status != tt.status || len(r.Checks) != 5 {
				t.Errorf("JSON status %s with %d checks, want %s with 5", r.Status, len(r.Checks), tt.status)
			}
		})
	}
}

func TestEveryValueByFlagNeedsNoPulumi(t *testing.T) {
	w := vt.New(t)
	t.Setenv("PATH", t.TempDir())
	in := w.Inputs()
	code, stdout, stderr := runCommand(t, w,
		"--user-pool-id", in.UserPoolID,
		"--passkey-login-url", in.PasskeyLoginURL,
		"--descope-redirect-uri", in.DescopeRedirectURI,
		"--merge-function-name", in.MergeFunctionName,
		"--descope-project-id", in.DescopeProjectID,
		"--descope-issuer-url", in.DescopeIssuerURL,
	)
	if code != verify.ExitPassed {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestCannotStart(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no Pulumi CLI", nil, "verify: the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/), or pass every value by flag (see --help)\n"},
		{"stray argument", []string{"dev"}, "verify: unexpected argument \"dev\": every value is a flag (see -h)\n"},
		{"bad timeout", []string{"--timeout", "0s"}, "verify: --timeout must be positive, such as 10s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := vt.New(t)
			t.Setenv("PATH", t.TempDir())
			code, stdout, stderr := runCommand(t, w, tt.args...)
			if code != verify.ExitUsage || stderr != tt.want || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and stderr %q", code, stdout, stderr, verify.ExitUsage, tt.want)
			}
		})
	}
}
