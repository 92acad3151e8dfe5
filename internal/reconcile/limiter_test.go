package reconcile

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestNewLimiterRejectsRatesItCannotKeep(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{0, -1, 1001} {
		if _, err := NewLimiter(rate, newFakeClock()); err == nil {
			t.Errorf("NewLimiter(%v) accepted", rate)
		}
	}
}

func TestLimiterSpacesRequestsAndSavesNoBurst(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l, err := NewLimiter(10, clock)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := clock.Now()
	var starts []time.Duration
	for i := 0; i < 11; i++ {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		starts = append(starts, clock.Now().Sub(start))
	}
	for i, got := range starts {
		if want := time.Duration(i) * 100 * time.Millisecond; got != want {
			t.Errorf("request %d started at %v, want %v", i, got, want)
		}
	}

	// After a long idle spell the next request goes at once, but the one
	// after it still waits a full interval: idle time buys no burst.
	clock.advance(5 * time.Second)
	before := clock.Now()
	_ = l.Wait(ctx)
	_ = l.Wait(ctx)
	if got := clock.Now().Sub(before); got != 100*time.Millisecond {
		t.Errorf("two requests after idling took %v, want 100ms", got)
	}

	// Time spent in the request itself counts towards the interval.
	_ = l.Wait(ctx)
	clock.advance(250 * time.Millisecond)
	before = clock.Now()
	_ = l.Wait(ctx)
	if got := clock.Now().Sub(before); got != 0 {
		t.Errorf("waited %v after a slow request, want 0", got)
	}
}

func TestSystemClockSleepStopsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- SystemClock{}.Sleep(ctx, time.Hour) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Sleep = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Sleep ignored a cancelled context")
	}
}

type countingDoer struct{ n int }

func (c *countingDoer) Do(*http.Request) (*http.Response, error) {
	c.n++
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

func TestLimiterWrapWaitsBeforeEveryRequest(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l, err := NewLimiter(4, clock)
	if err != nil {
		t.Fatal(err)
	}
	next := &countingDoer{}
	client := l.Wrap(next)
	start := clock.Now()
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://127.0.0.1:9/", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if next.n != 5 || clock.Now().Sub(start) != time.Second {
		t.Errorf("%d requests in %v, want 5 in 1s", next.n, clock.Now().Sub(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:9/", nil)
	if resp, err := client.Do(req); !errors.Is(err, context.Canceled) || next.n != 5 {
		if resp != nil {
			resp.Body.Close()
		}
		t.Errorf("cancelled request: %v, %d sent", err, next.n)
	}
}
