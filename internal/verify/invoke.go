package verify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// SyntheticTrigger is the trigger the invocation uses: the merge function
// ignores it, makes no Cognito call, and returns the event unchanged, or,
// when it chains, with the chained function's response.
const SyntheticTrigger = "PreSignUp_AdminCreateUser"

// decisionMessage is the message of the merge function's one log line per invocation.
const decisionMessage = "pre sign-up decision"

// syntheticEvent is the event sent: no email, no personal data.
func (v *Verifier) syntheticEvent() events.CognitoEventUserPoolsPreSignup {
	var ev events.CognitoEventUserPoolsPreSignup
	ev.Version = "1"
	ev.Region = v.In.Region
	ev.UserPoolID = v.In.UserPoolID
	ev.UserName = "verify-synthetic-event"
	ev.CallerContext.AWSSDKVersion = "verify"
	ev.CallerContext.ClientID = "verify"
	ev.TriggerSource = SyntheticTrigger
	ev.Request.UserAttributes = map[string]string{}
	return ev
}

// Chained call outcomes the merge function logs (lambda/chain.go).
const (
	chainedOK      = "ok"
	chainedRefused = "refused"
)

// checkFunctionRuns is check 4: one invocation with the ignored trigger.
// chainedARN is the function the merge function calls first, empty when it
// chains none (or check 3 could not tell: then the decision line's
// chained_outcome says whether it chained).
func (v *Verifier) checkFunctionRuns(ctx context.Context, chainedARN string) Check {
	c := Check{ID: "function-runs", Title: "Function runs (one " + SyntheticTrigger + " event, ignored by design)", Status: StatusPass}
	logs := "the function's logs"
	if v.In.MergeFunctionLogGroup != "" {
		logs = "`aws logs tail " + v.In.MergeFunctionLogGroup + "`"
	}
	ev := v.syntheticEvent()
	payload, err := json.Marshal(ev)
	if err != nil {
		c.fail("report this as a bug", "encode the synthetic event: %v", err)
		return c
	}
	callCtx, cancel := v.callContext(ctx)
	start := time.Now()
	out, err := v.Lambda.Invoke(callCtx, &lambda.InvokeInput{
		FunctionName: aws.String(v.In.MergeFunctionName),
		Payload:      payload,
		LogType:      lambdatypes.LogTypeTail,
	})
	roundTrip := time.Since(start)
	cancel()
	if isNotFound(err) {
		c.fail(fixRedeploy, "function %s does not exist in %s", v.In.MergeFunctionName, v.In.Region)
		return c
	}
	if err != nil {
		msg, fix := awsFix("lambda:InvokeFunction", err)
		c.fail(fix, "%s", msg)
		return c
	}

	tail := decodeTail(str(out.LogResult))
	// The failure messages carry only Lambda's own figure, so they read the
	// same on every run; the round trip is reported with a pass.
	ran := "no platform.report record in the log tail"
	if ms, ok := reportedDuration(tail); ok {
		ran = "ran " + strconv.FormatFloat(ms, 'f', -1, 64) + " ms"
	}
	decision, hasDecision := findDecision(tail)

	chained := chainedARN != "" || decision.ChainedOutcome != ""
	chainedName := chainedARN
	if chainedName == "" {
		chainedName = "(its " + passkeys.ChainedPreSignUpVariable + ")"
	}
	if chained {
		// The merge function hands every event to the chained function,
		// verify's too, and verify cannot see what that function does with it.
		c.pass("the event also went to the chained function %s, which verify cannot watch: whatever it does for a %s event (a record, a message) it did for user %s, who is never created",
			chainedName, SyntheticTrigger, ev.UserName)
	}

	if out.FunctionError != nil {
		var fnErr struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		_ = json.Unmarshal(out.Payload, &fnErr)
		if chained && (decision.ChainedOutcome == chainedRefused || fnErr.ErrorType == "ChainedRefusalError") {
			// The chained function's own rule, passed on as Cognito shows it:
			// not a fault verify can name, and not a pass either, since the
			// merge function's own decision never ran.
			c.unknown(fmt.Sprintf("the chained function refused verify's synthetic %s event for user %s (no email address): that is its own rule; "+
				"the merge function reached it and passed its refusal on, as Cognito shows it, so its own decision could not be seen: "+
				"if the chained function should accept that event, read its logs; else sign in once with `make try` to see the whole path",
				SyntheticTrigger, ev.UserName),
				"the chained function %s refused the event (%s, chained_ms=%s): %q", chainedName, ran, decision.chainedMs(), fnErr.ErrorMessage)
			return c
		}
		detail := fnErr.ErrorType + ": " + fnErr.ErrorMessage
		if fnErr.ErrorMessage == "" {
			detail = printable(out.Payload)
		}
		if hasDecision && decision.Error != "" {
			detail += "; log: " + decision.Error
		}
		if chained && decision.ChainedOutcome != "" {
			c.fail("read "+logs+"; the merge function fails every sign-up closed while its call to the chained function fails: check step 3 (the chained function exists, the role may invoke it), then the chained function's own logs",
				"the call to the chained function %s failed (chained_outcome=%s, chained_ms=%s, %s): %s", chainedName, decision.ChainedOutcome, decision.chainedMs(), ran, detail)
			return c
		}
		c.fail("read "+logs+"; an invalid configuration or a crash fails every sign-up until fixed, then `pulumi up`",
			"the function failed (%s, %s): %s", aws.ToString(out.FunctionError), ran, detail)
		return c
	}
	if chained {
		if !v.judgeChainedAnswer(&c, payload, out.Payload, ran, roundTrip) {
			return c
		}
	} else if same, err := sameJSON(payload, out.Payload); err != nil || !same {
		c.fail("deploy the merge function of this repository with `pulumi up`: the deployed code changes events it must pass through",
			"the function returned %s, not the event it was sent (%s)", printable(out.Payload), ran)
		return c
	} else {
		c.pass("returned the event unchanged (%s, round trip %d ms)", ran, roundTrip.Milliseconds())
	}
	switch {
	case !hasDecision:
		c.unknown("read "+logs+" for the invocation's log line",
			"no %q log line in the invocation's log tail", decisionMessage)
	case chained && decision.ChainedOutcome != chainedOK:
		c.fail("deploy the merge function of this repository with `pulumi up`: the deployed code does not call the chained function",
			"log line: chained_outcome=%q, not ok, for a function with %s set", decision.ChainedOutcome, passkeys.ChainedPreSignUpVariable)
	case decision.Decision == "skip" && chained:
		c.pass("log line: decision=%s reason=%s chained_outcome=%s chained_ms=%s", decision.Decision, decision.Reason, decision.ChainedOutcome, decision.chainedMs())
	case decision.Decision == "skip":
		c.pass("log line: decision=%s reason=%s", decision.Decision, decision.Reason)
	default:
		c.fail("deploy the merge function of this repository with `pulumi up`: it must skip this trigger",
			"log line: decision=%s reason=%s, not skip", decision.Decision, decision.Reason)
	}
	if hasDecision {
		if decision.Provider == v.In.ProviderName {
			c.pass("log line: provider=%s, the pool's provider", decision.Provider)
		} else {
			c.fail(fixRedeploy+"; until then the function skips every sign-in through the pool's provider",
				"log line: provider=%q, not the pool's provider %q", decision.Provider, v.In.ProviderName)
		}
	}
	return c
}

