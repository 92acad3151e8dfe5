// Command bench measures the merge function's real bootstrap side by side
// with the blog's Python + boto3 function, both run through the e2e harness
// (local Runtime API, recording proxy, cognito-local or an in-memory stub),
// traces its start-up with GODEBUG=inittrace=1, measures what chaining a
// previous trigger adds, runs a sign-in wave of many instances against a
// throttling Cognito stand-in, and prints a Markdown
// report, also written to -out.
//
//	go run ./bench -out BENCHMARKS.md -pulumi-cost
//
// It exits non-zero only when it cannot measure (a build, the stand-in or an
// invocation fails); a missed target is reported as MISSED in the table.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

type options struct {
	coldStarts  int
	warmInvokes int
	warmups     int
	python      bool
	pulumiCost  bool
	out         string
	limit       time.Duration
	// The sign-in wave: instances, the stand-in's quota (requests/s).
	waveInstances int
	waveQuota     float64
	initStarts    int
}

func main() {
	var o options
	flag.IntVar(&o.coldStarts, "cold", 20, "process starts measured per implementation and backend")
	flag.IntVar(&o.warmInvokes, "warm", 1000, "warm invocations measured per path, implementation and backend")
	flag.IntVar(&o.warmups, "warmup", 50, "unmeasured invocations per path before the warm measurement")
	flag.BoolVar(&o.python, "python", true, "also measure the blog's Python + boto3 function (needs Debian's python3-boto3)")
	flag.BoolVar(&o.pulumiCost, "pulumi-cost", false, "also time `go build .` and `go test .` of the Pulumi program, cold and warm (slow)")
	flag.StringVar(&o.out, "out", "", "write the report to this file as well (e.g. BENCHMARKS.md)")
	flag.DurationVar(&o.limit, "timeout", 20*time.Minute, "give up after this long")
	flag.IntVar(&o.waveInstances, "wave-instances", 20, "function instances in the sign-in wave (0 skips the wave)")
	flag.Float64Var(&o.waveQuota, "wave-quota", 30, "the throttling stand-in's quota in requests/s")
	flag.IntVar(&o.initStarts, "init-starts", 20, "starts traced with GODEBUG=inittrace=1")
	flag.Parse()
	if o.coldStarts < 1 || o.warmInvokes < 1 || o.warmups < 0 || o.initStarts < 1 || o.waveInstances < 0 || o.waveQuota <= 0 {
		fmt.Fprintln(os.Stderr, "bench: -cold, -warm and -init-starts must be at least 1, -warmup and -wave-instances at least 0, -wave-quota above 0")
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), o.limit)
	defer cancel()
	report, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Print(report)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "bench: wrote", o.out)
	}
}

func run(ctx context.Context, o options) (string, error) {
	if err := lambdaharness.IsolateProcessAWSEnv(); err != nil {
		return "", err
	}
	root, err := lambdaharness.ModuleRoot()
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	machine := describeMachine(ctx)
	var python *pythonRuntime
	if o.python {
		if python, err = findPython(ctx, root); err != nil {
			return "", err
		}
		machine.python = python.version
	}

	progress("building the bootstrap for linux/%s (host) and linux/arm64 (deployed)", runtime.GOARCH)
	host, err := lambdabuild.Build(ctx, lambdabuild.Options{Package: "./lambda", ModuleDir: root, OutputDir: filepath.Join(tmp, "host"), GOARCH: runtime.GOARCH})
	if err != nil {
		return "", err
	}
	arm64, err := lambdabuild.Build(ctx, lambdabuild.Options{Package: "./lambda", ModuleDir: root, OutputDir: filepath.Join(tmp, "arm64"), GOARCH: "arm64"})
	if err != nil {
		return "", err
	}
	sizes, err := measureSizes(host, arm64)
	if err != nil {
		return "", err
	}
	progress("%d starts with GODEBUG=inittrace=1", o.initStarts)
	startup, err := measureInitTrace(ctx, host, o.initStarts)
	if err != nil {
		return "", err
	}

	progress("starting cognito-local")
	world, err := startWorld(ctx, filepath.Join(tmp, "cognito-local"))
	if err != nil {
		return "", err
	}
	defer world.stop()

	progress("cognito-local alone: %d ListUsers calls", o.warmInvokes)
	emulator, err := measureEmulatorFloor(ctx, world, o.warmups, o.warmInvokes)
	if err != nil {
		return "", err
	}

	// Go runs with the environment it is deployed with; a third variant,
	// cold starts only, leaves that out, so the report shows what it buys.
	goFunction := implementation{
		name:    goImpl,
		command: []string{host.BinaryPath},
		dir:     filepath.Dir(host.BinaryPath),
		env:     append(host.Environ(), "DESCOPE_PROVIDER_NAME=Descope"),
	}
	withoutRuntimeEnv := goFunction
	withoutRuntimeEnv.name, withoutRuntimeEnv.env = goImpl+" without its runtime environment", []string{"DESCOPE_PROVIDER_NAME=Descope"}
	impls := []implementation{goFunction}
	if python != nil {
		impls = append(impls, python.implementation())
	}

	var results []runResult
	for _, b := range world.backends() {
		progress("via %s: %d cold starts of each implementation, alternating", b.name, o.coldStarts)
		cold, err := measureColdStarts(ctx, b, append(impls, withoutRuntimeEnv), world.paths[0].event, o.coldStarts)
		if err != nil {
			return "", fmt.Errorf("via %s: %w", b.name, err)
		}
		for i, impl := range impls {
			r, err := measure(ctx, o, world, b, impl)
			if err != nil {
				return "", fmt.Errorf("%s via %s: %w", impl.name, b.name, err)
			}
			r.cold = cold[i]
			if impl.name == goImpl {
				r.runtimeEnv, r.coldWithoutRuntimeEnv = host.Environ(), cold[len(impls)]
			}
			results = append(results, r)
		}
	}

	chain, err := measureChainCost(ctx, o, root, tmp, goFunction, world)
	if err != nil {
		return "", fmt.Errorf("chaining: %w", err)
	}

	var waveResults []waveResult
	if o.waveInstances > 0 {
		if waveResults, err = measureWaves(ctx, impls[0], o.waveInstances, o.waveQuota); err != nil {
			return "", fmt.Errorf("sign-in wave: %w", err)
		}
	}

	var cost *pulumiCost
	if o.pulumiCost {
		progress("timing the Pulumi program's build and tests (cold cache first; this is the slow part)")
		c := measurePulumiCost(ctx, root, tmp)
		cost = &c
	}
	if ctx.Err() != nil {
		return "", errors.New("ran out of time; raise -timeout")
	}
	return renderReport(o, machine, sizes, results, emulator, cost, startup, waveResults, chain), nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
