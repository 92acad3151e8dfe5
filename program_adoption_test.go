package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool/livepooltest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck/triggerchecktest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// The recorded pool (internal/livepool/testdata/README.md): set up by hand
// from Descope's post, with the post's Python trigger, a Descope provider, a
// prefix and a custom domain, and one app client without Descope.
const (
	recordings       = "internal/livepool/testdata"
	recordedPoolID   = "us-east-1_AdOpT1234"
	recordedPoolARN  = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + recordedPoolID
	recordedClientID = "4h3kacmewebclient000000001"
	aliasPoolID      = "us-east-1_AliasPool1"
	blogTrigger      = "arn:aws:lambda:us-east-1:123456789012:function:descope-blog-presignup"
	mergeFunction    = "passkeys-dev-merge"
	mergeFunctionARN = "arn:aws:lambda:" + pulumitest.Region + ":" + pulumitest.AccountID + ":function:" + mergeFunction
)

const (
	typePool       = "aws:cognito/userPool:UserPool"
	typeClient     = "aws:cognito/userPoolClient:UserPoolClient"
	typeDomain     = "aws:cognito/userPoolDomain:UserPoolDomain"
	typeProvider   = "aws:cognito/identityProvider:IdentityProvider"
	typeFunction   = "aws:lambda/function:Function"
	typePermission = "aws:lambda/permission:Permission"
)

// adoptionConfig adopts poolID with the given clients (the program's own
// client, with validConfig's callback URLs, when there are none).
func adoptionConfig(poolID string, clientIDs ...string) map[string]any {
	cfg := validConfig()
	cfg["aws:region"] = pulumitest.Region
	cfg["userPoolId"] = poolID
	cfg["replacePreSignUpTrigger"] = true
	if len(clientIDs) > 0 {
		delete(cfg, "callbackUrls")
		cfg["appClientIds"] = clientIDs
	}
	return cfg
}

// runAdoption runs the program under mocks; rec may carry invoke answers.
func runAdoption(t *testing.T, rec *pulumitest.Recorder, cfg map[string]any) error {
	t.Helper()
	p := program{build: buildMergeFunction, discover: discoveredEndpoints}
	return pulumi.RunErr(p.run, pulumi.WithMocks(project, "dev", rec), pulumitest.WithConfig(project, cfg, "descopeAccessKey"))
}

func mustRunAdoption(t *testing.T, cfg map[string]any) *pulumitest.Recorder {
	t.Helper()
	rec := &pulumitest.Recorder{}
	if err := runAdoption(t, rec, cfg); err != nil {
		t.Fatalf("run: %v", err)
	}
	return rec
}

// functionTags answers the merge function's lookup (detach) with tags.
func functionTags(tags map[string]string) *pulumitest.Recorder {
	return &pulumitest.Recorder{Invokes: map[string]func(resource.PropertyMap) (resource.PropertyMap, error){
		"aws:lambda/getFunction:getFunction": func(args resource.PropertyMap) (resource.PropertyMap, error) {
			if name := args["functionName"].StringValue(); name != mergeFunction {
				return nil, fmt.Errorf("no function %s", name)
			}
			return resource.NewPropertyMapFromMap(map[string]any{"functionName": mergeFunction, "arn": mergeFunctionARN, "tags": tags}), nil
		},
	}}
}

// declaredDirectly registers livepool's plan for the live pool exactly as
// it comes (livepool's own tests prove it equals the live settings plus the
// owned changes) and returns the inputs by resource name, to compare with
// what the program registered.
func declaredDirectly(t *testing.T, request livepool.Request, owned livepool.Owned) map[string]map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	api := livepooltest.Cognito(ctx, t)
	state, err := livepool.Read(ctx, api, request)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := livepool.Adopt(state, owned)
	if err != nil {
		t.Fatal(err)
	}
	rec := &pulumitest.Recorder{}
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		if _, err := cognito.NewUserPool(ctx, "passkeys-user-pool", plan.Pool.Args); err != nil {
			return err
		}
		for _, c := range plan.Clients {
			if _, err := cognito.NewUserPoolClient(ctx, "passkeys-client-"+c.ImportID[strings.LastIndex(c.ImportID, "/")+1:], c.Args); err != nil {
				return err
			}
		}
		for i, d := range plan.Domains {
			name := "passkeys-domain"
			if i > 0 {
				name += "-" + d.ImportID
			}
			if _, err := cognito.NewUserPoolDomain(ctx, name, d.Args); err != nil {
				return err
			}
		}
		return nil
	}, pulumi.WithMocks(project, "dev", rec))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, r := range rec.All() {
		out[r.Name] = r.Inputs.Mappable()
	}
	return out
}

