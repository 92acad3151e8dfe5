package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// debianPython is the interpreter the baseline runs on: Debian's, because
// python3-boto3 installs boto3 for it and PyPI is not assumed reachable.
const debianPython = "/usr/bin/python3"

type pythonRuntime struct {
	interpreter string
	dir         string // bench/python: bootstrap.py and lambda_function.py
	version     string // Python, boto3 and botocore versions
}

// findPython checks that Debian's python3 can import boto3, and says how to
// fix it when it cannot.
func findPython(ctx context.Context, root string) (*pythonRuntime, error) {
	const fix = "install Debian's boto3 with `apt-get install python3-boto3` (or run with -python=false to skip the baseline)"
	if _, err := os.Stat(debianPython); err != nil {
		return nil, fmt.Errorf("the Python baseline needs %s: %w; install python3, then %s", debianPython, err, fix)
	}
	cmd := exec.CommandContext(ctx, debianPython, "-c",
		"import sys, boto3, botocore; print('Python %d.%d.%d, boto3 %s, botocore %s' % (sys.version_info[:3] + (boto3.__version__, botocore.__version__)))")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE=1"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s cannot import boto3 (%w: %s): %s", debianPython, err, strings.TrimSpace(string(out)), fix)
	}
	return &pythonRuntime{
		interpreter: debianPython,
		dir:         filepath.Join(root, "bench", "python"),
		version:     strings.TrimSpace(string(out)),
	}, nil
}

func (p *pythonRuntime) implementation() implementation {
	return implementation{
		name:    "Python + boto3",
		command: []string{p.interpreter, filepath.Join(p.dir, "bootstrap.py")},
		dir:     p.dir,
		env: []string{
			// Lambda's Python runtime writes each print straight to the log.
			"PYTHONUNBUFFERED=1",
			// Keep __pycache__ out of the source tree; the system modules'
			// compiled files, installed by Debian, are still used.
			"PYTHONDONTWRITEBYTECODE=1",
		},
	}
}
