package main

import (
	"bufio"
	"bytes"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

var (
	buildOnce sync.Once
	binary    string // set by TestMain
	buildErr  error
)

// reconcileBinary builds the command once per test run, as `make reconcile` does.
func reconcileBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.CommandContext(t.Context(), "go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build reconcile: %v", buildErr)
	}
	return binary
}

// userEnv is the whole environment of a user's shell that matters to the
// command: a region, keys, and the endpoint the SDK's AWS_ENDPOINT_URL_*
// variable names (here a loopback stub). Nothing else is inherited, so
// AWS_CA_BUNDLE is set only where a test sets it.
func userEnv(t *testing.T, endpoint string, extra ...string) []string {
	t.Helper()
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"AWS_REGION=" + lambdaharness.Region,
		"AWS_ACCESS_KEY_ID=" + lambdaharness.FakeAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + lambdaharness.FakeSecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_ENDPOINT_URL=http://127.0.0.1:9",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + endpoint,
	}, extra...)
}

// runBinary runs the built command in dir and returns its exit code and output.
func runBinary(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), reconcileBinary(t), args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// writeBundle writes server's certificate as a PEM file, as AWS_CA_BUNDLE names one.
func writeBundle(t *testing.T, server *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca-bundle.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The binary runs on a machine without AWS_CA_BUNDLE (most users') and on one
// with it (corporate networks, this project's CI), configured from the
// environment alone: a dry run, then the merge.
func TestBinaryRunsWithAndWithoutCABundle(t *testing.T) {
	for _, withBundle := range []bool{false, true} {
		name := "AWS_CA_BUNDLE unset"
		if withBundle {
			name = "AWS_CA_BUNDLE set"
		}
		t.Run(name, func(t *testing.T) {
			stub := &stubPool{}
			var env []string
			if withBundle {
				// Over TLS with a certificate only the bundle vouches for, so
				// the run works only if the bundle is used.
				server := httptest.NewTLSServer(stub)
				t.Cleanup(server.Close)
				env = userEnv(t, server.URL, "AWS_CA_BUNDLE="+writeBundle(t, server))
			} else {
				server := httptest.NewServer(stub)
				t.Cleanup(server.Close)
				env = userEnv(t, server.URL)
			}
			dir := t.TempDir()
			code, stdout, stderr := runBinary(t, dir, env, "--user-pool-id", "us-east-1_Cmd1")
			if code != exitOK || !strings.Contains(stdout, "Descope_J1") {
				t.Fatalf("dry run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			code, stdout, stderr = runBinary(t, dir, env, "--user-pool-id", "us-east-1_Cmd1", "--apply", "--backup", "b.jsonl")
			if code != exitOK || !strings.Contains(stdout, "merged: sub sub-dup -> sub-jane") {
				t.Fatalf("apply: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

// An interrupt (Ctrl-C, or SIGTERM from a CI runner or systemd) that arrives
// between the delete and the link does not strand the person: the merge is
// finished, then the run stops with exit 3 and says how to go on.
func TestInterruptBetweenDeleteAndLinkFinishesTheMerge(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			deleting, release := make(chan struct{}), make(chan struct{})
			stub := &stubPool{deleting: deleting, release: release}
			server := httptest.NewServer(stub)
			t.Cleanup(server.Close)
			dir := t.TempDir()

			cmd := exec.CommandContext(t.Context(), reconcileBinary(t), "--user-pool-id", "us-east-1_Cmd1", "--apply", "--backup", "b.jsonl")
			cmd.Dir, cmd.Env = dir, userEnv(t, server.URL)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderrPipe, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string)
			var stderr strings.Builder
			go func() {
				defer close(lines)
				scanner := bufio.NewScanner(stderrPipe)
				for scanner.Scan() {
					lines <- scanner.Text()
				}
			}()

			select {
			case <-deleting:
			case <-time.After(30 * time.Second):
				t.Fatal("the delete never arrived")
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			// The delete is answered only once the command has taken the signal.
			noticed := false
			for line := range lines {
				stderr.WriteString(line + "\n")
				if !noticed && strings.Contains(line, "signal received") {
					noticed = true
					close(release)
				}
			}
			err = cmd.Wait()
			if !noticed {
				close(release)
				t.Fatalf("no notice of the signal on stderr:\n%s", stderr.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitChanged {
				t.Errorf("exit %v, want %d", err, exitChanged)
			}
			stub.mu.Lock()
			ops := stub.ops
			stub.mu.Unlock()
			if links := strings.Count(strings.Join(ops, " "), "AdminLinkProviderForUser"); links != 2 { // the permission probe, then the merge's link
				t.Errorf("ops %v: want the link after the delete", ops)
			}
			if !strings.Contains(stdout.String(), "merged: sub sub-dup -> sub-jane") || !strings.Contains(stderr.String(), "--apply --resume b.jsonl") {
				t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			}
			backup, err := os.ReadFile(filepath.Join(dir, "b.jsonl"))
			if err != nil || !strings.Contains(string(backup), `"kind":"done"`) {
				t.Errorf("backup (%v):\n%s\nwant the merge recorded as done", err, backup)
			}
		})
	}
}

// The backup file's directory entry is made durable before any delete: the
// binary, traced, fsyncs the directory it created the file in.
func TestBinaryFsyncsTheBackupDirectory(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (apt-get install strace)")
	}
	server := httptest.NewServer(&stubPool{})
	t.Cleanup(server.Close)
	dir, trace := t.TempDir(), filepath.Join(t.TempDir(), "trace")
	cmd := exec.CommandContext(t.Context(), strace, "-f", "-e", "trace=openat,fsync", "-o", trace,
		reconcileBinary(t), "--user-pool-id", "us-east-1_Cmd1", "--apply", "--backup", filepath.Join(dir, "b.jsonl"))
	cmd.Env = userEnv(t, server.URL)
	if out, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "ptrace") {
			t.Skipf("strace cannot trace here: %s", out)
		}
		t.Fatalf("%v\n%s", err, out)
	}
	raw, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	// openat(AT_FDCWD, "<dir>", O_RDONLY|O_CLOEXEC) = 7, then fsync(7) = 0.
	opened := regexp.MustCompile(`openat\(AT_FDCWD, "` + regexp.QuoteMeta(dir) + `", O_RDONLY[^)]*\) = (\d+)`).FindStringSubmatch(string(raw))
	if opened == nil || !regexp.MustCompile(`fsync\(`+opened[1]+`\)\s+= 0`).Match(raw) {
		t.Errorf("no fsync of %s in the trace:\n%s", dir, raw)
	}
}