// firstRunOwned is what the program owns on its first run, replacing the
// post's trigger.
func firstRunOwned() livepool.Owned {
	return livepool.Owned{ProviderName: passkeys.DefaultProviderName, PreSignUpARN: pulumi.String(mergeFunctionARN),
		MergeFunctionName: mergeFunction, ReplacePreSignUpTrigger: true}
}

// assertAdopted checks that every resource of the live pool is registered
// with its import ID, kept through any destroy, and with the inputs of the
// plan: live settings plus only the owned changes.
func assertAdopted(t *testing.T, rec *pulumitest.Recorder, want map[string]map[string]any, importIDs map[string]string) {
	t.Helper()
	if len(want) != len(importIDs) {
		t.Fatalf("the plan declares %v, the test expects imports of %v", slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(importIDs)))
	}
	byName := map[string]pulumitest.Resource{}
	for _, r := range rec.All() {
		byName[r.Name] = r
	}
	for name, importID := range importIDs {
		r, ok := byName[name]
		if !ok {
			t.Errorf("%s is not declared", name)
			continue
		}
		if r.ImportID != importID || !r.RetainOnDelete {
			t.Errorf("%s: import ID %q, retainOnDelete %v; want %q and true", name, r.ImportID, r.RetainOnDelete, importID)
		}
		if inputs, ok := want[name]; ok && !reflect.DeepEqual(r.Inputs.Mappable(), inputs) {
			got := r.Inputs.Mappable()
			for _, key := range slices.Sorted(maps.Keys(inputs)) {
				if !reflect.DeepEqual(got[key], inputs[key]) {
					t.Errorf("%s.%s = %v\nwant the plan's %v", name, key, got[key], inputs[key])
				}
			}
			for key := range got {
				if _, planned := inputs[key]; !planned {
					t.Errorf("%s.%s = %v is declared beyond the plan", name, key, got[key])
				}
			}
		}
	}
}

// byName is the registered resource of that name.
func byName(t *testing.T, rec *pulumitest.Recorder, name string) pulumitest.Resource {
	t.Helper()
	for _, r := range rec.All() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("%s is not declared", name)
	return pulumitest.Resource{}
}

func dependsOnFunction(urn string) bool {
	return strings.HasSuffix(urn, typeFunction+"::passkeys-merge")
}

func TestAdoptRecordedPool(t *testing.T) {
	livepooltest.ServeRecorded(t, recordings)
	rec := mustRunAdoption(t, adoptionConfig(recordedPoolID, recordedClientID))

	want := declaredDirectly(t, livepool.Request{UserPoolID: recordedPoolID, ClientIDs: []string{recordedClientID}, ProviderName: "Descope"}, firstRunOwned())
	assertAdopted(t, rec, want, map[string]string{ //nolint:gosec // G101: resource names and import IDs, no credentials
		"passkeys-user-pool":                  recordedPoolID,
		"passkeys-client-" + recordedClientID: recordedPoolID + "/" + recordedClientID,
		"passkeys-domain":                     "acme-login",
		"passkeys-domain-login.acme.example":  "login.acme.example",
	})

	pool, err := rec.One(typePool)
	if err != nil {
		t.Fatal(err)
	}
	if !pool.Protect {
		t.Error("the adopted pool is not protected")
	}
	// The pool's update waits for Cognito's right to invoke the function and
	// the function's right to link in this pool, both named from the live read.
	permission, err := rec.One(typePermission)
	if err != nil {
		t.Fatal(err)
	}
	linkPolicy := byName(t, rec, "passkeys-merge-cognito")
	for _, first := range []pulumitest.Resource{permission, linkPolicy} {
		if !rec.DependsOn(pool, first) {
			t.Errorf("the adopted pool does not wait for %s (dependencies %v)", first.Name, pool.Dependencies)
		}
	}
	if got := permission.Inputs["sourceArn"].StringValue(); got != recordedPoolARN {
		t.Errorf("permission sourceArn = %s, want the recorded pool %s", got, recordedPoolARN)
	}
	if got := linkPolicy.Inputs["policy"].StringValue(); !strings.Contains(got, `"Resource":["`+recordedPoolARN+`"]`) {
		t.Errorf("link policy %s does not name exactly the recorded pool %s", got, recordedPoolARN)
	}
	// Spot checks against the recording itself: a live setting kept, the
	// owned changes made.
	if got := pool.Inputs["passwordPolicy"].ObjectValue()["minimumLength"].NumberValue(); got != 14 {
		t.Errorf("passwordPolicy.minimumLength = %v, want the live 14", got)
	}
	// The pool has the Descope provider but not custom:descope_sub: this run
	// keeps the trigger, the next one moves it.
	lambdaConfig := pool.Inputs["lambdaConfig"].ObjectValue()
	if got := lambdaConfig["preSignUp"].StringValue(); got != blogTrigger {
		t.Errorf("preSignUp = %s, want the live %s kept in this run", got, blogTrigger)
	}
	if got := lambdaConfig["customMessage"].StringValue(); !strings.HasSuffix(got, ":function:acme-custom-message") {
		t.Errorf("customMessage = %s, want the live trigger kept", got)
	}

	if n := len(rec.Resources(typeClient)); n != 1 {
		t.Errorf("%d app clients declared, want only the adopted one", n)
	}
	provider, err := rec.One(typeProvider)
	if err != nil {
		t.Fatal(err)
	}
	if provider.ImportID != recordedPoolID+":Descope" || !provider.RetainOnDelete {
		t.Errorf("provider import ID %q, retainOnDelete %v: want the existing Descope provider imported, not a second one", provider.ImportID, provider.RetainOnDelete)
	}
	mapping := provider.Inputs["attributeMapping"].ObjectValue()
	if mapping["given_name"].StringValue() != "given_name" || mapping["custom:descope_sub"].StringValue() != "sub" {
		t.Errorf("attributeMapping = %v, want the live given_name kept and custom:descope_sub added", mapping)
	}

	fn, err := rec.One(typeFunction)
	if err != nil {
		t.Fatal(err)
	}
	if got := fn.Inputs["tags"].ObjectValue()[passkeys.PreviousPreSignUpTag].StringValue(); got != blogTrigger {
		t.Errorf("function tag %s = %q, want the replaced trigger %s", passkeys.PreviousPreSignUpTag, got, blogTrigger)
	}
	if want := fmt.Sprintf("tags[%q]", passkeys.PreviousPreSignUpTag); !slices.Contains(fn.IgnoreChanges, want) {
		t.Errorf("function ignoreChanges = %v, want %s so later runs keep the first run's value", fn.IgnoreChanges, want)
	}
}

