package passkeys

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

const (
	testProjectID = "P2abcdefghijklmnopqrstuvwxyz"
	testAccessKey = "K2-test-access-key-value"
	testZipHash   = "q2VjcmV0LWhhc2gtb2YtdGhlLXppcA=="
)

func validArgs() CognitoPasskeysArgs {
	return CognitoPasskeysArgs{
		DescopeProjectID: testProjectID,
		DescopeAccessKey: pulumi.ToSecret(pulumi.String(testAccessKey)).(pulumi.StringOutput),
		CallbackURLs:     []string{"https://app.example.com/callback", "http://localhost:3000/callback"},
		LogoutURLs:       []string{"https://app.example.com/"},
		MergeFunction:    MergeFunctionCode{ZipPath: "testdata/bootstrap.zip", SourceCodeHash: testZipHash},
	}
}

// outputs are the component's resolved outputs, captured inside the run.
type outputs struct {
	mu      sync.Mutex
	values  map[string]string
	secrets map[string]bool
}

func (o *outputs) capture(name string, out pulumi.StringOutput) {
	secret := pulumi.IsSecret(out)
	out.ApplyT(func(v string) string {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.values[name] = v
		o.secrets[name] = secret
		return v
	})
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
			"userPoolId":             c.UserPoolID,
			"userPoolArn":            c.UserPoolARN,
			"userPoolClientId":       c.UserPoolClientID,
			"userPoolClientSecret":   c.UserPoolClientSecret,
			"hostedUiUrl":            c.HostedUIURL,
			"cognitoIssuerUrl":       c.CognitoIssuerURL,
			"passkeyLoginUrl":        c.PasskeyLoginURL,
			"descopeRedirectUri":     c.DescopeRedirectURI,
			"customDomainTarget":     c.CustomDomainTarget,
			"mergeFunctionName":      c.MergeFunctionName,
			"mergeFunctionLogGroup":  c.MergeFunctionLogGroup,
			"mergeFunctionAlarmName": c.MergeFunctionAlarmName,
		} {
			outs.capture(name, out)
		}
		return nil
	}, pulumi.WithMocks("cognito-descope-passkeys", "dev", rec))
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
	typeUserPool   = "aws:cognito/userPool:UserPool"
	typeProvider   = "aws:cognito/identityProvider:IdentityProvider"
	typeClient     = "aws:cognito/userPoolClient:UserPoolClient"
	typeDomain     = "aws:cognito/userPoolDomain:UserPoolDomain"
	typeRole       = "aws:iam/role:Role"
	typeRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	typeFunction   = "aws:lambda/function:Function"
	typePermission = "aws:lambda/permission:Permission"
	typeLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
	typeAlarm      = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeTopic      = "aws:sns/topic:Topic"
	typeSubscr     = "aws:sns/topicSubscription:TopicSubscription"
)

func TestUserPoolSignsInByVerifiedEmailAndCannotBeLost(t *testing.T) {
	rec, _ := mustDeploy(t, validArgs())
	pool := one(t, rec, typeUserPool)
	fn := one(t, rec, typeFunction)

	assertEqual(t, "usernameAttributes", get(t, pool.Inputs, "usernameAttributes"), []string{"email"})
	assertEqual(t, "usernameConfiguration.caseSensitive", get(t, pool.Inputs, "usernameConfiguration.caseSensitive"), false)
	assertEqual(t, "autoVerifiedAttributes", get(t, pool.Inputs, "autoVerifiedAttributes"), []string{"email"})
	assertEqual(t, "accountRecoverySetting", get(t, pool.Inputs, "accountRecoverySetting.recoveryMechanisms"),
		[]map[string]any{{"name": "verified_email", "priority": 1}})
	assertEqual(t, "passwordPolicy.minimumLength", get(t, pool.Inputs, "passwordPolicy.minimumLength"), 12)
	assertEqual(t, "deletionProtection", get(t, pool.Inputs, "deletionProtection"), "ACTIVE")
	if !pool.Protect || !pool.RetainOnDelete {
		t.Errorf("user pool protect=%v retainOnDelete=%v, want both true", pool.Protect, pool.RetainOnDelete)
	}
	for _, r := range rec.All() {
		if r.Type != typeUserPool && r.Protect {
			t.Errorf("%s %s is protected; only the user pool should be, so `pulumi destroy` can remove the rest", r.Type, r.Name)
		}
	}

	schemas := get(t, pool.Inputs, "schemas").([]any)
	byName := map[string]map[string]any{}
	for _, s := range schemas {
		m := s.(map[string]any)
		byName[m["name"].(string)] = m
	}
	if email := byName["email"]; email == nil || email["required"] != true || email["mutable"] != true {
		t.Errorf("schema email = %v, want required and mutable", email)
	}
	if sub := byName["descope_sub"]; sub == nil || sub["mutable"] != true || sub["attributeDataType"] != "String" {
		t.Errorf("schema descope_sub = %v, want a mutable String attribute", sub)
	}

	fnARN := get(t, fn.Outputs, "arn")
	assertEqual(t, "lambdaConfig.preSignUp", get(t, pool.Inputs, "lambdaConfig.preSignUp"), fnARN)
}

