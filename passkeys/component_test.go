package passkeys

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

const (
	testProjectID = "P2abcdefghijklmnopqrstuvwxyz"
	testAccessKey = "K2-test-access-key-value"
	testZipHash   = "q2VjcmV0LWhhc2gtb2YtdGhlLXppcA=="
)

// endpointsFor stands in for DiscoverOIDCEndpoints: endpoints laid out as
// Descope's discovery document lays them out, on the issuer's host.
func endpointsFor(issuer string) OIDCEndpoints {
	u, err := url.Parse(issuer)
	if err != nil {
		panic(err)
	}
	base := "https://" + u.Host
	return OIDCEndpoints{
		Authorize: base + "/oauth2/v1/authorize",
		Token:     base + "/oauth2/v1/token",
		UserInfo:  base + "/oauth2/v1/userinfo",
		JWKS:      base + u.Path + "/.well-known/jwks.json",
	}
}

func validArgs() CognitoPasskeysArgs {
	return CognitoPasskeysArgs{
		DescopeProjectID: testProjectID,
		DescopeEndpoints: endpointsFor("https://api.descope.com/" + testProjectID),
		DescopeAccessKey: pulumi.ToSecret(pulumi.String(testAccessKey)).(pulumi.StringOutput),
		CallbackURLs:     []string{"https://app.example.com/callback", "http://localhost:3000/callback"},
		LogoutURLs:       []string{"https://app.example.com/"},
		MergeFunction:    MergeFunctionCode{ZipPath: "testdata/bootstrap.zip", SourceCodeHash: testZipHash, Environment: map[string]string{"GOMAXPROCS": "1"}},
	}
}

// outputs are the component's resolved outputs, captured inside the run.
type outputs struct {
	mu       sync.Mutex
	values   map[string]string
	secrets  map[string]bool
	resolved sync.WaitGroup
}

func (o *outputs) capture(name string, out pulumi.StringOutput) {
	o.resolved.Add(1)
	out.ApplyT(func(v string) string {
		defer o.resolved.Done()
		secret := pulumi.IsSecret(out)
		o.mu.Lock()
		defer o.mu.Unlock()
		o.values[name] = v
		o.secrets[name] = secret
		return v
	})
}

// wait waits for every captured output. RunErr returns once the resources
// are registered; an output built from a plain value (the hosted domain of
// an adopted pool, say) is not tied to the run and may resolve just after,
// where the engine would still wait for it as a stack output.
func (o *outputs) wait(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() { o.resolved.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the component's outputs did not resolve within 10s")
	}
}

// deploy runs NewCognitoPasskeys under recording mocks.
func deploy(t *testing.T, args CognitoPasskeysArgs) (*pulumitest.Recorder, *outputs, error) {
	t.Helper()
	rec := &pulumitest.Recorder{}
	outs := &outputs{values: map[string]string{}, secrets: map[string]bool{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		c, err := NewCognitoPasskeys(ctx, "passkeys", &args)
		if err != nil {
			return err
		}
		for name, out := range map[string]pulumi.StringOutput{
			"userPoolId":                   c.UserPoolID,
			"userPoolArn":                  c.UserPoolARN,
			"userPoolClientId":             c.UserPoolClientID,
			"userPoolClientSecret":         c.UserPoolClientSecret,
			"hostedUiUrl":                  c.HostedUIURL,
			"cognitoIssuerUrl":             c.CognitoIssuerURL,
			"passkeyLoginUrl":              c.PasskeyLoginURL,
			"descopeRedirectUri":           c.DescopeRedirectURI,
			"descopeFlowHostingUrl":        c.DescopeFlowHostingURL,
			"customDomainTarget":           c.CustomDomainTarget,
			"mergeFunctionName":            c.MergeFunctionName,
			"mergeFunctionLogGroup":        c.MergeFunctionLogGroup,
			"mergeFunctionAlarmName":       c.MergeFunctionAlarmName,
			"mergeFunctionMetricNamespace": c.MergeFunctionMetricNamespace,
		} {
			outs.capture(name, out)
		}
		return nil
	}, pulumi.WithMocks("cognito-descope-passkeys", "dev", rec))
	if err == nil {
		outs.wait(t)
	}
	return rec, outs, err
}