// patchedRecordings copies the recordings into a temporary directory,
// changes the named files and adds new ones.
func patchedRecordings(t *testing.T, patches map[string]func(map[string]any), added map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(recordings)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil { //nolint:gosec // G703: names of the repository's recordings and the test's own, written into t.TempDir()
			t.Fatal(err)
		}
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(recordings, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if patch, ok := patches[e.Name()]; ok {
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			patch(doc)
			if data, err = json.Marshal(doc); err != nil {
				t.Fatal(err)
			}
		}
		write(e.Name(), data)
	}
	for name, doc := range added {
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		write(name, data)
	}
	return dir
}

// adoptedRecordings is the recorded pool once adopted: the merge function as
// trigger, the subject attribute added, the client enabled for Descope with
// the code flow.
func adoptedRecordings(t *testing.T) string {
	t.Helper()
	return recordingsAfterUp(t, mergeFunctionARN)
}

// recordingsAfterUp is the recorded pool after a `pulumi up` that left the
// given trigger: the first, which keeps the post's, or the second, which
// moves it to the merge function.
func recordingsAfterUp(t *testing.T, trigger string) string {
	t.Helper()
	return patchedRecordings(t, map[string]func(map[string]any){
		"DescribeUserPool." + recordedPoolID + ".json": func(doc map[string]any) {
			pool := doc["UserPool"].(map[string]any)
			pool["LambdaConfig"].(map[string]any)["PreSignUp"] = trigger
			pool["SchemaAttributes"] = append(pool["SchemaAttributes"].([]any), map[string]any{
				"Name": "custom:descope_sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false,
				"StringAttributeConstraints": map[string]any{"MinLength": "1", "MaxLength": "256"},
			})
		},
		"DescribeUserPoolClient." + recordedClientID + ".json": func(doc map[string]any) {
			client := doc["UserPoolClient"].(map[string]any)
			client["SupportedIdentityProviders"] = append(client["SupportedIdentityProviders"].([]any), "Descope")
			client["AllowedOAuthFlows"] = append(client["AllowedOAuthFlows"].([]any), "code")
			client["AllowedOAuthScopes"] = append(client["AllowedOAuthScopes"].([]any), "openid")
			client["AllowedOAuthFlowsUserPoolClient"] = true
		},
	}, nil)
}