func TestDescopeProviderKeepsItsSecretAndMapsTheSubject(t *testing.T) {
	args := validArgs()
	// A caller that forgets to mark the key secret still gets it encrypted.
	args.DescopeAccessKey = pulumi.String(testAccessKey)
	rec, _ := mustDeploy(t, args)
	idp := one(t, rec, typeProvider)

	assertEqual(t, "providerName", get(t, idp.Inputs, "providerName"), "Descope")
	assertEqual(t, "providerType", get(t, idp.Inputs, "providerType"), "OIDC")
	assertEqual(t, "providerDetails", get(t, idp.Inputs, "providerDetails"), map[string]string{
		"client_id":                 testProjectID,
		"client_secret":             testAccessKey,
		"oidc_issuer":               "https://api.descope.com/" + testProjectID,
		"authorize_scopes":          "openid profile email descope:custom_claims",
		"attributes_request_method": "GET",
	})
	secret := idp.Inputs["providerDetails"].ObjectValue()["client_secret"]
	if !secret.IsSecret() && !idp.Inputs["providerDetails"].IsSecret() {
		t.Error("providerDetails.client_secret reaches the engine in plain text; it must be a secret")
	}
	assertEqual(t, "attributeMapping", get(t, idp.Inputs, "attributeMapping"), map[string]string{
		"username":           "sub",
		"email":              "email",
		"email_verified":     "email_verified",
		"name":               "name",
		"custom:descope_sub": "sub",
	})
	for _, key := range []string{"authorize_url", "token_url", "attributes_url", "jwks_uri", "attributes_url_add_attributes"} {
		path := `providerDetails["` + key + `"]`
		if !slices.Contains(idp.IgnoreChanges, path) {
			t.Errorf("ignoreChanges %v lacks %s: AWS fills it in, and the next `pulumi up` would show a diff", idp.IgnoreChanges, path)
		}
		if _, err := resource.ParsePropertyPath(path); err != nil {
			t.Errorf("ignoreChanges path %s does not parse: %v", path, err)
		}
	}
	pool := one(t, rec, typeUserPool)
	assertEqual(t, "userPoolId", get(t, idp.Inputs, "userPoolId"), pool.Name+"_id")
}

func TestIssuerIsDerivedOrUsedVerbatim(t *testing.T) {
	regional := "Puse1abcdefghijklmnopqrstuvwxyz1"
	tests := []struct {
		name, projectID, issuer, want string
	}{
		{"default region", testProjectID, "", "https://api.descope.com/" + testProjectID},
		{"regional project", regional, "", "https://api.use1.descope.com/" + regional},
		{"custom CNAME", testProjectID, "https://auth.example.com/" + testProjectID, "https://auth.example.com/" + testProjectID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validArgs()
			args.DescopeProjectID, args.DescopeIssuerURL = tt.projectID, tt.issuer
			rec, _ := mustDeploy(t, args)
			assertEqual(t, "oidc_issuer", get(t, one(t, rec, typeProvider).Inputs, "providerDetails.oidc_issuer"), tt.want)
		})
	}
}

