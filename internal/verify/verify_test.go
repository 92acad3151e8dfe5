package verify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
	vt "github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify/verifytest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// TestMain fences the process off from real AWS.
func TestMain(m *testing.M) { vt.RunFenced(m) }

func runWorld(t *testing.T, w *vt.World) verify.Report {
	t.Helper()
	clients, err := w.Clients(t.Context(), vt.Region, verify.DefaultTimeout)
	if err != nil {
		t.Fatal(err)
	}
	v := &verify.Verifier{In: w.Inputs(), Cognito: clients.Cognito, Lambda: clients.Lambda, IAM: clients.IAM, HTTP: verify.NewHTTPClient(verify.DefaultTimeout), Timeout: verify.DefaultTimeout}
	return v.Run(t.Context())
}

func checkByID(t *testing.T, r verify.Report, id string) verify.Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q in the report", id)
	return verify.Check{}
}

func TestAllChecksPassOnAHealthyStack(t *testing.T) {
	w := vt.New(t)
	r := runWorld(t, w)

	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if r.Status != verify.StatusPass || r.ExitCode() != verify.ExitPassed {
		t.Fatalf("status %s, exit %d; report:\n%s", r.Status, r.ExitCode(), text.String())
	}
	wantIDs := []string{"descope-issuer", "identity-provider", "trigger-wiring", "function-runs", "hosted-ui"}
	if len(r.Checks) != len(wantIDs) {
		t.Fatalf("got %d checks, want %d", len(r.Checks), len(wantIDs))
	}
	for i, c := range r.Checks {
		if c.ID != wantIDs[i] || c.Status != verify.StatusPass {
			t.Errorf("check %d: %s %s, want %s pass", i+1, c.ID, c.Status, wantIDs[i])
		}
	}
	for _, want := range []string{
		"✔ 1. Descope issuer " + w.IssuerURL(),
		"✔ returned the event unchanged (ran 1.84 ms, round trip",
		"✔ log line: decision=skip reason=other_trigger",
		"✔ log line: provider=Descope, the pool's provider",
		"✔ the function links provider \"Descope\" (DESCOPE_PROVIDER_NAME=\"Descope\")",
		"✔ the function's role may call " + strings.Join(passkeys.LinkActions, ", ") + " on the pool",
		"✔ only user pool " + vt.UserPoolARN + " may invoke the function",
		"✔ Descope sends the sign-in to your own page " + vt.FlowHostingPage + " (not Auth Hosting; it must embed the flow " + vt.FlowID + ")",
		"5 of 5 checks passed.",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, text.String())
		}
	}
	if w.Invocations != 1 {
		t.Errorf("the function was invoked %d times, want exactly 1", w.Invocations)
	}
}

// The identity provider's client secret comes back from DescribeIdentityProvider;
// it must reach neither output.
func TestReportNeverContainsTheProviderSecret(t *testing.T) {
	w := vt.New(t)
	w.Lock(func(w *vt.World) {
		// A failing provider check prints the most about the provider.
		details := w.IdentityProvider["IdentityProvider"].(map[string]any)["ProviderDetails"].(map[string]any)
		details["client_id"] = "P2SomeOtherProject"
		details["authorize_url"] = "https://stale.example.com/authorize"
	})
	r := runWorld(t, w)
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if checkByID(t, r, "identity-provider").Status != verify.StatusFail {
		t.Fatal("the provider check should fail in this world")
	}
	for name, out := range map[string]string{"text": text.String(), "json": string(raw)} {
		if strings.Contains(out, vt.ProviderSecret) {
			t.Errorf("the %s report contains the provider's client secret", name)
		}
	}
}

// scenario breaks one thing and names the finding verify must report.
type scenario struct {
	name       string
	breakWorld func(w *vt.World)
	check      string
	status     verify.Status
	message    func(w *vt.World) string
	fix        string
	// fixFor, when set, is the fix for a world's own addresses.
	fixFor func(w *vt.World) string
}

func details(w *vt.World) map[string]any {
	return w.IdentityProvider["IdentityProvider"].(map[string]any)["ProviderDetails"].(map[string]any)
}

func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			w := vt.New(t)
			w.Lock(sc.breakWorld)
			r := runWorld(t, w)
			c := checkByID(t, r, sc.check)
			if c.Status != sc.status {
				t.Errorf("check %s is %s, want %s; findings: %+v", sc.check, c.Status, sc.status, c.Findings)
			}
			want := verify.Finding{Status: sc.status, Message: sc.message(w), Fix: sc.fix}
			if sc.fixFor != nil {
				want.Fix = sc.fixFor(w)
			}
			found := false
			for _, f := range c.Findings {
				found = found || f == want
			}
			if !found {
				t.Errorf("check %s lacks the finding\n  %+v\ngot:\n  %+v", sc.check, want, c.Findings)
			}
			wantExit := verify.ExitFailed
			if sc.status == verify.StatusUnknown {
				wantExit = verify.ExitUnknown
			}
			if r.ExitCode() != wantExit {
				t.Errorf("exit code %d, want %d", r.ExitCode(), wantExit)
			}
			for _, other := range r.Checks {
				if other.ID != sc.check && other.Status != verify.StatusPass && !dependsOn(other.ID, sc.check) {
					t.Errorf("breaking %s also made check %s %s: %+v", sc.check, other.ID, other.Status, other.Findings)
				}
			}
		})
	}
}