// What the stack creates in an adopted pool (the domain, the provider, the
// app client), the next run finds in the pool: it must stay the same
// resource, under the same name, not a second resource that replaces
// (deletes) the first. All are kept through a destroy from the start.
func TestWhatTheStackCreatesInAnAdoptedPoolStaysOneResource(t *testing.T) {
	livepooltest.ServeRecorded(t, recordings)
	cfg := adoptionConfig(aliasPoolID)
	cfg["domainPrefix"] = "acme-new"
	first := mustRunAdoption(t, cfg)
	for _, typ := range []string{typeDomain, typeProvider, typeClient} {
		r, err := first.One(typ)
		if err != nil {
			t.Fatal(err)
		}
		if r.ImportID != "" || !r.RetainOnDelete {
			t.Errorf("first run: %s import %q, retainOnDelete %v; want created and kept", r.Name, r.ImportID, r.RetainOnDelete)
		}
	}

	livepooltest.ServeRecorded(t, patchedRecordings(t, map[string]func(map[string]any){
		"DescribeUserPool." + aliasPoolID + ".json": func(doc map[string]any) { doc["UserPool"].(map[string]any)["Domain"] = "acme-new" },
		"ListIdentityProviders." + aliasPoolID + ".json": func(doc map[string]any) {
			doc["Providers"] = []any{map[string]any{"ProviderName": "Descope", "ProviderType": "OIDC"}}
		},
	}, map[string]any{
		"DescribeUserPoolDomain.acme-new.json": map[string]any{"DomainDescription": map[string]any{
			"UserPoolId": aliasPoolID, "Domain": "acme-new", "Status": "ACTIVE", "CloudFrontDistribution": "d111111abcdef8.cloudfront.net",
		}},
	}))
	second := mustRunAdoption(t, cfg)
	for typ, want := range map[string]pulumitest.Resource{
		typeDomain:   {Name: "passkeys-domain", ImportID: "acme-new"},
		typeProvider: {Name: "passkeys-descope", ImportID: aliasPoolID + ":Descope"},
		// Not listed in appClientIds, the client stays the stack's own.
		typeClient: {Name: "passkeys-client"},
	} {
		r, err := second.One(typ)
		if err != nil {
			t.Fatal(err)
		}
		if r.Name != want.Name || r.ImportID != want.ImportID || !r.RetainOnDelete {
			t.Errorf("second run: %s imports %q, retainOnDelete %v; want %s importing %q, kept", r.Name, r.ImportID, r.RetainOnDelete, want.Name, want.ImportID)
		}
	}

	// Listed in appClientIds later, the client the stack created is imported
	// under the adopted client's name; the engine then deletes the resource
	// it was, which, kept on delete, only forgets it: the client stays.
	const createdClientID = "7pk5stackcreatedclient0001"
	livepooltest.ServeRecorded(t, patchedRecordings(t, nil, map[string]any{
		"DescribeUserPoolClient." + createdClientID + ".json": map[string]any{"UserPoolClient": map[string]any{
			"UserPoolId": aliasPoolID, "ClientId": createdClientID, "ClientName": "passkeys-client-1234567",
			"SupportedIdentityProviders": []string{"COGNITO", "Descope"}, "AllowedOAuthFlows": []string{"code"},
			"AllowedOAuthScopes": []string{"openid", "email", "profile"}, "AllowedOAuthFlowsUserPoolClient": true,
			"CallbackURLs": []string{"http://localhost:3000/callback"},
		}},
	}))
	listed := mustRunAdoption(t, adoptionConfig(aliasPoolID, createdClientID))
	client, err := listed.One(typeClient)
	if err != nil {
		t.Fatal(err)
	}
	if client.Name != "passkeys-client-"+createdClientID || client.ImportID != aliasPoolID+"/"+createdClientID || !client.RetainOnDelete {
		t.Errorf("listed client: %s imports %q, retainOnDelete %v; want it imported and kept", client.Name, client.ImportID, client.RetainOnDelete)
	}
}

// inputsByName are the registered inputs of the adopted resources and the
// function, without the function's previous-trigger tag (ignored by design).
func inputsByName(rec *pulumitest.Recorder) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range rec.All() {
		switch r.Type {
		case typePool, typeClient, typeDomain, typeProvider, typeFunction:
			inputs := r.Inputs.Mappable()
			if tags, ok := inputs["tags"].(map[string]any); ok && r.Type == typeFunction {
				delete(tags, passkeys.PreviousPreSignUpTag)
			}
			out[r.Name] = inputs
		}
	}
	return out
}