func TestAppClient(t *testing.T) {
	tests := []struct {
		name          string
		descopeOnly   bool
		confidential  bool
		wantProviders []string
	}{
		{"public client with both sign-ins", false, false, []string{"COGNITO", "Descope"}},
		{"Descope only", true, false, []string{"Descope"}},
		{"confidential client", false, true, []string{"COGNITO", "Descope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validArgs()
			args.DescopeOnly, args.ConfidentialClient = tt.descopeOnly, tt.confidential
			rec, outs := mustDeploy(t, args)
			client := one(t, rec, typeClient)
			assertEqual(t, "supportedIdentityProviders", get(t, client.Inputs, "supportedIdentityProviders"), tt.wantProviders)
			assertEqual(t, "allowedOauthFlows", get(t, client.Inputs, "allowedOauthFlows"), []string{"code"})
			assertEqual(t, "allowedOauthFlowsUserPoolClient", get(t, client.Inputs, "allowedOauthFlowsUserPoolClient"), true)
			assertEqual(t, "allowedOauthScopes", get(t, client.Inputs, "allowedOauthScopes"), []string{"openid", "email", "profile"})
			assertEqual(t, "callbackUrls", get(t, client.Inputs, "callbackUrls"), args.CallbackURLs)
			assertEqual(t, "logoutUrls", get(t, client.Inputs, "logoutUrls"), args.LogoutURLs)
			assertEqual(t, "preventUserExistenceErrors", get(t, client.Inputs, "preventUserExistenceErrors"), "ENABLED")
			assertEqual(t, "generateSecret", get(t, client.Inputs, "generateSecret"), tt.confidential)
			assertEqual(t, "accessTokenValidity", get(t, client.Inputs, "accessTokenValidity"), 60)
			assertEqual(t, "idTokenValidity", get(t, client.Inputs, "idTokenValidity"), 60)
			assertEqual(t, "enableTokenRevocation", get(t, client.Inputs, "enableTokenRevocation"), true)
			assertEqual(t, "refreshTokenValidity", get(t, client.Inputs, "refreshTokenValidity"), 30)
			assertEqual(t, "tokenValidityUnits", get(t, client.Inputs, "tokenValidityUnits"),
				map[string]string{"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"})
			if !outs.secrets["userPoolClientSecret"] {
				t.Error("userPoolClientSecret output is not a secret")
			}
			if gotSecret := outs.values["userPoolClientSecret"] != ""; gotSecret != tt.confidential {
				t.Errorf("client secret present = %v, want %v", gotSecret, tt.confidential)
			}
		})
	}
}

func TestMergeFunction(t *testing.T) {
	args := validArgs()
	args.RequireExistingUser = true
	args.ProviderName = "Passkeys"
	rec, outs := mustDeploy(t, args)
	fn := one(t, rec, typeFunction)
	logs := one(t, rec, typeLogGroup)
	role := one(t, rec, typeRole)

	assertEqual(t, "runtime", get(t, fn.Inputs, "runtime"), "provided.al2023")
	assertEqual(t, "handler", get(t, fn.Inputs, "handler"), "bootstrap")
	assertEqual(t, "architectures", get(t, fn.Inputs, "architectures"), []string{"arm64"})
	assertEqual(t, "memorySize", get(t, fn.Inputs, "memorySize"), 128)
	if timeout := get(t, fn.Inputs, "timeout").(float64); timeout < 1 || timeout > 5 {
		t.Errorf("timeout = %v s, want 1-5: Cognito waits 5 s for a trigger", timeout)
	}
	assertEqual(t, "sourceCodeHash", get(t, fn.Inputs, "sourceCodeHash"), testZipHash)
	code := fn.Inputs["code"]
	if !code.IsArchive() || code.ArchiveValue().Path != args.MergeFunction.ZipPath {
		t.Errorf("code = %v, want the archive at %s", code, args.MergeFunction.ZipPath)
	}
	assertEqual(t, "loggingConfig", get(t, fn.Inputs, "loggingConfig"),
		map[string]string{
			"applicationLogLevel": "INFO",
			"logFormat":           "JSON",
			"logGroup":            "/aws/lambda/passkeys-dev-merge",
			"systemLogLevel":      "INFO",
		})
	assertEqual(t, "environment", get(t, fn.Inputs, "environment.variables"),
		map[string]string{"DESCOPE_PROVIDER_NAME": "Passkeys", "REQUIRE_EXISTING_USER": "true"})
	assertEqual(t, "role", get(t, fn.Inputs, "role"), get(t, role.Outputs, "arn"))
	assertEqual(t, "log group", get(t, logs.Inputs, "name"), "/aws/lambda/passkeys-dev-merge")
	assertEqual(t, "retentionInDays", get(t, logs.Inputs, "retentionInDays"), 30)
	assertEqual(t, "mergeFunctionName", outs.values["mergeFunctionName"], "passkeys-dev-merge")
	assertEqual(t, "mergeFunctionLogGroup", outs.values["mergeFunctionLogGroup"], "/aws/lambda/passkeys-dev-merge")

	// The access key goes to Cognito only: no other resource may carry it.
	for _, r := range rec.All() {
		if r.Type == typeProvider {
			continue
		}
		if raw, _ := json.Marshal(plain(resource.NewObjectProperty(r.Inputs))); strings.Contains(string(raw), testAccessKey) {
			t.Errorf("%s %s carries the Descope access key", r.Type, r.Name)
		}
	}
}

