package lambdaharness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Runtime API paths, version 2018-06-01, as the provided.al2023 runtime serves them.
const (
	runtimeAPIPrefix = "/2018-06-01/runtime/"
	invocationPrefix = runtimeAPIPrefix + "invocation/"
)

// FunctionARN is the ARN every invocation is said to target.
const FunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:harness"

// FunctionError is the body a runtime posts to .../error or .../init/error.
type FunctionError struct {
	Message    string `json:"errorMessage"`
	Type       string `json:"errorType"`
	StackTrace []any  `json:"stackTrace,omitempty"`
	HeaderType string `json:"-"` // Lambda-Runtime-Function-Error-Type, if sent
	Raw        []byte `json:"-"` // the body as posted
}

// Result is how one invocation ended.
type Result struct {
	RequestID string
	// Response is the body posted to .../response; nil when the function failed.
	Response []byte
	// Error is the body posted to .../error; nil when the function succeeded.
	Error *FunctionError
	// Enqueued is when Enqueue was called, Dispatched when the runtime's
	// GET .../next received it, Completed when the response or error arrived.
	Enqueued, Dispatched, Completed time.Time
}

// Latency is the invocation's duration as a caller of Lambda sees it, from
// enqueue to the function's answer.
func (r Result) Latency() time.Duration { return r.Completed.Sub(r.Enqueued) }

// ErrInitFailed is returned by Pending.Wait when the runtime reported an init
// error before answering.
var ErrInitFailed = errors.New("function reported an init error")

// Pending is an enqueued invocation.
type Pending struct {
	api       *RuntimeAPI
	id        string
	payload   []byte
	timeout   time.Duration
	enqueued  time.Time
	done      chan struct{}
	result    Result
	completed bool // guarded by api.mu
}

// RuntimeAPI is a fake Lambda Runtime API on 127.0.0.1. It hands out one
// invocation at a time: the next is dispatched only after the previous one was
// answered (or abandoned by a caller that gave up waiting), as Lambda does.
type RuntimeAPI struct {
	// Addr is host:port, the value for AWS_LAMBDA_RUNTIME_API.
	Addr string

	server *http.Server
	queue  chan *Pending
	// slot holds a token while an invocation is in flight.
	slot      chan struct{}
	closed    chan struct{}
	closeOnce sync.Once

	mu         sync.Mutex
	inFlight   map[string]*Pending
	initErrors []FunctionError
	initFailed chan struct{} // closed at the first init error
}

// StartRuntimeAPI listens on a free loopback port and serves until Close.
func StartRuntimeAPI() (*RuntimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API: listen on loopback: %w", err)
	}
	api := &RuntimeAPI{
		Addr:       ln.Addr().String(),
		queue:      make(chan *Pending, 1024),
		slot:       make(chan struct{}, 1),
		closed:     make(chan struct{}),
		inFlight:   make(map[string]*Pending),
		initFailed: make(chan struct{}),
	}
	api.server = &http.Server{Handler: http.HandlerFunc(api.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
	go api.server.Serve(ln) //nolint:errcheck // Serve always returns ErrServerClosed after Close.
	return api, nil
}

// Close stops the server; a runtime blocked on GET .../next gets its
// connection closed. Closing twice is harmless.
func (api *RuntimeAPI) Close() error {
	var err error
	api.closeOnce.Do(func() {
		close(api.closed)
		err = api.server.Close()
	})
	return err
}

// Enqueue queues an invocation. timeout sets Lambda-Runtime-Deadline-Ms
// relative to dispatch; Cognito gives triggers 5 seconds.
func (api *RuntimeAPI) Enqueue(payload []byte, timeout time.Duration) *Pending {
	p := &Pending{
		api:      api,
		id:       newRequestID(),
		payload:  payload,
		timeout:  timeout,
		enqueued: time.Now(),
		done:     make(chan struct{}),
	}
	api.queue <- p
	return p
}

// Invoke enqueues an invocation and waits for its result until ctx ends.
func (api *RuntimeAPI) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	return api.Enqueue(payload, timeout).Wait(ctx)
}

// Wait returns the invocation's result, ErrInitFailed if the runtime reported
// an init error first, or ctx's error. A caller that gives up abandons the
// invocation, freeing the Runtime API for the next one, as a Lambda timeout
// would.
func (p *Pending) Wait(ctx context.Context) (Result, error) {
	select {
	case <-p.done:
		return p.result, nil
	case <-p.api.initFailed:
		p.abandon()
		return Result{}, ErrInitFailed
	case <-ctx.Done():
		p.abandon()
		return Result{}, fmt.Errorf("invocation %s: no answer: %w", p.id, ctx.Err())
	}
}

