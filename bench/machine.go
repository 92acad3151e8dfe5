package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// machine is what the report says about where it ran.
type machine struct {
	date         time.Time
	cpu          string
	cores        int
	kernel       string
	goVersion    string
	node         string
	cognitoLocal string
	python       string
	loadAverage  string // at start: other work on the machine skews every figure
}

func describeMachine(ctx context.Context) machine {
	m := machine{
		date:         time.Now().UTC(),
		cpu:          cpuModel(),
		cores:        runtime.NumCPU(),
		kernel:       firstLine("/proc/sys/kernel/osrelease"),
		goVersion:    runtime.Version(),
		loadAverage:  firstLine("/proc/loadavg"),
		node:         "unknown",
		cognitoLocal: "unknown",
	}
	if fields := strings.Fields(m.loadAverage); len(fields) >= 3 {
		m.loadAverage = strings.Join(fields[:3], " ")
	}
	if out, err := exec.CommandContext(ctx, "node", "--version").Output(); err == nil {
		m.node = strings.TrimSpace(string(out))
	}
	if root, err := lambdaharness.ModuleRoot(); err == nil {
		var pkg struct{ Dependencies map[string]string }
		if raw, err := os.ReadFile(filepath.Join(root, "internal/lambdaharness/cognito-local/package.json")); err == nil && json.Unmarshal(raw, &pkg) == nil {
			m.cognitoLocal = pkg.Dependencies["cognito-local"]
		}
	}
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if name, value, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

func firstLine(path string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	return strings.TrimSpace(line)
}
