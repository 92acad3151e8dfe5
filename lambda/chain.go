package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// Chaining: with CHAINED_PRE_SIGN_UP_ARN set, the function first invokes the
// pool's previous pre sign-up trigger with the same event, for every event,
// so that function's own rules (auto-confirmation, domain allow-lists) keep
// working; its refusal is the sign-up's refusal, its response flags are
// kept, and then the merge function does its own work on top.
const (
	envChainedPreSignUpARN = "CHAINED_PRE_SIGN_UP_ARN"
	envEndpointLambda      = "AWS_ENDPOINT_URL_LAMBDA"

	// linkingReserve is kept back from the chained call for a Descope
	// event the merge function will link: its ListUsers and
	// AdminLinkProviderForUser calls take tens of milliseconds each, and
	// this leaves room for a retry of either.
	linkingReserve = 1500 * time.Millisecond
)

// parseFunctionARN returns the partition and region of a Lambda function
// ARN, optionally with a version or alias:
// arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>].
// It is checked by hand, like the pool ID, to keep regexp out of start-up.
func parseFunctionARN(arn string) (partition, region string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 7 && len(parts) != 8 {
		return "", "", false
	}
	if parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "lambda" || parts[3] == "" ||
		len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" || parts[5] != "function" ||
		!isFunctionName(parts[6]) || (len(parts) == 8 && parts[7] == "") {
		return "", "", false
	}
	return parts[1], parts[3], true
}

func isFunctionName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// lambdaInvoker is the Invoke call chaining makes (invokeClient in production).
type lambdaInvoker interface {
	Invoke(ctx context.Context, functionARN string, payload []byte) (invokeResult, error)
}

// chainedTrigger is the previous pre sign-up function and the client that
// invokes it.
type chainedTrigger struct {
	arn string
	api lambdaInvoker
}

// newChainedTrigger returns the chained function configured in the
// environment, or nil when none is. The ARN must be a function in the
// function's own region: Cognito invokes its triggers there, and an ARN
// elsewhere means a wrong deployment, which fails closed at start-up. The
// client is built like the Cognito one (see newCognitoClient), from the same
// region and credentials, and only when chaining is configured.
func newChainedTrigger(lookup func(string) (string, bool)) (*chainedTrigger, error) {
	arn, _ := lookup(envChainedPreSignUpARN)
	if arn = strings.TrimSpace(arn); arn == "" {
		return nil, nil
	}
	env, err := readLambdaEnvironment(lookup)
	if err != nil {
		return nil, err
	}
	partition, region, ok := parseFunctionARN(arn)
	if !ok {
		return nil, fmt.Errorf("%s=%q: not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>); set it to the pool's previous pre sign-up trigger, or unset it", envChainedPreSignUpARN, arn)
	}
	if region != env.region {
		return nil, fmt.Errorf("%s=%q: the function is in %s, not in this function's region %s; chain only a function in the pool's own region", envChainedPreSignUpARN, arn, region, env.region)
	}
	endpoint := configuredEndpoint(env.get, envEndpointLambda)
	if endpoint == "" {
		if endpoint, err = lambdaEndpoint(partition, region); err != nil {
			return nil, fmt.Errorf("%s=%q: %w", envChainedPreSignUpARN, arn, err)
		}
	}
	return &chainedTrigger{arn: arn, api: newInvokeClient(endpoint, env.region, env.credentials)}, nil
}

// Chained call outcomes, as the decision line records them.
const (
	chainOK        = "ok"
	chainRefused   = "refused"
	chainTimeout   = "timeout"
	chainThrottled = "throttled"
	chainFailed    = "failed"
)

// chainResult is what the chained call did, for the decision line.
type chainResult struct {
	outcome  string // empty: no chained call was made
	duration time.Duration
}

// ChainedRefusalError is the previous trigger's own refusal. Error() is that
// function's message exactly: Cognito shows a trigger's errorMessage as
// "PreSignUp failed with error <message>.", so the user sees the same text
// as before chaining.
type ChainedRefusalError struct {
	Message string
}

func (e *ChainedRefusalError) Error() string { return e.Message }

// lambdaFunctionError is the body Lambda returns for a function error.
type lambdaFunctionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

// chainedResponse is what Cognito reads from a pre sign-up trigger's answer.
type chainedResponse struct {
	Response *events.CognitoEventUserPoolsPreSignupResponse `json:"response"`
}