// The run that moves the trigger (the second, on the recorded pool) makes the
// pool's update wait for the provider and the client, and declares what a
// further run declares again.
func TestSecondRunAgainstTheAdoptedPoolChangesNothing(t *testing.T) {
	livepooltest.ServeRecorded(t, recordingsAfterUp(t, blogTrigger))
	first := mustRunAdoption(t, adoptionConfig(recordedPoolID, recordedClientID))
	pool, err := first.One(typePool)
	if err != nil {
		t.Fatal(err)
	}
	if got := pool.Inputs["lambdaConfig"].ObjectValue()["preSignUp"].StringValue(); got != mergeFunctionARN {
		t.Errorf("preSignUp = %s, want the merge function %s", got, mergeFunctionARN)
	}
	if !slices.ContainsFunc(pool.Dependencies, dependsOnFunction) {
		t.Error("the adopted pool does not wait for the merge function it is given as trigger")
	}
	for _, before := range []pulumitest.Resource{byName(t, first, "passkeys-descope"), byName(t, first, "passkeys-client-"+recordedClientID)} {
		if !first.DependsOn(pool, before) {
			t.Errorf("the pool's trigger moves before %s is updated (dependencies %v)", before.Name, pool.Dependencies)
		}
	}

	livepooltest.ServeRecorded(t, adoptedRecordings(t))
	cfg := adoptionConfig(recordedPoolID, recordedClientID)
	// The live trigger is now the stack's own function: not refused, even
	// without replacePreSignUpTrigger.
	delete(cfg, "replacePreSignUpTrigger")
	second := mustRunAdoption(t, cfg)

	firstInputs, secondInputs := inputsByName(first), inputsByName(second)
	if len(firstInputs) != 6 {
		t.Fatalf("compared %v, want the pool, the client, two domains, the provider and the function", slices.Sorted(maps.Keys(firstInputs)))
	}
	for name, inputs := range firstInputs {
		if !reflect.DeepEqual(inputs, secondInputs[name]) {
			t.Errorf("%s changes on the second run:\n first %v\nsecond %v", name, inputs, secondInputs[name])
		}
	}
	fn, err := second.One(typeFunction)
	if err != nil {
		t.Fatal(err)
	}
	if got := fn.Inputs["tags"].ObjectValue()[passkeys.PreviousPreSignUpTag].StringValue(); got != "" {
		t.Errorf("second run declares the tag %q; it only knows the trigger on the first run (the ignored tag keeps it)", got)
	}
}

func TestDetachPutsThePreviousTriggerBack(t *testing.T) {
	livepooltest.ServeRecorded(t, adoptedRecordings(t))
	triggerchecktest.ServeRecorded(t, triggerchecktest.Recordings)
	adopted := mustRunAdoption(t, adoptionConfig(recordedPoolID, recordedClientID))

	cfg := adoptionConfig(recordedPoolID, recordedClientID)
	cfg["detach"] = true
	rec := functionTags(map[string]string{passkeys.PreviousPreSignUpTag: blogTrigger})
	if err := runAdoption(t, rec, cfg); err != nil {
		t.Fatal(err)
	}
	pool, err := rec.One(typePool)
	if err != nil {
		t.Fatal(err)
	}
	if got := pool.Inputs["lambdaConfig"].ObjectValue()["preSignUp"].StringValue(); got != blogTrigger {
		t.Errorf("preSignUp = %s after detach, want the previous trigger %s", got, blogTrigger)
	}
	if slices.ContainsFunc(pool.Dependencies, dependsOnFunction) {
		t.Error("the detached pool still depends on the merge function")
	}
	// Nothing else about the pool changes.
	before, after := inputsByName(adopted)["passkeys-user-pool"], pool.Inputs.Mappable()
	delete(before["lambdaConfig"].(map[string]any), "preSignUp")
	delete(after["lambdaConfig"].(map[string]any), "preSignUp")
	if !reflect.DeepEqual(before, after) {
		t.Errorf("detach changes more than the trigger:\nbefore %v\n after %v", before, after)
	}

	rec = functionTags(map[string]string{})
	err = runAdoption(t, rec, cfg)
	if err == nil || !strings.Contains(err.Error(), "has no "+passkeys.PreviousPreSignUpTag+" tag") || !strings.Contains(err.Error(), "docs/runbook.md") {
		t.Errorf("err = %v, want a refusal to guess the trigger, pointing at the runbook", err)
	}
	if n := len(rec.Resources(passkeys.ComponentType)); n != 0 {
		t.Errorf("%d components declared without knowing the trigger to put back", n)
	}
}

// Detach and teardown put the previous trigger back only if Cognito can still
// call it: the post's Python function may have been deleted since, as the
// README suggests, and a trigger Cognito cannot call fails every sign-up.
// The refusal says how to choose, before anything is declared.
func TestDetachRefusesAPreviousTriggerCognitoCannotCall(t *testing.T) {
	tests := []struct {
		name     string
		previous string
		teardown bool
		want     []string
	}{
		{"the function was deleted", "arn:aws:lambda:us-east-1:123456789012:function:deleted-presignup", false,
			[]string{"deleted-presignup does not exist", "recreate the function"}},
		{"the function has no permission for Cognito", "arn:aws:lambda:us-east-1:123456789012:function:presignup-no-permission", false,
			[]string{"presignup-no-permission has no resource-policy statement", "let Cognito invoke it"}},
		{"teardown: the permission is for another pool", "arn:aws:lambda:us-east-1:123456789012:function:presignup-other-pool", true,
			[]string{"presignup-other-pool has no resource-policy statement"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			livepooltest.ServeRecorded(t, adoptedRecordings(t))
			triggerchecktest.ServeRecorded(t, triggerchecktest.Recordings)
			cfg := adoptionConfig(recordedPoolID, recordedClientID)
			if tt.teardown {
				t.Setenv(TeardownVariable, "dev")
			} else {
				cfg["detach"] = true
			}
			rec := functionTags(map[string]string{passkeys.PreviousPreSignUpTag: tt.previous})
			err := runAdoption(t, rec, cfg)
			if err == nil {
				t.Fatal("the run puts back a trigger Cognito cannot call")
			}
			grant := "aws lambda add-permission --function-name " + tt.previous + " --statement-id cognito-" + recordedPoolID +
				" --action lambda:InvokeFunction --principal cognito-idp.amazonaws.com --source-arn arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + recordedPoolID
			for _, want := range append(tt.want, "every sign-up in "+recordedPoolID+" would fail", grant,
				"pulumi config set --type bool detachRemovesPreSignUpTrigger true") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			if n := len(rec.Resources(passkeys.ComponentType)); n != 0 {
				t.Errorf("%d components declared before the refusal", n)
			}
		})
	}
}

