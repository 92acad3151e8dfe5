package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Time budget. Cognito waits at most 5 seconds for a trigger and then fails
// (and may retry) the sign-up, so the whole invocation must finish well inside
// that, whatever the Lambda timeout is.
const (
	cognitoBudget = 5 * time.Second
	// safetyMargin is left for Lambda's own overhead and the response trip.
	safetyMargin = 500 * time.Millisecond
	// attemptTimeout bounds one HTTP attempt, so a hung connection leaves
	// time for a retry.
	attemptTimeout = 1500 * time.Millisecond
	// minCallBudget: with less than this left, no new attempt is started.
	minCallBudget = 100 * time.Millisecond
)

// Environment the client is built from. Lambda sets the region and the
// execution role's credentials; the endpoint variables are the SDK's
// standard ones, which the tests use to point the function at a stand-in.
const (
	envRegion          = "AWS_REGION"
	envAccessKeyID     = "AWS_ACCESS_KEY_ID"
	envSecretAccessKey = "AWS_SECRET_ACCESS_KEY" //nolint:gosec // a variable's name, not a credential
	envSessionToken    = "AWS_SESSION_TOKEN"     //nolint:gosec // a variable's name, not a credential
	envEndpointCognito = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"
	envEndpoint        = "AWS_ENDPOINT_URL"
	envIgnoreEndpoints = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
)

// newCognitoClient builds the one client the function uses from what Lambda
// provides: the region and the execution role's credentials in the
// environment. It does not use config.LoadDefaultConfig: its credential chain
// (shared files, SSO, STS web identity, IMDS) is never needed in Lambda and
// its packages cost about a third of the process's start-up (see
// GODEBUG=inittrace=1). The SDK's own environment provider also reads these
// variables once, so nothing is lost: Lambda's credentials last as long as
// the execution environment. lookup is os.LookupEnv in production.
//
// The client makes one attempt per call; retryingCognito adds the retries.
func newCognitoClient(lookup func(string) (string, bool)) (*retryingCognito, error) {
	env, err := readLambdaEnvironment(lookup)
	if err != nil {
		return nil, err
	}
	opts := cip.Options{
		Region:      env.region,
		Credentials: env.credentials,
		HTTPClient:  newHTTPClient(),
		Retryer:     aws.NopRetryer{},
	}
	if endpoint := configuredEndpoint(env.get, envEndpointCognito); endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	return &retryingCognito{api: cip.New(opts), policy: newRetryPolicy()}, nil
}

// lambdaEnvironment is what every client of the function is built from.
type lambdaEnvironment struct {
	get         func(string) string
	region      string
	credentials aws.CredentialsProvider
}

// readLambdaEnvironment reads the region and the execution role's
// credentials, naming what is missing.
func readLambdaEnvironment(lookup func(string) (string, bool)) (lambdaEnvironment, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	region := get(envRegion)
	if region == "" {
		return lambdaEnvironment{}, errors.New("no AWS region: set " + envRegion + " (Lambda sets it; export it for a local run)")
	}
	creds := aws.Credentials{
		AccessKeyID:     get(envAccessKeyID),
		SecretAccessKey: get(envSecretAccessKey),
		SessionToken:    get(envSessionToken),
		Source:          "EnvironmentVariables",
	}
	var missing []string
	if creds.AccessKeyID == "" {
		missing = append(missing, envAccessKeyID)
	}
	if creds.SecretAccessKey == "" {
		missing = append(missing, envSecretAccessKey)
	}
	if len(missing) > 0 {
		return lambdaEnvironment{}, errors.New("no AWS credentials: set " + strings.Join(missing, " and ") +
			" (Lambda sets them from the execution role; export them for a local run)")
	}
	return lambdaEnvironment{
		get:         get,
		region:      region,
		credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
	}, nil
}

// configuredEndpoint applies the SDK's service-specific endpoint rule: the
// service's own variable first, then the global one, neither when endpoint
// variables are switched off.
func configuredEndpoint(get func(string) string, serviceVariable string) string {
	if strings.EqualFold(get(envIgnoreEndpoints), "true") {
		return ""
	}
	if v := get(serviceVariable); v != "" {
		return v
	}
	return get(envEndpoint)
}

func newHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithTimeout(attemptTimeout).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 500 * time.Millisecond }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = 500 * time.Millisecond
			t.ResponseHeaderTimeout = attemptTimeout
		})
}

// invocationDeadline is when this invocation must be done: the sooner of
// Cognito's budget and the Lambda deadline, each less the safety margin.
func invocationDeadline(ctx context.Context, now time.Time) time.Time {
	deadline := now.Add(cognitoBudget - safetyMargin)
	if d, ok := ctx.Deadline(); ok {
		if d = d.Add(-safetyMargin); d.Before(deadline) {
			deadline = d
		}
	}
	return deadline
}
