package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// invokeTimeout bounds one invocation, cold start included; well above
// Cognito's 5 s so a slow start is measured, not cut off.
const invokeTimeout = 15 * time.Second

// loopTimeout bounds one measurement loop (cold starts, or one path's warm
// invocations).
const loopTimeout = 5 * time.Minute

// implementation is one function under test.
type implementation struct {
	name    string
	command []string
	dir     string
	env     []string
}

func (impl implementation) functionOptions(cognitoEndpoint string) lambdaharness.FunctionOptions {
	return lambdaharness.FunctionOptions{Command: impl.command, Dir: impl.dir, CognitoEndpoint: cognitoEndpoint, Env: impl.env}
}

// backend is what stands behind the recording proxy.
type backend struct {
	name  string
	proxy lambdaharness.ProxyOptions
}

// path is one kind of invocation.
type path struct {
	name  string
	event []byte
	// wantGoCalls is the Cognito call count the issue sets as the floor.
	wantGoCalls int
}

// world is the shared Cognito state: cognito-local with one pool holding one
// confirmed, verified user whose email the link path signs in with.
type world struct {
	cognito *lambdaharness.CognitoLocal
	admin   *lambdaharness.CognitoAdmin
	pool    string
	user    string
	paths   []path
}

const (
	benchEmail   = "jane.doe@example.com"
	benchSubject = "U2xAbCdEf123"
)

func startWorld(ctx context.Context, dataDir string) (*world, error) {
	cognito, err := lambdaharness.StartCognitoLocal(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	w := &world{cognito: cognito}
	admin, err := lambdaharness.NewCognitoAdmin(cognito.Endpoint)
	if err != nil {
		w.stop()
		return nil, err
	}
	w.admin = admin
	if w.pool, err = admin.CreateUserPool(ctx, "bench", lambdaharness.PoolOptions{}); err != nil {
		w.stop()
		return nil, err
	}
	if w.user, err = admin.CreateUser(ctx, w.pool, lambdaharness.NewUser{Username: "jane", Email: benchEmail, EmailVerified: true, Confirmed: true}); err != nil {
		w.stop()
		return nil, err
	}
	// Both functions get the same events. The user name is lowercased as in
	// a case-insensitive pool, which is also the form the blog's
	// startswith('descope_') expects, and name carries the subject, which is
	// where the blog's function reads it.
	link := lambdaharness.ExternalSignUp{
		PoolID: w.pool, UserName: "descope_u2xabcdef123", Subject: benchSubject, Name: benchSubject,
		Email: benchEmail, EmailVerified: "true",
	}
	noMatch := link
	noMatch.Email = "new.person@example.com"
	w.paths = []path{
		{name: "link", event: link.Event(), wantGoCalls: 2},
		{name: "no match", event: noMatch.Event(), wantGoCalls: 1},
		{name: "unrelated trigger", event: lambdaharness.NativeSignUpEvent(w.pool, "someone", "someone@example.com"), wantGoCalls: 0},
	}
	return w, nil
}

func (w *world) stop() { w.cognito.Stop() }

// backends are cognito-local, the stand-in the e2e tests use, and an
// in-memory ListUsers answer from the proxy, so the warm figures can show
// the trigger's own latency rather than the Node emulator's.
func (w *world) backends() []backend {
	stubUser := lambdaharness.StubUser{
		Username: w.user, Enabled: true, Status: "CONFIRMED",
		Attributes: map[string]string{"email": benchEmail, "email_verified": "true"},
	}
	return []backend{
		{name: "cognito-local", proxy: lambdaharness.ProxyOptions{Upstream: w.cognito.Endpoint}},
		{name: "stub", proxy: lambdaharness.ProxyOptions{StubListUsers: lambdaharness.StubUsersByEmail(map[string][]lambdaharness.StubUser{benchEmail: {stubUser}})}},
	}
}

// runResult is everything measured for one implementation on one backend.
type runResult struct {
	impl, backend string
	cold          []time.Duration
	// runtimeEnv is the environment the build asks the Go function to run
	// with (lambdabuild's Artifact.Environ), and coldWithoutRuntimeEnv are
	// its cold starts without it, measured alongside.
	runtimeEnv            []string
	coldWithoutRuntimeEnv []time.Duration
	warm                  []pathResult
	// peakRSS is the warm process's VmHWM after all its invocations.
	peakRSS int64
}

type pathResult struct {
	path
	latencies []time.Duration
	// calls is the number of Cognito calls per invocation (total / count).
	calls float64
}

// measure runs one implementation's warm invocations on every path through
// backend b, in one process, and reads its peak RSS; cold starts are measured
// apart, by measureColdStarts.
func measure(ctx context.Context, o options, w *world, b backend, impl implementation) (runResult, error) {
	proxy, err := lambdaharness.StartCognitoProxy(b.proxy)
	if err != nil {
		return runResult{}, err
	}
	defer proxy.Close()
	fnOpts := impl.functionOptions(proxy.URL)
	r := runResult{impl: impl.name, backend: b.name}

	progress("%s via %s: %d warm invocations per path", impl.name, b.name, o.warmInvokes)
	sandbox, err := lambdaharness.StartSandbox(fnOpts)
	if err != nil {
		return r, err
	}
	// For the error paths; on success it is stopped below, for its peak RSS.
	defer func() { _, _ = sandbox.Stop() }()
	for _, p := range w.paths {
		for i := 0; i < o.warmups; i++ {
			if _, err := invokeOK(ctx, sandbox, p.event); err != nil {
				return r, fmt.Errorf("%s warm-up: %w", p.name, err)
			}
		}
		proxy.Reset()
		latencies, err := measureWarm(ctx, sandbox, p.event, o.warmInvokes)
		if err != nil {
			return r, fmt.Errorf("%s: %w", p.name, err)
		}
		r.warm = append(r.warm, pathResult{path: p, latencies: latencies, calls: float64(proxy.TotalCalls()) / float64(o.warmInvokes)})
	}
	exit, err := sandbox.Stop()
	if err != nil {
		return r, err
	}
	r.peakRSS = exit.PeakRSS
	return r, nil
}

// measureEmulatorFloor times the link path's ListUsers sent straight to
// cognito-local, no trigger and no proxy: the floor under every warm figure
// measured through it.
func measureEmulatorFloor(ctx context.Context, w *world, warmups, n int) ([]time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, loopTimeout)
	defer cancel()
	latencies := make([]time.Duration, 0, n)
	for i := -warmups; i < n; i++ {
		start := time.Now()
		if _, err := w.admin.ListUsersByEmail(ctx, w.pool, benchEmail); err != nil {
			return nil, fmt.Errorf("ListUsers on cognito-local: %w", err)
		}
		if i >= 0 {
			latencies = append(latencies, time.Since(start))
		}
	}
	return latencies, nil
}

