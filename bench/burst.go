package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// The sign-in wave: N real bootstrap processes, each taking first Descope
// sign-ins back to back, against a Cognito stand-in that enforces a
// request-rate quota with a token bucket and answers the excess the way
// Cognito does. Every sign-in is the link path (ListUsers, then
// AdminLinkProviderForUser), the costliest one.

// Targets from the throttling issue.
const (
	waveSuccessTarget = 0.95 // share answered successfully within 5 s, above the quota
	waveDeadline      = lambdaharness.CognitoTriggerTimeout
)

// tokenBucket admits a request when a token is left; tokens refill at rate
// per second up to burst. A zero rate admits everything.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newTokenBucket(rate, burst float64, now func() time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: burst, tokens: burst, last: now(), now: now}
}

func (b *tokenBucket) take() bool {
	if b.rate == 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// throttlingCognito answers the link path's two operations for any pool and
// email, one bucket for both (in Cognito they may fall in different quota
// categories, so one shared bucket is the harsher case), and counts every
// request it receives.
type throttlingCognito struct {
	bucket *tokenBucket

	mu        sync.Mutex
	requests  int
	throttled int
}

// throttledBody is Cognito's answer past its request-rate quota: HTTP 400,
// the error code in X-Amzn-ErrorType and in the body's __type.
const throttledBody = `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`

const waveListUsersAnswer = `{"Users":[{"Username":"jane","Enabled":true,"UserStatus":"CONFIRMED",` +
	`"Attributes":[{"Name":"email","Value":"` + benchEmail + `"},{"Name":"email_verified","Value":"true"}]}]}`

func (c *throttlingCognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	c.mu.Lock()
	bucket := c.bucket
	c.mu.Unlock()
	admitted := bucket.take()
	c.mu.Lock()
	c.requests++
	if !admitted {
		c.throttled++
	}
	c.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if !admitted {
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, throttledBody)
		return
	}
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.") {
	case lambdaharness.OpListUsers:
		_, _ = io.WriteString(w, waveListUsersAnswer)
	case lambdaharness.OpAdminLinkProviderForUser:
		_, _ = io.WriteString(w, `{}`)
	default:
		w.Header().Set("X-Amzn-ErrorType", "InvalidParameterException")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"InvalidParameterException","message":"the wave stand-in answers ListUsers and AdminLinkProviderForUser only"}`)
	}
}

func (c *throttlingCognito) counts() (requests, throttled int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests, c.throttled
}

// wave is one scenario of the burst benchmark.
type wave struct {
	name string
	// quota is the stand-in's requests per second (its burst is one second
	// of it); 0 is the unthrottled control.
	quota float64
	// signIns is the number of sign-ins in the wave.
	signIns int
	// arrivalRate paces sign-ins per second; 0 releases them all at once,
	// each instance taking the next as soon as it has answered the last.
	arrivalRate float64
	// belowQuota waves must all succeed; the others need waveSuccessTarget.
	belowQuota bool
}

// waveResult is what one wave measured.
type waveResult struct {
	wave
	instances int
	latencies []time.Duration // every sign-in, from dispatch to answer
	succeeded int             // answered successfully within waveDeadline
	failed    int
	requests  int // Cognito requests the stand-in received, throttled included
	throttled int
	// loggedThrottled is the sum of throttled_attempts over the functions'
	// decision lines: it must equal throttled.
	loggedThrottled int
	elapsed         time.Duration
}

func (r waveResult) successShare() float64 {
	if r.signIns == 0 {
		return 0
	}
	return float64(r.succeeded) / float64(r.signIns)
}

// waves are the scenarios for n instances and the given quota: a wave of
// ten sign-ins per instance with no quota (the control) and against the
// quota, and a paced wave at two thirds of the quota.
func waves(instances int, quota float64) []wave {
	// Each sign-in makes two requests; the paced wave lasts five seconds.
	paced := quota * 2 / 3 / 2
	return []wave{
		{name: "control, no quota", signIns: 10 * instances},
		{name: fmt.Sprintf("%d sign-ins at once, %.0f requests/s quota", 10*instances, quota), quota: quota, signIns: 10 * instances},
		{name: fmt.Sprintf("%.0f sign-ins/s, below the %.0f requests/s quota", paced, quota), quota: quota, signIns: int(paced * 5), arrivalRate: paced, belowQuota: true},
	}
}

// measureWaves starts the instances once and runs every wave through them.
func measureWaves(ctx context.Context, impl implementation, instances int, quota float64) ([]waveResult, error) {
	stand := &throttlingCognito{bucket: newTokenBucket(0, 0, time.Now)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("wave stand-in: listen on loopback: %w", err)
	}
	server := &http.Server{Handler: stand, ReadHeaderTimeout: 5 * time.Second}
	go server.Serve(ln) //nolint:errcheck // Serve always returns ErrServerClosed after Close.
	defer server.Close()

	fnOpts := impl.functionOptions("http://" + ln.Addr().String())
	sandboxes := make([]*lambdaharness.Sandbox, 0, instances)
	defer func() {
		for _, s := range sandboxes {
			_, _ = s.Stop()
		}
	}()
	// Each instance answers one unrelated trigger first: started and warm,
	// without spending any of the quota.
	warmUp := lambdaharness.NativeSignUpEvent("us-east-1_bench", "someone", "someone@example.com")
	for range instances {
		s, err := lambdaharness.StartSandbox(fnOpts)
		if err != nil {
			return nil, err
		}
		sandboxes = append(sandboxes, s)
		if _, err := invokeOK(ctx, s, warmUp); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
	}

	signIn := lambdaharness.ExternalSignUp{
		PoolID: "us-east-1_bench", UserName: "descope_u2xabcdef123", Subject: benchSubject, Name: benchSubject,
		Email: benchEmail, EmailVerified: "true",
	}.Event()

	var results []waveResult
	for _, w := range waves(instances, quota) {
		progress("wave: %s, %d instances", w.name, instances)
		stand.mu.Lock()
		stand.bucket = newTokenBucket(w.quota, w.quota, time.Now)
		stand.requests, stand.throttled = 0, 0
		stand.mu.Unlock()
		logged := make([]int, len(sandboxes))
		for i, s := range sandboxes {
			logged[i] = len(s.Function.Output())
		}

		r, handled, err := runWave(ctx, w, sandboxes, signIn)
		if err != nil {
			return nil, fmt.Errorf("wave %q: %w", w.name, err)
		}
		r.requests, r.throttled = stand.counts()
		for i, s := range sandboxes {
			n, err := loggedThrottledAttempts(ctx, s, logged[i], handled[i])
			if err != nil {
				return nil, fmt.Errorf("wave %q: %w", w.name, err)
			}
			r.loggedThrottled += n
		}
		results = append(results, r)
	}
	return results, nil
}

// waveTimeout bounds one wave: at 30 requests/s the largest takes about 15 s.
const waveTimeout = 2 * time.Minute

// runWave feeds the wave's sign-ins to the instances, each taking the next
// as soon as it has answered, and times each from dispatch to answer: the
// time Cognito waits for the trigger. handled counts the sign-ins each
// instance answered.
func runWave(ctx context.Context, w wave, sandboxes []*lambdaharness.Sandbox, event []byte) (r waveResult, handled []int, err error) {
	ctx, cancel := context.WithTimeout(ctx, waveTimeout)
	defer cancel()
	r = waveResult{wave: w, instances: len(sandboxes)}
	handled = make([]int, len(sandboxes))
	queue := make(chan struct{}, w.signIns)
	go func() {
		defer close(queue)
		var tick <-chan time.Time
		if w.arrivalRate > 0 {
			t := time.NewTicker(time.Duration(float64(time.Second) / w.arrivalRate))
			defer t.Stop()
			tick = t.C
		}
		for i := 0; i < w.signIns; i++ {
			if tick != nil && i > 0 {
				select {
				case <-tick:
				case <-ctx.Done():
					return
				}
			}
			queue <- struct{}{}
		}
	}()

	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for i, s := range sandboxes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range queue {
				invokeCtx, cancelInvoke := context.WithTimeout(ctx, invokeTimeout)
				res, err := s.Invoke(invokeCtx, event)
				cancelInvoke()
				mu.Lock()
				handled[i]++
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
					}
				case res.Error == nil && res.Completed.Sub(res.Dispatched) <= waveDeadline:
					r.succeeded++
					r.latencies = append(r.latencies, res.Completed.Sub(res.Dispatched))
				default:
					r.failed++
					r.latencies = append(r.latencies, res.Completed.Sub(res.Dispatched))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	if firstErr != nil {
		return r, handled, firstErr
	}
	if n := r.succeeded + r.failed; n != w.signIns {
		return r, handled, fmt.Errorf("%d of %d sign-ins answered: %w", n, w.signIns, ctx.Err())
	}
	return r, handled, nil
}

// loggedThrottledAttempts sums throttled_attempts over the decision lines an
// instance wrote after offset. The lines travel through a pipe and may trail
// the answers, so it waits (briefly) for one line per sign-in handled.
func loggedThrottledAttempts(ctx context.Context, s *lambdaharness.Sandbox, offset, handled int) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		sum, lines, err := sumThrottledAttempts(s.Function.Output()[offset:])
		if err != nil || lines >= handled {
			return sum, err
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%d decision lines for %d sign-ins: %w", lines, handled, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sumThrottledAttempts adds up throttled_attempts over the decision lines in
// a function's output and counts the lines; a decision line without the field
// is an error.
func sumThrottledAttempts(output []byte) (sum, lines int, err error) {
	s := bufio.NewScanner(bytes.NewReader(output))
	s.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for s.Scan() {
		var line struct {
			Msg       string `json:"msg"`
			Throttled *int   `json:"throttled_attempts"`
		}
		if json.Unmarshal(s.Bytes(), &line) != nil || line.Msg != "pre sign-up decision" {
			continue
		}
		if line.Throttled == nil {
			return 0, 0, fmt.Errorf("decision line without throttled_attempts: %s", s.Bytes())
		}
		sum += *line.Throttled
		lines++
	}
	return sum, lines, s.Err()
}
