package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

func TestMain(m *testing.M) {
	// Fake credentials, a region, no metadata service, no shared config,
	// every endpoint on a dead loopback port until a test names its stub.
	if err := lambdaharness.IsolateProcessAWSEnv(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Where the binary is built once for every test of the run.
	dir, err := os.MkdirTemp("", "reconcile-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "reconcile")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// stubPool is a two-user pool (jane, and her Descope duplicate) on loopback.
type stubPool struct {
	linkError string // error code for the real link call, "" for success
	// deleting, when set, receives a value when the delete arrives, which is
	// then answered only once release is closed.
	deleting chan<- struct{}
	release  <-chan struct{}

	mu      sync.Mutex
	deleted bool
	ops     []string
}

func (s *stubPool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	var in struct {
		UserPoolID                     string `json:"UserPoolId"`
		Filter, Username, ProviderName string
	}
	_ = json.Unmarshal(body, &in)
	if op == "AdminDeleteUser" && s.deleting != nil && !strings.Contains(string(body), "reconcile-permission-probe-") {
		s.deleting <- struct{}{}
		<-s.release
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops = append(s.ops, op)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(code string) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":%q,"message":"stub"}`, code)
	}
	probe := strings.Contains(string(body), "reconcile-permission-probe-")
	jane := `{"Username":"jane","Enabled":true,"UserStatus":"CONFIRMED","Attributes":[{"Name":"sub","Value":"sub-jane"},{"Name":"email","Value":"jane@example.com"},{"Name":"email_verified","Value":"true"}]}`
	dup := `{"Username":"Descope_J1","Enabled":true,"UserStatus":"EXTERNAL_PROVIDER","Attributes":[{"Name":"sub","Value":"sub-dup"},{"Name":"email","Value":"jane@example.com"},{"Name":"email_verified","Value":"true"},{"Name":"custom:descope_sub","Value":"J1"}]}`
	switch {
	case in.UserPoolID != "us-east-1_Cmd1":
		fail("ResourceNotFoundException")
	case op == "DescribeUserPool":
		fmt.Fprint(w, `{"UserPool":{"Id":"us-east-1_Cmd1","Name":"cmd","EstimatedNumberOfUsers":2}}`)
	case op == "DescribeIdentityProvider" && in.ProviderName == "Descope":
		fmt.Fprint(w, `{"IdentityProvider":{"ProviderName":"Descope"}}`)
	case op == "DescribeIdentityProvider":
		fail("ResourceNotFoundException")
	case op == "ListUsers" && strings.HasPrefix(in.Filter, "email"):
		fmt.Fprintf(w, `{"Users":[%s]}`, jane)
	case op == "ListUsers" && s.deleted:
		fmt.Fprintf(w, `{"Users":[%s]}`, jane)
	case op == "ListUsers":
		fmt.Fprintf(w, `{"Users":[%s,%s]}`, jane, dup)
	case probe:
		fail("UserNotFoundException")
	case op == "AdminListGroupsForUser":
		fmt.Fprint(w, `{"Groups":[]}`)
	case op == "AdminDeleteUser":
		s.deleted = true
		fmt.Fprint(w, `{}`)
	case op == "AdminLinkProviderForUser" && s.linkError != "":
		fail(s.linkError)
	case op == "AdminLinkProviderForUser":
		fmt.Fprint(w, `{}`)
	default:
		fail("InvalidParameterException")
	}
}

func startStub(t *testing.T, s *stubPool) {
	t.Helper()
	server := httptest.NewServer(s) // 127.0.0.1
	t.Cleanup(server.Close)
	t.Setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", server.URL)
}

func runCommand(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBadFlagsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such-flag"},
		{"--user-pool-id", "us-east-1_Cmd1", "extra"},
		{"--user-pool-id", "us-east-1_Cmd1", "--backup", "b.jsonl"},
		{"--user-pool-id", "us-east-1_Cmd1", "--rate", "0"},
		{"--user-pool-id", "not-a-pool"},
		{},
	} {
		if code, _, stderr := runCommand(args...); code != exitUsage || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want %d and a message", args, code, stderr, exitUsage)
		}
	}
	if code, _, stderr := runCommand("-h"); code != exitOK || !strings.Contains(stderr, "Exit codes") {
		t.Errorf("-h: exit %d, usage %q", code, stderr)
	}
}

func TestErrorsBeforeAnyChangeExitOne(t *testing.T) {
	stub := &stubPool{}
	startStub(t, stub)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--user-pool-id", "us-east-1_Other1"}, "does not exist"},
		{[]string{"--user-pool-id", "us-east-1_Cmd1", "--provider", "Okta"}, `identity provider "Okta" does not exist`},
	} {
		code, stdout, stderr := runCommand(c.args...)
		if code != exitError || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", c.args, code, stdout, stderr, exitError, c.want)
		}
	}
	if stub.deleted {
		t.Error("a refused run deleted a user")
	}
}

func TestDryRunPrintsTheTableAndNoProgressWhenNotATerminal(t *testing.T) {
	stub := &stubPool{}
	startStub(t, stub)
	code, stdout, stderr := runCommand("--user-pool-id", "us-east-1_Cmd1")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"dry run", "Descope_J1", "merge", "jane", "--apply"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCommand("--user-pool-id", "us-east-1_Cmd1", "--json")
	var doc struct {
		Users   []map[string]any
		Summary map[string]any
	}
	if code != exitOK || json.Unmarshal([]byte(stdout), &doc) != nil || len(doc.Users) != 1 || doc.Users[0]["decision"] != "merge" {
		t.Errorf("--json: exit %d, output %s", code, stdout)
	}
	for _, op := range stub.ops {
		if strings.HasPrefix(op, "Admin") {
			t.Errorf("dry run called %s", op)
		}
	}
}

func TestApplyWritesTheDefaultBackupAndFailureAfterAChangeExitsThree(t *testing.T) {
	t.Chdir(t.TempDir())
	startStub(t, &stubPool{})
	code, stdout, stderr := runCommand("--user-pool-id", "us-east-1_Cmd1", "--apply")
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	backups, _ := filepath.Glob("reconcile-backup-us-east-1_Cmd1-*.jsonl")
	if len(backups) != 1 || !strings.Contains(stdout, "merged: sub sub-dup -> sub-jane") {
		t.Errorf("backups %v; stdout:\n%s", backups, stdout)
	}

	// Cognito's answer when the kept user already has five identities: no
	// retry can cure it, so it is not retried.
	failing := &stubPool{linkError: "LimitExceededException"}
	startStub(t, failing)
	backup := filepath.Join(t.TempDir(), "b.jsonl")
	code, _, stderr = runCommand("--user-pool-id", "us-east-1_Cmd1", "--apply", "--backup", backup)
	if code != exitChanged || !strings.Contains(stderr, "--apply --resume "+backup) {
		t.Errorf("failed link: exit %d, stderr %q; want %d naming --resume", code, stderr, exitChanged)
	}
	links := 0
	for _, op := range failing.ops {
		if op == "AdminLinkProviderForUser" {
			links++
		}
	}
	if links != 2 { // the permission probe, then the one real attempt
		t.Errorf("%d link calls, want the probe and one attempt", links)
	}
}