// dependsOn: checks 2 and 5 compare against check 1's discovery document, and
// check 5 follows the provider's endpoints.
func dependsOn(id, broken string) bool {
	switch broken {
	case "descope-issuer":
		return id == "identity-provider" || id == "hosted-ui"
	case "identity-provider":
		return id == "hosted-ui"
	}
	return false
}

const (
	fixIssuer   = "set descopeIssuerUrl to the issuer shown on Descope's Authentication Methods page (or unset it to derive it from descopeProjectId), then `pulumi up`"
	fixDeclared = "run `pulumi up` so the identity provider matches the program again (someone changed it outside Pulumi)"
	fixStale    = "Cognito holds endpoints from an earlier issuer: replace the provider with `pulumi up --replace <the Descope identity provider's URN>` (find it with `pulumi stack --show-urns`), or save it unchanged in the Cognito console so Cognito reads the discovery document again"
	fixRedeploy = "run `pulumi up`: the stack declares it (someone changed it outside Pulumi)"
	fixUnknown  = "verify does not recognise this answer and will not guess its cause; read it, and check the Flow Hosting URL and the allowed redirect URL in Descope (README, Descope console steps 2 and 4)"
)

func fixed(s string) func(*vt.World) string { return func(*vt.World) string { return s } }

func TestDescopeIssuerFailures(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "discovery document missing",
			breakWorld: func(w *vt.World) {
				w.DiscoveryAnswer = &vt.Answer{Status: http.StatusNotFound, Body: `{"errorCode":"E011003","errorDescription":"Project not found"}`}
			},
			check: "descope-issuer", status: verify.StatusFail,
			message: func(w *vt.World) string {
				return "GET " + w.IssuerURL() + "/.well-known/openid-configuration answered 404 Not Found: {\"errorCode\":\"E011003\",\"errorDescription\":\"Project not found\"}"
			},
			fix: "the issuer is wrong or the project does not exist: " + fixIssuer,
		},
		{
			name:       "not a discovery document",
			breakWorld: func(w *vt.World) { w.DiscoveryAnswer = &vt.Answer{Status: http.StatusOK, Body: "<html>Descope</html>"} },
			check:      "descope-issuer", status: verify.StatusFail,
			message: func(w *vt.World) string {
				return "GET " + w.IssuerURL() + "/.well-known/openid-configuration answered no JSON discovery document: <html>Descope</html>"
			},
			fix: fixIssuer,
		},
		{
			name: "Descope unavailable",
			breakWorld: func(w *vt.World) {
				w.DiscoveryAnswer = &vt.Answer{Status: http.StatusServiceUnavailable, Body: "upstream\tbusy"}
			},
			check: "descope-issuer", status: verify.StatusFail,
			message: func(w *vt.World) string {
				return "GET " + w.IssuerURL() + "/.well-known/openid-configuration answered 503 Service Unavailable: upstream busy"
			},
			fix: "rerun in a while; if the answer stays, check descopeIssuerUrl",
		},
		{
			name:       "issuer differs",
			breakWorld: func(w *vt.World) { w.Discovery["issuer"] = "https://auth.example.com/" + vt.ProjectID },
			check:      "descope-issuer", status: verify.StatusFail,
			message: func(w *vt.World) string {
				return fmt.Sprintf("the document's issuer %q differs from the configured %q", "https://auth.example.com/"+vt.ProjectID, w.IssuerURL())
			},
			fix: `set descopeIssuerUrl to exactly "https://auth.example.com/` + vt.ProjectID + `", then ` + "`pulumi up`",
		},
		{
			name:       "scope not supported",
			breakWorld: func(w *vt.World) { w.Discovery["scopes_supported"] = []string{"openid", "profile", "email"} },
			check:      "descope-issuer", status: verify.StatusFail,
			message: fixed("scopes_supported lacks descope:custom_claims, which the provider requests"),
			fix:     "the issuer is not the Descope project this stack expects, or the project lacks these scopes: check descopeIssuerUrl and descopeProjectId",
		},
		{
			name:       "email_verified not a claim",
			breakWorld: func(w *vt.World) { w.Discovery["claims_supported"] = []string{"sub", "email", "name"} },
			check:      "descope-issuer", status: verify.StatusFail,
			message: fixed("claims_supported lacks email_verified"),
			fix:     "the merge function refuses to link without email_verified: use a Descope project (and flow) that issues email and email_verified",
		},
	})
}

