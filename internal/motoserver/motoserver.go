// Package motoserver runs moto_server, the AWS emulator, for a test: on a free
// 127.0.0.1 port, stopped when the test ends, and skipped with how to install
// it where it is missing. Tests that use it have recorded-answer twins that
// run everywhere.
package motoserver

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds the wait for moto_server to answer.
const startTimeout = 30 * time.Second

// Start runs moto_server until the test ends and returns its endpoint.
func Start(t testing.TB) string {
	t.Helper()
	binary, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server not found: install moto 5.2.1 (`pip install 'moto[server]==5.2.1'`) to run the emulator tests; the recorded-answer tests cover the same logic")
	}
	listener, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(listener.Addr().(*net.TCPAddr).Port)
	_ = listener.Close()
	endpoint := "http://127.0.0.1:" + port

	cmd := exec.Command(binary, "-H", "127.0.0.1", "-p", port) //nolint:gosec,noctx // G204: moto_server from PATH, arguments built here; stopped by the cleanup below
	// Fixed fake credentials, so the emulator never sees real ones.
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_DEFAULT_REGION=us-east-1")
	// Its own process group, so its workers stop with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})

	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"/moto-api/", http.NoBody)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return endpoint
		}
		select {
		case <-exited:
			t.Fatalf("moto_server exited before answering: %s", output.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("moto_server did not answer on %s within %s: %s", endpoint, startTimeout, output.String())
	return ""
}
