package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakePulumi answers `config --json` for an existing stack with no values
// and records every `stack init` and `config set`, with the line `config
// set` read from standard input (as the real CLI reads one at its prompt).
const fakePulumi = `#!/bin/sh
dir="$FAKE_PULUMI_DIR"
case "$1 $2" in
"config --stack") echo '{}'; exit 0 ;;
"stack init"|"config set")
	n=$(ls "$dir" | grep -c '\.args$')
	printf '%s\n' "$*" > "$dir/$n.args"
	IFS= read -r line || true
	printf '%s' "$line" > "$dir/$n.stdin"
	exit 0 ;;
esac
echo "fake pulumi: unexpected arguments: $*" >&2
exit 3
`

// configureBinary builds the command as `make configure` does.
func configureBinary(t *testing.T) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "configure")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("build configure: %v\n%s", err, out)
	}
	return binary
}

type session struct {
	binary, project, dir string
	env                  []string
}

// newSession is a user's shell with the fake `pulumi` on PATH and nothing
// else: no Descope variables, no CI variables, TERM as given.
func newSession(t *testing.T, binary, term string, extra ...string) *session {
	t.Helper()
	bin, dir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "pulumi"), []byte(fakePulumi), 0o700); err != nil {
		t.Fatal(err)
	}
	project, err := filepath.Abs("../../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := append([]string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + t.TempDir(), "FAKE_PULUMI_DIR=" + dir, "TERM=" + term}, extra...)
	return &session{binary: binary, project: project, dir: dir, env: env}
}

// calls returns what the fake pulumi recorded: "<args> <- <stdin>" each.
func (s *session) calls(t *testing.T) []string {
	t.Helper()
	var calls []string
	for n := 0; ; n++ {
		args, err := os.ReadFile(filepath.Join(s.dir, itoa(n)+".args"))
		if errors.Is(err, os.ErrNotExist) {
			return calls
		}
		if err != nil {
			t.Fatal(err)
		}
		stdin, _ := os.ReadFile(filepath.Join(s.dir, itoa(n)+".stdin"))
		calls = append(calls, strings.TrimSpace(string(args))+" <- "+string(stdin))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// onTerminal runs the command under script(1), which gives it a terminal
// on standard input, output and error; each answer is typed once its
// prompt's text has appeared. redirect, when set, is appended to the command
// line (such as "2>/dev/null").
func (s *session) onTerminal(t *testing.T, answers []answer, redirect string) (int, string) {
	t.Helper()
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed (apt-get install bsdutils)")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	line := s.binary + " -stack dev -project " + s.project + " " + redirect
	cmd := exec.CommandContext(ctx, script, "-qec", line, os.DevNull)
	cmd.Env = s.env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	chunk := make([]byte, 4096)
	for {
		n, err := stdout.Read(chunk)
		out.Write(chunk[:n])
		if len(answers) > 0 && strings.Contains(out.String(), answers[0].after) {
			if _, err := io.WriteString(stdin, answers[0].line+"\n"); err != nil {
				t.Fatal(err)
			}
			answers = answers[1:]
		}
		if err != nil {
			break
		}
	}
	stdin.Close()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// answer is a line typed once after has been printed.
type answer struct{ after, line string }

// Where `pulumi config set` cannot prompt (output not a terminal, TERM=dumb,
// a CI system), the command stops before creating or setting anything, as
// it does without a terminal at all; on a real terminal it asks.
func TestAsksOnlyWherePulumiCanPrompt(t *testing.T) {
	binary := configureBinary(t)
	typed := []answer{{"descopeProjectId: ", "P2typedproject"}, {"descopeAccessKey: ", "K2typedkey"}}
	for _, tt := range []struct {
		name, term, redirect string
		env                  []string
		wantAsked            bool
	}{
		{name: "terminal", term: "xterm", wantAsked: true},
		{name: "output redirected", term: "xterm", redirect: "2>/dev/null"},
		{name: "TERM=dumb", term: "dumb"},
		{name: "CI system", term: "xterm", env: []string{"GITHUB_ACTIONS=true"}},
		{name: "CI system named by PULUMI_CI_SYSTEM", term: "xterm", env: []string{"PULUMI_CI_SYSTEM=runner"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t, binary, tt.term, tt.env...)
			code, out := s.onTerminal(t, typed, tt.redirect)
			calls := s.calls(t)
			if tt.wantAsked {
				want := []string{"config set --stack dev descopeProjectId <- P2typedproject", "config set --stack dev --secret descopeAccessKey <- K2typedkey"}
				if code != 0 || strings.Join(calls, "\n") != strings.Join(want, "\n") {
					t.Errorf("exit %d, calls %q; want %q\n%s", code, calls, want, out)
				}
				return
			}
			if code != 2 || len(calls) != 0 {
				t.Errorf("exit %d, calls %q; want exit 2 and no change\n%s", code, calls, out)
			}
		})
	}
}

// The binary runs the same with and without AWS_CA_BUNDLE (it makes no AWS
// call, and must not start failing where a bundle is set).
func TestBinaryWithAndWithoutCABundle(t *testing.T) {
	binary := configureBinary(t)
	server := httptest.NewTLSServer(http.NotFoundHandler())
	defer server.Close()
	bundle := filepath.Join(t.TempDir(), "ca-bundle.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{nil, {"AWS_CA_BUNDLE=" + bundle}} {
		s := newSession(t, binary, "xterm", append([]string{"DESCOPE_PROJECT_ID=P2envproject", "DESCOPE_ACCESS_KEY=K2envkey", "PULUMI_CONFIG_PASSPHRASE=pass"}, extra...)...)
		cmd := exec.CommandContext(t.Context(), binary, "-stack", "dev", "-project", s.project)
		cmd.Env = s.env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		want := "config set --stack dev descopeProjectId <- P2envproject\nconfig set --stack dev --secret descopeAccessKey <- K2envkey"
		if got := strings.Join(s.calls(t), "\n"); err != nil || got != want {
			t.Errorf("%v: %v, calls:\n%s\nwant:\n%s\nstderr: %s", extra, err, got, want, stderr.String())
		}
	}
}