// abandon drops an unanswered invocation. If it was dispatched its slot is
// released; if it was still queued, the dispatcher skips it.
func (p *Pending) abandon() {
	api := p.api
	api.mu.Lock()
	defer api.mu.Unlock()
	if p.completed {
		return
	}
	p.completed = true
	if _, ok := api.inFlight[p.id]; ok {
		delete(api.inFlight, p.id)
		<-api.slot
	}
}

// InitErrors returns the init errors the runtime has posted.
func (api *RuntimeAPI) InitErrors() []FunctionError {
	api.mu.Lock()
	defer api.mu.Unlock()
	return append([]FunctionError(nil), api.initErrors...)
}

func (api *RuntimeAPI) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == invocationPrefix+"next":
		api.next(w, r)
	case r.Method == http.MethodPost && r.URL.Path == runtimeAPIPrefix+"init/error":
		fe, err := readFunctionError(r)
		if err != nil {
			writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
			return
		}
		api.mu.Lock()
		api.initErrors = append(api.initErrors, fe)
		if len(api.initErrors) == 1 {
			close(api.initFailed)
		}
		api.mu.Unlock()
		writeAccepted(w)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, invocationPrefix):
		id, kind, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, invocationPrefix), "/")
		if !ok || (kind != "response" && kind != "error") {
			writeRuntimeError(w, http.StatusNotFound, "NotFound", "unknown path "+r.URL.Path)
			return
		}
		api.complete(w, r, id, kind)
	default:
		writeRuntimeError(w, http.StatusNotFound, "NotFound", "unknown path "+r.URL.Path)
	}
}

// next blocks until an invocation can be dispatched, then hands it out with
// the headers aws-lambda-go and the Python loop read.
func (api *RuntimeAPI) next(w http.ResponseWriter, r *http.Request) {
	for {
		select {
		case api.slot <- struct{}{}:
		case <-r.Context().Done():
			return
		case <-api.closed:
			return
		}
		var p *Pending
		select {
		case p = <-api.queue:
		case <-r.Context().Done():
			<-api.slot
			return
		case <-api.closed:
			<-api.slot
			return
		}
		api.mu.Lock()
		if p.completed { // abandoned while queued
			api.mu.Unlock()
			<-api.slot
			continue
		}
		p.result.Dispatched = time.Now()
		api.inFlight[p.id] = p
		api.mu.Unlock()

		deadline := p.result.Dispatched.Add(p.timeout)
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", p.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", FunctionARN)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-"+p.id[:24]+";Sampled=0")
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(p.payload) //nolint:errcheck // a runtime that hung up will time out in Wait.
		return
	}
}

func (api *RuntimeAPI) complete(w http.ResponseWriter, r *http.Request, id, kind string) {
	var (
		body []byte
		fe   *FunctionError
		err  error
	)
	if kind == "response" {
		body, err = io.ReadAll(io.LimitReader(r.Body, 6<<20)) // Lambda's synchronous payload limit
	} else {
		var e FunctionError
		e, err = readFunctionError(r)
		fe = &e
	}
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}

	api.mu.Lock()
	p, ok := api.inFlight[id]
	if ok {
		delete(api.inFlight, id)
		p.completed = true
		p.result.RequestID = id
		p.result.Response = body
		p.result.Error = fe
		p.result.Enqueued = p.enqueued
		p.result.Completed = time.Now()
	}
	api.mu.Unlock()
	if !ok {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in flight with id "+id)
		return
	}
	writeAccepted(w)
	<-api.slot
	close(p.done)
}

func readFunctionError(r *http.Request) (FunctionError, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return FunctionError{}, fmt.Errorf("read error body: %w", err)
	}
	// Runtimes send the error type as a header; aws-lambda-go sends it as a
	// trailer when streaming a response fails midway.
	headerType := r.Header.Get("Lambda-Runtime-Function-Error-Type")
	if headerType == "" {
		headerType = r.Trailer.Get("Lambda-Runtime-Function-Error-Type")
	}
	fe := FunctionError{Raw: raw, HeaderType: headerType}
	// The body is JSON by convention, not by contract: keep Raw either way.
	_ = json.Unmarshal(raw, &fe)
	return fe, nil
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`) //nolint:errcheck // the status line is already sent; a failed body changes nothing.
}

func writeRuntimeError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"errorType": errorType, "errorMessage": message}) //nolint:errcheck // the status already tells the runtime it failed.
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
