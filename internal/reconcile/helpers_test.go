package reconcile

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when slept on, so a limited run takes no wall time
// and its pacing can be read off the clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.advance(d)
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// report is the JSON output of a run, decoded.
type report struct {
	Plan    Plan    `json:"plan"`
	Users   []Row   `json:"users"`
	Summary Summary `json:"summary"`
}

// rowsByUser indexes rows by federated user name.
func (r report) rowsByUser() map[string]Row {
	m := map[string]Row{}
	for _, row := range r.Users {
		m[row.FederatedUser] = row
	}
	return m
}

// runJSON runs with the JSON sink and decodes what it wrote; the output must
// be valid JSON whether or not the run failed after it began.
func runJSON(ctx context.Context, t *testing.T, api API, opts Options) (report, error) {
	t.Helper()
	var out bytes.Buffer
	opts.Output = NewJSONSink(&out)
	if opts.Clock == nil {
		opts.Clock = newFakeClock()
	}
	err := Run(ctx, api, opts)
	var rep report
	if out.Len() > 0 {
		if jerr := json.Unmarshal(out.Bytes(), &rep); jerr != nil {
			t.Fatalf("output is not one JSON document: %v\n%s", jerr, out.String())
		}
	}
	return rep, err
}
