package verify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// SyntheticTrigger is the trigger the invocation uses: the merge function
// ignores it, makes no Cognito call, and returns the event unchanged.
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

// checkFunctionRuns is check 4: one invocation with the ignored trigger.
func (v *Verifier) checkFunctionRuns(ctx context.Context) Check {
	c := Check{ID: "function-runs", Title: "Function runs (one " + SyntheticTrigger + " event, ignored by design)", Status: StatusPass}
	logs := "the function's logs"
	if v.In.MergeFunctionLogGroup != "" {
		logs = "`aws logs tail " + v.In.MergeFunctionLogGroup + "`"
	}
	payload, err := json.Marshal(v.syntheticEvent())
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

	if out.FunctionError != nil {
		var fnErr struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		_ = json.Unmarshal(out.Payload, &fnErr)
		detail := fnErr.ErrorType + ": " + fnErr.ErrorMessage
		if fnErr.ErrorMessage == "" {
			detail = printable(out.Payload)
		}
		if hasDecision && decision.Error != "" {
			detail += "; log: " + decision.Error
		}
		c.fail("read "+logs+"; an invalid configuration or a crash fails every sign-up until fixed, then `pulumi up`",
			"the function failed (%s, %s): %s", aws.ToString(out.FunctionError), ran, detail)
		return c
	}
	if same, err := sameJSON(payload, out.Payload); err != nil || !same {
		c.fail("deploy the merge function of this repository with `pulumi up`: the deployed code changes events it must pass through",
			"the function returned %s, not the event it was sent (%s)", printable(out.Payload), ran)
		return c
	}
	c.pass("returned the event unchanged (%s, round trip %d ms)", ran, roundTrip.Milliseconds())
	switch {
	case !hasDecision:
		c.unknown("read "+logs+" for the invocation's log line",
			"no %q log line in the invocation's log tail", decisionMessage)
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

// decisionLine is the part of the decision log line verify reports.
type decisionLine struct {
	Msg      string `json:"msg"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	Provider string `json:"provider"`
	Error    string `json:"error"`
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