// judgeChainedAnswer judges the answer of a function that chains: the event
// as sent, but for its response, which is the chained function's. It
// reports the flags that function set and returns false on a finding that
// ends the check.
func (v *Verifier) judgeChainedAnswer(c *Check, sent, got []byte, ran string, roundTrip time.Duration) bool {
	same, err := sameJSONBut(sent, got, "response")
	if err != nil || !same {
		c.fail("deploy the merge function of this repository with `pulumi up`: the deployed code changes events it must pass through (only the chained function's response may differ)",
			"the function returned %s, not the event it was sent (%s)", printable(got), ran)
		return false
	}
	var answer events.CognitoEventUserPoolsPreSignup
	if err := json.Unmarshal(got, &answer); err != nil {
		c.fail("deploy the merge function of this repository with `pulumi up`", "the function's answer is not a pre sign-up event: %s", printable(got))
		return false
	}
	var set []string
	for _, flag := range []struct {
		name string
		on   bool
	}{
		{"autoConfirmUser", answer.Response.AutoConfirmUser},
		{"autoVerifyEmail", answer.Response.AutoVerifyEmail},
		{"autoVerifyPhone", answer.Response.AutoVerifyPhone},
	} {
		if flag.on {
			set = append(set, flag.name)
		}
	}
	flags := "set no response flag"
	if len(set) > 0 {
		flags = "set " + strings.Join(set, ", ")
	}
	c.pass("returned the event with the chained function's response: it %s (%s, round trip %d ms)", flags, ran, roundTrip.Milliseconds())
	return true
}