func TestDescopeIssuerAcceptsUnpublishedOptionalLists(t *testing.T) {
	w := vt.New(t)
	w.Lock(func(w *vt.World) {
		delete(w.Discovery, "scopes_supported")
		delete(w.Discovery, "claims_supported")
	})
	c := checkByID(t, runWorld(t, w), "descope-issuer")
	if c.Status != verify.StatusPass {
		t.Fatalf("status %s: %+v", c.Status, c.Findings)
	}
}

func TestIdentityProviderFailures(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "no such provider",
			breakWorld: func(w *vt.World) {
				w.Errors["DescribeIdentityProvider"] = vt.AWSError{Status: 400, Code: "ResourceNotFoundException", Message: "Identity provider Descope does not exist."}
			},
			check: "identity-provider", status: verify.StatusFail,
			message: fixed(`user pool ` + vt.UserPoolID + ` has no identity provider named "Descope"`),
			fix:     "run `pulumi up`; if providerName was changed, pass the deployed name with --provider-name",
		},
		{
			name: "read permission missing",
			breakWorld: func(w *vt.World) {
				w.Errors["DescribeIdentityProvider"] = vt.AWSError{Status: 400, Code: "AccessDeniedException", Message: "User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: cognito-idp:DescribeIdentityProvider"}
			},
			check: "identity-provider", status: verify.StatusFail,
			message: fixed("cognito-idp:DescribeIdentityProvider failed: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: cognito-idp:DescribeIdentityProvider"),
			fix:     "the credentials lack cognito-idp:DescribeIdentityProvider: allow it to the role or user verify runs as (the deploy role's policy in docs/ci-cd.md lists it)",
		},
		{
			name:       "client ID is another project",
			breakWorld: func(w *vt.World) { details(w)["client_id"] = "P2SomeOtherProject" },
			check:      "identity-provider", status: verify.StatusFail,
			message: fixed(`client_id is "P2SomeOtherProject", not the Descope project ID "` + vt.ProjectID + `"`),
			fix:     "set descopeProjectId to the project this stack should use, then `pulumi up`",
		},
		{
			name:       "scopes changed",
			breakWorld: func(w *vt.World) { details(w)["authorize_scopes"] = "openid email" },
			check:      "identity-provider", status: verify.StatusFail,
			message: fixed(`authorize_scopes are "openid email", not "openid profile email descope:custom_claims"`),
			fix:     fixDeclared,
		},
		{
			name:       "attributes fetched with POST",
			breakWorld: func(w *vt.World) { details(w)["attributes_request_method"] = "POST" },
			check:      "identity-provider", status: verify.StatusFail,
			message: fixed(`attributes_request_method is "POST", not GET`),
			fix:     fixDeclared,
		},
		{
			name: "stale endpoints after an issuer change",
			breakWorld: func(w *vt.World) {
				details(w)["jwks_uri"] = "https://api.descope.com/P2OldProject/.well-known/jwks.json"
			},
			check: "identity-provider", status: verify.StatusFail,
			message: func(w *vt.World) string {
				return fmt.Sprintf(`jwks_uri is "https://api.descope.com/P2OldProject/.well-known/jwks.json", but the discovery document's jwks_uri is %q`, w.Discovery["jwks_uri"])
			},
			fix: fixStale,
		},
		{
			name: "subject not mapped",
			breakWorld: func(w *vt.World) {
				delete(w.IdentityProvider["IdentityProvider"].(map[string]any)["AttributeMapping"].(map[string]any), "custom:descope_sub")
			},
			check: "identity-provider", status: verify.StatusFail,
			message: fixed(`attribute mapping has custom:descope_sub ← "", not ← sub (the merge function links with it)`),
			fix:     fixDeclared,
		},
		{
			name: "email_verified not mapped",
			breakWorld: func(w *vt.World) {
				w.IdentityProvider["IdentityProvider"].(map[string]any)["AttributeMapping"].(map[string]any)["email_verified"] = "verified"
			},
			check: "identity-provider", status: verify.StatusFail,
			message: fixed(`attribute mapping has email_verified ← "verified", not ← email_verified (the merge function refuses to link without it)`),
			fix:     fixDeclared,
		},
	})
}

func configuration(w *vt.World) map[string]any { return w.Function["Configuration"].(map[string]any) }

