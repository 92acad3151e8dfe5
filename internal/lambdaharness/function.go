package lambdaharness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FunctionOptions describes a function process to run.
type FunctionOptions struct {
	// Command is the argv: the bootstrap binary, or an interpreter and its script.
	Command []string
	// Dir is the working directory, Lambda's LAMBDA_TASK_ROOT.
	Dir string
	// RuntimeAPI is the fake Runtime API's host:port.
	RuntimeAPI string
	// CognitoEndpoint is the loopback URL the function's Cognito client uses.
	CognitoEndpoint string
	// Env adds the function's own configuration, as KEY=VALUE.
	Env []string
	// Output, if set, also receives the process's stdout and stderr.
	Output io.Writer
}

// Function is a running function process.
type Function struct {
	// Started is taken just before the process is started: cold start is
	// measured from here to the first response.
	Started time.Time

	cmd    *exec.Cmd
	output *lockedBuffer
	exited chan struct{}
	err    error // from Wait, valid once exited is closed
}

// FunctionExit is how a function process ended.
type FunctionExit struct {
	// PeakRSS is the process's peak resident set in bytes (VmHWM), read just
	// before Stop killed it; 0 if it had already exited. wait4's ru_maxrss
	// would be wrong here: Go starts children with a vfork-style clone, and
	// exec folds the parent's peak into the child's.
	PeakRSS int64
	// Err is the process's exit error; a Stop shows as killed by SIGKILL.
	Err error
}

// StartFunction starts the process with an explicit environment: what the
// Lambda service sets for a provided.al2023 function, fake AWS credentials
// and loopback endpoints, then opts.Env. Nothing is inherited from the
// harness's own environment.
func StartFunction(opts FunctionOptions) (*Function, error) {
	if len(opts.Command) == 0 {
		return nil, errors.New("start function: empty command")
	}
	aws, err := awsEnv(opts.CognitoEndpoint)
	if err != nil {
		return nil, fmt.Errorf("start function: %w", err)
	}
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"LANG=C.UTF-8",
		"TZ=:UTC",
		"AWS_LAMBDA_RUNTIME_API=" + opts.RuntimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME=harness",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/harness",
		"AWS_LAMBDA_LOG_STREAM_NAME=harness",
		"LAMBDA_TASK_ROOT=" + opts.Dir,
		"_HANDLER=bootstrap",
	}
	env = append(env, aws...)
	env = append(env, opts.Env...)

	output := &lockedBuffer{}
	var sink io.Writer = output
	if opts.Output != nil {
		sink = io.MultiWriter(output, opts.Output)
	}
	cmd := exec.Command(opts.Command[0], opts.Command[1:]...)
	cmd.Dir = opts.Dir
	cmd.Env = env
	cmd.Stdout = sink
	cmd.Stderr = sink
	// A process group of its own, so Stop can kill anything it spawned.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	f := &Function{cmd: cmd, output: output, exited: make(chan struct{})}
	f.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start function %s: %w", opts.Command[0], err)
	}
	go func() {
		f.err = cmd.Wait()
		close(f.exited)
	}()
	return f, nil
}

// Exited is closed when the process has exited.
func (f *Function) Exited() <-chan struct{} { return f.exited }

// Output returns what the process has written to stdout and stderr so far.
func (f *Function) Output() []byte { return f.output.Bytes() }

// Stop kills the process group, as Lambda does when it retires a sandbox
// whose runtime has no extensions, and reports the process's peak RSS.
// It is safe to call after the process has exited by itself.
func (f *Function) Stop() (FunctionExit, error) {
	var exit FunctionExit
	select {
	case <-f.exited:
	default:
		pid := f.cmd.Process.Pid
		// An error means it exited in the meantime: the peak is unknown.
		exit.PeakRSS, _ = peakRSS(pid)
		// ESRCH means the group is gone already; Wait below still reaps.
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		select {
		case <-f.exited:
		case <-time.After(10 * time.Second):
			return FunctionExit{}, fmt.Errorf("function pid %d did not exit after SIGKILL", pid)
		}
	}
	exit.Err = f.err
	return exit, nil
}

// peakRSS reads VmHWM, the peak resident set of pid's own address space.
func peakRSS(pid int) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		value, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(value) // "15744 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("pid %d: unexpected VmHWM %q", pid, value)
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("pid %d: parse VmHWM: %w", pid, err)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// lockedBuffer is a bytes.Buffer that the process's two output pipes and
// readers can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