// decisionLine is the part of the decision log line verify reports.
type decisionLine struct {
	Msg      string `json:"msg"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	Provider string `json:"provider"`
	Error    string `json:"error"`
	// ChainedOutcome and ChainedMs are logged by a function that chains.
	ChainedOutcome string `json:"chained_outcome"`
	ChainedMs      *int64 `json:"chained_ms"`
}

// chainedMs is the chained call's duration as logged, "?" when absent.
func (d decisionLine) chainedMs() string {
	if d.ChainedMs == nil {
		return "?"
	}
	return strconv.FormatInt(*d.ChainedMs, 10)
}

// decodeTail decodes Invoke's LogResult: the last 4 KB of the run's log, base64.
func decodeTail(encoded string) string {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return ""
	}
	return string(raw)
}

// findDecision returns the last decision log line in the log tail.
func findDecision(tail string) (decisionLine, bool) {
	var found decisionLine
	ok := false
	eachJSONLine(tail, func(line []byte) {
		var d decisionLine
		if json.Unmarshal(line, &d) == nil && d.Msg == decisionMessage {
			found, ok = d, true
		}
	})
	return found, ok
}

// platformReport is Lambda's report of one invocation for a function whose
// LogFormat is JSON, as the program deploys it: instead of the text line
// "REPORT RequestId: … Duration: 1.84 ms …", one record
// {"type":"platform.report","record":{"metrics":{"durationMs":1.84,…}}} in
// the log stream, and so in Invoke's log tail (AWS Lambda developer guide,
// "Configuring JSON and plain text log formats").
type platformReport struct {
	Type   string `json:"type"`
	Record struct {
		Metrics struct {
			DurationMs *float64 `json:"durationMs"`
		} `json:"metrics"`
	} `json:"record"`
}

// reportedDuration returns the duration of the last platform.report record in the log tail.
func reportedDuration(tail string) (float64, bool) {
	var ms float64
	ok := false
	eachJSONLine(tail, func(line []byte) {
		var r platformReport
		if json.Unmarshal(line, &r) == nil && r.Type == "platform.report" && r.Record.Metrics.DurationMs != nil {
			ms, ok = *r.Record.Metrics.DurationMs, true
		}
	})
	return ms, ok
}

// eachJSONLine calls f with every line of the log tail that holds a JSON object.
func eachJSONLine(tail string, f func(line []byte)) {
	sc := bufio.NewScanner(strings.NewReader(tail))
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 && line[0] == '{' {
			f(line)
		}
	}
}

// sameJSONBut compares two JSON objects by value, but for one field.
func sameJSONBut(a, b []byte, field string) (bool, error) {
	var x, y map[string]any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	delete(x, field)
	delete(y, field)
	return reflect.DeepEqual(x, y), nil
}

// sameJSON compares two JSON documents by value.
func sameJSON(a, b []byte) (bool, error) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	return reflect.DeepEqual(x, y), nil
}