func policyOf(t *testing.T, r pulumitest.Resource) policyDocument {
	t.Helper()
	var doc policyDocument
	if err := json.Unmarshal([]byte(get(t, r.Inputs, "policy").(string)), &doc); err != nil {
		t.Fatalf("%s policy: %v", r.Name, err)
	}
	return doc
}

func TestIAMGrantsExactlyWhatTheFunctionNeeds(t *testing.T) {
	rec, _ := mustDeploy(t, validArgs())
	pool := one(t, rec, typeUserPool)
	logs := one(t, rec, typeLogGroup)
	role := one(t, rec, typeRole)

	var trust policyDocument
	if err := json.Unmarshal([]byte(get(t, role.Inputs, "assumeRolePolicy").(string)), &trust); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "trust policy", trust.Statement, []policyStatement{{
		Effect: "Allow", Principal: map[string]string{"Service": "lambda.amazonaws.com"}, Action: []string{"sts:AssumeRole"},
	}})

	policies := map[string]policyDocument{}
	for _, p := range rec.Resources(typeRolePolicy) {
		assertEqual(t, p.Name+" role", get(t, p.Inputs, "role"), role.Name+"_id")
		policies[p.Name] = policyOf(t, p)
	}
	if len(policies) != 2 {
		t.Fatalf("role policies = %v, want the Cognito one and the logs one", policies)
	}
	assertEqual(t, "Cognito policy", policies["passkeys-merge-cognito"].Statement, []policyStatement{{
		Sid: "LinkDescopeIdentities", Effect: "Allow",
		Action:   []string{"cognito-idp:AdminLinkProviderForUser", "cognito-idp:ListUsers"},
		Resource: []string{get(t, pool.Outputs, "arn").(string)},
	}})
	assertEqual(t, "logs policy", policies["passkeys-merge-logs"].Statement, []policyStatement{{
		Sid: "WriteOwnLogs", Effect: "Allow",
		Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{get(t, logs.Outputs, "arn").(string) + ":*"},
	}})
	if len(rec.Resources("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) != 0 {
		t.Error("a managed policy is attached; the inline policies are all the function needs")
	}
}

func TestCognitoMayInvokeTheFunctionOnlyForThisPool(t *testing.T) {
	rec, _ := mustDeploy(t, validArgs())
	perm := one(t, rec, typePermission)
	pool := one(t, rec, typeUserPool)
	fn := one(t, rec, typeFunction)

	assertEqual(t, "action", get(t, perm.Inputs, "action"), "lambda:InvokeFunction")
	assertEqual(t, "principal", get(t, perm.Inputs, "principal"), "cognito-idp.amazonaws.com")
	assertEqual(t, "function", get(t, perm.Inputs, "function"), get(t, fn.Inputs, "name"))
	assertEqual(t, "sourceArn", get(t, perm.Inputs, "sourceArn"), get(t, pool.Outputs, "arn"))
	assertEqual(t, "sourceAccount", get(t, perm.Inputs, "sourceAccount"), pulumitest.AccountID)
	cognitoPolicyURN := ""
	for _, p := range rec.Resources(typeRolePolicy) {
		if p.Name == "passkeys-merge-cognito" {
			cognitoPolicyURN = p.URN
		}
	}
	if !slices.ContainsFunc(perm.Dependencies, func(d string) bool { return strings.HasSuffix(d, "::passkeys-merge-cognito") }) {
		t.Errorf("permission dependencies %v lack the Cognito policy %s: Cognito could call the function before it may link", perm.Dependencies, cognitoPolicyURN)
	}
}

