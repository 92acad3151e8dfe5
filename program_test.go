package main

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

const project = "cognito-descope-passkeys"

// validConfig is a complete dev-like configuration; tests change one key at a time.
func validConfig() map[string]any {
	return map[string]any{
		"descopeProjectId": "P2abcdefghijklmnopqrstuvwxyz",
		"descopeAccessKey": "K2-secret-access-key",
		"callbackUrls":     []string{"http://localhost:3000/callback"},
	}
}

// discoveredEndpoints stands in for the issuer's discovery document.
func discoveredEndpoints(_ context.Context, issuer string) (passkeys.OIDCEndpoints, error) {
	return passkeys.OIDCEndpoints{
		Authorize: issuer + "/authorize", Token: issuer + "/token",
		UserInfo: issuer + "/userinfo", JWKS: issuer + "/jwks.json",
	}, nil
}

func runProgram(t *testing.T, cfg map[string]any, secretKeys ...string) (*pulumitest.Recorder, error) {
	t.Helper()
	rec := &pulumitest.Recorder{}
	p := program{build: buildMergeFunction, discover: discoveredEndpoints}
	err := pulumi.RunErr(p.run,
		pulumi.WithMocks(project, "dev", rec),
		pulumitest.WithConfig(project, cfg, secretKeys...))
	return rec, err
}

func TestRunDeclaresTheStackFromConfig(t *testing.T) {
	rec, err := runProgram(t, validConfig(), "descopeAccessKey")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	components := rec.Resources(passkeys.ComponentType)
	if len(components) != 1 {
		t.Fatalf("components = %d, want 1", len(components))
	}
	idp, err := rec.One("aws:cognito/identityProvider:IdentityProvider")
	if err != nil {
		t.Fatal(err)
	}
	secret := idp.Inputs["providerDetails"].ObjectValue()["client_secret"]
	if !secret.IsSecret() || secret.SecretValue().Element.StringValue() != "K2-secret-access-key" {
		t.Errorf("client_secret = %v, want the configured key as a secret", secret)
	}

	// The program built the real function: the archive it deploys exists and
	// holds an executable bootstrap.
	fn, err := rec.One("aws:lambda/function:Function")
	if err != nil {
		t.Fatal(err)
	}
	zipPath := fn.Inputs["code"].ArchiveValue().Path
	archive, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatalf("open the deployed archive %s: %v", zipPath, err)
	}
	defer archive.Close()
	if len(archive.File) != 1 || archive.File[0].Name != "bootstrap" || archive.File[0].Mode().Perm()&0o111 == 0 {
		t.Errorf("archive entries = %v, want one executable bootstrap", archive.File)
	}
	if _, err := os.Stat(zipPath); err != nil {
		t.Error(err)
	}

	// It runs with the environment the build asks for: the one the
	// benchmarks measured.
	artifact, err := buildMergeFunction()
	if err != nil {
		t.Fatal(err)
	}
	if len(artifact.Environment) == 0 {
		t.Fatal("the build asks for no runtime environment; GOMAXPROCS=1 is expected")
	}
	deployed := fn.Inputs["environment"].ObjectValue()["variables"].ObjectValue()
	for k, v := range artifact.Environment {
		if got := deployed[resource.PropertyKey(k)]; !got.IsString() || got.StringValue() != v {
			t.Errorf("function environment %s = %v, want %q from the build", k, got, v)
		}
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name    string
		change  func(map[string]any)
		plain   bool // store descopeAccessKey in plain text
		wantKey string
		wantFix string
	}{
		{"missing project ID", func(c map[string]any) { delete(c, "descopeProjectId") }, false, "descopeProjectId", "pulumi config set descopeProjectId"},
		{"malformed project ID", func(c map[string]any) { c["descopeProjectId"] = "my-project" }, false, "descopeProjectId", "starts with P"},
		{"missing access key", func(c map[string]any) { delete(c, "descopeAccessKey") }, false, "descopeAccessKey", "pulumi config set --secret descopeAccessKey"},
		{"access key in plain text", func(map[string]any) {}, true, "descopeAccessKey", "--secret"},
		{"issuer over http", func(c map[string]any) { c["descopeIssuerUrl"] = "http://auth.example.com/P2abc" }, false, "descopeIssuerUrl", "https://"},
		{"missing callback URLs", func(c map[string]any) { delete(c, "callbackUrls") }, false, "callbackUrls", "pulumi config set --path"},
		{"callback URLs not a list", func(c map[string]any) { c["callbackUrls"] = "https://app.example.com/cb" }, false, "callbackUrls", "not a list"},
		{"empty callback list", func(c map[string]any) { c["callbackUrls"] = []string{} }, false, "callbackUrls", "at least one"},
		{"http callback", func(c map[string]any) { c["callbackUrls"] = []string{"http://app.example.com/cb"} }, false, "callbackUrls", "http://localhost"},
		{"bad logout URL", func(c map[string]any) { c["logoutUrls"] = []string{"javascript:alert(1)"} }, false, "logoutUrls", "https://"},
		{"flow ID that is no flow ID", func(c map[string]any) { c["descopeFlowId"] = "sign in" }, false, "descopeFlowId", "letters, digits, - and _"},
		{"provider with underscore", func(c map[string]any) { c["providerName"] = "Descope_Prod" }, false, "providerName", "letters, digits"},
		{"reserved domain prefix", func(c map[string]any) { c["domainPrefix"] = "aws-login" }, false, "domainPrefix", "does not allow"},
		{"custom domain without certificate", func(c map[string]any) { c["customDomain"] = "auth.example.com" }, false, "customDomainCertificateArn", "us-east-1"},
		{"certificate without domain", func(c map[string]any) {
			c["customDomainCertificateArn"] = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
		}, false, "customDomain", "is required with customDomainCertificateArn"},
		{"not a boolean", func(c map[string]any) { c["descopeOnly"] = "yes please" }, false, "descopeOnly", "--type bool"},
		{"not a number", func(c map[string]any) { c["logRetentionDays"] = "a month" }, false, "logRetentionDays", "--type int"},
		{"retention CloudWatch refuses", func(c map[string]any) { c["logRetentionDays"] = 10 }, false, "logRetentionDays", "one of"},
		{"bad alarm email", func(c map[string]any) { c["alarmEmail"] = "ops at example" }, false, "alarmEmail", "email address"},
		{"bad alarm topic", func(c map[string]any) { c["alarmTopicArn"] = "arn:aws:sqs:us-east-1:123456789012:q" }, false, "alarmTopicArn", "SNS topic ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.change(cfg)
			var secretKeys []string
			if !tt.plain {
				secretKeys = []string{"descopeAccessKey"}
			}
			rec, err := runProgram(t, cfg, secretKeys...)
			if err == nil {
				t.Fatal("run accepted the configuration")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantKey+":") || !strings.Contains(msg, tt.wantFix) {
				t.Errorf("error = %q\nwant it to name %s and say %q", msg, tt.wantKey, tt.wantFix)
			}
			if strings.Contains(msg, "K2-secret-access-key") {
				t.Errorf("error message reveals the access key: %q", msg)
			}
			if n := len(rec.Resources(passkeys.ComponentType)); n != 0 {
				t.Errorf("%d components declared despite bad configuration", n)
			}
		})
	}
}

