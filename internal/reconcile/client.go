package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
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
// instance roles), so region and credentials work as for the AWS CLI. Every
// HTTP attempt waits for limiter. It returns the region for messages.
func NewClient(ctx context.Context, limiter *Limiter) (*cip.Client, string, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRetryer(newRetryer),
		config.WithHTTPClient(limiter.Wrap(awshttp.NewBuildableClient())),
	)
	if err != nil {
		return nil, "", fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, "", errors.New("no AWS region configured: set AWS_REGION (or a region in your AWS profile) to the user pool's region")
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
	})
}
