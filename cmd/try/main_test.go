package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/try"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/try/trytest"
)

// tryBinary is cmd/try, built once by TestMain.
var tryBinary string

// TestMain fences the process off from real AWS and builds the command.
func TestMain(m *testing.M) {
	if err := lambdaharness.IsolateProcessAWSEnv(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "try-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	tryBinary = filepath.Join(dir, "try")
	if out, err := exec.Command("go", "build", "-o", tryBinary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build cmd/try: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// userEnv is the whole environment of a run, as a user's shell would have
// it: the fake pulumi first on PATH, AWS credentials and the Cognito
// endpoint from the environment (every other AWS endpoint a dead loopback
// port), no desktop to open a browser on.
func userEnv(t *testing.T, w *trytest.World, extra ...string) []string {
	t.Helper()
	return append([]string{
		"PATH=" + w.FakePulumi(t) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=" + trytest.FakeAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + trytest.FakeSecretKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_ENDPOINT_URL=http://127.0.0.1:9",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + w.Cognito.URL,
	}, extra...)
}

// caBundle is a real CA bundle file, for runs with AWS_CA_BUNDLE set.
func caBundle(t *testing.T) string {
	t.Helper()
	for _, path := range []string{os.Getenv("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt"} {
		if path != "" {
			if _, err := os.Stat(path); err == nil { //nolint:gosec // SSL_CERT_FILE or the Debian bundle, only read by the command under test
				return path
			}
		}
	}
	t.Skip("no CA bundle file (apt-get install ca-certificates)")
	return ""
}

// finished is one finished run of a command.
type finished struct {
	code           int
	stdout, stderr string
	page           string // the browser's page, when a sign-in URL was printed
	pageStatus     int
}

// signIn starts cmd; when it prints a sign-in URL, follows it as a browser
// does (the stand-in authorize endpoint sends it straight back to the
// callback), then waits for cmd to end.
func signIn(t *testing.T, cmd *exec.Cmd) finished {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var r finished
	var stdout strings.Builder
	lines := bufio.NewScanner(pipe)
	for lines.Scan() {
		line := lines.Text()
		stdout.WriteString(line + "\n")
		if u := strings.TrimSpace(line); strings.HasPrefix(u, "http://127.0.0.1:") && strings.Contains(u, "/oauth2/authorize?") {
			r.pageStatus, r.page = follow(t, u)
		}
	}
	err = cmd.Wait()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// follow gets the sign-in URL and the redirects after it, without a proxy.
func follow(t *testing.T, signInURL string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Get(signInURL)
	if err != nil {
		t.Errorf("follow the sign-in URL: %v", err)
		return 0, ""
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("read the page: %v", err)
	}
	return resp.StatusCode, string(body)
}

func tryCommand(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), tryBinary, args...)
	cmd.Env = env
	return cmd
}

const linkedSentence = "You signed in to the existing account created 14 Mar 2025 09:26 UTC; Descope is linked (since 3 Dec 2026 17:40 UTC)."

func TestSignInAsAUserRunsIt(t *testing.T) {
	tests := []struct {
		name         string
		confidential bool
		env          func(t *testing.T) []string
		args         []string
		want         []string
		tokens       bool
	}{
		{name: "public client, AWS_CA_BUNDLE unset", env: func(*testing.T) []string { return nil }},
		{name: "public client, AWS_CA_BUNDLE set", env: func(t *testing.T) []string { return []string{"AWS_CA_BUNDLE=" + caBundle(t)} }},
		{name: "confidential client, its secret in COGNITO_CLIENT_SECRET", confidential: true,
			env: func(*testing.T) []string { return []string{try.ClientSecretEnv + "=" + trytest.ClientSecret} }},
		{name: "--show-tokens", env: func(*testing.T) []string { return nil }, args: []string{"--show-tokens"},
			want: []string{"\naccess_token:  fake-access-token\n", "\nrefresh_token: fake-refresh-token\n", "\nid_token:      eyJ"}, tokens: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := trytest.New(t)
			w.Lock(func(w *trytest.World) { w.Confidential = tt.confidential })
			r := signIn(t, tryCommand(t, userEnv(t, w, tt.env(t)...), append([]string{"--stack", "dev"}, tt.args...)...))
			if r.code != try.ExitSignedIn || r.pageStatus != http.StatusOK {
				t.Fatalf("exit %d, page status %d; stdout:\n%s\nstderr:\n%s\npage:\n%s", r.code, r.pageStatus, r.stdout, r.stderr, r.page)
			}
			want := append([]string{
				"Waiting for the sign-in at " + w.CallbackURLs[1] + " (for 5m0s; Ctrl-C stops).\n",
				"✔ Signed in with Descope\n  " + linkedSentence + "\n",
				"  Cognito user name    7c1e5a52-3f0b-4d9e-9a0c-2f6a8b1d4e01\n",
				"  email                ada@example.com (verified)\n",
				"  cognito:groups       admins, staff\n",
				"  account created      14 Mar 2025 09:26 UTC\n",
				"  Descope identity     userId U2pAsskeyAda0000000000000001, linked 3 Dec 2026 17:40 UTC\n",
			}, tt.want...)
			for _, s := range want {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			if !strings.Contains(r.page, linkedSentence) {
				t.Errorf("the page lacks the sentence:\n%s", r.page)
			}
			if !tt.tokens && (strings.Contains(r.stdout, "fake-access-token") || strings.Contains(r.stdout, "eyJ")) {
				t.Errorf("a token is printed without --show-tokens:\n%s", r.stdout)
			}
			if strings.Contains(r.stdout+r.stderr+r.page, trytest.ClientSecret) {
				t.Error("the client secret is printed")
			}
		})
	}
}

func TestARefusedSignInExitsOne(t *testing.T) {
	w := trytest.New(t)
	w.Lock(func(w *trytest.World) {
		w.ErrorAnswer = url.Values{"error": {"invalid_request"}, "error_description": {"PreSignUp failed with error no verified email."}}
	})
	r := signIn(t, tryCommand(t, userEnv(t, w)))
	want := "✘ Cognito refused the sign-in: invalid_request\n  PreSignUp failed with error no verified email.\n" +
		"  fix: This is the merge function's answer (the pool's pre sign-up trigger); its log has the decision and the reason: aws logs tail " + trytest.LogGroup + " --since 15m. The rules are in lambda/README.md.\n"
	if r.code != try.ExitRefused || !strings.HasSuffix(r.stdout, want) || r.pageStatus != http.StatusBadRequest {
		t.Errorf("exit %d, page status %d; stdout:\n%s\nwant it to end with:\n%s", r.code, r.pageStatus, r.stdout, want)
	}
}

func TestNoSignInBeforeTheWaitEndsExitsThree(t *testing.T) {
	w := trytest.New(t)
	cmd := tryCommand(t, userEnv(t, w), "--wait", "1s")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	exit := (*exec.ExitError)(nil)
	if !errors.As(err, &exit) || exit.ExitCode() != try.ExitNoAnswer || !strings.Contains(stderr.String(), "try: no sign-in came back within 1s: run make try again") {
		t.Errorf("err %v; stderr %q; want exit %d and the wait named", err, stderr.String(), try.ExitNoAnswer)
	}
}

func TestCannotStartExitsTwoWithTheFix(t *testing.T) {
	tests := []struct {
		name   string
		change func(w *trytest.World)
		env    []string
		noPATH bool
		want   string
	}{
		{"no localhost callback URL", func(w *trytest.World) { w.CallbackURLs = w.CallbackURLs[:1] }, nil, false,
			"try: try cannot start: app client " + trytest.ClientID + " has no http://localhost callback URL (it has: https://app.example.com/callback).\n" +
				"Why: Cognito sends a sign-in back only to a callback URL the client allows, and this command can only\n" +
				"receive it on this machine, at http://localhost (the one http:// address Cognito accepts).\n" +
				"Add one (it is added to the client's list; the first URL, the one passkeyLoginUrl uses, stays first):\n" +
				"  pulumi config set --path 'callbackUrls[1]' http://localhost:3000/callback --stack dev\n" +
				"  make up STACK=dev\nthen run make try STACK=dev again.\n"},
		{"a confidential client without its secret", func(w *trytest.World) { w.Confidential = true }, nil, false,
			"try: try cannot start: app client " + trytest.ClientID + " is confidential (it has a client secret), and Cognito's token endpoint accepts its codes only with that secret.\n" +
				"Pass it in COGNITO_CLIENT_SECRET (never on the command line, where other users see it), for example:\n" +
				"  COGNITO_CLIENT_SECRET=\"$(pulumi stack output userPoolClientSecret --show-secrets --stack dev)\" make try STACK=dev\n"},
		{"no AWS credentials for DescribeUserPoolClient", func(*trytest.World) {}, []string{"AWS_ACCESS_KEY_ID=AKIAOTHERKEY00000000"}, false,
			"try: read app client " + trytest.ClientID + " of user pool " + trytest.UserPoolID + " (cognito-idp:DescribeUserPoolClient): "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := trytest.New(t)
			w.Lock(tt.change)
			cmd := tryCommand(t, userEnv(t, w, tt.env...), "--stack", "dev")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			exit := (*exec.ExitError)(nil)
			if !errors.As(err, &exit) || exit.ExitCode() != try.ExitUsage || !strings.HasPrefix(stderr.String(), tt.want) || stdout.Len() != 0 {
				t.Errorf("err %v, stdout %q; stderr:\n%s\nwant exit %d and stderr starting:\n%s", err, stdout.String(), stderr.String(), try.ExitUsage, tt.want)
			}
		})
	}
}

func TestMakeTry(t *testing.T) {
	makeBin, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed (apt-get install make)")
	}
	w := trytest.New(t)
	cmd := exec.CommandContext(t.Context(), makeBin, "-s", "-C", "../..", "try", "STACK=dev")
	goEnv, err := exec.CommandContext(t.Context(), "go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOTOOLCHAIN", "GOFLAGS", "GOPROXY").Output()
	if err != nil {
		t.Fatal(err)
	}
	// make runs `go run` with the user's Go settings, so the build is cached.
	var extra []string
	for i, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOTOOLCHAIN", "GOFLAGS", "GOPROXY"} {
		extra = append(extra, name+"="+strings.Split(string(goEnv), "\n")[i])
	}
	cmd.Env = userEnv(t, w, extra...)
	r := signIn(t, cmd)
	if r.code != 0 || !strings.Contains(r.stdout, "✔ Signed in with Descope\n  "+linkedSentence+"\n") {
		t.Errorf("make try: exit %d; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
