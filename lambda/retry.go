package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
)

// Retry policy. The SDK client makes one attempt per call (aws.NopRetryer);
// retryingCognito owns the retries, because the SDK's standard retryer can
// neither see the invocation deadline nor jitter at the bounds this budget
// needs: retry.NewExponentialJitterBackoff(300ms), as used before, computes
// its "attempts to reach the cap" as log2(0.3 s / 1 s) < 0, so every delay is
// exactly the cap (aws/retry/jitter_backoff.go, backoffDelayLegacy) and every
// throttled instance retried in lockstep.
//
// A throttled answer (TooManyRequestsException, HTTP 400) comes back in
// milliseconds, so throttling is retried for as long as the deadline allows, with full jitter (AWS Architecture Blog, "Exponential
// Backoff and Jitter"): a uniform delay in [0, min(cap, base·2^(n-1))) after
// the n-th throttled answer of a call. The window doubles while contention
// lasts, is capped low enough that a sign-in that has waited long still asks
// often, and shrinks as the deadline nears, so waiting sign-ins share the
// quota fairly, oldest first. The sign-in wave in BENCHMARKS.md measures
// these bounds against a throttling stand-in.
const (
	throttleBaseBackoff = 50 * time.Millisecond
	throttleMaxBackoff  = 400 * time.Millisecond
	// deadlineUrgency: no backoff window is longer than this share of the
	// time left before the last attempt must start.
	deadlineUrgency = 4
	// Other transient failures (5xx, a dropped connection, a timed-out
	// attempt) keep the earlier bounds: 3 attempts, at most 50 + 100 ms of
	// backoff.
	transientMaxAttempts = 3
	transientBaseBackoff = 50 * time.Millisecond
)

// retryPolicy holds the clock, sleep and randomness, so tests can drive it.
type retryPolicy struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	// randN returns a uniform value in [0, n), n > 0.
	randN func(n int64) int64
}

func newRetryPolicy() retryPolicy {
	return retryPolicy{now: time.Now, sleep: sleepContext, randN: rand.Int64N}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// callStats counts one invocation's attempts. HandleRaw puts one in the
// context; an invocation runs on one goroutine, so it needs no lock.
type callStats struct {
	attempts  int
	throttled int
}

type callStatsKey struct{}

func withCallStats(ctx context.Context, s *callStats) context.Context {
	return context.WithValue(ctx, callStatsKey{}, s)
}

func callStatsFrom(ctx context.Context) *callStats {
	if s, ok := ctx.Value(callStatsKey{}).(*callStats); ok {
		return s
	}
	return &callStats{}
}

// run calls attempt until it succeeds, fails with an error not worth
// retrying, or the deadline (ctx's, else the Cognito budget from now) leaves
// less than minCallBudget for another attempt. Each attempt is bounded by
// attemptTimeout and the deadline, and no backoff sleeps into the last
// minCallBudget: an attempt is only started when it can finish in time.
// Giving up returns the last error, wrapped in errBudget when time ran out,
// so the caller fails closed.
func (p retryPolicy) run(ctx context.Context, attempt func(context.Context) error) error {
	stats := callStatsFrom(ctx)
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = p.now().Add(cognitoBudget - safetyMargin)
	}
	var throttles, failures int
	var lastErr error
	for {
		remaining := deadline.Sub(p.now())
		if remaining < minCallBudget {
			return budgetError(remaining, throttles, failures, lastErr)
		}
		attemptCtx, cancel := context.WithTimeout(ctx, min(attemptTimeout, remaining))
		err := attempt(attemptCtx)
		attemptTimedOut := attemptCtx.Err() != nil && ctx.Err() == nil
		cancel()
		stats.attempts++
		if err == nil {
			return nil
		}
		lastErr = err

		var window time.Duration
		switch {
		case isThrottle(err):
			stats.throttled++
			throttles++
			window = min(throttleBaseBackoff<<min(throttles-1, 16), throttleMaxBackoff)
		case ctx.Err() != nil:
			return err
		case attemptTimedOut || isTransient(err):
			failures++
			if failures >= transientMaxAttempts {
				return err
			}
			window = transientBaseBackoff << (failures - 1)
		default:
			return err
		}

		latest := deadline.Add(-minCallBudget).Sub(p.now())
		if latest <= 0 {
			return budgetError(latest+minCallBudget, throttles, failures, err)
		}
		// Near the deadline the window shrinks to a share of the time left
		// (never below the base, so the last stretch is no tight loop): a
		// call that has waited long asks more often than newcomers, and the
		// oldest sign-ins are served first.
		window = min(window, max(latest/deadlineUrgency, throttleBaseBackoff))
		delay := min(time.Duration(p.randN(int64(window))), latest)
		if serr := p.sleep(ctx, delay); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

// budgetError says that time ran out, keeping the last attempt's error (if
// any) in the chain.
func budgetError(remaining time.Duration, throttles, failures int, last error) error {
	left := remaining.Round(time.Millisecond)
	if last == nil {
		return fmt.Errorf("%w: %s left", errBudget, left)
	}
	return fmt.Errorf("%w: %s left after %d attempts (%d throttled): %w", errBudget, left, throttles+failures, throttles, last)
}

// isThrottle reports a Cognito rate-limit answer.
func isThrottle(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "TooManyRequestsException"
}

// transientErrors are the SDK's own classifiers for failures worth another
// attempt: connection errors, HTTP 500/502/503/504 and request timeouts.
var transientErrors = retry.IsErrorRetryables(retry.DefaultRetryables)

// isTransient leaves out LimitExceededException, which the SDK counts as
// throttling: Cognito answers it for limits no retry can cure (a user's five
// linked identities), and TooManyRequestsException for its request rates.
func isTransient(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "LimitExceededException" {
		return false
	}
	return transientErrors.IsErrorRetryable(err) == aws.TrueTernary
}

// retryingCognito is the Cognito client with the retry policy around each
// call.
type retryingCognito struct {
	api    cognitoAPI
	policy retryPolicy
}

func (r *retryingCognito) ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	var out *cip.ListUsersOutput
	err := r.policy.run(ctx, func(ctx context.Context) (err error) {
		out, err = r.api.ListUsers(ctx, in, optFns...)
		return err
	})
	return out, err
}

func (r *retryingCognito) DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error) {
	var out *cip.DescribeUserPoolOutput
	err := r.policy.run(ctx, func(ctx context.Context) (err error) {
		out, err = r.api.DescribeUserPool(ctx, in, optFns...)
		return err
	})
	return out, err
}

func (r *retryingCognito) AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	var out *cip.AdminLinkProviderForUserOutput
	err := r.policy.run(ctx, func(ctx context.Context) (err error) {
		out, err = r.api.AdminLinkProviderForUser(ctx, in, optFns...)
		return err
	})
	return out, err
}