// detachRemovesPreSignUpTrigger is the other way out: the trigger is removed,
// whatever the tag says, and the previous function is not needed.
func TestDetachCanRemoveTheTriggerInstead(t *testing.T) {
	for _, teardown := range []bool{false, true} {
		t.Run(fmt.Sprintf("teardown %v", teardown), func(t *testing.T) {
			livepooltest.ServeRecorded(t, adoptedRecordings(t)) // no Lambda answers at all
			cfg := adoptionConfig(recordedPoolID, recordedClientID)
			cfg["detachRemovesPreSignUpTrigger"] = true
			if teardown {
				t.Setenv(TeardownVariable, "dev")
			} else {
				cfg["detach"] = true
			}
			rec := functionTags(map[string]string{passkeys.PreviousPreSignUpTag: "arn:aws:lambda:us-east-1:123456789012:function:deleted-presignup"})
			if err := runAdoption(t, rec, cfg); err != nil {
				t.Fatal(err)
			}
			pool, err := rec.One(typePool)
			if err != nil {
				t.Fatal(err)
			}
			lambdaConfig := pool.Inputs["lambdaConfig"].ObjectValue()
			if _, set := lambdaConfig["preSignUp"]; set {
				t.Errorf("preSignUp = %v, want the trigger removed", lambdaConfig["preSignUp"])
			}
			if got := lambdaConfig["customMessage"].StringValue(); !strings.HasSuffix(got, ":function:acme-custom-message") {
				t.Errorf("customMessage = %q, want the other triggers kept", got)
			}
		})
	}
}

// make destroy on an adopted stack: the teardown `up` detaches and lifts the
// guard, and the destroy that follows deletes the function but nothing in the
// pool (the pool, its clients, domains and provider, whether adopted or
// created there by the stack), and no pool is left calling it.
func TestTeardownOfAnAdoptedStackDetachesAndKeepsThePool(t *testing.T) {
	tests := []struct {
		name       string
		recordings func(t *testing.T) string
		cfg        map[string]any
	}{
		{"adopted client and domains", adoptedRecordings, adoptionConfig(recordedPoolID, recordedClientID)},
		{"the stack's own client and domain", func(*testing.T) string { return recordings }, adoptionConfig(aliasPoolID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			livepooltest.ServeRecorded(t, tt.recordings(t))
			t.Setenv(TeardownVariable, "dev")
			rec := functionTags(map[string]string{passkeys.PreviousPreSignUpTag: ""})
			if err := runAdoption(t, rec, tt.cfg); err != nil {
				t.Fatal(err)
			}
			guard, err := rec.One(passkeys.DestroyGuardType)
			if err != nil {
				t.Fatal(err)
			}
			if guard.Protect {
				t.Error("teardown leaves the destroy guard protected")
			}
			pool, err := rec.One(typePool)
			if err != nil {
				t.Fatal(err)
			}
			if pool.Protect || !pool.RetainOnDelete {
				t.Errorf("pool protect %v, retainOnDelete %v: teardown must let the destroy proceed and still never delete an adopted pool", pool.Protect, pool.RetainOnDelete)
			}
			if lambdaConfig, ok := pool.Inputs["lambdaConfig"]; ok {
				if _, set := lambdaConfig.ObjectValue()["preSignUp"]; set {
					t.Errorf("the pool had no trigger before adoption, yet teardown declares %v", lambdaConfig)
				}
			}
			inPool := 0
			for _, r := range rec.All() {
				if _, ok := r.Inputs["userPoolId"]; !ok {
					continue
				}
				inPool++
				if !r.RetainOnDelete {
					t.Errorf("%s (%s): not retained on delete; the destroy would delete it from the adopted pool", r.Name, r.Type)
				}
			}
			if inPool < 3 {
				t.Errorf("%d resources in the pool, want at least a client, a domain and the provider", inPool)
			}
		})
	}
}

