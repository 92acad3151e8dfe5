package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Time budget. Cognito waits at most 5 seconds for a trigger and then fails
// (and may retry) the sign-up, so the whole invocation must finish well inside
// that, whatever the Lambda timeout is.
const (
	cognitoBudget = 5 * time.Second
	// safetyMargin is left for Lambda's own overhead and the response trip.
	safetyMargin = 500 * time.Millisecond
	// attemptTimeout bounds one HTTP attempt, so a hung connection leaves
	// time for a retry.
	attemptTimeout = 1500 * time.Millisecond
	// minCallBudget: with less than this left, no new call is started.
	minCallBudget = 100 * time.Millisecond
	// maxAttempts per call (first try included); throttling and 5xx are
	// retried with jittered exponential backoff up to maxBackoff.
	maxAttempts = 3
	maxBackoff  = 300 * time.Millisecond
)

// newCognitoClient builds the one client the function uses, from the standard
// SDK configuration chain, so AWS_REGION, credentials and
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER work as usual.
func newCognitoClient(ctx context.Context) (*cip.Client, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx,
		config.WithRetryer(newRetryer),
		config.WithHTTPClient(newHTTPClient()),
	)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("no AWS region configured: set AWS_REGION")
	}
	return cip.NewFromConfig(awsCfg), nil
}

// newRetryer is the SDK's standard retryer with bounds that fit the budget.
// The backoff is set explicitly so environment switches cannot stretch it,
// and the client-side retry quota is off: attempts are already bounded per
// call and by the invocation deadline.
func newRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxBackoff
		o.Backoff = retry.NewExponentialJitterBackoff(maxBackoff)
		o.RateLimiter = ratelimit.None
	})
}

func newHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithTimeout(attemptTimeout).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 500 * time.Millisecond }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = 500 * time.Millisecond
			t.ResponseHeaderTimeout = attemptTimeout
		})
}

// invocationDeadline is when this invocation must be done: the sooner of
// Cognito's budget and the Lambda deadline, each less the safety margin.
func invocationDeadline(ctx context.Context, now time.Time) time.Time {
	deadline := now.Add(cognitoBudget - safetyMargin)
	if d, ok := ctx.Deadline(); ok {
		if d = d.Add(-safetyMargin); d.Before(deadline) {
			deadline = d
		}
	}
	return deadline
}

// attemptsFor sizes the retry attempts of one call to the time left: one
// attempt per started attemptTimeout, at least one, at most maxAttempts. The
// context deadline still cuts any attempt short; this only keeps the SDK from
// planning retries that cannot happen.
func attemptsFor(remaining time.Duration) int {
	n := int((remaining + attemptTimeout - 1) / attemptTimeout)
	if n < 1 {
		return 1
	}
	if n > maxAttempts {
		return maxAttempts
	}
	return n
}
