package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// fakeClock is the policy's clock: sleeping advances it, and so does each
// attempt by attemptCost.
type fakeClock struct {
	t           time.Time
	attemptCost time.Duration
	sleeps      []time.Duration
	starts      []time.Time // when each attempt began
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

// policy returns a retryPolicy on this clock with seeded randomness.
func (c *fakeClock) policy(seed uint64) retryPolicy {
	r := rand.New(rand.NewPCG(seed, seed)) //nolint:gosec // seeded for reproducible jitter, not for secrets
	return retryPolicy{now: c.now, sleep: c.sleep, randN: r.Int64N}
}

// failing returns an attempt func that records its start, costs
// attemptCost, and fails with the errors in turn (the last repeating); a nil
// entry succeeds.
func (c *fakeClock) failing(errs ...error) func(context.Context) error {
	n := 0
	return func(context.Context) error {
		c.starts = append(c.starts, c.t)
		c.t = c.t.Add(c.attemptCost)
		err := errs[min(n, len(errs)-1)]
		n++
		return err
	}
}

func throttleErr() error {
	return &types.TooManyRequestsException{Message: aws.String("Rate exceeded")}
}

// deadlineIn returns a context whose deadline is d after the clock's now.
// The policy reads the deadline and compares it with the fake clock only.
func (c *fakeClock) deadlineIn(t *testing.T, d time.Duration) (context.Context, time.Time) {
	deadline := c.t.Add(d)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx, deadline
}

func TestThrottlingIsRetriedUntilJustBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	for _, cost := range []time.Duration{time.Millisecond, 30 * time.Millisecond, 90 * time.Millisecond} {
		t.Run(fmt.Sprint("attempt takes ", cost), func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{t: time.Now(), attemptCost: cost}
			ctx, deadline := clock.deadlineIn(t, cognitoBudget-safetyMargin)
			stats := &callStats{}
			ctx = withCallStats(ctx, stats)

			err := clock.policy(1).run(ctx, clock.failing(throttleErr()))

			var tooMany *types.TooManyRequestsException
			if !errors.Is(err, errBudget) || !errors.As(err, &tooMany) {
				t.Fatalf("err = %v, want errBudget wrapping the last TooManyRequestsException", err)
			}
			for i, start := range clock.starts {
				if left := deadline.Sub(start); left < minCallBudget {
					t.Errorf("attempt %d started with %v left, under the %v minimum", i+1, left, minCallBudget)
				}
			}
			if clock.t.After(deadline) {
				t.Errorf("ended %v after the deadline", clock.t.Sub(deadline))
			}
			// The budget was used: the last attempt began in the final
			// stretch, not seconds early.
			last := clock.starts[len(clock.starts)-1]
			if left := deadline.Sub(last); left > minCallBudget+throttleMaxBackoff+cost {
				t.Errorf("gave up with %v left", left)
			}
			if stats.attempts != len(clock.starts) || stats.throttled != len(clock.starts) {
				t.Errorf("stats = %+v, want %d attempts, all throttled", *stats, len(clock.starts))
			}
			if len(clock.starts) < 8 {
				t.Errorf("only %d attempts in 4.5 s of throttling", len(clock.starts))
			}
		})
	}
}

func TestThrottlingRetrySucceedsAndCounts(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now(), attemptCost: 5 * time.Millisecond}
	ctx, _ := clock.deadlineIn(t, cognitoBudget-safetyMargin)
	stats := &callStats{}
	ctx = withCallStats(ctx, stats)

	if err := clock.policy(2).run(ctx, clock.failing(throttleErr(), throttleErr(), throttleErr(), nil)); err != nil {
		t.Fatalf("run: %v", err)
	}
	if stats.attempts != 4 || stats.throttled != 3 {
		t.Errorf("stats = %+v, want 4 attempts, 3 throttled", *stats)
	}
}

