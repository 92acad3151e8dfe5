package awsconfig_test

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
)

// describePool answers DescribeUserPool as Cognito does.
func describePool(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = w.Write([]byte(`{"UserPool":{"Id":"us-east-1_Load1"}}`))
}

// fakeAWS points the SDK's whole default chain at endpoint with fixed fake
// credentials, and nothing else: no profile, no files, no metadata service.
func fakeAWS(t *testing.T, endpoint string) {
	t.Helper()
	for _, name := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CA_BUNDLE", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(name, "")
		if err := os.Unsetenv(name); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAAWSCONFIGFAKE000")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "awsconfig-fake-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
}

// bundleOf writes server's certificate as a PEM bundle file.
func bundleOf(t *testing.T, server *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bundle.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
	if err := os.WriteFile(path, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func describe(ctx context.Context, cfg aws.Config) error {
	_, err := cip.NewFromConfig(cfg).DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Load1")})
	return err
}

// Load works the same with and without AWS_CA_BUNDLE: it never fails to load,
// never hands a wrapper a nil client, and the request goes through the
// wrapper. With the bundle, it is what TLS trusts.
func TestLoadWithAndWithoutCABundle(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(describePool))
	defer plain.Close()
	tlsServer := httptest.NewTLSServer(http.HandlerFunc(describePool))
	defer tlsServer.Close()

	tests := []struct {
		name     string
		endpoint string
		bundle   string
		wantErr  string
	}{
		{name: "no bundle, plain HTTP", endpoint: plain.URL},
		{name: "bundle set, plain HTTP", endpoint: plain.URL, bundle: bundleOf(t, tlsServer)},
		{name: "bundle trusts the server", endpoint: tlsServer.URL, bundle: bundleOf(t, tlsServer)},
		// The test server's certificate is in no system store: the bundle is
		// what TLS trusts.
		{name: "no bundle, TLS server", endpoint: tlsServer.URL, wantErr: "x509"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fakeAWS(t, tc.endpoint)
			if tc.bundle != "" {
				t.Setenv("AWS_CA_BUNDLE", tc.bundle)
			}
			var wrapped, calls int
			cfg, err := awsconfig.Load(t.Context(), awsconfig.Options{
				Region:  "us-east-1",
				Timeout: 10 * time.Second,
				WrapHTTPClient: func(inner aws.HTTPClient) aws.HTTPClient {
					wrapped++
					if inner == nil {
						t.Fatal("WrapHTTPClient was given a nil client")
					}
					return countingClient{inner: inner, calls: &calls}
				},
			})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if wrapped != 1 {
				t.Fatalf("WrapHTTPClient called %d times, want 1", wrapped)
			}
			err = describe(t.Context(), cfg)
			if calls == 0 {
				t.Error("the request did not go through the wrapped client")
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("DescribeUserPool: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("DescribeUserPool error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

type countingClient struct {
	inner aws.HTTPClient
	calls *int
}

func (c countingClient) Do(r *http.Request) (*http.Response, error) {
	*c.calls++
	return c.inner.Do(r)
}

// Without a wrapper the loaded client is used as it is, and has a timeout.
func TestLoadTimeoutBoundsEachAttempt(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hang.Close()
	defer close(release)
	fakeAWS(t, hang.URL)
	cfg, err := awsconfig.Load(t.Context(), awsconfig.Options{Region: "us-east-1", Timeout: 100 * time.Millisecond, Retryer: func() aws.Retryer { return aws.NopRetryer{} }})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPClient == nil {
		t.Fatal("HTTPClient is nil")
	}
	err = describe(t.Context(), cfg)
	var timeout interface{ Timeout() bool }
	if !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Fatalf("DescribeUserPool error = %v (%T), want a timeout", err, err)
	}
}

func TestLoadRegion(t *testing.T) {
	tests := []struct {
		name, envRegion, region, hint string
		require                       bool
		want, wantErr                 string
	}{
		{name: "from the environment", envRegion: "eu-west-1", want: "eu-west-1"},
		{name: "explicit wins", envRegion: "eu-west-1", region: "us-east-2", want: "us-east-2"},
		{name: "none, not required", want: ""},
		{name: "none, required", require: true, wantErr: "no AWS region configured: set AWS_REGION"},
		{name: "none, required, with hint", require: true, hint: "set AWS_REGION to the pool's region", wantErr: "the pool's region"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fakeAWS(t, "http://127.0.0.1:9")
			if tc.envRegion != "" {
				t.Setenv("AWS_REGION", tc.envRegion)
			}
			cfg, err := awsconfig.Load(t.Context(), awsconfig.Options{Region: tc.region, RequireRegion: tc.require, RegionHint: tc.hint})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Load error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != tc.want {
				t.Errorf("region = %q, want %q", cfg.Region, tc.want)
			}
		})
	}
}

// A profile that does not exist is an error naming it.
func TestLoadUnknownProfile(t *testing.T) {
	fakeAWS(t, "http://127.0.0.1:9")
	_, err := awsconfig.Load(t.Context(), awsconfig.Options{Region: "us-east-1", Profile: "no-such-profile"})
	if err == nil || !strings.Contains(err.Error(), `profile "no-such-profile"`) {
		t.Fatalf("Load error = %v, want one naming the profile", err)
	}
}