func mustDeploy(t *testing.T, args CognitoPasskeysArgs) (*pulumitest.Recorder, *outputs) {
	t.Helper()
	rec, outs, err := deploy(t, args)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return rec, outs
}

func one(t *testing.T, rec *pulumitest.Recorder, typeToken string) pulumitest.Resource {
	t.Helper()
	r, err := rec.One(typeToken)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// plain strips secret markers so values compare as plain Go values.
func plain(v resource.PropertyValue) any {
	return resource.PropertyMap{"v": v}.MapRepl(nil, func(v resource.PropertyValue) (any, bool) {
		if v.IsSecret() {
			return plain(v.SecretValue().Element), true
		}
		return nil, false
	})["v"]
}

func get(t *testing.T, props resource.PropertyMap, path string) any {
	t.Helper()
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := p.Get(resource.NewObjectProperty(props))
	if !ok {
		t.Fatalf("property %s is not set", path)
	}
	return plain(v)
}

func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s = %s, want %s", what, g, w)
	}
}

const (
	typeUserPool     = "aws:cognito/userPool:UserPool"
	typeProvider     = "aws:cognito/identityProvider:IdentityProvider"
	typeClient       = "aws:cognito/userPoolClient:UserPoolClient"
	typeDomain       = "aws:cognito/userPoolDomain:UserPoolDomain"
	typeRole         = "aws:iam/role:Role"
	typeRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	typeFunction     = "aws:lambda/function:Function"
	typePermission   = "aws:lambda/permission:Permission"
	typeLogGroup     = "aws:cloudwatch/logGroup:LogGroup"
	typeAlarm        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeTopic        = "aws:sns/topic:Topic"
	typeSubscr       = "aws:sns/topicSubscription:TopicSubscription"
	typeMetricFilter = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
)

func TestOutputs(t *testing.T) {
	rec, outs := mustDeploy(t, validArgs())
	client := one(t, rec, typeClient)
	domain := one(t, rec, typeDomain)

	prefix := DefaultDomainPrefix(defaultProjectName, "dev", DefaultComponentName, pulumitest.AccountID)
	assertEqual(t, "domain", get(t, domain.Inputs, "domain"), prefix)
	host := "https://" + prefix + ".auth." + pulumitest.Region + ".amazoncognito.com"
	assertEqual(t, "hostedUiUrl", outs.values["hostedUiUrl"], host)
	assertEqual(t, "descopeRedirectUri", outs.values["descopeRedirectUri"], host+"/oauth2/idpresponse")
	assertEqual(t, "descopeFlowHostingUrl", outs.values["descopeFlowHostingUrl"], "https://auth.descope.io/"+validArgs().DescopeProjectID+"?flow=sign-up-or-in")
	assertEqual(t, "cognitoIssuerUrl", outs.values["cognitoIssuerUrl"],
		"https://cognito-idp."+pulumitest.Region+".amazonaws.com/passkeys-user-pool_id")
	assertEqual(t, "userPoolClientId", outs.values["userPoolClientId"], client.Name+"_id")
	assertEqual(t, "userPoolId", outs.values["userPoolId"], "passkeys-user-pool_id")
	assertEqual(t, "userPoolArn", outs.values["userPoolArn"], get(t, one(t, rec, typeUserPool).Outputs, "arn"))

	login, err := url.Parse(outs.values["passkeyLoginUrl"])
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "login endpoint", login.Scheme+"://"+login.Host+login.Path, host+"/oauth2/authorize")
	assertEqual(t, "login query", login.Query(), url.Values{
		"client_id":         {client.Name + "_id"},
		"identity_provider": {"Descope"},
		"redirect_uri":      {"https://app.example.com/callback"},
		"response_type":     {"code"},
		"scope":             {"openid email profile"},
	})
}