// callChained invokes the chained function with the event as Cognito sent
// it and returns the payload to answer with: the event, its response set
// to the chained function's flags. The call gets what is left of the
// invocation's deadline, less linkingReserve when the merge function will
// link after it.
func (h *Handler) callChained(ctx context.Context, ev *events.CognitoEventUserPoolsPreSignup, payload []byte, d *decision) ([]byte, error) {
	d.trigger, d.poolID = ev.TriggerSource, ev.UserPoolID
	deadline := invocationDeadline(ctx, d.start)
	if ev.TriggerSource == triggerExternalProvider && linking.IsProviderUser(h.cfg.ProviderName, linking.FederatedFromAttributes(ev.UserName, ev.Request.UserAttributes)) {
		deadline = deadline.Add(-linkingReserve)
	}
	started := h.now()
	defer func() { d.chain.duration = h.now().Sub(started) }()
	if remaining := deadline.Sub(started); remaining < minCallBudget {
		return nil, h.chainFail(d, chainTimeout, fmt.Errorf("invoke chained function %s: %w: %s left", h.chain.arn, errBudget, remaining.Round(time.Millisecond)))
	}
	callCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	out, err := h.chain.api.Invoke(callCtx, h.chain.arn, payload)
	switch {
	case err == nil:
	case isThrottle(err):
		return nil, h.chainFail(d, chainThrottled, fmt.Errorf("invoke chained function %s: %w", h.chain.arn, err))
	case callCtx.Err() != nil:
		return nil, h.chainFail(d, chainTimeout, fmt.Errorf("invoke chained function %s: %w", h.chain.arn, err))
	default:
		return nil, h.chainFail(d, chainFailed, fmt.Errorf("invoke chained function %s: %w", h.chain.arn, err))
	}
	if out.functionError != "" {
		return nil, h.chainFunctionError(d, out.payload)
	}
	var resp chainedResponse
	if err := json.Unmarshal(out.payload, &resp); err != nil || resp.Response == nil {
		return nil, h.chainFail(d, chainFailed, fmt.Errorf("chained function %s: answer is not a pre sign-up event with a response", h.chain.arn))
	}
	answer, err := withResponse(payload, *resp.Response)
	if err != nil {
		return nil, h.chainFail(d, chainFailed, err)
	}
	d.chain.outcome = chainOK
	return answer, nil
}

// chainFunctionError turns the chained function's error into the sign-up's:
// its own message, unless it is Lambda's timeout of that function, which
// fails closed like a timeout of the call.
func (h *Handler) chainFunctionError(d *decision, body []byte) error {
	var fe lambdaFunctionError
	if err := json.Unmarshal(body, &fe); err != nil || fe.Message == "" {
		return h.chainFail(d, chainFailed, fmt.Errorf("chained function %s failed without an error message", h.chain.arn))
	}
	if fe.Type == "Sandbox.Timedout" || strings.Contains(fe.Message, "Task timed out after") {
		return h.chainFail(d, chainTimeout, fmt.Errorf("chained function %s timed out", h.chain.arn))
	}
	d.chain.outcome = chainRefused
	d.action, d.reason = "refuse", "chained_function"
	return &ChainedRefusalError{Message: fe.Message}
}

func (h *Handler) chainFail(d *decision, outcome string, err error) error {
	d.chain.outcome = outcome
	return h.fail(d, "chained_"+outcome, err)
}

// withResponse returns the event with its response replaced; every other
// field stays as Cognito sent it.
func withResponse(payload []byte, response events.CognitoEventUserPoolsPreSignupResponse) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil {
		return nil, fmt.Errorf("re-read the event: %w", err)
	}
	encoded, err := json.Marshal(response)
	if err != nil {
		return nil, fmt.Errorf("encode the chained response: %w", err)
	}
	fields["response"] = encoded
	return json.Marshal(fields)
}

// chainAttrs adds the chained call to the decision line.
func (h *Handler) chainAttrs(attrs []slog.Attr, d *decision) []slog.Attr {
	if h.chain == nil {
		return attrs
	}
	return append(attrs,
		slog.String("chained_outcome", d.chain.outcome),
		slog.Int64("chained_ms", d.chain.duration.Milliseconds()),
	)
}
