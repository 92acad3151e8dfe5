package lambdaharness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cognitoLocalPackageDir is where package.json pins cognito-local, relative
// to the module root.
const cognitoLocalPackageDir = "internal/lambdaharness/cognito-local"

// cognitoLocalEntry is the script `npx cognito-local` would run.
const cognitoLocalEntry = "node_modules/cognito-local/lib/bin/start.js"

// cognitoLocalConfig is written to .cognito/config.json before start. Without
// it every pool gets UsernameAttributes [email], which makes cognito-local
// refuse a second user with the same email; pools that want email usernames
// ask for them in CreateUserPool.
const cognitoLocalConfig = `{"UserPoolDefaults":{"UsernameAttributes":[]}}`

// CognitoLocal is a running cognito-local server.
type CognitoLocal struct {
	// Endpoint is its base URL on 127.0.0.1.
	Endpoint string

	cmd    *exec.Cmd
	exited chan struct{}
}

// ModuleRoot finds the directory holding go.mod, walking up from the
// working directory (a test's package directory, or wherever bench runs).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// InstallCognitoLocal runs `npm ci` in the pinned package directory when
// cognito-local is not installed there yet, and returns that directory. A
// missing node or npm, or a failed install, is an error: the tests that need
// cognito-local must fail, not skip.
func InstallCognitoLocal(ctx context.Context) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("install cognito-local: %w", err)
	}
	dir := filepath.Join(root, cognitoLocalPackageDir)
	if _, err := exec.LookPath("node"); err != nil {
		return "", errors.New("install cognito-local: node is not on PATH; install Node.js 20 or newer (the e2e tests and benchmarks run cognito-local as the Cognito stand-in)")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", errors.New("install cognito-local: npm is not on PATH; install npm alongside Node.js")
	}

	// go test runs packages in parallel; one npm ci per directory at a time.
	unlock, err := lockFile(dir)
	if err != nil {
		return "", fmt.Errorf("install cognito-local: %w", err)
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, cognitoLocalEntry)); err == nil {
		return dir, nil
	}

	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	cmd.Env = npmEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("install cognito-local: `npm ci` in %s failed: %w\n%s", dir, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, cognitoLocalEntry)); err != nil {
		return "", fmt.Errorf("install cognito-local: npm ci succeeded but %s is missing: %w", cognitoLocalEntry, err)
	}
	return dir, nil
}

// npmEnv passes npm what it needs to reach its registry and nothing else.
func npmEnv() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		switch {
		case name == "PATH", name == "HOME", name == "NODE_EXTRA_CA_CERTS", name == "SSL_CERT_FILE",
			strings.HasPrefix(upper, "NPM_CONFIG_"),
			upper == "HTTP_PROXY", upper == "HTTPS_PROXY", upper == "NO_PROXY":
			env = append(env, kv)
		}
	}
	return env
}

// lockFile takes an exclusive flock keyed by dir, in the temp directory so
// the package directory holds only committed files and node_modules.
func lockFile(dir string) (unlock func(), err error) {
	sum := sha256.Sum256([]byte(dir))
	path := filepath.Join(os.TempDir(), "lambdaharness-npm-"+hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// StartCognitoLocal installs cognito-local if needed and starts it on a free
// 127.0.0.1 port with dataDir as its working directory (it keeps its state in
// .cognito/ there), waiting until it answers /health.
func StartCognitoLocal(ctx context.Context, dataDir string) (*CognitoLocal, error) {
	pkgDir, err := InstallCognitoLocal(ctx)
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dataDir, ".cognito"), 0o755); err != nil {
		return nil, fmt.Errorf("start cognito-local: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, ".cognito", "config.json"), []byte(cognitoLocalConfig), 0o644); err != nil {
		return nil, fmt.Errorf("start cognito-local: %w", err)
	}

	// The port is picked by binding and releasing it; another process could
	// take it in between, so a failed start is retried on a fresh port.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freeLoopbackPort()
		if err != nil {
			return nil, err
		}
		c, err := startCognitoLocalOn(ctx, node, filepath.Join(pkgDir, cognitoLocalEntry), dataDir, port)
		if err == nil {
			return c, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startCognitoLocalOn(ctx context.Context, node, entry, dataDir string, port int) (*CognitoLocal, error) {
	aws, err := awsEnv(deadEndpoint)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(node, entry)
	cmd.Dir = dataDir
	cmd.Env = append([]string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + dataDir,
		"HOST=127.0.0.1",
		"PORT=" + strconv.Itoa(port),
	}, aws...)
	output := &lockedBuffer{}
	cmd.Stdout = output
	cmd.Stderr = output
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start cognito-local: %w", err)
	}
	c := &CognitoLocal{
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:      cmd,
		exited:   make(chan struct{}),
	}
	go func() {
		cmd.Wait() //nolint:errcheck // Stop kills it; the exit status says nothing useful.
		close(c.exited)
	}()
	if err := c.waitReady(ctx, 30*time.Second); err != nil {
		c.Stop()
		return nil, fmt.Errorf("start cognito-local on port %d: %w\n%s", port, err, output.Bytes())
	}
	return c, nil
}

func (c *CognitoLocal) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Endpoint+"/health", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-c.exited:
			return errors.New("cognito-local exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("cognito-local not ready after %s: %w", limit, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop kills cognito-local's process group and waits for it.
func (c *CognitoLocal) Stop() {
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.exited
	}
}

func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