func TestChildrenAreParentedAndNamedAfterTheComponent(t *testing.T) {
	rec, _ := mustDeploy(t, validArgs())
	var componentURN string
	for _, r := range rec.All() {
		if r.Type == ComponentType {
			componentURN = r.Name
		}
	}
	if componentURN != "passkeys" {
		t.Fatalf("component registered as %q, want passkeys", componentURN)
	}
	children := 0
	for _, r := range rec.All() {
		if r.Type == ComponentType {
			continue
		}
		children++
		if !strings.HasPrefix(r.Name, "passkeys-") {
			t.Errorf("%s is named %q; children are named after the component", r.Type, r.Name)
		}
		if !strings.Contains(r.Parent, ComponentType+"::passkeys") {
			t.Errorf("%s %s has parent %q, want the component", r.Type, r.Name, r.Parent)
		}
	}
	if children < 10 {
		t.Errorf("only %d children registered", children)
	}
}

func TestInvalidArgsAreRefusedBeforeAnyResource(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*CognitoPasskeysArgs)
		want   string
	}{
		{"no project", func(a *CognitoPasskeysArgs) { a.DescopeProjectID = "" }, "DescopeProjectID"},
		{"no access key", func(a *CognitoPasskeysArgs) { a.DescopeAccessKey = nil }, "DescopeAccessKey"},
		{"no endpoints", func(a *CognitoPasskeysArgs) { a.DescopeEndpoints = OIDCEndpoints{} }, "DescopeEndpoints"},
		{"http endpoint", func(a *CognitoPasskeysArgs) { a.DescopeEndpoints.Token = "http://api.descope.com/oauth2/v1/token" }, "token_endpoint"},
		{"http issuer", func(a *CognitoPasskeysArgs) { a.DescopeIssuerURL = "http://auth.example.com/P1" }, "DescopeIssuerURL"},
		{"no callback", func(a *CognitoPasskeysArgs) { a.CallbackURLs = nil }, "CallbackURLs"},
		{"plain http callback", func(a *CognitoPasskeysArgs) { a.CallbackURLs = []string{"http://app.example.com/cb"} }, "CallbackURLs"},
		{"bad logout", func(a *CognitoPasskeysArgs) { a.LogoutURLs = []string{"ftp://x"} }, "LogoutURLs"},
		{"provider with underscore", func(a *CognitoPasskeysArgs) { a.ProviderName = "My_Descope" }, "ProviderName"},
		{"reserved prefix", func(a *CognitoPasskeysArgs) { a.DomainPrefix = "my-cognito-login" }, "DomainPrefix"},
		{"domain without certificate", func(a *CognitoPasskeysArgs) { a.CustomDomain = "auth.example.com" }, "CustomDomainCertificateARN"},
		{"certificate outside us-east-1", func(a *CognitoPasskeysArgs) {
			a.CustomDomain = "auth.example.com"
			a.CustomDomainCertificateARN = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
		}, "us-east-1"},
		{"no function", func(a *CognitoPasskeysArgs) { a.MergeFunction = MergeFunctionCode{} }, "MergeFunction"},
		{"bad retention", func(a *CognitoPasskeysArgs) { a.LogRetentionDays = 10 }, "LogRetentionDays"},
		{"bad topic", func(a *CognitoPasskeysArgs) { a.AlarmTopicARN = "ops" }, "AlarmTopicARN"},
		{"bad alarm email", func(a *CognitoPasskeysArgs) { a.AlarmEmail = "Ops <ops@example.com>" }, "AlarmEmail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validArgs()
			tt.mutate(&args)
			rec, _, err := deploy(t, args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one naming %s", err, tt.want)
			}
			for _, r := range rec.All() {
				if r.Type != "pulumi:pulumi:Stack" {
					t.Errorf("%s %s was declared despite invalid arguments", r.Type, r.Name)
				}
			}
		})
	}
}
