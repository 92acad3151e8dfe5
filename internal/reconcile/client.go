package reconcile

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
)

// Retries of throttled (TooManyRequestsException) and failed (5xx) calls:
// the SDK's standard retryer with exponential, jittered backoff. The command
// is not in a hurry, so it waits longer and more often than the merge
// function may.
const (
	maxAttempts = 6
	maxBackoff  = 15 * time.Second
)

// NewClient builds a Cognito client from the standard AWS configuration
// (environment, shared config and credentials files, AWS_PROFILE, SSO,
// instance roles, AWS_CA_BUNDLE), loaded by awsconfig as for every command.
// Every HTTP attempt waits for limiter. It returns the region for messages.
func NewClient(ctx context.Context, limiter *Limiter) (*cip.Client, string, error) {
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{
		Retryer:        newRetryer,
		WrapHTTPClient: limiter.Wrap,
		RequireRegion:  true,
		RegionHint:     "set AWS_REGION (or a region in your AWS profile) to the user pool's region",
	})
	if err != nil {
		return nil, "", err
	}
	return cip.NewFromConfig(cfg), cfg.Region, nil
}

// newRetryer is the standard retryer without its client-side retry quota: a
// long run at a steady rate would drain it on a bad minute and then stop
// retrying altogether; attempts per call are bounded instead.
func newRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxBackoff
		o.Backoff = retry.NewExponentialJitterBackoff(maxBackoff)
		o.RateLimiter = ratelimit.None
		o.Retryables = retryables()
	})
}

// retryables are the SDK's defaults, except that LimitExceededException is
// not taken for throttling: Cognito uses it for a limit a retry cannot cure
// (a user's five linked identities, say), and TooManyRequestsException for
// its request-rate quotas.
func retryables() []retry.IsErrorRetryable {
	throttles := make(map[string]struct{}, len(retry.DefaultThrottleErrorCodes))
	for code := range retry.DefaultThrottleErrorCodes {
		if code != "LimitExceededException" {
			throttles[code] = struct{}{}
		}
	}
	return []retry.IsErrorRetryable{
		retry.NoRetryCanceledError{},
		retry.RetryableError{},
		retry.RetryableConnectionError{},
		retry.RetryableHTTPStatusCode{Codes: retry.DefaultRetryableHTTPStatusCodes},
		retry.RetryableErrorCode{Codes: retry.DefaultRetryableErrorCodes},
		retry.RetryableErrorCode{Codes: throttles},
	}
}
