// Package e2e runs the real merge function binary the way Lambda does: built
// once per run with the deployment build flags, started as a provided.al2023
// bootstrap against a local Runtime API, talking to cognito-local through a
// recording proxy. Everything listens on 127.0.0.1 and every AWS credential is
// fake.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// Shared by every test of the run: the binary is built once and cognito-local
// started once; each test gets its own user pool, proxy and process.
var (
	artifact     lambdabuild.Artifact
	cognitoLocal *lambdaharness.CognitoLocal
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := lambdaharness.IsolateProcessAWSEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := lambdaharness.ModuleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	// Host GOARCH so the linux binary runs here; the deployed one is built
	// the same way for arm64.
	artifact, err = lambdabuild.Build(ctx, lambdabuild.Options{
		Package:   "./lambda",
		ModuleDir: root,
		OutputDir: filepath.Join(tmp, "dist"),
		GOARCH:    runtime.GOARCH,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build the merge function:", err)
		return 1
	}
	cognitoLocal, err = lambdaharness.StartCognitoLocal(ctx, filepath.Join(tmp, "cognito-local"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start the Cognito stand-in:", err)
		return 1
	}
	defer cognitoLocal.Stop()
	return m.Run()
}
