package verify_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	vt "github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify/verifytest"
)

// fakePulumi puts a `pulumi` script first on PATH that prints outputs and
// config (as files in dir) and records its arguments in dir/calls.
func fakePulumi(t *testing.T, outputs, config any, script string) string {
	t.Helper()
	dir := t.TempDir()
	for name, v := range map[string]any{"outputs.json": outputs, "config.json": config} {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if script == "" {
		script = `case "$1 $2" in
  "stack output") cat "$DIR/outputs.json" ;;
  "config --json") cat "$DIR/config.json" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`
	}
	body := "#!/bin/sh\nDIR='" + dir + "'\necho \"$*\" >> \"$DIR/calls\"\n" + script + "\n"
	if err := os.WriteFile(filepath.Join(dir, "pulumi"), []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir
}

func calls(t *testing.T, dir string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "calls"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(raw)), "\n")
}

func TestFillFromPulumiReadsOutputsAndConfigWithoutSecrets(t *testing.T) {
	w := vt.New(t)
	dir := fakePulumi(t, w.StackOutputs(), w.StackConfig(), "")

	var in verify.Inputs
	if err := in.FillFromPulumi(t.Context(), "prod", verify.RunPulumi); err != nil {
		t.Fatal(err)
	}
	if err := in.Resolve(); err != nil {
		t.Fatal(err)
	}
	if in != w.Inputs() {
		t.Errorf("inputs\n  %+v\nwant\n  %+v", in, w.Inputs())
	}
	wantCalls := []string{"stack output --json --stack prod --non-interactive", "config --json --stack prod --non-interactive"}
	if got := calls(t, dir); strings.Join(got, "|") != strings.Join(wantCalls, "|") {
		t.Errorf("pulumi calls %q, want %q", got, wantCalls)
	}
}

func TestFlagsWinOverPulumi(t *testing.T) {
	w := vt.New(t)
	fakePulumi(t, w.StackOutputs(), w.StackConfig(), "")
	in := verify.Inputs{MergeFunctionName: "passkeys-other-merge", ProviderName: "DescopeEU"}
	if err := in.FillFromPulumi(t.Context(), "", verify.RunPulumi); err != nil {
		t.Fatal(err)
	}
	if in.MergeFunctionName != "passkeys-other-merge" || in.ProviderName != "DescopeEU" || in.UserPoolID != vt.UserPoolID {
		t.Errorf("got %+v: flags must win, the rest come from Pulumi", in)
	}
}

func TestFillFromPulumiErrorsNameTheFix(t *testing.T) {
	w := vt.New(t)
	partial := w.StackOutputs()
	delete(partial, "mergeFunctionName")
	noProject := w.StackConfig()
	delete(noProject, "cognito-descope-passkeys:descopeProjectId")
	tests := []struct {
		name    string
		outputs any
		config  any
		script  string
		stack   string
		want    string
	}{
		{
			name: "never deployed", outputs: map[string]any{}, config: w.StackConfig(), stack: "dev",
			want: "stack dev has no outputs: it was never deployed; run `make up` (or `pulumi up`) first",
		},
		{
			name: "no such stack", stack: "prod",
			script: `echo "error: no stack named 'prod' found" >&2; exit 255`,
			want:   "read the outputs of stack prod: pulumi stack output --json --stack prod: error: no stack named 'prod' found (select the stack with --stack, and set PULUMI_BACKEND_URL if its state is not on this machine)",
		},
		{
			name: "deployed by an older program", outputs: partial, config: w.StackConfig(),
			want: "the selected stack has no output mergeFunctionName: deploy this version of the program with `pulumi up`, or pass the values by flag",
		},
		{
			name: "no project ID", outputs: w.StackOutputs(), config: noProject,
			want: "the selected stack has no config key descopeProjectId: pass --descope-project-id",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakePulumi(t, tt.outputs, tt.config, tt.script)
			var in verify.Inputs
			err := in.FillFromPulumi(t.Context(), tt.stack, verify.RunPulumi)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v\nwant       %s", err, tt.want)
			}
		})
	}
}

func TestMissingPulumiCLI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var in verify.Inputs
	err := in.FillFromPulumi(t.Context(), "", verify.RunPulumi)
	if !errors.Is(err, verify.ErrNoPulumi) {
		t.Fatalf("error %v, want ErrNoPulumi", err)
	}
	if !strings.Contains(err.Error(), "install it (https://www.pulumi.com/docs/install/), or pass every value by flag") {
		t.Errorf("error %q does not name the fix", err)
	}
}

func TestResolve(t *testing.T) {
	t.Run("derives issuer, provider and region", func(t *testing.T) {
		in := verify.Inputs{UserPoolID: "eu-west-1_Abc", PasskeyLoginURL: "u", DescopeRedirectURI: "r", MergeFunctionName: "f", DescopeProjectID: "P2abc"}
		if err := in.Resolve(); err != nil {
			t.Fatal(err)
		}
		if in.DescopeIssuerURL != "https://api.descope.com/P2abc" || in.ProviderName != "Descope" || in.Region != "eu-west-1" {
			t.Errorf("got %+v", in)
		}
	})
	t.Run("names every missing flag", func(t *testing.T) {
		in := verify.Inputs{UserPoolID: "eu-west-1_Abc"}
		err := in.Resolve()
		want := "missing --passkey-login-url, --descope-redirect-uri, --merge-function-name, --descope-project-id: pass them, or leave them out and let verify read the stack with the Pulumi CLI"
		if err == nil || err.Error() != want {
			t.Fatalf("error %v\nwant  %s", err, want)
		}
	})
	t.Run("pool ID without region", func(t *testing.T) {
		in := verify.Inputs{UserPoolID: "nopool", PasskeyLoginURL: "u", DescopeRedirectURI: "r", MergeFunctionName: "f", DescopeProjectID: "P2abc"}
		err := in.Resolve()
		if err == nil || !strings.Contains(err.Error(), "pass --region") {
			t.Fatalf("error %v, want one naming --region", err)
		}
	})
}
