// Package e2e runs the real merge function binary the way Lambda does: built
// once per run with the deployment build flags, started as a provided.al2023
// bootstrap against a local Runtime API, talking to cognito-local through a
// recording proxy. Everything listens on 127.0.0.1 and every AWS credential is
// fake.
package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// Shared by every test of the run: the binary is built once and cognito-local
// started once, by the first test that needs them; each test gets its own
// user pool, proxy and process.
var (
	tmpDir string

	buildOnce sync.Once
	artifact  lambdabuild.Artifact
	buildErr  error

	cognitoOnce  sync.Once
	cognitoLocal *lambdaharness.CognitoLocal
	cognitoErr   error
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := lambdaharness.IsolateProcessAWSEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	var err error
	if tmpDir, err = os.MkdirTemp("", "e2e-"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmpDir)
	code := m.Run()
	if cognitoLocal != nil {
		cognitoLocal.Stop()
	}
	return code
}

// bootstrap returns the merge function built for this host, building it on
// first use. It runs inside a test, not TestMain, so that the stat calls in
// statBuildInputs reach go test's result cache (see there).
func bootstrap(t *testing.T) lambdabuild.Artifact {
	t.Helper()
	buildOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		root, err := lambdaharness.ModuleRoot()
		if err != nil {
			buildErr = err
			return
		}
		if buildErr = statBuildInputs(root); buildErr != nil {
			return
		}
		// Host GOARCH so the linux binary runs here; the deployed one is
		// built the same way for arm64.
		artifact, buildErr = lambdabuild.Build(ctx, lambdabuild.Options{
			Package:   "./lambda",
			ModuleDir: root,
			OutputDir: filepath.Join(tmpDir, "dist"),
			GOARCH:    runtime.GOARCH,
		})
	})
	if buildErr != nil {
		t.Fatalf("build the merge function: %v", buildErr)
	}
	return artifact
}

// cognito returns the shared cognito-local, installing and starting it on
// first use. A missing Node.js or a failed install fails the test.
func cognito(t *testing.T) *lambdaharness.CognitoLocal {
	t.Helper()
	cognitoOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cognitoLocal, cognitoErr = lambdaharness.StartCognitoLocal(ctx, filepath.Join(tmpDir, "cognito-local"))
	})
	if cognitoErr != nil {
		t.Fatalf("start the Cognito stand-in: %v", cognitoErr)
	}
	return cognitoLocal
}

// statBuildInputs stats every file the bootstrap is built from. The build
// runs in a child process that go test's result cache cannot see; stat calls
// made by the test itself are recorded, so editing the function invalidates
// a cached pass.
func statBuildInputs(root string) error {
	for _, name := range []string{"go.mod", "go.sum"} {
		if _, err := os.Stat(filepath.Join(root, name)); err != nil {
			return err
		}
	}
	for _, dir := range []string{"lambda", "linking"} {
		if err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				_, err = os.Stat(path)
			}
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
