package lambdaharness

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runtimeClient plays the function's side of the Runtime API by hand.
type runtimeClient struct {
	t    *testing.T
	base string
}

func newRuntimeClient(t *testing.T, api *RuntimeAPI) runtimeClient {
	return runtimeClient{t: t, base: "http://" + api.Addr + "/2018-06-01/runtime/"}
}

// next does GET .../invocation/next and returns the headers and body.
func (c runtimeClient) next(ctx context.Context) (http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"invocation/next", nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, nil, errors.New("next: " + resp.Status)
	}
	return resp.Header, body, err
}

func (c runtimeClient) post(path, body string, header http.Header) int {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func startRuntimeAPI(t *testing.T) *RuntimeAPI {
	t.Helper()
	api, err := StartRuntimeAPI()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	return api
}

func TestRuntimeAPIDeliversInvocationAndResponse(t *testing.T) {
	api := startRuntimeAPI(t)
	client := newRuntimeClient(t, api)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pending := api.Enqueue([]byte(`{"hello":"world"}`), 5*time.Second)
	header, body, err := client.next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"hello":"world"}` {
		t.Errorf("payload = %s", body)
	}
	id := header.Get("Lambda-Runtime-Aws-Request-Id")
	if id == "" {
		t.Fatal("no request id header")
	}
	if got := header.Get("Lambda-Runtime-Invoked-Function-Arn"); got != FunctionARN {
		t.Errorf("function ARN = %q", got)
	}
	if !strings.HasPrefix(header.Get("Lambda-Runtime-Trace-Id"), "Root=1-") {
		t.Errorf("trace id = %q", header.Get("Lambda-Runtime-Trace-Id"))
	}
	deadlineMS, err := strconv.ParseInt(header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if err != nil {
		t.Fatalf("deadline header: %v", err)
	}
	if left := time.Until(time.UnixMilli(deadlineMS)); left < 4*time.Second || left > 5*time.Second {
		t.Errorf("deadline is %s away, want about 5s", left)
	}

	if status := client.post("invocation/"+id+"/response", `{"ok":true}`, nil); status != http.StatusAccepted {
		t.Fatalf("POST response: status %d, want 202", status)
	}
	result, err := pending.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if result.RequestID != id || string(result.Response) != `{"ok":true}` || result.Error != nil {
		t.Errorf("result = %+v", result)
	}
	if result.Latency() <= 0 || result.Dispatched.Before(result.Enqueued) || result.Completed.Before(result.Dispatched) {
		t.Errorf("timestamps out of order: %+v", result)
	}
}

func TestRuntimeAPIRecordsFunctionError(t *testing.T) {
	api := startRuntimeAPI(t)
	client := newRuntimeClient(t, api)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pending := api.Enqueue([]byte(`{}`), time.Second)
	header, _, err := client.next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := header.Get("Lambda-Runtime-Aws-Request-Id")
	status := client.post("invocation/"+id+"/error", `{"errorMessage":"no way","errorType":"Refused"}`,
		http.Header{"Lambda-Runtime-Function-Error-Type": {"Refused"}})
	if status != http.StatusAccepted {
		t.Fatalf("POST error: status %d", status)
	}
	result, err := pending.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if result.Response != nil || result.Error == nil {
		t.Fatalf("result = %+v, want an error", result)
	}
	if result.Error.Message != "no way" || result.Error.Type != "Refused" || result.Error.HeaderType != "Refused" {
		t.Errorf("error = %+v", result.Error)
	}
}

func TestRuntimeAPIRejectsUnknownRequestID(t *testing.T) {
	api := startRuntimeAPI(t)
	client := newRuntimeClient(t, api)
	if status := client.post("invocation/nope/response", `{}`, nil); status != http.StatusBadRequest {
		t.Errorf("status %d, want 400", status)
	}
}

func TestRuntimeAPIInitErrorEndsWait(t *testing.T) {
	api := startRuntimeAPI(t)
	client := newRuntimeClient(t, api)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pending := api.Enqueue([]byte(`{}`), time.Second)
	if status := client.post("init/error", `{"errorMessage":"bad config","errorType":"Init"}`, nil); status != http.StatusAccepted {
		t.Fatalf("POST init/error: status %d", status)
	}
	if _, err := pending.Wait(ctx); !errors.Is(err, ErrInitFailed) {
		t.Fatalf("Wait error = %v, want ErrInitFailed", err)
	}
	if errs := api.InitErrors(); len(errs) != 1 || errs[0].Message != "bad config" {
		t.Errorf("init errors = %+v", errs)
	}
}

// A second GET .../next must not receive anything until the first
// invocation is answered: Lambda runs one invocation per sandbox at a time.
func TestRuntimeAPIServesOneInvocationAtATime(t *testing.T) {
	api := startRuntimeAPI(t)
	client := newRuntimeClient(t, api)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	first := api.Enqueue([]byte(`1`), 5*time.Second)
	second := api.Enqueue([]byte(`2`), 5*time.Second)
	header, body, err := client.next(ctx)
	if err != nil || string(body) != "1" {
		t.Fatalf("first next: %s, %v", body, err)
	}

	type delivery struct {
		header http.Header
		body   []byte
		err    error
	}
	got := make(chan delivery, 1)
	go func() {
		h, b, err := client.next(ctx)
		got <- delivery{h, b, err}
	}()
	select {
	case d := <-got:
		t.Fatalf("second invocation dispatched while the first was in flight: %s", d.body)
	case <-time.After(200 * time.Millisecond):
	}

	client.post("invocation/"+header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", `"one"`, nil)
	if _, err := first.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	d := <-got
	if d.err != nil || string(d.body) != "2" {
		t.Fatalf("second next: %s, %v", d.body, d.err)
	}
	client.post("invocation/"+d.header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", `"two"`, nil)
	if r, err := second.Wait(ctx); err != nil || string(r.Response) != `"two"` {
		t.Fatalf("second result: %+v, %v", r, err)
	}
}

// A caller that stops waiting frees the API, so one hung invocation does not
// wedge every later one.
func TestRuntimeAPIAbandonedInvocationFreesTheSlot(t *testing.T) {
	api := startRuntimeAPI(t)
	client := newRuntimeClient(t, api)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	hung := api.Enqueue([]byte(`"hung"`), time.Second)
	if _, _, err := client.next(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if _, err := hung.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait error = %v, want deadline exceeded", err)
	}

	next := api.Enqueue([]byte(`"next"`), time.Second)
	header, body, err := client.next(ctx)
	if err != nil || string(body) != `"next"` {
		t.Fatalf("next after abandon: %s, %v", body, err)
	}
	client.post("invocation/"+header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", `{}`, nil)
	if _, err := next.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}
