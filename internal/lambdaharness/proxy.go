package lambdaharness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// cognitoTargetPrefix starts every X-Amz-Target of the Cognito user pools API.
const cognitoTargetPrefix = "AWSCognitoIdentityProviderService."

// Cognito operations the harness treats specially.
const (
	OpListUsers                = "ListUsers"
	OpAdminLinkProviderForUser = "AdminLinkProviderForUser"
)

// Call is one request the proxy received.
type Call struct {
	Operation string // X-Amz-Target without the service prefix
	Input     []byte // the request body
	Status    int    // the HTTP status the proxy answered with
}

// ProviderUser is the DestinationUser or SourceUser of AdminLinkProviderForUser.
type ProviderUser struct {
	ProviderName           string `json:"ProviderName"`
	ProviderAttributeName  string `json:"ProviderAttributeName,omitempty"`
	ProviderAttributeValue string `json:"ProviderAttributeValue"`
}

// LinkRequest is a decoded AdminLinkProviderForUser input.
type LinkRequest struct {
	UserPoolID      string       `json:"UserPoolId"`
	DestinationUser ProviderUser `json:"DestinationUser"`
	SourceUser      ProviderUser `json:"SourceUser"`
}

// StubUser is a user the in-memory ListUsers stub returns.
type StubUser struct {
	Username   string
	Enabled    bool
	Status     string // UserStatus, for example CONFIRMED or EXTERNAL_PROVIDER
	Attributes map[string]string
}

// ProxyOptions says where the proxy sends what it does not answer itself.
type ProxyOptions struct {
	// Upstream is the Cognito stand-in's URL (cognito-local). Empty means no
	// upstream: calls the proxy does not answer get a 500.
	Upstream string
	// StubListUsers, when set, answers ListUsers in memory with the users it
	// returns for the request's Filter, so latency measures the trigger and
	// not the emulator.
	StubListUsers func(filter string) []StubUser
}

// CognitoProxy is a recording reverse proxy on 127.0.0.1 in front of the
// Cognito stand-in. It answers AdminLinkProviderForUser itself (cognito-local
// does not implement it), counts calls per operation and can inject throttling.
type CognitoProxy struct {
	// URL is the proxy's base URL, the function's Cognito endpoint.
	URL string

	server  *http.Server
	forward *httputil.ReverseProxy // nil without an upstream
	stub    func(filter string) []StubUser

	mu       sync.Mutex
	calls    []Call
	throttle map[string]int // operation → calls still to throttle
}

