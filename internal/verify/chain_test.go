package verify_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	vt "github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify/verifytest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// sideEffectNote is check 4's word on what verify cannot watch when the
// function chains.
const sideEffectNote = "the event also went to the chained function " + vt.ChainedARN +
	", which verify cannot watch: whatever it does for a PreSignUp_AdminCreateUser event (a record, a message) it did for user verify-synthetic-event, who is never created"

// A stack that chains a function which auto-confirms the synthetic event
// passes every check, and the report says what chaining did.
func TestChainedDeploymentPasses(t *testing.T) {
	for _, tt := range []struct {
		name     string
		response events.CognitoEventUserPoolsPreSignupResponse
		flags    string
	}{
		{"chained function auto-confirms", events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true}, "set autoConfirmUser, autoVerifyEmail"},
		{"chained function sets no flag", events.CognitoEventUserPoolsPreSignupResponse{}, "set no response flag"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := vt.New(t)
			w.Lock(func(w *vt.World) { w.Chain(tt.response) })
			r := runWorld(t, w)
			var text bytes.Buffer
			if err := r.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if r.Status != verify.StatusPass || r.ExitCode() != verify.ExitPassed {
				t.Fatalf("status %s, exit %d; report:\n%s", r.Status, r.ExitCode(), text.String())
			}
			for _, want := range []string{
				"✔ the function chains " + vt.ChainedARN + " (CHAINED_PRE_SIGN_UP_ARN): it invokes that function first, with the same event, for every pre sign-up event",
				"✔ the chained function " + vt.ChainedARN + " exists",
				"✔ the function's role may call lambda:InvokeFunction on the chained function",
				"✔ " + sideEffectNote,
				"✔ returned the event with the chained function's response: it " + tt.flags + " (ran 31.2 ms, round trip",
				"✔ log line: decision=skip reason=other_trigger chained_outcome=ok chained_ms=29",
				"5 of 5 checks passed.",
			} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, text.String())
				}
			}
		})
	}
}

// Without chaining there is no word of it in the report.
func TestUnchainedReportSaysNothingOfChaining(t *testing.T) {
	r := runWorld(t, vt.New(t))
	for _, c := range r.Checks {
		for _, f := range c.Findings {
			if strings.Contains(f.Message, "chain") {
				t.Errorf("check %s speaks of chaining on a stack that chains nothing: %q", c.ID, f.Message)
			}
		}
	}
}

