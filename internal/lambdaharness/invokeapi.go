package lambdaharness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// invokePath is Lambda's Invoke operation: POST
// /2015-03-31/functions/{FunctionName}/invocations.
const (
	invokePathPrefix = "/2015-03-31/functions/"
	invokePathSuffix = "/invocations"
)

// InvokeTarget is a function the Invoke stand-in runs.
type InvokeTarget struct {
	// Sandbox runs the function.
	Sandbox *Sandbox
	// Timeout is the function's own Lambda timeout: an invocation still
	// running then is answered as Lambda answers a timed-out function.
	Timeout time.Duration
}

// InvokeCall is one Invoke request the stand-in received.
type InvokeCall struct {
	FunctionName   string
	InvocationType string
	Authorization  string
	Payload        []byte
}

// InvokeAPI is a stand-in for Lambda's Invoke API on 127.0.0.1 (synchronous
// invocations only): it hands each request's payload to the named
// function's sandbox and answers as Lambda does, with the function's
// response, its error under X-Amz-Function-Error, a Sandbox.Timedout error
// past the function's timeout, or TooManyRequestsException when told to
// throttle. It checks no signature, but records the Authorization header.
type InvokeAPI struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL_LAMBDA.
	URL string

	server    *http.Server
	functions map[string]InvokeTarget

	mu       sync.Mutex
	throttle int
	calls    []InvokeCall
}

// StartInvokeAPI serves functions, keyed by the name or ARN callers use.
func StartInvokeAPI(functions map[string]InvokeTarget) (*InvokeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("invoke API: listen on loopback: %w", err)
	}
	api := &InvokeAPI{URL: "http://" + ln.Addr().String(), functions: functions}
	api.server = &http.Server{Handler: http.HandlerFunc(api.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
	go api.server.Serve(ln) //nolint:errcheck // Serve always returns ErrServerClosed after Close.
	return api, nil
}

// Close stops the server.
func (api *InvokeAPI) Close() error { return api.server.Close() }

// Throttle makes the next n invocations fail with TooManyRequestsException,
// as a function at its concurrency limit does.
func (api *InvokeAPI) Throttle(n int) {
	api.mu.Lock()
	defer api.mu.Unlock()
	api.throttle = n
}

// Calls returns the requests received so far.
func (api *InvokeAPI) Calls() []InvokeCall {
	api.mu.Lock()
	defer api.mu.Unlock()
	return append([]InvokeCall(nil), api.calls...)
}

func (api *InvokeAPI) serveHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, invokePathPrefix)
	name, suffixed := strings.CutSuffix(name, invokePathSuffix)
	if r.Method != http.MethodPost || !ok || !suffixed {
		writeLambdaError(w, http.StatusNotFound, "UnknownOperationException", "unknown operation "+r.Method+" "+r.URL.Path)
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
	if err != nil {
		writeLambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	call := InvokeCall{FunctionName: name, InvocationType: r.Header.Get("X-Amz-Invocation-Type"), Authorization: r.Header.Get("Authorization"), Payload: payload}
	api.mu.Lock()
	api.calls = append(api.calls, call)
	throttled := api.throttle > 0
	if throttled {
		api.throttle--
	}
	api.mu.Unlock()

	target, known := api.functions[name]
	switch {
	case !known:
		writeLambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	case call.InvocationType != "" && call.InvocationType != "RequestResponse":
		writeLambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "the stand-in only runs RequestResponse invocations")
		return
	case throttled:
		writeLambdaError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), target.Timeout)
	defer cancel()
	result, err := target.Sandbox.API.Invoke(ctx, payload, target.Timeout)
	switch {
	case r.Context().Err() != nil:
		return // the caller gave up
	case errors.Is(err, context.DeadlineExceeded):
		writeFunctionError(w, mustJSON(map[string]string{
			"errorType":    "Sandbox.Timedout",
			"errorMessage": fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", newRequestID(), target.Timeout.Seconds()),
		}))
	case err != nil:
		writeFunctionError(w, mustJSON(map[string]string{"errorType": "Runtime.ExitError", "errorMessage": err.Error()}))
	case result.Error != nil:
		writeFunctionError(w, result.Error.Raw)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.WriteHeader(http.StatusOK)
		w.Write(result.Response) //nolint:errcheck // the status line is already sent.
	}
}

// writeFunctionError answers as Lambda does for a function that failed: 200,
// with the error body and X-Amz-Function-Error.
func writeFunctionError(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	w.Header().Set("X-Amz-Function-Error", "Unhandled")
	w.WriteHeader(http.StatusOK)
	w.Write(body) //nolint:errcheck // the status line is already sent.
}

// writeLambdaError answers as the Lambda API does when it does not run the
// function.
func writeLambdaError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	w.Write(mustJSON(map[string]string{"Type": "User", "message": message})) //nolint:errcheck // the status already tells the caller.
}

func mustJSON(v map[string]string) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // a map of strings always encodes
	}
	return b
}