func TestTriggerWiringFailures(t *testing.T) {
	policyWith := func(extra string) map[string]any {
		return map[string]any{"Policy": `{"Version":"2012-10-17","Id":"default","Statement":[` +
			`{"Sid":"passkeys-merge-invoke","Effect":"Allow","Principal":{"Service":"cognito-idp.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + vt.FunctionARN + `","Condition":{"ArnLike":{"AWS:SourceArn":"` + vt.UserPoolARN + `"}}}` +
			extra + `]}`}
	}
	runScenarios(t, []scenario{
		{
			name:       "no pre sign-up trigger",
			breakWorld: func(w *vt.World) { delete(w.UserPool["UserPool"].(map[string]any), "LambdaConfig") },
			check:      "trigger-wiring", status: verify.StatusFail,
			message: fixed("user pool " + vt.UserPoolID + " has no pre sign-up trigger"),
			fix:     fixRedeploy + "; without the trigger a Descope sign-in for an existing email creates a second user",
		},
		{
			name: "trigger is another function",
			breakWorld: func(w *vt.World) {
				w.UserPool["UserPool"].(map[string]any)["LambdaConfig"] = map[string]any{"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:blog-merge"}
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("the pool's pre sign-up trigger is arn:aws:lambda:us-east-1:123456789012:function:blog-merge, not the stack's function " + vt.FunctionARN),
			fix:     fixRedeploy,
		},
		{
			name: "function missing",
			breakWorld: func(w *vt.World) {
				w.Errors["GetFunction"] = vt.AWSError{Status: 404, Code: "ResourceNotFoundException", Message: "Function not found"}
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("function " + vt.FunctionName + " does not exist in us-east-1"),
			fix:     fixRedeploy + "; if the name is wrong, pass --merge-function-name",
		},
		{
			name: "function still pending",
			breakWorld: func(w *vt.World) {
				configuration(w)["State"] = "Pending"
				configuration(w)["StateReason"] = "The function is being created."
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("function state is Pending: The function is being created."),
			fix:     "wait for the function to become Active, then rerun; if it stays Pending, read its StateReason and run `pulumi up`",
		},
		{
			name:       "function on x86_64",
			breakWorld: func(w *vt.World) { configuration(w)["Architectures"] = []string{"x86_64"} },
			check:      "trigger-wiring", status: verify.StatusFail,
			message: fixed("function architectures are [x86_64], not [arm64]"),
			fix:     fixRedeploy + "; the bootstrap is built for linux/arm64 only",
		},
		{
			name:       "function on the retired go1.x runtime",
			breakWorld: func(w *vt.World) { configuration(w)["Runtime"] = "go1.x" },
			check:      "trigger-wiring", status: verify.StatusFail,
			message: fixed(`function runtime is "go1.x", not provided.al2023`),
			fix:     fixRedeploy,
		},
		{
			name: "the function's role lost ListUsers",
			breakWorld: func(w *vt.World) {
				w.RoleGrants = slices.DeleteFunc(vt.LinkGrants(vt.RoleARN, vt.UserPoolARN), func(g vt.Grant) bool { return g.Action == "cognito-idp:ListUsers" })
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("the function's role " + vt.RoleARN + " may not call cognito-idp:ListUsers (implicitDeny) on user pool " + vt.UserPoolARN),
			fix:     fixRedeploy + "; without these the function cannot find or link the existing user, and every Descope sign-up fails",
		},
		{
			name: "the function's role may link only in another pool",
			breakWorld: func(w *vt.World) {
				w.RoleGrants = vt.LinkGrants(vt.RoleARN, "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Other")
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("the function's role " + vt.RoleARN + " may not call " + denied(passkeys.LinkActions...) + " on user pool " + vt.UserPoolARN),
			fix:     fixRedeploy + "; without these the function cannot find or link the existing user, and every Descope sign-up fails",
		},
		{
			name: "the function's role is gone",
			breakWorld: func(w *vt.World) {
				w.Errors["SimulatePrincipalPolicy"] = vt.AWSError{Status: 404, Code: "NoSuchEntity", Message: "The role with name passkeys-merge-role-1a2b3c4 cannot be found."}
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("the function's role " + vt.RoleARN + " does not exist"),
			fix:     fixRedeploy,
		},
		{
			name: "verify may not ask IAM",
			breakWorld: func(w *vt.World) {
				w.Errors["SimulatePrincipalPolicy"] = vt.AWSError{Status: 403, Code: "AccessDenied", Message: "not authorized to perform: iam:SimulatePrincipalPolicy"}
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("iam:SimulatePrincipalPolicy failed: AccessDenied: not authorized to perform: iam:SimulatePrincipalPolicy"),
			fix:     "the credentials lack iam:SimulatePrincipalPolicy: allow it to the role or user verify runs as (the deploy role's policy in docs/ci-cd.md lists it)",
		},
		{
			name: "the function links another provider name",
			breakWorld: func(w *vt.World) {
				configuration(w)["Environment"] = map[string]any{"Variables": map[string]any{"DESCOPE_PROVIDER_NAME": "DescopeOld"}}
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed(`the function links provider "DescopeOld" (DESCOPE_PROVIDER_NAME="DescopeOld"), not the pool's provider "Descope"`),
			fix:     fixRedeploy + "; until then the function skips every sign-in through the pool's provider, and Cognito creates a second user for each existing email",
		},
		{
			name: "no resource policy",
			breakWorld: func(w *vt.World) {
				w.Errors["GetPolicy"] = vt.AWSError{Status: 404, Code: "ResourceNotFoundException", Message: "The resource you requested does not exist."}
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("function " + vt.FunctionName + " has no resource policy: Cognito may not invoke it"),
			fix:     fixRedeploy + "; without it Cognito cannot call the function and every sign-up fails",
		},
		{
			name: "policy read denied",
			breakWorld: func(w *vt.World) {
				w.Errors["GetPolicy"] = vt.AWSError{Status: 403, Code: "AccessDeniedException", Message: "not authorized to perform: lambda:GetPolicy"}
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed("lambda:GetPolicy failed: AccessDeniedException: not authorized to perform: lambda:GetPolicy"),
			fix:     "the credentials lack lambda:GetPolicy: allow it to the role or user verify runs as (the deploy role's policy in docs/ci-cd.md lists it)",
		},
		{
			name: "another pool may invoke it too",
			breakWorld: func(w *vt.World) {
				w.Policy = policyWith(`,{"Sid":"blog-console","Effect":"Allow","Principal":{"Service":"cognito-idp.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + vt.FunctionARN + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Other"}}}`)
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed(`the function's resource policy also lets cognito-idp.amazonaws.com from arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Other invoke it (statement "blog-console")`),
			fix:     "remove it: `aws lambda remove-permission --function-name " + vt.FunctionName + " --statement-id blog-console`, then `pulumi up`",
		},
		{
			name: "a grant for two pools at once",
			breakWorld: func(w *vt.World) {
				w.Policy = map[string]any{"Policy": `{"Version":"2012-10-17","Statement":[` +
					`{"Sid":"two-pools","Effect":"Allow","Principal":{"Service":"cognito-idp.amazonaws.com"},"Action":["lambda:InvokeFunction"],"Resource":"` + vt.FunctionARN + `","Condition":{"ArnLike":{"AWS:SourceArn":["` + vt.UserPoolARN + `","arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Other"]}}}]}`}
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed(`the function's resource policy also lets cognito-idp.amazonaws.com from ` + vt.UserPoolARN + `, arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Other invoke it (statement "two-pools")`),
			fix:     "remove it: `aws lambda remove-permission --function-name " + vt.FunctionName + " --statement-id two-pools`, then `pulumi up`",
		},
		{
			name: "anyone may invoke it",
			breakWorld: func(w *vt.World) {
				w.Policy = policyWith(`,{"Sid":"open","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + vt.FunctionARN + `"}`)
			},
			check: "trigger-wiring", status: verify.StatusFail,
			message: fixed(`the function's resource policy also lets * from any source invoke it (statement "open")`),
			fix:     "remove it: `aws lambda remove-permission --function-name " + vt.FunctionName + " --statement-id open`, then `pulumi up`",
		},
	})
}

// Unset, DESCOPE_PROVIDER_NAME means the function's default, Descope.
func TestProviderNameUnsetIsTheFunctionsDefault(t *testing.T) {
	w := vt.New(t)
	w.Lock(func(w *vt.World) { delete(configuration(w), "Environment") })
	c := checkByID(t, runWorld(t, w), "trigger-wiring")
	want := verify.Finding{Status: verify.StatusPass, Message: `the function links provider "Descope" (DESCOPE_PROVIDER_NAME unset, so Descope)`}
	if c.Status != verify.StatusPass || !slices.Contains(c.Findings, want) {
		t.Fatalf("status %s, findings %+v; want a pass with %+v", c.Status, c.Findings, want)
	}
}

func TestFunctionRunFailures(t *testing.T) {
	const fixLogs = "read `aws logs tail " + vt.LogGroup + "`; an invalid configuration or a crash fails every sign-up until fixed, then `pulumi up`"
	answer := func(a vt.InvokeAnswer) func(w *vt.World) {
		return func(w *vt.World) { w.Invoke = func([]byte) vt.InvokeAnswer { return a } }
	}
	runScenarios(t, []scenario{
		{
			name: "function crashes on a bad configuration",
			breakWorld: answer(vt.InvokeAnswer{
				FunctionError: "Unhandled",
				Payload:       []byte(`{"errorMessage":"RequestId: 1 Error: Runtime exited with error: exit status 1","errorType":"Runtime.ExitError"}`),
				LogTail: `{"level":"ERROR","msg":"invalid configuration","error":"PROVIDER_NAME is empty"}` + "\n" +
					`{"time":"2026-11-24T01:00:00.013Z","type":"platform.report","record":{"requestId":"1","metrics":{"durationMs":12.5,"billedDurationMs":13,"memorySizeMB":128,"maxMemoryUsedMB":18,"initDurationMs":40.1},"status":"error"}}` + "\n",
			}),
			check: "function-runs", status: verify.StatusFail,
			message: fixed("the function failed (Unhandled, ran 12.5 ms): Runtime.ExitError: RequestId: 1 Error: Runtime exited with error: exit status 1"),
			fix:     fixLogs,
		},
		{
			name: "function returns an error with its decision log line",
			breakWorld: answer(vt.InvokeAnswer{
				FunctionError: "Unhandled",
				Payload:       []byte(`{"errorMessage":"sign-up could not be completed","errorType":"SignUpFailedError"}`),
				LogTail:       `{"level":"ERROR","msg":"pre sign-up decision","decision":"error","reason":"invalid_event","error":"event has no valid userPoolId"}` + "\n",
			}),
			check: "function-runs", status: verify.StatusFail,
			message: fixed("the function failed (Unhandled, no platform.report record in the log tail): SignUpFailedError: sign-up could not be completed; log: event has no valid userPoolId"),
			fix:     fixLogs,
		},
		{
			name:       "function changes the event",
			breakWorld: answer(vt.InvokeAnswer{Payload: []byte(`{"response":{"autoConfirmUser":true}}`), LogTail: vt.SkipLog}),
			check:      "function-runs", status: verify.StatusFail,
			message: fixed(`the function returned {"response":{"autoConfirmUser":true}}, not the event it was sent (ran 1.84 ms)`),
			fix:     "deploy the merge function of this repository with `pulumi up`: the deployed code changes events it must pass through",
		},
		{
			name: "function does not skip the ignored trigger",
			breakWorld: func(w *vt.World) {
				w.Invoke = func(p []byte) vt.InvokeAnswer {
					return vt.InvokeAnswer{Payload: p, LogTail: `{"msg":"pre sign-up decision","decision":"no_match","reason":"no_existing_user"}`}
				}
			},
			check: "function-runs", status: verify.StatusFail,
			message: fixed("log line: decision=no_match reason=no_existing_user, not skip"),
			fix:     "deploy the merge function of this repository with `pulumi up`: it must skip this trigger",
		},
		{
			name: "the decision line names another provider",
			breakWorld: func(w *vt.World) {
				w.Invoke = func(p []byte) vt.InvokeAnswer {
					return vt.InvokeAnswer{Payload: p, LogTail: strings.Replace(vt.SkipLog, `"provider":"Descope"`, `"provider":"DescopeOld"`, 1)}
				}
			},
			check: "function-runs", status: verify.StatusFail,
			message: fixed(`log line: provider="DescopeOld", not the pool's provider "Descope"`),
			fix:     fixRedeploy + "; until then the function skips every sign-in through the pool's provider",
		},
		{
			name: "no decision log line",
			breakWorld: func(w *vt.World) {
				w.Invoke = func(p []byte) vt.InvokeAnswer { return vt.InvokeAnswer{Payload: p, LogTail: "START RequestId: 1\n"} }
			},
			check: "function-runs", status: verify.StatusUnknown,
			message: fixed(`no "pre sign-up decision" log line in the invocation's log tail`),
			fix:     "read `aws logs tail " + vt.LogGroup + "` for the invocation's log line",
		},
		{
			name: "invoke not allowed",
			breakWorld: func(w *vt.World) {
				w.Errors["Invoke"] = vt.AWSError{Status: 403, Code: "AccessDeniedException", Message: "not authorized to perform: lambda:InvokeFunction"}
			},
			check: "function-runs", status: verify.StatusFail,
			message: fixed("lambda:InvokeFunction failed: AccessDeniedException: not authorized to perform: lambda:InvokeFunction"),
			fix:     "the credentials lack lambda:InvokeFunction: allow it to the role or user verify runs as (the deploy role's policy in docs/ci-cd.md lists it)",
		},
	})
}

func TestTheSyntheticEventIsTheIgnoredTrigger(t *testing.T) {
	w := vt.New(t)
	var sent map[string]any
	w.Lock(func(w *vt.World) {
		w.Invoke = func(p []byte) vt.InvokeAnswer {
			_ = json.Unmarshal(p, &sent)
			return vt.InvokeAnswer{Payload: p, LogTail: vt.SkipLog}
		}
	})
	runWorld(t, w)
	if sent["triggerSource"] != "PreSignUp_AdminCreateUser" || sent["userPoolId"] != vt.UserPoolID {
		t.Fatalf("sent %v, want a PreSignUp_AdminCreateUser event for %s", sent, vt.UserPoolID)
	}
	attrs, _ := sent["request"].(map[string]any)["userAttributes"].(map[string]any)
	if len(attrs) != 0 {
		t.Errorf("the synthetic event carries user attributes %v; it must carry no personal data", attrs)
	}
}

// fixFlow is the fix for Auth Hosting running flow instead of vt.FlowID. The
// fake issuer's host is no Descope domain, so the Flow Hosting URL named is
// Auth Hosting on that host as on a custom domain: /login/<project>.
func fixFlow(w *vt.World, flow string) string {
	return "set the Flow Hosting URL (Descope console: Authentication Methods → SSO → OpenID Connect) to the descopeFlowHostingUrl output, " +
		"https://" + w.Descope.Listener.Addr().String() + "/login/" + vt.ProjectID + "?flow=" + vt.FlowID +
		" (README, Descope console step 2); or, if \"" + flow + "\" is the flow your users should run, `pulumi config set descopeFlowId " + flow + "`"
}

// Step 5 passes for Auth Hosting running descopeFlowId, wherever Descope
// serves it, and for a page of the user's own, named as such.
func TestHostedUIAcceptsTheConfiguredFlow(t *testing.T) {
	tests := []struct {
		name     string
		location func(w *vt.World) string
		want     func(w *vt.World) string
	}{
		{
			name:     "Auth Hosting on auth.descope.io",
			location: func(*vt.World) string { return "https://auth.descope.io/" + vt.ProjectID + "?flow=oidc-flow&state=abc" },
			want: func(*vt.World) string {
				return "Descope sends the sign-in to Auth Hosting https://auth.descope.io/" + vt.ProjectID + ", running flow=oidc-flow, the configured descopeFlowId"
			},
		},
		{
			name:     "Auth Hosting on the custom domain",
			location: func(w *vt.World) string { return w.Descope.URL + "/login/" + vt.ProjectID + "?flow=oidc-flow" },
			want: func(w *vt.World) string {
				return "Descope sends the sign-in to Auth Hosting " + w.Descope.URL + "/login/" + vt.ProjectID + ", running flow=oidc-flow, the configured descopeFlowId"
			},
		},
		{
			name:     "Auth Hosting on the API host",
			location: func(w *vt.World) string { return w.Descope.URL + "/" + vt.ProjectID + "?flow=oidc-flow" },
			want: func(w *vt.World) string {
				return "Descope sends the sign-in to Auth Hosting " + w.Descope.URL + "/" + vt.ProjectID + ", running flow=oidc-flow, the configured descopeFlowId"
			},
		},
		{
			name:     "the user's own page",
			location: func(*vt.World) string { return "https://app.example.com/passkeys?flow=sign-up-or-in" },
			want: func(*vt.World) string {
				return "Descope sends the sign-in to your own page https://app.example.com/passkeys (not Auth Hosting; it must embed the flow oidc-flow)"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := vt.New(t)
			w.Lock(func(w *vt.World) { w.DescopeAuthorize = vt.Answer{Status: http.StatusFound, Location: tt.location(w)} })
			r := runWorld(t, w)
			c := checkByID(t, r, "hosted-ui")
			want := verify.Finding{Status: verify.StatusPass, Message: tt.want(w)}
			if c.Status != verify.StatusPass || !slices.Contains(c.Findings, want) || r.ExitCode() != verify.ExitPassed {
				t.Errorf("status %s, exit %d, findings %+v; want a pass with %+v", c.Status, r.ExitCode(), c.Findings, want)
			}
		})
	}
}

func TestHostedUIFailures(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "Cognito answers an error page",
			breakWorld: func(w *vt.World) {
				w.HostedUIAnswer = &vt.Answer{Status: http.StatusBadRequest, Body: "<html>\n<body>An error was encountered with the requested page.</body></html>"}
			},
			check: "hosted-ui", status: verify.StatusFail,
			message: fixed("Cognito answered 400 Bad Request instead of a redirect to Descope: <html> <body>An error was encountered with the requested page.</body></html>"),
			fix:     "open passkeyLoginUrl in a browser to read Cognito's message; check the app client's identity providers and callback URLs (`pulumi up`)",
		},
		{
			name: "Cognito redirects to its own page",
			breakWorld: func(w *vt.World) {
				w.HostedUIAnswer = &vt.Answer{Status: http.StatusFound, Location: w.HostedUI.URL + "/error?error=redirect_mismatch&client_id=" + vt.ClientID}
			},
			check: "hosted-ui", status: verify.StatusFail,
			message: func(w *vt.World) string {
				return "Cognito redirects to its own page " + w.HostedUI.URL + "/error?error=redirect_mismatch&client_id=" + vt.ClientID + " instead of to Descope"
			},
			fix: "open passkeyLoginUrl in a browser to read Cognito's message; check the provider name and the app client (`pulumi up`)",
		},
		{
			name: "Cognito redirects to another issuer's endpoint",
			breakWorld: func(w *vt.World) {
				w.HostedUIAnswer = &vt.Answer{Status: http.StatusFound, Location: "https://api.descope.com/oauth2/v1/authorize?client_id=P2OldProject"}
			},
			check: "hosted-ui", status: verify.StatusFail,
			message: func(w *vt.World) string {
				return "Cognito redirects to https://api.descope.com/oauth2/v1/authorize, not to Descope's authorization endpoint " + w.Descope.URL + "/oauth2/v1/authorize"
			},
			fix: fixStale,
		},
		{
			name: "Cognito sends another client ID",
			breakWorld: func(w *vt.World) {
				w.HostedUIQuery.Set("client_id", "P2SomeOtherProject")
			},
			check: "hosted-ui", status: verify.StatusFail,
			message: fixed(`Cognito sends client_id="P2SomeOtherProject" to Descope, not the project ID "` + vt.ProjectID + `"`),
			fix:     "set descopeProjectId to the project this stack should use, then `pulumi up`",
		},
		{
			name: "Descope sends the user to Auth Hosting's default flow",
			breakWorld: func(w *vt.World) {
				w.DescopeAuthorize = vt.Answer{Status: http.StatusFound, Location: "https://auth.descope.io/" + vt.ProjectID + "?state=abc"}
			},
			check: "hosted-ui", status: verify.StatusFail,
			message: fixed("Descope sends the sign-in to Auth Hosting https://auth.descope.io/" + vt.ProjectID + " running flow=sign-up-or-in (no flow parameter: Descope's default), not the configured descopeFlowId oidc-flow"),
			fixFor:  func(w *vt.World) string { return fixFlow(w, "sign-up-or-in") },
		},
		{
			name: "Descope sends the user to Auth Hosting on its custom domain, running another flow",
			breakWorld: func(w *vt.World) {
				w.DescopeAuthorize = vt.Answer{Status: http.StatusFound, Location: w.Descope.URL + "/login/" + vt.ProjectID + "?flow=sign-in&state=abc"}
			},
			check: "hosted-ui", status: verify.StatusFail,
			message: func(w *vt.World) string {
				return "Descope sends the sign-in to Auth Hosting " + w.Descope.URL + "/login/" + vt.ProjectID + " running flow=sign-in, not the configured descopeFlowId oidc-flow"
			},
			fixFor: func(w *vt.World) string { return fixFlow(w, "sign-in") },
		},
		{
			name: "Descope answers an OAuth error to Cognito",
			breakWorld: func(w *vt.World) {
				w.DescopeAuthorize = vt.Answer{Status: http.StatusFound, Location: w.RedirectURI() + "?error=invalid_scope&error_description=scope+not+allowed&state=abc"}
			},
			check: "hosted-ui", status: verify.StatusFail,
			message: fixed(`Descope answered with an error to Cognito: error="invalid_scope" error_description="scope not allowed"`),
			fix:     "Descope refused the sign-in for the reason it names: fix that in the Descope console, then rerun",
		},
		{
			name: "Descope answers something verify does not recognise",
			breakWorld: func(w *vt.World) {
				w.DescopeAuthorize = vt.Answer{Status: http.StatusBadRequest, Body: `{"errorCode":"E061102","errorDescription":"Invalid redirect URL","errorMessage":"redirect url is not allowed"}`}
			},
			check: "hosted-ui", status: verify.StatusUnknown,
			message: fixed(`Descope answered 400 Bad Request: {"errorCode":"E061102","errorDescription":"Invalid redirect URL","errorMessage":"redirect url is not allowed"}`),
			fix:     fixUnknown,
		},
		{
			name: "Descope sends the user straight back to Cognito without an error",
			breakWorld: func(w *vt.World) {
				w.DescopeAuthorize = vt.Answer{Status: http.StatusFound, Location: w.RedirectURI() + "?state=abc"}
			},
			check: "hosted-ui", status: verify.StatusUnknown,
			message: func(w *vt.World) string {
				return "Descope answered 302 Found to " + w.RedirectURI() + "?state=abc"
			},
			fix: fixUnknown,
		},
		{
			name: "Descope redirects within its own API",
			breakWorld: func(w *vt.World) {
				w.DescopeAuthorize = vt.Answer{Status: http.StatusSeeOther, Location: "/oauth2/v1/error?code=E1"}
			},
			check: "hosted-ui", status: verify.StatusUnknown,
			message: func(w *vt.World) string {
				return "Descope answered 303 See Other to " + w.Descope.URL + "/oauth2/v1/error?code=E1"
			},
			fix: fixUnknown,
		},
	})
}

// denied is how check 3 names actions IAM's simulation implicitly denies.
func denied(actions ...string) string {
	named := make([]string, len(actions))
	for i, a := range actions {
		named[i] = a + " (implicitDeny)"
	}
	return strings.Join(named, ", ")
}