func TestChainedDeploymentFindings(t *testing.T) {
	const refusal = "Sign-up refused: only example.com addresses may register"
	chain := func(more func(w *vt.World)) func(w *vt.World) {
		return func(w *vt.World) {
			w.Chain(events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true})
			more(w)
		}
	}
	runScenarios(t, []scenario{
		{
			name:       "chained function refuses the synthetic event",
			breakWorld: chain(func(w *vt.World) { w.Invoke = vt.ChainedRefusal(refusal) }),
			check:      "function-runs", status: verify.StatusUnknown,
			message: fixed("the chained function " + vt.ChainedARN + " refused the event (ran 27.9 ms, chained_ms=26): \"" + refusal + "\""),
			fix: "the chained function refused verify's synthetic PreSignUp_AdminCreateUser event for user verify-synthetic-event (no email address): that is its own rule; " +
				"the merge function reached it and passed its refusal on, as Cognito shows it, so its own decision could not be seen: " +
				"if the chained function should accept that event, read its logs; else sign in once with `make try` to see the whole path",
		},
		{
			name: "role may not invoke the chained function",
			breakWorld: chain(func(w *vt.World) {
				w.RoleGrants = vt.LinkGrants(vt.RoleARN, vt.UserPoolARN)
			}),
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("the function's role " + vt.RoleARN + " may not call lambda:InvokeFunction on the chained function " + vt.ChainedARN + " (implicitDeny)"),
			fix:     fixRedeploy + "; the stack lets the role invoke exactly that function, and without it the merge function fails every sign-up closed",
		},
		{
			name: "role may invoke another function, not the chained one",
			breakWorld: chain(func(w *vt.World) {
				w.RoleGrants = append(vt.LinkGrants(vt.RoleARN, vt.UserPoolARN), vt.Grant{Role: vt.RoleARN, Action: passkeys.ChainAction, Resource: vt.ChainedARN + "-old"})
			}),
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("the function's role " + vt.RoleARN + " may not call lambda:InvokeFunction on the chained function " + vt.ChainedARN + " (implicitDeny)"),
			fix:     fixRedeploy + "; the stack lets the role invoke exactly that function, and without it the merge function fails every sign-up closed",
		},
		{
			name:       "chained function does not exist",
			breakWorld: chain(func(w *vt.World) { delete(w.OtherFunctions, vt.ChainedARN) }),
			check:      "trigger-wiring", status: verify.StatusFail,
			message: fixed("the chained function " + vt.ChainedARN + " does not exist"),
			fix:     "the merge function fails every sign-up closed while it cannot call that function: restore it (same ARN), or, if its rules are no longer wanted, stop chaining as docs/adoption.md \"Chain or replace the pool's trigger\" says",
		},
		{
			name: "the chained call fails",
			breakWorld: chain(func(w *vt.World) {
				w.Invoke = func([]byte) vt.InvokeAnswer {
					return vt.InvokeAnswer{
						FunctionError: "Unhandled",
						Payload:       []byte(`{"errorMessage":"Sign-in could not be completed, please try again","errorType":"SignUpFailedError"}`),
						LogTail:       `{"level":"ERROR","msg":"pre sign-up decision","decision":"error","reason":"chained_failed","provider":"Descope","chained_outcome":"failed","chained_ms":12,"error":"invoke chained function ` + vt.ChainedARN + `: AccessDeniedException"}` + "\n",
					}
				}
			}),
			check: "function-runs", status: verify.StatusFail,
			message: fixed("the call to the chained function " + vt.ChainedARN + " failed (chained_outcome=failed, chained_ms=12, no platform.report record in the log tail): SignUpFailedError: Sign-in could not be completed, please try again; log: invoke chained function " + vt.ChainedARN + ": AccessDeniedException"),
			fix:     "read `aws logs tail " + vt.LogGroup + "`; the merge function fails every sign-up closed while its call to the chained function fails: check step 3 (the chained function exists, the role may invoke it), then the chained function's own logs",
		},
		{
			name: "the deployed function does not chain",
			breakWorld: chain(func(w *vt.World) {
				w.Invoke = func(p []byte) vt.InvokeAnswer { return vt.InvokeAnswer{Payload: p, LogTail: vt.SkipLog} }
			}),
			check: "function-runs", status: verify.StatusFail,
			message: fixed(`log line: chained_outcome="", not ok, for a function with CHAINED_PRE_SIGN_UP_ARN set`),
			fix:     "deploy the merge function of this repository with `pulumi up`: the deployed code does not call the chained function",
		},
		{
			name: "a chaining function changes more than the response",
			breakWorld: chain(func(w *vt.World) {
				w.Invoke = func([]byte) vt.InvokeAnswer {
					return vt.InvokeAnswer{Payload: []byte(`{"userName":"someone-else","response":{"autoConfirmUser":true}}`), LogTail: vt.ChainedSkipLog}
				}
			}),
			check: "function-runs", status: verify.StatusFail,
			message: fixed(`the function returned {"userName":"someone-else","response":{"autoConfirmUser":true}}, not the event it was sent (ran 31.2 ms)`),
			fix:     "deploy the merge function of this repository with `pulumi up`: the deployed code changes events it must pass through (only the chained function's response may differ)",
		},
	})
}

// A refusal by the chained function is its own finding: the merge function
// is not blamed, and the report is not a pass.
func TestChainedRefusalIsNotAFailure(t *testing.T) {
	w := vt.New(t)
	w.Lock(func(w *vt.World) {
		w.Chain(events.CognitoEventUserPoolsPreSignupResponse{})
		w.Invoke = vt.ChainedRefusal("Sign-up refused")
	})
	r := runWorld(t, w)
	if r.Status != verify.StatusUnknown || r.ExitCode() != verify.ExitUnknown {
		t.Fatalf("status %s, exit %d; want unknown, exit %d", r.Status, r.ExitCode(), verify.ExitUnknown)
	}
	c := checkByID(t, r, "function-runs")
	if !slices.Contains(c.Findings, verify.Finding{Status: verify.StatusPass, Message: sideEffectNote}) {
		t.Errorf("check 4 does not say the chained function got the event: %+v", c.Findings)
	}
	for _, f := range c.Findings {
		if f.Status == verify.StatusFail {
			t.Errorf("a chained refusal fails check 4: %+v", f)
		}
	}
}