// StartCognitoProxy listens on a free loopback port.
func StartCognitoProxy(opts ProxyOptions) (*CognitoProxy, error) {
	p := &CognitoProxy{stub: opts.StubListUsers, throttle: make(map[string]int)}
	if opts.Upstream != "" {
		if err := requireLoopback(opts.Upstream); err != nil {
			return nil, fmt.Errorf("cognito proxy upstream: %w", err)
		}
		upstream, err := url.Parse(opts.Upstream)
		if err != nil {
			return nil, err
		}
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.Proxy = nil
		transport.MaxIdleConnsPerHost = 16
		p.forward = &httputil.ReverseProxy{
			Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(upstream) },
			Transport: transport,
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cognito proxy: listen on loopback: %w", err)
	}
	p.URL = "http://" + ln.Addr().String()
	p.server = &http.Server{Handler: http.HandlerFunc(p.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
	go p.server.Serve(ln) //nolint:errcheck // Serve always returns ErrServerClosed after Close.
	return p, nil
}

// Close stops the proxy.
func (p *CognitoProxy) Close() error { return p.server.Close() }

// Throttle makes the next n calls to operation fail with
// TooManyRequestsException, as Cognito does past its request-rate quota.
func (p *CognitoProxy) Throttle(operation string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttle[operation] = n
}

// Reset forgets recorded calls and pending throttles.
func (p *CognitoProxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = nil
	clear(p.throttle)
}

// Calls returns every call received since the last Reset, in order.
func (p *CognitoProxy) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

// Counts returns the number of calls per operation since the last Reset.
func (p *CognitoProxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	counts := make(map[string]int)
	for _, c := range p.calls {
		counts[c.Operation]++
	}
	return counts
}

// TotalCalls returns the number of calls since the last Reset.
func (p *CognitoProxy) TotalCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// LinkRequests returns the decoded inputs of the AdminLinkProviderForUser
// calls the proxy answered (throttled attempts excluded).
func (p *CognitoProxy) LinkRequests() ([]LinkRequest, error) {
	var links []LinkRequest
	for _, c := range p.Calls() {
		if c.Operation != OpAdminLinkProviderForUser || c.Status != http.StatusOK {
			continue
		}
		var l LinkRequest
		if err := json.Unmarshal(c.Input, &l); err != nil {
			return nil, fmt.Errorf("decode AdminLinkProviderForUser input %s: %w", c.Input, err)
		}
		links = append(links, l)
	}
	return links, nil
}

func (p *CognitoProxy) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeCognitoError(w, http.StatusBadRequest, "InvalidParameterException", "read request body: "+err.Error())
		return
	}
	operation := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cognitoTargetPrefix)

	p.mu.Lock()
	throttled := p.throttle[operation] > 0
	if throttled {
		p.throttle[operation]--
	}
	p.mu.Unlock()

	status := http.StatusOK
	switch {
	case throttled:
		status = http.StatusBadRequest
		writeCognitoError(w, status, "TooManyRequestsException", "Rate exceeded")
	case operation == OpAdminLinkProviderForUser:
		writeCognitoJSON(w, struct{}{})
	case operation == OpListUsers && p.stub != nil:
		var in struct{ Filter string }
		if err := json.Unmarshal(body, &in); err != nil {
			status = http.StatusBadRequest
			writeCognitoError(w, status, "InvalidParameterException", "decode ListUsers input: "+err.Error())
			break
		}
		writeCognitoJSON(w, listUsersOutput(p.stub(in.Filter)))
	case p.forward != nil:
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		p.forward.ServeHTTP(recorder, r)
		status = recorder.status
	default:
		status = http.StatusInternalServerError
		writeCognitoError(w, status, "HarnessUnsupported", "the stub backend does not answer "+operation)
	}

	p.mu.Lock()
	p.calls = append(p.calls, Call{Operation: operation, Input: body, Status: status})
	p.mu.Unlock()
}

// listUsersOutput renders stub users as the ListUsers JSON response.
func listUsersOutput(users []StubUser) any {
	type attribute struct{ Name, Value string }
	type user struct {
		Username   string
		Enabled    bool
		UserStatus string
		Attributes []attribute
	}
	out := struct{ Users []user }{Users: []user{}}
	for _, u := range users {
		ju := user{Username: u.Username, Enabled: u.Enabled, UserStatus: u.Status, Attributes: []attribute{}}
		for name, value := range u.Attributes {
			ju.Attributes = append(ju.Attributes, attribute{name, value})
		}
		out.Users = append(out.Users, ju)
	}
	return out
}

var emailFilter = regexp.MustCompile(`^\s*email\s*=\s*"((?:[^"\\]|\\.)*)"\s*$`)

// StubUsersByEmail returns a ListUsers stub answering `email = "..."` filters
// from users, matching exactly as Cognito's "=" filter does; any other filter
// matches nobody.
func StubUsersByEmail(users map[string][]StubUser) func(filter string) []StubUser {
	return func(filter string) []StubUser {
		m := emailFilter.FindStringSubmatch(filter)
		if m == nil {
			return nil
		}
		email := strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[1])
		return users[email]
	}
}

func writeCognitoJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusOK)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client sees a short body if this fails.
}

// writeCognitoError writes an error the way the awsJson1_1 protocol does: the
// error code in __type, which the SDKs' retryers classify.
func writeCognitoError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message}) //nolint:errcheck // the client sees a short body if this fails.
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(status int) {
	s.status = status
	s.ResponseWriter.WriteHeader(status)
}
