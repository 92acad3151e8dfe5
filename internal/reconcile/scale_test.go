package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// generatedPool answers the read calls of a dry run for a pool of size users,
// generated on the fly so the stub holds none of them: every 100th user is a
// Descope duplicate of the native user before it. It records the (fake)
// time of every request, to check the limiter's pacing.
type generatedPool struct {
	size  int
	clock Clock

	mu    sync.Mutex
	times []time.Time // every attempt
	calls int         // first attempts only
}

var emailIndex = regexp.MustCompile(`^email = "person-(\d+)@example\.com"$`)

func (g *generatedPool) user(i int) map[string]any {
	if i%100 == 99 {
		subject := fmt.Sprintf("S%07d", i)
		return map[string]any{
			"Username": "Descope_" + subject, "Enabled": true, "UserStatus": "EXTERNAL_PROVIDER",
			"Attributes": []map[string]string{
				{"Name": "sub", "Value": fmt.Sprintf("fed-%d", i)},
				{"Name": "email", "Value": fmt.Sprintf("person-%d@example.com", i-1)},
				{"Name": "email_verified", "Value": "true"},
				{"Name": "custom:descope_sub", "Value": subject},
			},
		}
	}
	return map[string]any{
		"Username": fmt.Sprintf("user-%d", i), "Enabled": true, "UserStatus": "CONFIRMED",
		"Attributes": []map[string]string{
			{"Name": "sub", "Value": fmt.Sprintf("native-%d", i)},
			{"Name": "email", "Value": fmt.Sprintf("person-%d@example.com", i)},
			{"Name": "email_verified", "Value": "true"},
		},
	}
}

func (g *generatedPool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.times = append(g.times, g.clock.Now())
	if strings.HasPrefix(r.Header.Get("Amz-Sdk-Request"), "attempt=1;") {
		g.calls++
	}
	g.mu.Unlock()
	var in struct {
		Filter          string
		Limit           int
		PaginationToken string
	}
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.") {
	case "DescribeUserPool":
		json.NewEncoder(w).Encode(map[string]any{"UserPool": map[string]any{"Id": "us-east-1_Scale1", "Name": "scale", "EstimatedNumberOfUsers": g.size}}) //nolint:errcheck // the client sees a short body.
	case "DescribeIdentityProvider":
		json.NewEncoder(w).Encode(map[string]any{"IdentityProvider": map[string]any{"ProviderName": "Descope"}}) //nolint:errcheck // the client sees a short body.
	case "ListUsers":
		users := []map[string]any{}
		out := map[string]any{}
		if m := emailIndex.FindStringSubmatch(in.Filter); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < g.size && i%100 != 99 {
				users = append(users, g.user(i))
			}
		} else {
			start, _ := strconv.Atoi(in.PaginationToken)
			end := min(start+max(in.Limit, 1), g.size)
			for i := start; i < end; i++ {
				users = append(users, g.user(i))
			}
			if end < g.size {
				out["PaginationToken"] = strconv.Itoa(end)
			}
		}
		out["Users"] = users
		json.NewEncoder(w).Encode(out) //nolint:errcheck // the client sees a short body.
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"InvalidParameterException","message":"the scale stub answers reads only"}`)
	}
}

// countingSink checks rows as they stream past and keeps only counts.
type countingSink struct {
	rows, merges int
	summary      Summary
}

func (c *countingSink) Begin(Plan) error { return nil }
func (c *countingSink) Row(r Row) error {
	c.rows++
	if r.Decision == DecisionMerge {
		c.merges++
	}
	return nil
}
func (c *countingSink) End(s Summary) error { c.summary = s; return nil }

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// A dry run over 100,000 users streams: the heap stays flat while the pool
// is listed, and every request, listings, look-ups and retries alike, keeps
// to the configured rate. The limiter runs on a fake clock, so the test takes the
// time of the HTTP round trips only.
func TestDryRunOverAHundredThousandUsersStreamsAndKeepsTheRate(t *testing.T) {
	const users, rate = 100_000, 25
	clock := newFakeClock()
	pool := &generatedPool{size: users, clock: clock}
	server := httptest.NewServer(pool) // 127.0.0.1
	defer server.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	limiter, err := NewLimiter(rate, clock)
	if err != nil {
		t.Fatal(err)
	}
	sink := &countingSink{}
	baseline := heapInUse()
	var peak uint64
	pages := 0
	err = Run(ctx, loopbackClient(server.URL, limiter), Options{
		UserPoolID: "us-east-1_Scale1", Provider: "Descope", Clock: clock, Output: sink,
		Progress: func(Progress) {
			if pages++; pages%250 == 0 {
				peak = max(peak, heapInUse())
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sink.rows != users/100 || sink.merges != users/100 || sink.summary.UsersListed != users {
		t.Fatalf("rows %d, merges %d, listed %d; want %d, %d, %d", sink.rows, sink.merges, sink.summary.UsersListed, users/100, users/100, users)
	}
	// Holding the pool would take tens of MiB (about 500 bytes a user).
	if peak > baseline+8<<20 {
		t.Errorf("heap grew by %d KiB while listing; the run holds users it has passed", (peak-baseline)>>10)
	}

	times := pool.times
	wantCalls := 3 + users/pageSize + 1 + users/100 // preflight, pages, one look-up per duplicate
	if pool.calls != wantCalls {
		t.Errorf("%d calls, want %d", pool.calls, wantCalls)
	}
	// No window of one second holds more than rate requests...
	for i := rate; i < len(times); i++ {
		if times[i].Sub(times[i-rate]) < time.Second {
			t.Fatalf("requests %d..%d within %v: more than %d per second", i-rate, i, times[i].Sub(times[i-rate]), rate)
		}
	}
	// ...and the limiter waits no longer than the rate needs.
	if elapsed, want := times[len(times)-1].Sub(times[0]), time.Duration(len(times)-1)*time.Second/rate; elapsed > want+time.Second {
		t.Errorf("%d requests took %v of clock time, want about %v", len(times), elapsed, want)
	}
}