func TestAdoptingWithoutClientsCreatesTheAppClientAndDomain(t *testing.T) {
	livepooltest.ServeRecorded(t, recordings)
	rec := mustRunAdoption(t, adoptionConfig(aliasPoolID))
	pool, err := rec.One(typePool)
	if err != nil {
		t.Fatal(err)
	}
	if pool.Name != "passkeys-user-pool" || pool.ImportID != aliasPoolID {
		t.Errorf("pool %s imports %q; want the created pool's name (URNs do not depend on adoption) importing %s", pool.Name, pool.ImportID, aliasPoolID)
	}
	client, err := rec.One(typeClient)
	if err != nil {
		t.Fatal(err)
	}
	if client.ImportID != "" || client.Inputs["callbackUrls"].ArrayValue()[0].StringValue() != "http://localhost:3000/callback" {
		t.Errorf("client %s import %q: want the program's own client with callbackUrls", client.Name, client.ImportID)
	}
	for _, typ := range []string{typeDomain, typeProvider} {
		r, err := rec.One(typ)
		if err != nil {
			t.Fatal(err)
		}
		if r.ImportID != "" {
			t.Errorf("%s imports %q from a pool that has none", typ, r.ImportID)
		}
	}
}

func TestAdoptionRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(map[string]any)
		want   []string
	}{
		{"the post's trigger without replacePreSignUpTrigger", func(c map[string]any) { delete(c, "replacePreSignUpTrigger") },
			[]string{"LambdaConfig.PreSignUp", blogTrigger, "pulumi config set replacePreSignUpTrigger true",
				"stops that function for every sign-up, not only Descope's", "chainPreSignUpTrigger", "docs/adoption.md"}},
		{"an app client the pool does not have", func(c map[string]any) { c["appClientIds"] = []string{"nosuchclient"} },
			[]string{"app client nosuchclient", "check appClientIds"}},
		{"a pool in another region", func(c map[string]any) { c["aws:region"] = "eu-west-1" },
			[]string{"userPoolId:", "pulumi config set aws:region us-east-1"}},
		{"not a pool ID", func(c map[string]any) { c["userPoolId"] = "my-pool" },
			[]string{"userPoolId:", "us-east-1_AbCdEf123"}},
		{"callback URLs for adopted clients", func(c map[string]any) { c["callbackUrls"] = []string{"https://app.example.com/cb"} },
			[]string{"callbackUrls:", "pulumi config rm callbackUrls"}},
		{"a domain prefix besides the pool's domains", func(c map[string]any) { c["domainPrefix"] = "another" },
			[]string{"DomainPrefix", "acme-login"}},
		{"client IDs without a pool", func(c map[string]any) { delete(c, "userPoolId") },
			[]string{"appClientIds:", "set userPoolId"}},
		{"detach without a pool", func(c map[string]any) { delete(c, "userPoolId"); delete(c, "appClientIds"); c["detach"] = true },
			[]string{"detach:", "set userPoolId"}},
		{"removing the trigger without detaching", func(c map[string]any) { c["detachRemovesPreSignUpTrigger"] = true },
			[]string{"detachRemovesPreSignUpTrigger:", "pulumi config set --type bool detach true", "pulumi config rm detachRemovesPreSignUpTrigger"}},
		{"removing the trigger of no pool", func(c map[string]any) {
			delete(c, "userPoolId")
			delete(c, "appClientIds")
			c["detach"] = true
			c["detachRemovesPreSignUpTrigger"] = true
		}, []string{"detachRemovesPreSignUpTrigger:", "set userPoolId"}},
	}
	livepooltest.ServeRecorded(t, recordings)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := adoptionConfig(recordedPoolID, recordedClientID)
			tt.change(cfg)
			rec := &pulumitest.Recorder{}
			err := runAdoption(t, rec, cfg)
			if err == nil {
				t.Fatal("run accepted it")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			if n := len(rec.All()); n != 0 {
				t.Errorf("%d resources declared before the refusal", n)
			}
		})
	}
}

// A pool adoption would silently change is refused by the program with every
// reason at once, each naming the setting and the fix, before anything is
// declared.
func TestUnsafePoolIsRefusedWithEveryReason(t *testing.T) {
	livepooltest.ServeRecorded(t, patchedRecordings(t, map[string]func(map[string]any){
		"DescribeUserPool." + recordedPoolID + ".json": func(doc map[string]any) {
			pool := doc["UserPool"].(map[string]any)
			pool["LambdaConfig"].(map[string]any)["InboundFederation"] = map[string]any{
				"LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:inbound", "LambdaVersion": "V1_0",
			}
			delete(pool, "UsernameAttributes")
			delete(pool, "AliasAttributes")
		},
	}, nil))
	rec := &pulumitest.Recorder{}
	err := runAdoption(t, rec, adoptionConfig(recordedPoolID, recordedClientID))
	if err == nil {
		t.Fatal("run adopted an unsafe pool")
	}
	for _, want := range []string{
		"LambdaConfig.InboundFederation", "function:inbound", "remove the inbound federation trigger",
		"UsernameAttributes/AliasAttributes", "migrate its users to a new pool",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal does not say %q:\n%v", want, err)
		}
	}
	if n := len(rec.All()); n != 0 {
		t.Errorf("%d resources declared before the refusal", n)
	}
}

