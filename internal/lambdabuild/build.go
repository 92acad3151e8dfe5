// Package lambdabuild builds a Go Lambda function into a reproducible deployment
// archive: the same source and toolchain always give the same bytes, so an
// unchanged function never shows a diff in `pulumi preview`.
package lambdabuild

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// BinaryName is the executable name the provided.al2023 runtime starts.
const BinaryName = "bootstrap"

// zipEpoch is the earliest time a zip header can hold; every entry gets it so
// the archive does not depend on when it was built.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Options says what to build and where.
type Options struct {
	// Package is the Go package to build, as `go build` takes it (for example "./lambda").
	Package string
	// ModuleDir is the directory `go build` runs in; empty means the current directory.
	ModuleDir string
	// OutputDir receives the binary and the zip; it is created if missing.
	OutputDir string
	// GOARCH is the target architecture: "arm64" for Graviton functions, "amd64" otherwise.
	GOARCH string
}

// DeployedMergeFunction is how the project builds the merge function it
// deploys: ./lambda of the module in moduleDir ("" for the current directory),
// for Lambda's arm64 runtime, into dist/merge-function.
func DeployedMergeFunction(moduleDir string) Options {
	return Options{
		Package:   "./lambda",
		ModuleDir: moduleDir,
		OutputDir: filepath.Join(moduleDir, "dist", "merge-function"),
		GOARCH:    "arm64",
	}
}

// runtimeEnvironment is what the built function runs with, beside its own
// configuration. A function handles one invocation at a time and mostly
// waits on Cognito, and Lambda gives a 128 MB function a fraction of one
// vCPU while showing it two: one P spares the Go runtime a second OS thread
// and the hand-offs between them (BENCHMARKS.md measures the cold start with
// and without it). It must come from the environment: the runtime sizes its
// Ps before any Go code runs.
var runtimeEnvironment = map[string]string{"GOMAXPROCS": "1"}

// Artifact is a built function ready to deploy.
type Artifact struct {
	// BinaryPath is the stripped, static linux executable.
	BinaryPath string
	// ZipPath is the deployment archive holding BinaryPath as "bootstrap".
	ZipPath string
	// SourceCodeHash is the base64 SHA-256 of the zip, the form Lambda's
	// CodeSha256 and the provider's sourceCodeHash use.
	SourceCodeHash string
	// ZipSize is the archive size in bytes.
	ZipSize int64
	// Environment is the process environment the binary is built to run
	// with: deploy it as the function's environment variables, and start
	// the binary with it wherever it is measured or tested.
	Environment map[string]string
}

// Environ returns a.Environment as sorted KEY=VALUE pairs, the form
// os/exec takes.
func (a Artifact) Environ() []string {
	pairs := make([]string, 0, len(a.Environment))
	for k, v := range a.Environment {
		pairs = append(pairs, k+"="+v)
	}
	slices.Sort(pairs)
	return pairs
}

// Build compiles opts.Package for linux/opts.GOARCH and packs it into a zip.
func Build(ctx context.Context, opts Options) (Artifact, error) {
	if opts.Package == "" || opts.OutputDir == "" || opts.GOARCH == "" {
		return Artifact{}, errors.New("lambdabuild: Package, OutputDir and GOARCH are required")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return Artifact{}, fmt.Errorf("build %s: the Go toolchain must be on PATH to build the function: %w", opts.Package, err)
	}
	if err := os.MkdirAll(opts.OutputDir, 0o755); err != nil {
		return Artifact{}, fmt.Errorf("build %s: create output directory: %w", opts.Package, err)
	}

	binaryPath := filepath.Join(opts.OutputDir, BinaryName)
	// -trimpath, -buildvcs=false and an empty build ID keep machine paths, git
	// state and per-build IDs out of the binary; lambda.norpc drops the legacy
	// go1.x RPC server that provided.al2023 never uses, and nethttpomithttp2
	// drops net/http's bundled HTTP/2 (about 0.4 MB): the Runtime API and
	// Cognito both speak HTTP/1.1. The function is two HTTP calls, so inlining
	// buys it nothing outside the runtime and crypto (GC, TLS handshakes),
	// where it stays on; elsewhere it is off, which takes 0.36 MB (5%) off the
	// binary and starts the process sooner (BENCHMARKS.md).
	cmd := exec.CommandContext(ctx, goTool, "build",
		"-tags", "lambda.norpc,nethttpomithttp2",
		"-gcflags=all=-l", "-gcflags=runtime=", "-gcflags=runtime/...=", "-gcflags=crypto/...=",
		"-trimpath",
		"-buildvcs=false",
		"-ldflags", "-s -w -buildid=",
		"-o", binaryPath,
		opts.Package,
	)
	cmd.Dir = opts.ModuleDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+opts.GOARCH, "CGO_ENABLED=0")
	// The archive's bytes depend on the exact Go release. go.mod's toolchain
	// line names it; GOTOOLCHAIN makes `go` use exactly that one, fetched from
	// the module proxy when the local Go differs, so every machine and CI
	// build the same zip.
	toolchain, err := PinnedToolchain(opts.ModuleDir)
	if err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", opts.Package, err)
	}
	if toolchain != "" {
		cmd.Env = append(cmd.Env, "GOTOOLCHAIN="+toolchain)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return Artifact{}, fmt.Errorf("build %s for linux/%s: %w\n%s", opts.Package, opts.GOARCH, err, strings.TrimSpace(stderr.String()))
	}

	zipPath := filepath.Join(opts.OutputDir, BinaryName+".zip")
	if err := writeZip(zipPath, binaryPath); err != nil {
		return Artifact{}, fmt.Errorf("package %s: %w", opts.Package, err)
	}
	hash, size, err := fileSHA256(zipPath)
	if err != nil {
		return Artifact{}, fmt.Errorf("hash %s: %w", zipPath, err)
	}
	return Artifact{
		BinaryPath: binaryPath, ZipPath: zipPath, SourceCodeHash: hash, ZipSize: size,
		Environment: maps.Clone(runtimeEnvironment),
	}, nil
}

// PinnedToolchain returns the toolchain line of the go.mod in moduleDir
// ("" for the current directory), such as "go1.26.8", or "" without one.
func PinnedToolchain(moduleDir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(moduleDir, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("read the pinned Go toolchain: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "toolchain" {
			return fields[1], nil
		}
	}
	return "", nil
}

// writeZip packs the binary as the archive's only entry, with a fixed time and
// an executable mode, then renames it into place so a reader never sees half a file.
func writeZip(zipPath, binaryPath string) error {
	binary, err := os.Open(binaryPath)
	if err != nil {
		return err
	}
	defer binary.Close()

	tmp, err := os.CreateTemp(filepath.Dir(zipPath), ".bootstrap-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())

	archive := zip.NewWriter(tmp)
	header := &zip.FileHeader{Name: BinaryName, Method: zip.Deflate, Modified: zipEpoch}
	header.SetMode(0o755)
	entry, err := archive.CreateHeader(header)
	if err != nil {
		return err
	}
	if _, err := io.Copy(entry, binary); err != nil {
		return err
	}
	if err := archive.Close(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), zipPath)
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), n, nil
}
