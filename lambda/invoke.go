package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// invokeClient makes Lambda's Invoke call (RequestResponse) and nothing
// else. It is not the SDK's service/lambda client: that package's schemas
// init builds every Lambda shape at process start, which costs this
// function 12 to 21 ms and 670 KB of allocations on every cold start
// (GODEBUG=inittrace=1), chaining configured or not, and 0.85 MB of binary.
// The one request is small: the SDK's own SigV4 signer signs it with the
// credentials and region the Cognito client uses, to the endpoint the
// SDK's rule would pick.
type invokeClient struct {
	endpoint    string // scheme://host, no trailing slash
	region      string
	credentials aws.CredentialsProvider
	signer      *v4.Signer
	http        *http.Client
}

// invokeResult is a completed Invoke call.
type invokeResult struct {
	// functionError is X-Amz-Function-Error: empty when the function
	// succeeded, else "Unhandled" or "Handled", with the error in payload.
	functionError string
	payload       []byte
}

// lambdaAPIError is an error answer of the Lambda API itself (the function
// did not run or its result was lost). It is a smithy.APIError, so
// isThrottle recognises TooManyRequestsException as for Cognito.
type lambdaAPIError struct {
	status  int
	code    string
	message string
}

func (e *lambdaAPIError) Error() string {
	return fmt.Sprintf("lambda Invoke: HTTP %d %s: %s", e.status, e.code, e.message)
}
func (e *lambdaAPIError) ErrorCode() string    { return e.code }
func (e *lambdaAPIError) ErrorMessage() string { return e.message }
func (e *lambdaAPIError) ErrorFault() smithy.ErrorFault {
	if e.status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

// maxInvokeResponse is Lambda's limit on a synchronous response payload.
const maxInvokeResponse = 6 << 20

// lambdaEndpoint is Lambda's public endpoint for the partition and region.
func lambdaEndpoint(partition, region string) (string, error) {
	switch partition {
	case "aws", "aws-us-gov":
		return "https://lambda." + region + ".amazonaws.com", nil
	case "aws-cn":
		return "https://lambda." + region + ".amazonaws.com.cn", nil
	default:
		return "", fmt.Errorf("no known Lambda endpoint for partition %s: set %s", partition, envEndpointLambda)
	}
}

func newInvokeClient(endpoint, region string, credentials aws.CredentialsProvider) *invokeClient {
	return &invokeClient{
		endpoint:    strings.TrimRight(endpoint, "/"),
		region:      region,
		credentials: credentials,
		signer:      v4.NewSigner(),
		http:        &http.Client{Transport: newInvokeTransport()},
	}
}

// newInvokeTransport waits for the chained function for as long as the
// invocation's deadline allows (the context bounds each call), where the
// Cognito client's attemptTimeout would cut it short.
func newInvokeTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 500 * time.Millisecond, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   500 * time.Millisecond,
		ResponseHeaderTimeout: cognitoBudget,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
	}
}

// Invoke runs the function synchronously with payload; one attempt.
func (c *invokeClient) Invoke(ctx context.Context, functionARN string, payload []byte) (invokeResult, error) {
	target := c.endpoint + "/2015-03-31/functions/" + escapePathSegment(functionARN) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return invokeResult{}, fmt.Errorf("lambda Invoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	creds, err := c.credentials.Retrieve(ctx)
	if err != nil {
		return invokeResult{}, fmt.Errorf("lambda Invoke: credentials: %w", err)
	}
	sum := sha256.Sum256(payload)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", c.region, time.Now()); err != nil {
		return invokeResult{}, fmt.Errorf("lambda Invoke: sign: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return invokeResult{}, fmt.Errorf("lambda Invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxInvokeResponse+1))
	if err != nil {
		return invokeResult{}, fmt.Errorf("lambda Invoke: read response: %w", err)
	}
	if len(body) > maxInvokeResponse {
		return invokeResult{}, fmt.Errorf("lambda Invoke: response larger than %d bytes", maxInvokeResponse)
	}
	if resp.StatusCode != http.StatusOK {
		return invokeResult{}, apiError(resp, body)
	}
	return invokeResult{functionError: resp.Header.Get("X-Amz-Function-Error"), payload: body}, nil
}

// escapePathSegment percent-encodes every byte but the unreserved ones, as
// the SDK's REST serializer does for a URI label (the ARN's colons too).
func escapePathSegment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// apiError reads Lambda's error answer: the code in X-Amzn-ErrorType (which
// may carry ":<namespace URL>"), the message in the body.
func apiError(resp *http.Response, body []byte) error {
	var fields struct {
		Message      string `json:"message"`
		MessageUpper string `json:"Message"`
	}
	_ = json.Unmarshal(body, &fields) // an unreadable body still has its status
	code, _, _ := strings.Cut(resp.Header.Get("X-Amzn-ErrorType"), ":")
	if code == "" && resp.StatusCode == http.StatusTooManyRequests {
		code = "TooManyRequestsException"
	}
	message := fields.Message
	if message == "" {
		message = fields.MessageUpper
	}
	return &lambdaAPIError{status: resp.StatusCode, code: code, message: message}
}
