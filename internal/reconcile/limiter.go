package reconcile

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Clock is the time source of the limiter and the progress report; tests
// inject a fake one so no test sleeps on the wall clock.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx is done.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Limiter spaces requests at least 1/rate apart (a token bucket holding one
// token), so no second holds more than rate requests. Cognito's request-rate
// quotas are per account and Region and shared with the live application, so
// the command must stay well below them, not merely back off once throttled.
// It sits in the HTTP client, so every attempt, retries included, waits its
// turn.
type Limiter struct {
	clock    Clock
	interval time.Duration

	mu   sync.Mutex
	next time.Time // earliest start of the next request
}

// NewLimiter allows perSecond requests per second.
func NewLimiter(perSecond float64, clock Clock) (*Limiter, error) {
	if !(perSecond > 0) || perSecond > 1000 {
		return nil, fmt.Errorf("rate %v: must be more than 0 and at most 1000 requests per second", perSecond)
	}
	return &Limiter{clock: clock, interval: time.Duration(float64(time.Second) / perSecond)}, nil
}

// Wait blocks until the next request may start.
func (l *Limiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.clock.Now()
	if l.next.Before(now) {
		l.next = now
	}
	start := l.next
	l.next = start.Add(l.interval)
	l.mu.Unlock()
	return l.clock.Sleep(ctx, start.Sub(now))
}

// Wrap returns next with every request waiting for the limiter first.
func (l *Limiter) Wrap(next aws.HTTPClient) aws.HTTPClient {
	return limitedHTTP{next: next, limiter: l}
}

type limitedHTTP struct {
	next    aws.HTTPClient
	limiter *Limiter
}

func (c limitedHTTP) Do(req *http.Request) (*http.Response, error) {
	if err := c.limiter.Wait(req.Context()); err != nil {
		return nil, err
	}
	return c.next.Do(req)
}