func TestOutputs(t *testing.T) {
	rec, outs := mustDeploy(t, validArgs())
	client := one(t, rec, typeClient)
	domain := one(t, rec, typeDomain)

	prefix := DefaultDomainPrefix("dev", pulumitest.AccountID)
	assertEqual(t, "domain", get(t, domain.Inputs, "domain"), prefix)
	host := "https://" + prefix + ".auth." + pulumitest.Region + ".amazoncognito.com"
	assertEqual(t, "hostedUiUrl", outs.values["hostedUiUrl"], host)
	assertEqual(t, "descopeRedirectUri", outs.values["descopeRedirectUri"], host+"/oauth2/idpresponse")
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

func TestCustomDomain(t *testing.T) {
	args := validArgs()
	args.CustomDomain = "auth.example.com"
	args.CustomDomainCertificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"
	rec, outs := mustDeploy(t, args)
	domain := one(t, rec, typeDomain)
	assertEqual(t, "domain", get(t, domain.Inputs, "domain"), "auth.example.com")
	assertEqual(t, "certificateArn", get(t, domain.Inputs, "certificateArn"), args.CustomDomainCertificateARN)
	assertEqual(t, "hostedUiUrl", outs.values["hostedUiUrl"], "https://auth.example.com")
	assertEqual(t, "descopeRedirectUri", outs.values["descopeRedirectUri"], "https://auth.example.com/oauth2/idpresponse")
	assertEqual(t, "customDomainTarget", outs.values["customDomainTarget"], "d111111abcdef8.cloudfront.net")
}

func TestFailureAlarm(t *testing.T) {
	topicARN := "arn:aws:sns:us-east-1:123456789012:ops"
	tests := []struct {
		name        string
		email       string
		topic       string
		wantActions int
	}{
		{"no notification", "", "", 0},
		{"email", "ops@example.com", "", 1},
		{"existing topic", "", topicARN, 1},
		{"both", "ops@example.com", topicARN, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validArgs()
			args.AlarmEmail, args.AlarmTopicARN = tt.email, tt.topic
			rec, outs := mustDeploy(t, args)
			alarm := one(t, rec, typeAlarm)
			queries := get(t, alarm.Inputs, "metricQueries").([]any)
			metrics := map[string]string{}
			for _, q := range queries {
				m := q.(map[string]any)
				if metric, ok := m["metric"].(map[string]any); ok {
					metrics[metric["metricName"].(string)] = metric["dimensions"].(map[string]any)["FunctionName"].(string)
				}
			}
			assertEqual(t, "alarm metrics", metrics, map[string]string{"Errors": "passkeys-dev-merge", "Throttles": "passkeys-dev-merge"})
			assertEqual(t, "threshold", get(t, alarm.Inputs, "threshold"), 1)
			assertEqual(t, "mergeFunctionAlarmName", outs.values["mergeFunctionAlarmName"], get(t, alarm.Outputs, "name"))
			assertEqual(t, "comparisonOperator", get(t, alarm.Inputs, "comparisonOperator"), "GreaterThanOrEqualToThreshold")
			actions := 0
			if v, ok := alarm.Inputs["alarmActions"]; ok && v.IsArray() {
				actions = len(v.ArrayValue())
			}
			if actions != tt.wantActions {
				t.Errorf("alarm actions = %d, want %d", actions, tt.wantActions)
			}
			wantTopics := 0
			if tt.email != "" {
				wantTopics = 1
				sub := one(t, rec, typeSubscr)
				assertEqual(t, "subscription", get(t, sub.Inputs, "endpoint"), tt.email)
				assertEqual(t, "protocol", get(t, sub.Inputs, "protocol"), "email")
			}
			if got := len(rec.Resources(typeTopic)); got != wantTopics {
				t.Errorf("topics = %d, want %d", got, wantTopics)
			}
		})
	}
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
