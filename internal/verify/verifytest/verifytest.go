// Package verifytest runs a deployed stack's world on loopback for the verify
// tests: a fake Descope (discovery and authorize), a fake Cognito hosted UI,
// and a stub of the Cognito and Lambda APIs answering recorded AWS-shaped JSON
// from testdata/. Every server listens on 127.0.0.1; every AWS client has
// fixed fake credentials and a loopback endpoint.
package verifytest

import (
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// The deployed stack the fixtures describe.
const (
	Region          = "us-east-1"
	UserPoolID      = "us-east-1_VerifyPl1"
	UserPoolARN     = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_VerifyPl1"
	ProjectID       = "P2VerifyProject0000000000001"
	FunctionName    = "passkeys-dev-merge"
	FunctionARN     = "arn:aws:lambda:us-east-1:123456789012:function:passkeys-dev-merge"
	RoleARN         = "arn:aws:iam::123456789012:role/passkeys-merge-role-1a2b3c4"
	ProviderName    = "Descope"
	ClientID        = "verifyclient0000000000000a"
	CallbackURL     = "http://localhost:3000/callback"
	LogGroup        = "/aws/lambda/passkeys-dev-merge"
	FakeAccessKeyID = "AKIAVERIFYFAKEKEY000"                  //nolint:gosec // fake, signs only requests to 127.0.0.1
	FakeSecretKey   = "verify-fake-secret-access-key"         //nolint:gosec // fake, signs only requests to 127.0.0.1
	ProviderSecret  = "fake-descope-access-key-never-printed" //nolint:gosec // fake, asserted never to be printed
	FlowHostingPage = "https://app.example.com/login"
	// FlowID is the stack's descopeFlowId: the imported passkey flow.
	FlowID = "oidc-flow"
	// ChainedARN is the pool's previous pre sign-up function, for a stack
	// that chains it (Chain).
	ChainedARN = "arn:aws:lambda:us-east-1:123456789012:function:company-pre-sign-up"
)

//go:embed testdata/*.json
var fixtures embed.FS

// Answer is a canned HTTP answer.
type Answer struct {
	Status   int
	Location string
	Body     string
}

// World is one deployed stack on loopback. Tests change its fields (under
// Lock) to break one thing at a time.
type World struct {
	mu sync.Mutex

	Descope  *httptest.Server
	HostedUI *httptest.Server
	AWS      *httptest.Server

	// Discovery is the document Descope serves.
	Discovery map[string]any
	// DiscoveryAnswer, when set, replaces the discovery document.
	DiscoveryAnswer *Answer
	// DescopeAuthorize answers Descope's authorization endpoint; by default a
	// redirect to FlowHostingPage.
	DescopeAuthorize Answer
	// HostedUIAnswer, when set, replaces Cognito's redirect to Descope.
	HostedUIAnswer *Answer
	// HostedUIQuery changes query values of Cognito's redirect to Descope.
	HostedUIQuery url.Values

	UserPool         map[string]any
	IdentityProvider map[string]any
	Function         map[string]any
	// OtherFunctions are the GetFunction answers for other functions, by
	// the name or ARN they are asked for (the chained function's ARN).
	OtherFunctions map[string]map[string]any
	Policy         map[string]any
	// RoleGrants are what IAM's policy simulation allows: by default the
	// function's role may call the link actions on the pool, and nothing else.
	RoleGrants []Grant
	// Errors makes an AWS operation (such as "GetPolicy") fail.
	Errors map[string]AWSError
	// Invoke answers Invoke; by default the function's behaviour for an
	// ignored trigger: the payload back and a "skip" decision log line.
	Invoke func(payload []byte) InvokeAnswer
	// Invocations counts Invoke calls.
	Invocations int
}

// AWSError is an AWS error answer.
type AWSError struct {
	Status  int
	Code    string
	Message string
}

// Grant is one action a role may call on one resource.
type Grant struct {
	Role, Action, Resource string
}

// InvokeAnswer is what the stubbed function returns.
type InvokeAnswer struct {
	Payload       []byte
	FunctionError string
	LogTail       string
}

// SkipLog is the merge function's log for an ignored trigger, as Invoke's
// log tail holds it for a function with LogFormat JSON: Lambda's own records
// are JSON objects too (platform.start, platform.report), not the text
// START/END/REPORT lines.
const SkipLog = `{"time":"2026-11-24T01:00:00.000Z","type":"platform.start","record":{"requestId":"6f1d2c3b-0000-4000-8000-000000000001","version":"$LATEST"}}
{"time":"2026-11-24T01:00:00Z","level":"INFO","msg":"pre sign-up decision","decision":"skip","reason":"other_trigger","trigger_source":"PreSignUp_AdminCreateUser","user_pool_id":"us-east-1_VerifyPl1","provider":"Descope","email":"","candidates":0,"cognito_calls":0,"duration_ms":0}
{"time":"2026-11-24T01:00:00.002Z","type":"platform.report","record":{"requestId":"6f1d2c3b-0000-4000-8000-000000000001","metrics":{"durationMs":1.84,"billedDurationMs":2,"memorySizeMB":128,"maxMemoryUsedMB":20},"status":"success"}}
`

// ChainedSkipLog is the log of a merge function that chains: the chained
// call went well, then the merge function skipped the ignored trigger.
const ChainedSkipLog = `{"time":"2026-11-24T01:00:00.000Z","type":"platform.start","record":{"requestId":"6f1d2c3b-0000-4000-8000-000000000002","version":"$LATEST"}}
{"time":"2026-11-24T01:00:00Z","level":"INFO","msg":"pre sign-up decision","decision":"skip","reason":"other_trigger","trigger_source":"PreSignUp_AdminCreateUser","user_pool_id":"us-east-1_VerifyPl1","provider":"Descope","require_existing_user":false,"email":"","candidates":0,"cognito_calls":0,"throttled_attempts":0,"duration_ms":31,"chained_outcome":"ok","chained_ms":29}
{"time":"2026-11-24T01:00:00.032Z","type":"platform.report","record":{"requestId":"6f1d2c3b-0000-4000-8000-000000000002","metrics":{"durationMs":31.2,"billedDurationMs":32,"memorySizeMB":128,"maxMemoryUsedMB":21},"status":"success"}}
`

// ChainedRefusalLog is the log of a merge function whose chained function
// refused the event: the merge function's own decision never ran.
const ChainedRefusalLog = `{"time":"2026-11-24T01:00:00Z","level":"WARN","msg":"pre sign-up decision","decision":"refuse","reason":"chained_function","trigger_source":"PreSignUp_AdminCreateUser","user_pool_id":"us-east-1_VerifyPl1","provider":"Descope","require_existing_user":false,"email":"","candidates":0,"cognito_calls":0,"throttled_attempts":0,"duration_ms":27,"chained_outcome":"refused","chained_ms":26}
{"time":"2026-11-24T01:00:00.028Z","type":"platform.report","record":{"requestId":"6f1d2c3b-0000-4000-8000-000000000003","metrics":{"durationMs":27.9,"billedDurationMs":28,"memorySizeMB":128,"maxMemoryUsedMB":21},"status":"error"}}
`

// Chain makes the stack one that chains ChainedARN, as
// chainPreSignUpTrigger deploys it: the merge function's environment names
// it, it exists, the role may invoke it, and the function answers with
// ChainedAnswer(response) for the chained function's response.
func (w *World) Chain(response events.CognitoEventUserPoolsPreSignupResponse) {
	cfg := w.Function["Configuration"].(map[string]any)
	cfg["Environment"].(map[string]any)["Variables"].(map[string]any)[passkeys.ChainedPreSignUpVariable] = ChainedARN
	w.OtherFunctions[ChainedARN] = map[string]any{"Configuration": map[string]any{
		"FunctionName": "company-pre-sign-up", "FunctionArn": ChainedARN, "Runtime": "python3.12",
		"Role": "arn:aws:iam::123456789012:role/company-pre-sign-up", "State": "Active",
	}}
	w.RoleGrants = append(w.RoleGrants, Grant{Role: RoleARN, Action: passkeys.ChainAction, Resource: ChainedARN})
	w.Invoke = ChainedAnswer(response)
}

// ChainedAnswer answers as a merge function that chains does when the
// chained function accepts the event with response: the event with that
// response, and a skip decision after a chained call that went well.
func ChainedAnswer(response events.CognitoEventUserPoolsPreSignupResponse) func(payload []byte) InvokeAnswer {
	return func(payload []byte) InvokeAnswer {
		var fields map[string]any
		if err := json.Unmarshal(payload, &fields); err != nil {
			return InvokeAnswer{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"bad event","errorType":"InvalidEventError"}`)}
		}
		fields["response"] = response
		answer, _ := json.Marshal(fields)
		return InvokeAnswer{Payload: answer, LogTail: ChainedSkipLog}
	}
}

// ChainedRefusal answers as a merge function that chains does when the
// chained function refuses the event with message: Lambda's function error
// with that message, as Cognito shows it.
func ChainedRefusal(message string) func(payload []byte) InvokeAnswer {
	return func([]byte) InvokeAnswer {
		body, _ := json.Marshal(map[string]string{"errorMessage": message, "errorType": "ChainedRefusalError"})
		return InvokeAnswer{FunctionError: "Unhandled", Payload: body, LogTail: ChainedRefusalLog}
	}
}

// Lock runs change with the world locked, so servers see a whole change.
func (w *World) Lock(change func(w *World)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	change(w)
}

// New starts a world where every check passes, and stops it when t ends.
func New(t testing.TB) *World {
	t.Helper()
	w := &World{Errors: map[string]AWSError{}, HostedUIQuery: url.Values{}, OtherFunctions: map[string]map[string]any{}}
	w.Descope = httptest.NewServer(http.HandlerFunc(w.serveDescope))
	t.Cleanup(w.Descope.Close)
	w.HostedUI = httptest.NewServer(http.HandlerFunc(w.serveHostedUI))
	t.Cleanup(w.HostedUI.Close)
	w.AWS = httptest.NewServer(http.HandlerFunc(w.serveAWS))
	t.Cleanup(w.AWS.Close)

	w.Discovery = w.fixture(t, "descope-discovery.json")
	w.UserPool = w.fixture(t, "describe-user-pool.json")
	w.IdentityProvider = w.fixture(t, "describe-identity-provider.json")
	w.Function = w.fixture(t, "get-function.json")
	w.Policy = w.fixture(t, "get-policy.json")
	w.DescopeAuthorize = Answer{Status: http.StatusFound, Location: FlowHostingPage + "?state=abc"}
	w.Invoke = func(payload []byte) InvokeAnswer { return InvokeAnswer{Payload: payload, LogTail: SkipLog} }
	w.RoleGrants = LinkGrants(RoleARN, UserPoolARN)
	return w
}

// LinkGrants are the grants of a role that may call the link actions on pool.
func LinkGrants(role, pool string) []Grant {
	grants := make([]Grant, 0, len(passkeys.LinkActions))
	for _, action := range passkeys.LinkActions {
		grants = append(grants, Grant{Role: role, Action: action, Resource: pool})
	}
	return grants
}

// fixture loads a testdata JSON file with the fake Descope's address in it.
func (w *World) fixture(t testing.TB, name string) map[string]any {
	t.Helper()
	raw, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatalf("read fixture %s: %v", name, err)
	}
	text := strings.ReplaceAll(string(raw), "{{descope}}", w.Descope.URL)
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		t.Fatalf("decode fixture %s: %v", name, err)
	}
	return m
}

// IssuerURL is the fake project's issuer.
func (w *World) IssuerURL() string { return w.Descope.URL + "/" + ProjectID }

// RedirectURI is the hosted domain's /oauth2/idpresponse.
func (w *World) RedirectURI() string { return w.HostedUI.URL + "/oauth2/idpresponse" }

// PasskeyLoginURL is the stack output passkeyLoginUrl.
func (w *World) PasskeyLoginURL() string {
	q := url.Values{
		"client_id":         {ClientID},
		"identity_provider": {ProviderName},
		"redirect_uri":      {CallbackURL},
		"response_type":     {"code"},
		"scope":             {"openid email profile"},
	}
	return w.HostedUI.URL + "/oauth2/authorize?" + q.Encode()
}

// Inputs are the values verify would read from Pulumi for this world.
func (w *World) Inputs() verify.Inputs {
	return verify.Inputs{
		UserPoolID:            UserPoolID,
		PasskeyLoginURL:       w.PasskeyLoginURL(),
		DescopeRedirectURI:    w.RedirectURI(),
		MergeFunctionName:     FunctionName,
		MergeFunctionLogGroup: LogGroup,
		DescopeProjectID:      ProjectID,
		DescopeIssuerURL:      w.IssuerURL(),
		ProviderName:          ProviderName,
		DescopeFlowID:         FlowID,
		Region:                Region,
	}
}

// StackOutputs is what `pulumi stack output --json` prints for this world.
func (w *World) StackOutputs() map[string]any {
	return map[string]any{
		"userPoolId":             UserPoolID,
		"userPoolArn":            UserPoolARN,
		"userPoolClientId":       ClientID,
		"hostedUiUrl":            w.HostedUI.URL,
		"cognitoIssuerUrl":       "https://cognito-idp.us-east-1.amazonaws.com/" + UserPoolID,
		"passkeyLoginUrl":        w.PasskeyLoginURL(),
		"descopeRedirectUri":     w.RedirectURI(),
		"mergeFunctionName":      FunctionName,
		"mergeFunctionLogGroup":  LogGroup,
		"mergeFunctionAlarmName": "passkeys-merge-failures-1a2b3c4",
		"userPoolClientSecret":   "[secret]",
	}
}

// StackConfig is what `pulumi config --json` prints for this world (without
// --show-secrets, so the access key is blinded).
func (w *World) StackConfig() map[string]any {
	return map[string]any{
		"aws:region": map[string]any{"value": Region, "secret": false},
		"cognito-descope-passkeys:descopeProjectId": map[string]any{"value": ProjectID, "secret": false},
		"cognito-descope-passkeys:descopeIssuerUrl": map[string]any{"value": w.IssuerURL(), "secret": false},
		"cognito-descope-passkeys:descopeAccessKey": map[string]any{"value": "[secret]", "secret": true},
		"cognito-descope-passkeys:descopeFlowId":    map[string]any{"value": FlowID, "secret": false},
		"cognito-descope-passkeys:callbackUrls":     map[string]any{"value": `["` + CallbackURL + `"]`, "secret": false},
	}
}

// Clients returns AWS clients bound to the stub: fake credentials, a region,
// a loopback endpoint, and no retries, so a failure answer is seen once.
func (w *World) Clients(_ context.Context, region string, timeout time.Duration) (verify.Clients, error) {
	return ClientsAt(w.AWS.URL, w.AWS.URL, w.AWS.URL, region, timeout)
}

// ClientsAt returns AWS clients for loopback endpoints.
func ClientsAt(cognitoEndpoint, lambdaEndpoint, iamEndpoint, region string, timeout time.Duration) (verify.Clients, error) {
	for _, e := range []string{cognitoEndpoint, lambdaEndpoint, iamEndpoint} {
		u, err := url.Parse(e)
		if err != nil || u.Hostname() != "127.0.0.1" {
			return verify.Clients{}, fmt.Errorf("endpoint %q is not on 127.0.0.1", e)
		}
	}
	cfg := aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(FakeAccessKeyID, FakeSecretKey, ""),
		HTTPClient:       &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: nil}},
		RetryMaxAttempts: 1,
	}
	c := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(cognitoEndpoint) })
	l := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(lambdaEndpoint) })
	i := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(iamEndpoint) })
	return verify.Clients{Cognito: c, Lambda: l, IAM: i}, nil
}

func (w *World) serveDescope(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch r.URL.Path {
	case "/" + ProjectID + "/.well-known/openid-configuration":
		if w.DiscoveryAnswer != nil {
			writeAnswer(rw, *w.DiscoveryAnswer)
			return
		}
		writeJSON(rw, http.StatusOK, w.Discovery)
	case "/oauth2/v1/authorize":
		writeAnswer(rw, w.DescopeAuthorize)
	default:
		http.NotFound(rw, r)
	}
}

// serveHostedUI answers /oauth2/authorize as Cognito does with identity_provider:
// a redirect to the provider's authorize_url.
func (w *World) serveHostedUI(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.HostedUIAnswer != nil {
		writeAnswer(rw, *w.HostedUIAnswer)
		return
	}
	if r.URL.Path != "/oauth2/authorize" || r.URL.Query().Get("identity_provider") != ProviderName {
		http.Error(rw, "unexpected request", http.StatusBadRequest)
		return
	}
	details := w.IdentityProvider["IdentityProvider"].(map[string]any)["ProviderDetails"].(map[string]any)
	q := url.Values{
		"client_id":     {details["client_id"].(string)},
		"redirect_uri":  {w.HostedUI.URL + "/oauth2/idpresponse"},
		"response_type": {"code"},
		"scope":         {details["authorize_scopes"].(string)},
		"state":         {"H4sIAAAAAAAAAyXCognitoState"},
	}
	maps.Copy(q, w.HostedUIQuery)
	writeAnswer(rw, Answer{Status: http.StatusFound, Location: details["authorize_url"].(string) + "?" + q.Encode()})
}

func (w *World) serveAWS(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !strings.Contains(r.Header.Get("Authorization"), FakeAccessKeyID) {
		http.Error(rw, "request not signed with the fake credentials", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		w.serveIAM(rw, r)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		op := strings.TrimPrefix(target, "AWSCognitoIdentityProviderService.")
		if e, ok := w.Errors[op]; ok {
			writeJSONError(rw, e, true)
			return
		}
		switch op {
		case "DescribeUserPool":
			writeJSON(rw, http.StatusOK, w.UserPool)
		case "DescribeIdentityProvider":
			writeJSON(rw, http.StatusOK, w.IdentityProvider)
		default:
			writeJSONError(rw, AWSError{Status: 400, Code: "InvalidAction", Message: op + " is not stubbed"}, true)
		}
		return
	}
	prefix := "/2015-03-31/functions/" + FunctionName
	var op string
	switch {
	case r.Method == http.MethodGet && r.URL.Path == prefix:
		op = "GetFunction"
	case r.Method == http.MethodGet && r.URL.Path == prefix+"/policy":
		op = "GetPolicy"
	case r.Method == http.MethodPost && r.URL.Path == prefix+"/invocations":
		op = "Invoke"
	case r.Method == http.MethodGet && w.OtherFunctions[strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/")] != nil:
		writeJSON(rw, http.StatusOK, w.OtherFunctions[strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/")])
		return
	case strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/"):
		writeJSONError(rw, AWSError{Status: 404, Code: "ResourceNotFoundException", Message: "Function not found: " + r.URL.Path}, false)
		return
	default:
		http.NotFound(rw, r)
		return
	}
	if e, ok := w.Errors[op]; ok {
		writeJSONError(rw, e, false)
		return
	}
	switch op {
	case "GetFunction":
		writeJSON(rw, http.StatusOK, w.Function)
	case "GetPolicy":
		writeJSON(rw, http.StatusOK, w.Policy)
	case "Invoke":
		w.Invocations++
		payload, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		answer := w.Invoke(payload)
		rw.Header().Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(answer.LogTail)))
		rw.Header().Set("X-Amz-Executed-Version", "$LATEST")
		if answer.FunctionError != "" {
			rw.Header().Set("X-Amz-Function-Error", answer.FunctionError)
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusOK)
		_, _ = rw.Write(answer.Payload)
	}
}

// serveIAM answers IAM's query protocol: SimulatePrincipalPolicy, evaluated
// against RoleGrants.
func (w *World) serveIAM(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	op := r.PostForm.Get("Action")
	if e, ok := w.Errors[op]; ok {
		writeXMLError(rw, e)
		return
	}
	if op != "SimulatePrincipalPolicy" {
		writeXMLError(rw, AWSError{Status: 400, Code: "InvalidAction", Message: op + " is not stubbed"})
		return
	}
	role := r.PostForm.Get("PolicySourceArn")
	var results strings.Builder
	for i := 1; r.PostForm.Has(fmt.Sprintf("ActionNames.member.%d", i)); i++ {
		action := r.PostForm.Get(fmt.Sprintf("ActionNames.member.%d", i))
		for j := 1; r.PostForm.Has(fmt.Sprintf("ResourceArns.member.%d", j)); j++ {
			resource := r.PostForm.Get(fmt.Sprintf("ResourceArns.member.%d", j))
			decision := "implicitDeny"
			if slices.Contains(w.RoleGrants, Grant{Role: role, Action: action, Resource: resource}) {
				decision = "allowed"
			}
			fmt.Fprintf(&results, "<member><EvalActionName>%s</EvalActionName><EvalResourceName>%s</EvalResourceName><EvalDecision>%s</EvalDecision></member>", xmlText(action), xmlText(resource), decision)
		}
	}
	rw.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(rw, `<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>%s</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>verify-stub</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`, results.String())
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeXMLError answers as IAM (awsQuery: an ErrorResponse document) does.
func writeXMLError(rw http.ResponseWriter, e AWSError) {
	rw.Header().Set("Content-Type", "text/xml")
	rw.WriteHeader(e.Status)
	fmt.Fprintf(rw, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>verify-stub</RequestId></ErrorResponse>`, xmlText(e.Code), xmlText(e.Message))
}

func writeAnswer(rw http.ResponseWriter, a Answer) {
	if a.Location != "" {
		rw.Header().Set("Location", a.Location)
	}
	rw.WriteHeader(a.Status)
	_, _ = io.WriteString(rw, a.Body)
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/x-amz-json-1.1")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

// writeJSONError answers as Cognito (awsJson1.1: __type in the body) or
// Lambda (restJson1: X-Amzn-ErrorType header) does.
func writeJSONError(rw http.ResponseWriter, e AWSError, jsonProtocol bool) {
	if jsonProtocol {
		writeJSON(rw, e.Status, map[string]string{"__type": e.Code, "message": e.Message})
		return
	}
	rw.Header().Set("X-Amzn-ErrorType", e.Code)
	writeJSON(rw, e.Status, map[string]string{"Type": "User", "Message": e.Message})
}

// RunFenced is a package's TestMain: it fences the process off from real
// AWS (lambdaharness.IsolateProcessAWSEnv), with this package's fake
// credentials, which the stubs require requests to be signed with, then
// runs the tests and exits with their status.
func RunFenced(m *testing.M) {
	if err := fenceOffAWS(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func fenceOffAWS() error {
	if err := lambdaharness.IsolateProcessAWSEnv(); err != nil {
		return err
	}
	if err := os.Setenv("AWS_ACCESS_KEY_ID", FakeAccessKeyID); err != nil {
		return err
	}
	return os.Setenv("AWS_SECRET_ACCESS_KEY", FakeSecretKey)
}
