package main

import (
	"bytes"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// userGoEnv is the Go part of a user's shell: go on PATH and this machine's
// Go settings (caches, toolchain, proxy), so the build fetches nothing new.
func userGoEnv(t *testing.T) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	env := []string{"PATH=" + filepath.Dir(goBin) + ":/usr/bin:/bin", "HOME=" + t.TempDir()}
	for _, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOTOOLCHAIN", "GOFLAGS", "GOPROXY"} {
		if v, err := exec.CommandContext(t.Context(), goBin, "env", name).Output(); err == nil && strings.TrimSpace(string(v)) != "" {
			env = append(env, name+"="+strings.TrimSpace(string(v)))
		}
	}
	return env
}

// The built command, run from the repository root as `make build` runs it,
// builds the deployed archive the same way with and without AWS_CA_BUNDLE.
func TestBinaryWithAndWithoutCABundle(t *testing.T) {
	binary := filepath.Join(t.TempDir(), "build-merge-function")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	server := httptest.NewTLSServer(http.NotFoundHandler())
	defer server.Close()
	bundle := filepath.Join(t.TempDir(), "ca-bundle.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^dist/merge-function/\S+\.zip  \d+ bytes  sha256 (\S+)\n$`)
	var hashes []string
	for _, extra := range [][]string{nil, {"AWS_CA_BUNDLE=" + bundle}} {
		cmd := exec.CommandContext(t.Context(), binary)
		cmd.Dir, cmd.Env = "../..", append(userGoEnv(t), extra...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		m := line.FindStringSubmatch(stdout.String())
		if err != nil || m == nil {
			t.Fatalf("%v: %v\nstdout: %q\nstderr: %s", extra, err, stdout.String(), stderr.String())
		}
		hashes = append(hashes, m[1])
	}
	if hashes[0] != hashes[1] {
		t.Errorf("hashes differ: %v", hashes)
	}
}
