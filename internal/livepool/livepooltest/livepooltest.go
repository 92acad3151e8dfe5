// Package livepooltest serves Cognito to tests on loopback only: recorded
// JSON answers (internal/livepool/testdata) or moto_server, with the AWS
// environment isolated so that no test reaches AWS.
package livepooltest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/motoserver"
)

// Cognito is a Cognito client for the isolated environment (IsolateAWS),
// built as the program builds its own: with awsconfig.Load.
func Cognito(ctx context.Context, t *testing.T) *cognitoidentityprovider.Client {
	t.Helper()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return cognitoidentityprovider.NewFromConfig(cfg)
}

// IsolateAWS gives the test fixed fake credentials and a region, no instance
// metadata and no shared files, and points Cognito at endpoint (loopback).
func IsolateAWS(t *testing.T, endpoint string) {
	t.Helper()
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %s is not on loopback", endpoint)
	}
	for name, value := range map[string]string{ //nolint:gosec // fake credentials for a loopback emulator; they sign nothing real
		"AWS_ACCESS_KEY_ID":                          "AKIALIVEPOOLFAKE0000",
		"AWS_SECRET_ACCESS_KEY":                      "livepool-fake-secret",
		"AWS_SESSION_TOKEN":                          "",
		"AWS_PROFILE":                                "",
		"AWS_REGION":                                 "us-east-1",
		"AWS_EC2_METADATA_DISABLED":                  "true",
		"AWS_CONFIG_FILE":                            os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE":                os.DevNull,
		"AWS_ENDPOINT_URL":                           "http://127.0.0.1:9",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": endpoint,
	} {
		t.Setenv(name, value)
	}
}

// ServeRecorded answers each Cognito call with dir/<Operation>.<key>.json,
// where the key is the request's ClientId, ProviderName, Domain or else
// UserPoolId (see internal/livepool/testdata/README.md), and isolates the
// test's AWS environment with the server as Cognito's endpoint.
func ServeRecorded(t *testing.T, dir string) string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		operation := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var request map[string]any
		if err := json.Unmarshal(body, &request); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key := ""
		for _, field := range []string{"ClientId", "ProviderName", "Domain", "UserPoolId"} {
			if v, ok := request[field].(string); ok {
				key = v
				break
			}
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		name := operation + "." + key + ".json"
		answer, err := os.ReadFile(filepath.Join(dir, filepath.Base(name))) //nolint:gosec // G304: one path element (filepath.Base) under the test's own recordings directory
		if err != nil || filepath.Base(name) != name {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"no recording"}`))
			return
		}
		_, _ = w.Write(answer) //nolint:gosec // recorded JSON from testdata/, answered to the test's own client
	}))
	t.Cleanup(server.Close)
	IsolateAWS(t, server.URL)
	return server.URL
}

// StartMoto runs moto_server for the test (skipped without it) and points
// the AWS environment at it.
func StartMoto(t *testing.T) string {
	t.Helper()
	endpoint := motoserver.Start(t)
	IsolateAWS(t, endpoint)
	return endpoint
}
