package lambdaharness

import (
	"strings"
	"testing"
	"time"
)

func TestStartFunctionGivesAnExplicitSafeEnvironment(t *testing.T) {
	t.Setenv("HARNESS_LEAK_CHECK", "leaked")
	f, err := StartFunction(FunctionOptions{
		Command:         []string{"/usr/bin/env"},
		Dir:             t.TempDir(),
		RuntimeAPI:      "127.0.0.1:1234",
		CognitoEndpoint: "http://127.0.0.1:5678",
		Env:             []string{"DESCOPE_PROVIDER_NAME=Descope"},
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-f.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("env did not exit")
	}
	exit, err := f.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if exit.Err != nil {
		t.Fatalf("env failed: %v\n%s", exit.Err, f.Output())
	}

	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(f.Output())), "\n") {
		name, value, _ := strings.Cut(line, "=")
		env[name] = value
	}
	for name, want := range map[string]string{
		"AWS_LAMBDA_RUNTIME_API":                     "127.0.0.1:1234",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://127.0.0.1:5678",
		"AWS_ACCESS_KEY_ID":                          FakeAccessKeyID,
		"AWS_REGION":                                 Region,
		"AWS_EC2_METADATA_DISABLED":                  "true",
		"DESCOPE_PROVIDER_NAME":                      "Descope",
	} {
		if env[name] != want {
			t.Errorf("%s = %q, want %q", name, env[name], want)
		}
	}
	for _, name := range []string{"HARNESS_LEAK_CHECK", "HOME", "AWS_PROFILE"} {
		if _, ok := env[name]; ok {
			t.Errorf("%s leaked into the function's environment", name)
		}
	}
}

func TestStartFunctionRefusesNonLoopbackEndpoint(t *testing.T) {
	for _, endpoint := range []string{"https://cognito-idp.us-east-1.amazonaws.com", "http://10.0.0.1:80", "http://localhost:80", ""} {
		if _, err := StartFunction(FunctionOptions{Command: []string{"/bin/true"}, CognitoEndpoint: endpoint}); err == nil {
			t.Errorf("endpoint %q accepted", endpoint)
		}
	}
}

func TestStopKillsARunningFunctionAndReportsItsOwnPeakRSS(t *testing.T) {
	// 64 MB resident in the harness: a child whose reported peak includes
	// its parent's (as wait4's ru_maxrss does after exec) would exceed it.
	ballast := make([]byte, 64<<20)
	for i := range ballast {
		ballast[i] = 1
	}
	f, err := StartFunction(FunctionOptions{
		Command:         []string{"/bin/sleep", "30"},
		Dir:             t.TempDir(),
		CognitoEndpoint: "http://127.0.0.1:1",
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let exec finish, so the peak is sleep's
	start := time.Now()
	exit, err := f.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if exit.Err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("Stop: err %v after %s, want killed promptly", exit.Err, time.Since(start))
	}
	if exit.PeakRSS <= 0 || exit.PeakRSS > 16<<20 {
		t.Errorf("sleep's peak RSS = %d bytes, want a few MB (harness holds %d)", exit.PeakRSS, len(ballast))
	}
}