// measureColdStarts starts each implementation n times, alternating between
// them so that other load on the machine falls on all of them alike, and
// times process start to first response. Each round starts with the next
// implementation, so none always follows the same one (and the exit of the
// process before it). One extra, discarded start of each first warms the OS
// file cache, so every measured start finds the binary or the interpreter's
// modules in memory. It returns the samples per implementation, in the order
// given.
func measureColdStarts(ctx context.Context, b backend, impls []implementation, event []byte, n int) ([][]time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, loopTimeout)
	defer cancel()
	proxy, err := lambdaharness.StartCognitoProxy(b.proxy)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()
	samples := make([][]time.Duration, len(impls))
	for i := -1; i < n; i++ {
		for _, j := range roundOrder(max(i, 0), len(impls)) {
			impl := impls[j]
			d, err := coldStart(ctx, impl.functionOptions(proxy.URL), event)
			if err != nil {
				return nil, fmt.Errorf("%s cold start %d: %w", impl.name, i+1, err)
			}
			if i >= 0 {
				samples[j] = append(samples[j], d)
			}
		}
	}
	return samples, nil
}

// roundOrder is the order of the count implementations in a round: each
// round starts one later than the one before.
func roundOrder(round, count int) []int {
	order := make([]int, count)
	for k := range order {
		order[k] = (round + k) % count
	}
	return order
}

// coldStart starts a new function process, invokes it once and stops it.
func coldStart(ctx context.Context, opts lambdaharness.FunctionOptions, event []byte) (time.Duration, error) {
	sandbox, err := lambdaharness.StartSandbox(opts)
	if err != nil {
		return 0, err
	}
	r, err := invokeOK(ctx, sandbox, event)
	if _, stopErr := sandbox.Stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return 0, err
	}
	return r.Completed.Sub(sandbox.Function.Started), nil
}

func measureWarm(ctx context.Context, sandbox *lambdaharness.Sandbox, event []byte, n int) ([]time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, loopTimeout)
	defer cancel()
	latencies := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		r, err := invokeOK(ctx, sandbox, event)
		if err != nil {
			return nil, fmt.Errorf("invocation %d: %w", i+1, err)
		}
		latencies = append(latencies, r.Latency())
	}
	return latencies, nil
}

// invokeOK invokes and treats a function error as a harness failure: every
// benchmark path is one the function must answer successfully.
func invokeOK(ctx context.Context, sandbox *lambdaharness.Sandbox, event []byte) (lambdaharness.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()
	r, err := sandbox.Invoke(ctx, event)
	if err != nil {
		return r, err
	}
	if r.Error != nil {
		return r, fmt.Errorf("function failed: %s\noutput:\n%s", r.Error.Raw, tail(sandbox.Function.Output(), 2000))
	}
	return r, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// artifactSizes are the deployment sizes of the Go function.
type artifactSizes struct {
	hostArch              string
	hostBinary, hostZip   int64
	arm64Binary, arm64Zip int64
}

func measureSizes(host, arm64 lambdabuild.Artifact) (artifactSizes, error) {
	hostBin, err := os.Stat(host.BinaryPath)
	if err != nil {
		return artifactSizes{}, err
	}
	armBin, err := os.Stat(arm64.BinaryPath)
	if err != nil {
		return artifactSizes{}, err
	}
	return artifactSizes{
		hostArch:    runtime.GOARCH,
		hostBinary:  hostBin.Size(),
		hostZip:     host.ZipSize,
		arm64Binary: armBin.Size(),
		arm64Zip:    arm64.ZipSize,
	}, nil
}