func TestThrottleBackoffWindowGrowsToItsCap(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	ctx, _ := clock.deadlineIn(t, cognitoBudget-safetyMargin)
	p := clock.policy(0)
	// The largest value the jitter can draw: the window itself, less 1 ns.
	p.randN = func(n int64) int64 { return n - 1 }

	_ = p.run(ctx, clock.failing(throttleErr()))

	want := []time.Duration{50, 100, 200, 400, 400, 400}
	for i, w := range want {
		if got := clock.sleeps[i] + 1; got != w*time.Millisecond {
			t.Errorf("window after throttle %d = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
}

func TestThrottleBackoffIsJittered(t *testing.T) {
	t.Parallel()
	// Many invocations throttled at once: their third delays (window
	// 200 ms) must spread over the window, not repeat one value.
	const runs = 400
	window := 4 * throttleBaseBackoff
	var third []time.Duration
	for seed := range uint64(runs) {
		clock := &fakeClock{t: time.Now(), attemptCost: time.Millisecond}
		ctx, _ := clock.deadlineIn(t, cognitoBudget-safetyMargin)
		_ = clock.policy(seed).run(ctx, clock.failing(throttleErr(), throttleErr(), throttleErr(), nil))
		if len(clock.sleeps) != 3 {
			t.Fatalf("seed %d: %d sleeps, want 3", seed, len(clock.sleeps))
		}
		third = append(third, clock.sleeps[2])
	}
	var buckets [4]int // quarters of the window
	distinct := map[time.Duration]bool{}
	for _, d := range third {
		if d < 0 || d >= window {
			t.Fatalf("delay %v outside [0, %v)", d, window)
		}
		buckets[d*4/window]++
		distinct[d] = true
	}
	for i, n := range buckets {
		// A uniform spread puts 100 in each quarter; 60 is far below
		// anything chance produces, and far above a lockstep retry's 0.
		if n < 60 {
			t.Errorf("quarter %d of the window holds %d of %d delays: not spread (%v)", i, n, runs, buckets)
		}
	}
	if len(distinct) < runs*9/10 {
		t.Errorf("only %d distinct delays in %d runs", len(distinct), runs)
	}
}

func TestNoSleepReachesIntoTheLastAttemptBudget(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now(), attemptCost: time.Millisecond}
	ctx, deadline := clock.deadlineIn(t, 300*time.Millisecond)
	p := clock.policy(0)
	p.randN = func(n int64) int64 { return n - 1 }

	err := p.run(ctx, clock.failing(throttleErr()))

	if !errors.Is(err, errBudget) {
		t.Fatalf("err = %v, want errBudget", err)
	}
	for i, start := range clock.starts {
		if deadline.Sub(start) < minCallBudget {
			t.Errorf("attempt %d started %v before the deadline", i+1, deadline.Sub(start))
		}
	}
	// 200 ms to spend: four sleeps of at most the 50 ms floor (the deadline
	// is too near for longer ones), the last shortened to leave exactly the
	// minimum for one last attempt.
	if n := len(clock.starts); n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}
}

func TestBackoffWindowShrinksAsTheDeadlineNears(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now(), attemptCost: 2 * time.Millisecond}
	ctx, deadline := clock.deadlineIn(t, cognitoBudget-safetyMargin)
	p := clock.policy(0)
	p.randN = func(n int64) int64 { return n - 1 }
	type step struct{ left, sleep time.Duration }
	var steps []step
	p.sleep = func(ctx context.Context, d time.Duration) error {
		steps = append(steps, step{deadline.Add(-minCallBudget).Sub(clock.t), d})
		return clock.sleep(ctx, d)
	}

	_ = p.run(ctx, clock.failing(throttleErr()))

	sawCap, sawShrunk := false, false
	for _, s := range steps {
		limit := max(s.left/deadlineUrgency, throttleBaseBackoff)
		if s.sleep >= limit && s.sleep != s.left {
			t.Errorf("slept %v with %v left; the window may not exceed %v", s.sleep, s.left, limit)
		}
		sawCap = sawCap || s.sleep+1 == throttleMaxBackoff
		sawShrunk = sawShrunk || (s.sleep+1 < throttleMaxBackoff && s.sleep > throttleBaseBackoff)
	}
	if !sawCap || !sawShrunk {
		t.Errorf("windows never reached the cap (%v) or never shrank below it (%v): %v", sawCap, sawShrunk, steps)
	}
}