func TestRunReportsEveryConfigProblemAtOnce(t *testing.T) {
	_, err := runProgram(t, map[string]any{"providerName": "a b"})
	if err == nil {
		t.Fatal("run accepted an empty configuration")
	}
	for _, key := range []string{"descopeProjectId:", "descopeAccessKey:", "callbackUrls:", "providerName:"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not mention %s:\n%v", key, err)
		}
	}
}

func TestTeardownNeedsTheStacksOwnName(t *testing.T) {
	tests := []struct {
		value        string
		wantTeardown bool
	}{
		{"", false},
		{"prod", false},
		{"dev", true},
	}
	for _, tt := range tests {
		t.Run("PASSKEYS_TEARDOWN_STACK="+tt.value, func(t *testing.T) {
			t.Setenv(TeardownVariable, tt.value)
			rec, err := runProgram(t, validConfig(), "descopeAccessKey")
			if err != nil {
				t.Fatal(err)
			}
			guard, err := rec.One(passkeys.DestroyGuardType)
			if err != nil {
				t.Fatal(err)
			}
			if guard.Protect == tt.wantTeardown {
				t.Errorf("destroy guard protect = %v on stack dev, want %v", guard.Protect, !tt.wantTeardown)
			}
		})
	}
}

// The endpoints come from the configured issuer's own document, and a failed
// discovery stops the run before anything is declared, naming the key.
func TestEndpointsAreDiscoveredFromTheConfiguredIssuer(t *testing.T) {
	cfg := validConfig()
	cfg["descopeIssuerUrl"] = "https://auth.example.com/P2abcdefghijklmnopqrstuvwxyz"
	rec, err := runProgram(t, cfg, "descopeAccessKey")
	if err != nil {
		t.Fatal(err)
	}
	idp, err := rec.One("aws:cognito/identityProvider:IdentityProvider")
	if err != nil {
		t.Fatal(err)
	}
	details := idp.Inputs["providerDetails"].ObjectValue()
	if got := details["token_url"].StringValue(); got != "https://auth.example.com/P2abcdefghijklmnopqrstuvwxyz/token" {
		t.Errorf("token_url = %q, want the configured issuer's", got)
	}

	failing := program{build: buildMergeFunction, discover: func(context.Context, string) (passkeys.OIDCEndpoints, error) {
		return passkeys.OIDCEndpoints{}, errors.New("GET answered 404 Not Found")
	}}
	rec = &pulumitest.Recorder{}
	err = pulumi.RunErr(failing.run, pulumi.WithMocks(project, "dev", rec), pulumitest.WithConfig(project, validConfig(), "descopeAccessKey"))
	if err == nil || !strings.Contains(err.Error(), "descopeIssuerUrl: ") {
		t.Errorf("err = %v, want one naming descopeIssuerUrl", err)
	}
	if n := len(rec.Resources(passkeys.ComponentType)); n != 0 {
		t.Errorf("%d components declared after a failed discovery", n)
	}
}