// TestMotoPoolIsAdoptedByTheProgram runs the program against a pool with
// non-default settings everywhere in moto_server, then against the same pool
// after the owned changes are applied.
func TestMotoPoolIsAdoptedByTheProgram(t *testing.T) {
	endpoint := livepooltest.StartMoto(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	api := livepooltest.Cognito(ctx, t)
	poolID, clientID := livepooltest.CreateRichPool(ctx, t, api)
	request := livepool.Request{UserPoolID: poolID, ClientIDs: []string{clientID}, ProviderName: "Descope"}

	first := mustRunAdoption(t, adoptionConfig(poolID, clientID))
	assertAdopted(t, first, declaredDirectly(t, request, firstRunOwned()), map[string]string{
		"passkeys-user-pool":          poolID,
		"passkeys-client-" + clientID: poolID + "/" + clientID,
		"passkeys-domain":             "acme-moto",
	})
	fn, err := first.One(typeFunction)
	if err != nil {
		t.Fatal(err)
	}
	if got := fn.Inputs["tags"].ObjectValue()[passkeys.PreviousPreSignUpTag].StringValue(); got != livepooltest.BlogTrigger {
		t.Errorf("previous trigger tag %q, want %s", got, livepooltest.BlogTrigger)
	}

	// The pool has the Descope provider but not custom:descope_sub: the first
	// run keeps the trigger, and the next one (ApplyOwnedChanges moves it)
	// declares the merge function.
	firstInputs := inputsByName(first)
	lambdaConfig := firstInputs["passkeys-user-pool"]["lambdaConfig"].(map[string]any)
	if got := lambdaConfig["preSignUp"]; got != livepooltest.BlogTrigger {
		t.Errorf("first run: preSignUp = %v, want the live %s kept", got, livepooltest.BlogTrigger)
	}
	lambdaConfig["preSignUp"] = mergeFunctionARN

	livepooltest.ApplyOwnedChanges(ctx, t, endpoint, api, poolID, clientID, mergeFunctionARN)
	cfg := adoptionConfig(poolID, clientID)
	delete(cfg, "replacePreSignUpTrigger")
	second := mustRunAdoption(t, cfg)
	secondInputs := inputsByName(second)
	for name, inputs := range firstInputs {
		if !reflect.DeepEqual(inputs, secondInputs[name]) {
			t.Errorf("%s changes on the second run:\n first %v\nsecond %v", name, inputs, secondInputs[name])
		}
	}
}

// TestMotoDetachChecksThePreviousTrigger runs the detach against moto_server,
// Cognito and Lambda both: the post's function, gone, stops it; recreated
// and granted to the pool, it is put back.
func TestMotoDetachChecksThePreviousTrigger(t *testing.T) {
	endpoint := livepooltest.StartMoto(t)
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Region: pulumitest.Region})
	if err != nil {
		t.Fatal(err)
	}
	api := cognitoidentityprovider.NewFromConfig(cfg)
	poolID, clientID := livepooltest.CreateRichPool(ctx, t, api)
	livepooltest.ApplyOwnedChanges(ctx, t, endpoint, api, poolID, clientID, mergeFunctionARN)
	cfgMap := adoptionConfig(poolID, clientID)
	cfgMap["detach"] = true
	tags := map[string]string{passkeys.PreviousPreSignUpTag: livepooltest.BlogTrigger}

	rec := functionTags(tags)
	if err := runAdoption(t, rec, cfgMap); err == nil || !strings.Contains(err.Error(), "descope-blog-presignup does not exist") {
		t.Fatalf("detach with the post's function deleted: %v, want a refusal", err)
	}

	functions := lambda.NewFromConfig(cfg)
	arn := triggerchecktest.CreateFunction(ctx, t, functions, endpoint, "descope-blog-presignup")
	triggerchecktest.Grant(ctx, t, functions, arn, "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"+poolID)
	rec = functionTags(tags)
	if err := runAdoption(t, rec, cfgMap); err != nil {
		t.Fatal(err)
	}
	pool, err := rec.One(typePool)
	if err != nil {
		t.Fatal(err)
	}
	if got := pool.Inputs["lambdaConfig"].ObjectValue()["preSignUp"].StringValue(); got != livepooltest.BlogTrigger {
		t.Errorf("preSignUp = %q, want the post's function put back", got)
	}
}
