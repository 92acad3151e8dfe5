package passkeys

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

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
		map[string]string{"DESCOPE_PROVIDER_NAME": "Passkeys", "REQUIRE_EXISTING_USER": "true", "GOMAXPROCS": "1"})
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
		Action:   []string{"cognito-idp:AdminLinkProviderForUser", "cognito-idp:DescribeUserPool", "cognito-idp:ListUsers"},
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

// The engine creates and updates in dependency order, so an adopted pool
// moves its trigger to the merge function only after Cognito may invoke the
// function and the function may link in the pool: in between, every SignUp,
// AdminCreateUser and first federated sign-in of the pool would fail. The
// permission names the function, so a new function (a renamed one) gets its
// own permission, created before the pool moves to it. A created pool's ARN
// exists only once the pool does, so there both follow the pool. Either way
// both name exactly this pool.
func TestThePoolMovesItsTriggerOnlyOnceTheFunctionMayRun(t *testing.T) {
	const foreign = "arn:aws:lambda:us-east-1:123456789012:function:descope-blog-presignup"
	tests := []struct {
		name    string
		args    CognitoPasskeysArgs
		adopted bool
	}{
		{"created pool", validArgs(), false},
		{"adopted pool, first run", adoptingArgs(&Adoption{State: liveState(foreign), ReplacePreSignUpTrigger: true}), true},
		{"adopted pool, later run", adoptingArgs(&Adoption{State: liveState(mergeARN)}), true},
		{"adopted pool, detach", adoptingArgs(&Adoption{State: liveState(mergeARN), Detach: true, RestorePreSignUpARN: foreign}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, _ := mustDeploy(t, tt.args)
			perm := one(t, rec, typePermission)
			pool := one(t, rec, typeUserPool)
			fn := one(t, rec, typeFunction)
			var policy pulumitest.Resource
			for _, p := range rec.Resources(typeRolePolicy) {
				if p.Name == "passkeys-merge-cognito" {
					policy = p
				}
			}
			poolARN := get(t, pool.Outputs, "arn").(string)
			if tt.adopted {
				assertEqual(t, "adopted pool ARN", poolARN, livePoolARN)
			}

			assertEqual(t, "action", get(t, perm.Inputs, "action"), "lambda:InvokeFunction")
			assertEqual(t, "principal", get(t, perm.Inputs, "principal"), "cognito-idp.amazonaws.com")
			assertEqual(t, "function", get(t, perm.Inputs, "function"), get(t, fn.Inputs, "name"))
			assertEqual(t, "sourceArn", get(t, perm.Inputs, "sourceArn"), poolARN)
			assertEqual(t, "sourceAccount", get(t, perm.Inputs, "sourceAccount"), pulumitest.AccountID)
			assertEqual(t, "link policy resource", policyOf(t, policy).Statement[0].Resource, []string{poolARN})
			if !rec.DependsOn(perm, fn) {
				t.Error("the permission does not follow the function it names: a new function would not get its own")
			}
			if !rec.DependsOn(perm, policy) {
				t.Error("the permission does not wait for the link policy: Cognito could call the function before it may link")
			}
			for _, first := range []pulumitest.Resource{perm, policy} {
				if got := rec.DependsOn(pool, first); got != tt.adopted {
					t.Errorf("the pool waits for %s: %v, want %v (dependencies %v)", first.Name, got, tt.adopted, pool.Dependencies)
				}
			}
		})
	}
}
