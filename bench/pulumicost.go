package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// pulumiCost is what the Pulumi program (the root package) costs a developer.
type pulumiCost struct {
	steps []costStep
}

type costStep struct {
	name     string
	elapsed  time.Duration
	failure  string // why it was not measured, if it was not
	measured bool
}

// measurePulumiCost times `go build .` and `go test .` in the module root
// against an empty build cache, then again warm. One cache serves all four
// steps: a second cold cache for the tests would compile the Pulumi AWS SDK
// twice and double the run. A step that fails is reported, not fatal.
func measurePulumiCost(ctx context.Context, root, tmp string) pulumiCost {
	cache := filepath.Join(tmp, "gocache")
	bin := filepath.Join(tmp, "pulumi-program")
	var cost pulumiCost
	for _, step := range []struct {
		name string
		args []string
	}{
		{"`go build .`, empty build cache", []string{"build", "-o", bin, "."}},
		{"`go build .`, warm", []string{"build", "-o", bin, "."}},
		{"`go test -count=1 .`, after the build (test-only packages compiled)", []string{"test", "-count=1", "."}},
		{"`go test -count=1 .`, warm", []string{"test", "-count=1", "."}},
	} {
		progress("pulumi cost: %s", step.name)
		cmd := exec.CommandContext(ctx, "go", step.args...)
		cmd.Dir = root
		// The parent's environment is already fenced off from AWS
		// (IsolateProcessAWSEnv); only the build cache is replaced.
		cmd.Env = append(os.Environ(), "GOCACHE="+cache)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		s := costStep{name: step.name, elapsed: time.Since(start), measured: err == nil}
		if err != nil {
			s.failure = fmt.Sprintf("not measured: %v: %s", err, lastLine(out))
		}
		cost.steps = append(cost.steps, s)
	}
	return cost
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
