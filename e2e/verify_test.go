package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	vt "github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify/verifytest"
)

// sandboxInvoke answers verify's Invoke with the real merge function running
// in a sandbox; the other Lambda calls go to the verify world's stub.
type sandboxInvoke struct {
	verify.LambdaAPI
	sandbox *lambdaharness.Sandbox
}

func (s sandboxInvoke) Invoke(ctx context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	r, err := s.sandbox.Invoke(ctx, in.Payload)
	if err != nil {
		return nil, err
	}
	out := &lambda.InvokeOutput{StatusCode: http.StatusOK, Payload: r.Response}
	if r.Error != nil {
		out.FunctionError = aws.String("Unhandled")
		out.Payload = r.Error.Raw
	}
	// Lambda returns the last 4 KB of the invocation's log once the
	// invocation is over; here stdout reaches the buffer through a pipe, so
	// wait (bounded) for the line that carries this request's ID.
	tail := s.sandbox.Function.Output()
	for deadline := time.Now().Add(2 * time.Second); !bytes.Contains(tail, []byte(r.RequestID)) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		tail = s.sandbox.Function.Output()
	}
	if len(tail) > 4096 {
		tail = tail[len(tail)-4096:]
	}
	out.LogResult = aws.String(base64.StdEncoding.EncodeToString(tail))
	return out, nil
}

// TestVerifyRunsTheRealFunction proves check 4's premise against the real
// bootstrap: the synthetic PreSignUp_AdminCreateUser event comes back
// unchanged, the decision log line says skip, and Cognito is never called.
func TestVerifyRunsTheRealFunction(t *testing.T) {
	var cognitoCalls atomic.Int64
	cognito := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		cognitoCalls.Add(1)
		http.Error(w, "verify's event must not reach Cognito", http.StatusInternalServerError)
	}))
	t.Cleanup(cognito.Close)

	artifact := bootstrap(t)
	sandbox, err := lambdaharness.StartSandbox(lambdaharness.FunctionOptions{
		Command:         []string{artifact.BinaryPath},
		Dir:             filepath.Dir(artifact.BinaryPath),
		CognitoEndpoint: cognito.URL,
		Env:             append(artifact.Environ(), "DESCOPE_PROVIDER_NAME=Descope"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := sandbox.Stop(); err != nil {
			t.Error(err)
		}
	})

	w := vt.New(t)
	clients, err := w.Clients(t.Context(), vt.Region, verify.DefaultTimeout)
	if err != nil {
		t.Fatal(err)
	}
	v := &verify.Verifier{
		In:      w.Inputs(),
		Cognito: clients.Cognito,
		Lambda:  sandboxInvoke{LambdaAPI: clients.Lambda, sandbox: sandbox},
		IAM:     clients.IAM,
		HTTP:    verify.NewHTTPClient(verify.DefaultTimeout),
		Timeout: verify.DefaultTimeout,
	}
	r := v.Run(t.Context())

	var runs verify.Check
	for _, c := range r.Checks {
		if c.ID == "function-runs" {
			runs = c
		}
	}
	if runs.Status != verify.StatusPass || r.Status != verify.StatusPass {
		t.Fatalf("check 4 %s, report %s: %+v\nfunction output:\n%s", runs.Status, r.Status, runs.Findings, sandbox.Function.Output())
	}
	if len(runs.Findings) != 3 ||
		!strings.HasPrefix(runs.Findings[0].Message, "returned the event unchanged") ||
		runs.Findings[1].Message != "log line: decision=skip reason=other_trigger" ||
		runs.Findings[2].Message != "log line: provider=Descope, the pool's provider" {
		t.Errorf("findings %+v", runs.Findings)
	}
	if n := cognitoCalls.Load(); n != 0 {
		t.Errorf("the function called Cognito %d times for verify's event", n)
	}
}
