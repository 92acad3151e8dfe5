package lambdaharness

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Fake identity every AWS client in the harness uses. They are not secrets and
// sign nothing real: every endpoint is on loopback.
const (
	FakeAccessKeyID     = "AKIAHARNESSFAKEKEY00"
	FakeSecretAccessKey = "harness-fake-secret-access-key"
	Region              = "us-east-1"
)

// deadEndpoint is a loopback address nothing listens on: a client that
// escapes the endpoint it was given fails here instead of reaching AWS.
const deadEndpoint = "http://127.0.0.1:9"

// awsEnv is the AWS part of a child's environment: fake credentials, a
// region, no instance metadata, no shared config files, and every endpoint on
// loopback (the Cognito one at cognitoEndpoint, any other at a dead port).
func awsEnv(cognitoEndpoint string) ([]string, error) {
	if err := requireLoopback(cognitoEndpoint); err != nil {
		return nil, err
	}
	return []string{
		"AWS_ACCESS_KEY_ID=" + FakeAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + FakeSecretAccessKey,
		"AWS_REGION=" + Region,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_ENDPOINT_URL=" + deadEndpoint,
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + cognitoEndpoint,
	}, nil
}

// IsolateProcessAWSEnv points the current process's own AWS settings at fake
// credentials and a dead loopback endpoint. The harness builds its clients
// from explicit values, so this is a second fence: anything that falls back
// to the environment still cannot reach AWS. Call it from TestMain or main.
func IsolateProcessAWSEnv() error {
	for _, name := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		if err := os.Unsetenv(name); err != nil {
			return err
		}
	}
	env, err := awsEnv(deadEndpoint)
	if err != nil {
		return err
	}
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		if err := os.Setenv(name, value); err != nil {
			return err
		}
	}
	return nil
}

// requireLoopback refuses any endpoint whose host is not a loopback IP.
func requireLoopback(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	ip := net.ParseIP(u.Hostname())
	if u.Scheme != "http" || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("endpoint %q must be http:// on a loopback IP so nothing reaches real AWS", endpoint)
	}
	return nil
}