// timeoutError is what a net.Conn read past its deadline reports.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

var _ net.Error = timeoutError{}

func TestOtherErrorsAreNotRetriedForLong(t *testing.T) {
	t.Parallel()
	internal := &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusInternalServerError}},
		Err:      &types.InternalErrorException{Message: aws.String("internal")},
	}
	cases := []struct {
		name         string
		err          error
		wantAttempts int
	}{
		{"bad request", &types.InvalidParameterException{Message: aws.String("Invalid filter")}, 1},
		{"access denied", &types.NotAuthorizedException{Message: aws.String("not authorized")}, 1},
		{"no such pool", &types.ResourceNotFoundException{Message: aws.String("User pool does not exist.")}, 1},
		{"user gone", &types.UserNotFoundException{Message: aws.String("User does not exist.")}, 1},
		{"alias exists", &types.AliasExistsException{Message: aws.String("exists")}, 1},
		{"five-identity limit", &types.LimitExceededException{Message: aws.String("Exceeded limit")}, 1},
		{"unclassified", errors.New("something else"), 1},
		{"Cognito internal error (HTTP 500)", internal, transientMaxAttempts},
		{"network timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}, transientMaxAttempts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{t: time.Now(), attemptCost: 20 * time.Millisecond}
			ctx, _ := clock.deadlineIn(t, cognitoBudget-safetyMargin)
			stats := &callStats{}
			ctx = withCallStats(ctx, stats)
			start := clock.t

			err := clock.policy(3).run(ctx, clock.failing(c.err))

			if !errors.Is(err, c.err) {
				t.Errorf("err = %v, want the attempt's error", err)
			}
			if len(clock.starts) != c.wantAttempts {
				t.Errorf("%d attempts, want %d", len(clock.starts), c.wantAttempts)
			}
			if stats.throttled != 0 {
				t.Errorf("counted %d throttled attempts", stats.throttled)
			}
			// Three 20 ms attempts and at most 50 + 100 ms of backoff.
			if spent := clock.t.Sub(start); spent > 250*time.Millisecond {
				t.Errorf("spent %v before failing", spent)
			}
		})
	}
}

func TestTimedOutAttemptIsRetriedWhileTheInvocationHasTime(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	ctx, _ := clock.deadlineIn(t, cognitoBudget-safetyMargin)
	calls := 0
	err := clock.policy(4).run(ctx, func(attemptCtx context.Context) error {
		calls++
		if calls == 1 {
			// A hung connection: the attempt's own timeout ends it.
			<-attemptCtx.Done()
			return attemptCtx.Err()
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("err = %v after %d attempts, want success on the second", err, calls)
	}
}

func TestHandlerLogsThrottledAttempts(t *testing.T) {
	t.Parallel()
	fake := newFake(jane())
	fake.listErrs = []error{throttleErr(), throttleErr(), nil}
	fake.linkErrs = []error{throttleErr()}
	clock := &fakeClock{t: time.Now()}
	h, logs := newTestHandler(defaultCfg, &retryingCognito{api: fake, policy: clock.policy(5)})

	if _, err := h.HandleRaw(context.Background(), fixture(t, "external-descope.json")); err != nil {
		t.Fatalf("HandleRaw: %v", err)
	}
	lines := logLines(t, logs)
	if len(lines) != 1 || lines[0]["decision"] != "link" || lines[0]["throttled_attempts"] != float64(3) || lines[0]["cognito_calls"] != float64(2) {
		t.Errorf("decision line = %v, want link with throttled_attempts 3 over 2 calls", lines)
	}

	h, logs = newTestHandler(defaultCfg, &retryingCognito{api: newFake(jane()), policy: clock.policy(6)})
	if _, err := h.HandleRaw(context.Background(), fixture(t, "external-descope.json")); err != nil {
		t.Fatalf("HandleRaw: %v", err)
	}
	if lines := logLines(t, logs); len(lines) != 1 || lines[0]["throttled_attempts"] != float64(0) {
		t.Errorf("unthrottled decision line = %v, want throttled_attempts 0", lines)
	}
}
