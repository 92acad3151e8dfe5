package livepool

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// compareCarried checks every set live value of a carried field against the
// registered input at its mapped path, and records which field patterns it saw.
func compareCarried(t *testing.T, what string, live any, rules map[string]fieldRule, inputs map[string]any, seen map[string]bool) {
	t.Helper()
	values := map[string]string{}
	valueLeaves(reflect.ValueOf(live), "", false, values)
	for _, path := range sortedKeys(values) {
		pattern := patternOf(path)
		rule, ok := ruleFor(rules, pattern)
		if !ok {
			t.Errorf("%s: %s has no rule", what, path)
			continue
		}
		if rule.disposition != carried || rule.undeclaredWhen != nil && rule.undeclaredWhen(live) {
			continue
		}
		seen[pattern] = true
		inputPath := fillPattern(rule.input, path)
		got, ok := lookup(inputs, inputPath)
		if !ok {
			t.Errorf("%s: live %s = %q is not declared at %s", what, path, values[path], inputPath)
			continue
		}
		if plain(got) != values[path] {
			t.Errorf("%s: live %s = %q, declared %s = %q", what, path, values[path], inputPath, plain(got))
		}
	}
}

// TestRecordedPoolsAreCarriedExactly: every live setting of the recorded
// pools, their MFA configuration and the client reaches the declared inputs
// unchanged, and the recordings set every carried field at least once.
func TestRecordedPoolsAreCarriedExactly(t *testing.T) {
	poolSeen, mfaSeen, clientSeen, domainSeen := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, tc := range []struct {
		poolID  string
		clients []string
	}{
		{recordedPoolID, []string{recordedClientID, recordedMobileClientID}},
		{recordedAliasPoolID, nil},
	} {
		state := readRecorded(t, tc.poolID, tc.clients...)
		plan, err := Adopt(state, ownedForTest())
		if err != nil {
			t.Fatal(err)
		}
		got := register(t, plan)
		compareCarried(t, tc.poolID, state.Pool, poolFieldRules, got.pool, poolSeen)
		compareCarried(t, tc.poolID+" MFA", state.MFA, mfaFieldRules, got.pool, mfaSeen)
		for i, client := range state.Clients {
			compareCarried(t, aws.ToString(client.ClientId), client, clientFieldRules, got.clients[i], clientSeen)
		}
		for i, domain := range state.Domains {
			compareCarried(t, aws.ToString(domain.Domain), domain, domainFieldRules, got.domains[i], domainSeen)
		}
	}
	for _, check := range []struct {
		name  string
		rules map[string]fieldRule
		seen  map[string]bool
	}{{"pool", poolFieldRules, poolSeen}, {"MFA", mfaFieldRules, mfaSeen}, {"client", clientFieldRules, clientSeen}, {"domain", domainFieldRules, domainSeen}} {
		for _, pattern := range sortedKeys(check.rules) {
			if check.rules[pattern].disposition == carried && !check.seen[pattern] {
				t.Errorf("%s field %s is carried but no recording sets it: add a non-default value to testdata", check.name, pattern)
			}
		}
	}
}

// TestSchemasAreWhatReadKeepsPlusTheSubject: the declared schema is what the
// provider's Read keeps in state (custom attributes, and standard ones that
// differ from their defaults), plus custom:descope_sub, so the only schema
// change is an in-place AddCustomAttributes.
func TestSchemasAreWhatReadKeepsPlusTheSubject(t *testing.T) {
	state := readRecorded(t, recordedPoolID)
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	got := register(t, plan).pool["schemas"].([]any)
	byName := map[string]map[string]any{}
	for _, s := range got {
		schema := s.(map[string]any)
		byName[schema["name"].(string)] = schema
	}
	want := map[string]map[string]any{
		// email is required in this pool, unlike the provider's default shape.
		"email": {"name": "email", "attributeDataType": "String", "developerOnlyAttribute": false, "mutable": true, "required": true,
			"stringAttributeConstraints": map[string]any{"minLength": "0", "maxLength": "2048"}},
		"tenant_id": {"name": "tenant_id", "attributeDataType": "String", "developerOnlyAttribute": false, "mutable": true, "required": false,
			"stringAttributeConstraints": map[string]any{"minLength": "1", "maxLength": "64"}},
		"plan_level": {"name": "plan_level", "attributeDataType": "Number", "developerOnlyAttribute": false, "mutable": false, "required": false,
			"numberAttributeConstraints": map[string]any{"minValue": "0", "maxValue": "10"}},
		"risk_flags": {"name": "risk_flags", "attributeDataType": "String", "developerOnlyAttribute": true, "mutable": true, "required": false,
			"stringAttributeConstraints": map[string]any{"minLength": "0", "maxLength": "128"}},
		DescopeSubjectAttribute: {"name": DescopeSubjectAttribute, "attributeDataType": "String", "developerOnlyAttribute": false, "mutable": true, "required": false,
			"stringAttributeConstraints": map[string]any{"minLength": "1", "maxLength": "256"}},
	}
	if len(got) != len(want) {
		t.Errorf("declared %d schema attributes %v, want %d %v", len(got), sortedKeys(byName), len(want), sortedKeys(want))
	}
	for name, schema := range want {
		if !reflect.DeepEqual(byName[name], schema) {
			t.Errorf("schema %s:\n got %v\nwant %v", name, byName[name], schema)
		}
	}
}

// TestOwnedChangesAndImportIDs: adoption changes exactly the owned settings,
// keeps names, and gives every resource its pulumi-aws import ID.
func TestOwnedChangesAndImportIDs(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID)
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	got := register(t, plan)

	// The recorded pool has a Descope provider but no custom:descope_sub:
	// the trigger moves in the next run, once the provider maps it.
	if v, _ := lookup(got.pool, "lambdaConfig.preSignUp"); v != recordedBlogTrigger || !plan.PreSignUpWaits {
		t.Errorf("pre sign-up trigger %v (waits %v), want the live %s kept for this run", v, plan.PreSignUpWaits, recordedBlogTrigger)
	}
	next, err := Adopt(afterFirstRun(state), ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := lookup(register(t, next).pool, "lambdaConfig.preSignUp"); v != mergeFunctionARN || next.PreSignUpWaits {
		t.Errorf("next run: pre sign-up trigger %v (waits %v), want %s", v, next.PreSignUpWaits, mergeFunctionARN)
	}
	if plan.PreviousPreSignUpARN != recordedBlogTrigger {
		t.Errorf("PreviousPreSignUpARN %q, want the replaced %s", plan.PreviousPreSignUpARN, recordedBlogTrigger)
	}
	client := got.clients[0]
	for _, tc := range []struct {
		input string
		want  []string
	}{
		{"allowedOauthFlows", []string{"implicit", "code"}},
		{"allowedOauthScopes", []string{"email", "profile", "openid"}},
		{"supportedIdentityProviders", []string{"COGNITO", "Google", "Descope"}},
	} {
		if v := asStrings(client[tc.input].([]any)); !slices.Equal(v, tc.want) {
			t.Errorf("client %s = %v, want %v", tc.input, v, tc.want)
		}
	}
	if client["allowedOauthFlowsUserPoolClient"] != true {
		t.Errorf("allowedOauthFlowsUserPoolClient = %v, want true", client["allowedOauthFlowsUserPoolClient"])
	}
	if _, declared := client["generateSecret"]; declared {
		t.Error("generateSecret is declared; on an imported client that plans a replacement")
	}
	if !slices.Equal(plan.Clients[0].Scopes, []string{"email", "profile", "openid"}) {
		t.Errorf("Scopes = %v", plan.Clients[0].Scopes)
	}
	if plan.Clients[0].CallbackURLs[0] != "https://app.acme.example/callback" {
		t.Errorf("CallbackURLs = %v", plan.Clients[0].CallbackURLs)
	}

	wantIDs := map[string]string{
		"pool":     recordedPoolID,
		"client":   recordedPoolID + "/" + recordedClientID,
		"provider": recordedPoolID + ":Descope",
		"domain0":  "acme-login",
		"domain1":  "login.acme.example",
	}
	gotIDs := map[string]string{"pool": plan.Pool.ImportID, "client": plan.Clients[0].ImportID}
	if plan.Provider != nil {
		gotIDs["provider"] = plan.Provider.ImportID
	}
	for i, d := range plan.Domains {
		gotIDs["domain"+string(rune('0'+i))] = d.ImportID
	}
	if !reflect.DeepEqual(gotIDs, wantIDs) {
		t.Errorf("import IDs %v, want %v", gotIDs, wantIDs)
	}
	if plan.Provider == nil || !slices.Equal(plan.Provider.IdpIdentifiers, []string{"descope"}) || plan.Provider.AttributeMapping["given_name"] != "given_name" {
		t.Errorf("provider plan %+v does not carry the live identifiers and mappings", plan.Provider)
	}

	if plan.HostedDomain != "login.acme.example" {
		t.Errorf("HostedDomain %q, want the custom domain", plan.HostedDomain)
	}
	wantDomains := []map[string]any{
		{"domain": "acme-login", "userPoolId": recordedPoolID, "managedLoginVersion": float64(2)},
		{"domain": "login.acme.example", "userPoolId": recordedPoolID, "managedLoginVersion": float64(1),
			"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"},
	}
	if !reflect.DeepEqual(got.domains, wantDomains) {
		t.Errorf("domains\n got %v\nwant %v", got.domains, wantDomains)
	}
	if got.pool["name"] != "acme-users" || client["name"] != "acme-web" {
		t.Errorf("names not kept: pool %v, client %v", got.pool["name"], client["name"])
	}
}

// TestPrefixDomainGivesTheHostedUIHost: without a custom domain the hosted UI
// is the prefix domain under amazoncognito.com, in the pool's region.
func TestPrefixDomainGivesTheHostedUIHost(t *testing.T) {
	state := readRecorded(t, recordedPoolID)
	state.Pool.CustomDomain = nil
	state.Domains = state.Domains[:1]
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	if want := "acme-login.auth.us-east-1.amazoncognito.com"; plan.HostedDomain != want {
		t.Errorf("HostedDomain %q, want %q", plan.HostedDomain, want)
	}
	if len(plan.Domains) != 1 || plan.Domains[0].Custom {
		t.Errorf("domains %+v, want the prefix domain only", plan.Domains)
	}
}

// afterAdoption is the state Cognito reports once the plan is applied: the
// subject attribute added, the merge function as trigger, the clients
// enabled for Descope with code flow and, where they have a write list, able
// to write the mapped attributes.
func afterAdoption(state *State) *State {
	next := *state
	next.Pool.SchemaAttributes = append(slices.Clone(state.Pool.SchemaAttributes), types.SchemaAttributeType{
		Name:                       aws.String("custom:" + DescopeSubjectAttribute),
		AttributeDataType:          types.AttributeDataTypeString,
		DeveloperOnlyAttribute:     aws.Bool(false),
		Mutable:                    aws.Bool(true),
		Required:                   aws.Bool(false),
		StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("256")},
	})
	lambdaConfig := *state.Pool.LambdaConfig
	lambdaConfig.PreSignUp = aws.String(mergeFunctionARN)
	next.Pool.LambdaConfig = &lambdaConfig
	next.Clients = nil
	for _, c := range state.Clients {
		c.AllowedOAuthFlowsUserPoolClient = aws.Bool(true)
		c.AllowedOAuthFlows = appendMissing(c.AllowedOAuthFlows, types.OAuthFlowTypeCode)
		c.AllowedOAuthScopes = appendMissing(c.AllowedOAuthScopes, "openid")
		c.SupportedIdentityProviders = appendMissing(c.SupportedIdentityProviders, "Descope")
		if len(c.WriteAttributes) > 0 {
			// The attributes the recorded Descope provider maps.
			for _, attribute := range []string{"custom:descope_sub", "email", "email_verified", "given_name", "name"} {
				c.WriteAttributes = appendMissing(c.WriteAttributes, attribute)
			}
		}
		next.Clients = append(next.Clients, c)
	}
	return &next
}

// afterFirstRun is the recorded state after a first run that kept the
// trigger (Plan.PreSignUpWaits): everything else adopted.
func afterFirstRun(state *State) *State {
	next := afterAdoption(state)
	next.Pool.LambdaConfig = state.Pool.LambdaConfig
	return next
}

// TestSecondRunDeclaresTheSameInputs: the recorded pool, which has a Descope
// provider but no custom:descope_sub, is adopted in two runs (the first keeps
// the trigger, the second moves it); translating the adopted state again
// gives the same inputs as the run that moved it (so a further `pulumi up`
// changes nothing), and the merge function in the trigger is not refused as
// a foreign trigger.
func TestSecondRunDeclaresTheSameInputs(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID)
	initial, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	first, err := Adopt(afterFirstRun(state), ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	again := ownedForTest()
	again.ReplacePreSignUpTrigger = false
	second, err := Adopt(afterAdoption(state), again)
	if err != nil {
		t.Fatalf("second run refused: %v", err)
	}
	wantInitial := []string{
		"user pool " + recordedPoolID + ": keep the pre sign-up trigger " + recordedBlogTrigger + " in this run; the next `pulumi up` moves it to the merge function " + mergeFunctionName +
			", once this one has added custom:descope_sub, let the app clients write it and mapped it on the provider Descope (the function links only with it)",
		"user pool " + recordedPoolID + ": add the custom attribute custom:descope_sub (in place)",
		"app client " + recordedClientID + ": add Descope to SupportedIdentityProviders",
		"app client " + recordedClientID + ": add code to AllowedOAuthFlows",
		"app client " + recordedClientID + ": add openid to AllowedOAuthScopes",
		"app client " + recordedClientID + ": turn on AllowedOAuthFlowsUserPoolClient",
		"app client " + recordedClientID + ": add custom:descope_sub, email_verified, given_name, name to WriteAttributes (the Descope provider maps them; Cognito fails a federated sign-in that cannot write one)",
	}
	if !slices.Equal(initial.Changes, wantInitial) {
		t.Errorf("first run changes\n%s\nwant\n%s", strings.Join(initial.Changes, "\n"), strings.Join(wantInitial, "\n"))
	}
	wantFirst := []string{"user pool " + recordedPoolID + ": replace the pre sign-up trigger " + recordedBlogTrigger + " with the merge function " + mergeFunctionName}
	if !slices.Equal(first.Changes, wantFirst) {
		t.Errorf("the run that moves the trigger changes\n%s\nwant\n%s", strings.Join(first.Changes, "\n"), strings.Join(wantFirst, "\n"))
	}
	if len(second.Changes) != 0 {
		t.Errorf("second run still changes %v", second.Changes)
	}
	if second.PreviousPreSignUpARN != "" {
		t.Errorf("second run reports %q as a previous trigger; it is the merge function", second.PreviousPreSignUpARN)
	}
	a, b := register(t, first), register(t, second)
	if !reflect.DeepEqual(a, b) {
		for _, key := range sortedKeys(a.pool) {
			if !reflect.DeepEqual(a.pool[key], b.pool[key]) {
				t.Errorf("pool %s: first %v, second %v", key, a.pool[key], b.pool[key])
			}
		}
		if !reflect.DeepEqual(a.clients, b.clients) {
			t.Errorf("clients: first %v, second %v", a.clients, b.clients)
		}
		if !reflect.DeepEqual(a.domains, b.domains) {
			t.Errorf("domains: first %v, second %v", a.domains, b.domains)
		}
	}
}

// TestTopLevelMessagesMoveIntoTheTemplate: a pool whose template lacks a
// message still keeps it, declared once in the template.
func TestTopLevelMessagesMoveIntoTheTemplate(t *testing.T) {
	state := readRecorded(t, recordedPoolID)
	state.Pool.VerificationMessageTemplate = nil
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	got := register(t, plan).pool
	for _, tc := range []struct{ input, want string }{
		{"verificationMessageTemplate.emailMessage", "Your Acme code is {####}"},
		{"verificationMessageTemplate.emailSubject", "Your Acme code"},
		{"verificationMessageTemplate.smsMessage", "Your Acme code is {####}"},
	} {
		if v, _ := lookup(got, tc.input); v != tc.want {
			t.Errorf("%s = %v, want %q", tc.input, v, tc.want)
		}
	}
	for _, key := range []string{"emailVerificationMessage", "emailVerificationSubject", "smsVerificationMessage"} {
		if _, declared := got[key]; declared {
			t.Errorf("%s declared beside the template; pulumi-aws refuses both", key)
		}
	}
	if strings.Contains(plain(got["verificationMessageTemplate"]), "ByLink") {
		t.Error("link messages appeared out of nowhere")
	}
}

// TestOptionsImportAndNeverDelete: each adopted resource is registered with
// its import ID and retained on delete; the pool is also protected.
func TestOptionsImportAndNeverDelete(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID)
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	recorder := declare(t, plan)
	want := map[string]struct {
		importID string
		protect  bool
	}{
		"pool":     {recordedPoolID, true},
		"client-0": {recordedPoolID + "/" + recordedClientID, false},
		"domain-0": {"acme-login", false},
		"domain-1": {"login.acme.example", false},
		"provider": {recordedPoolID + ":Descope", false},
	}
	all := recorder.All()
	if len(all) != len(want) {
		t.Errorf("registered %d resources, want %d", len(all), len(want))
	}
	for _, r := range all {
		w, ok := want[r.Name]
		if !ok {
			t.Errorf("unexpected resource %s", r.Name)
			continue
		}
		if got := recorder.importIDs[r.Name]; got != w.importID {
			t.Errorf("%s import ID %q, want %q", r.Name, got, w.importID)
		}
		if !r.RetainOnDelete || r.Protect != w.protect {
			t.Errorf("%s retainOnDelete=%v protect=%v, want true and %v", r.Name, r.RetainOnDelete, r.Protect, w.protect)
		}
	}
}

// TestDetachPutsThePreviousTriggerBack: the way out changes only the pre
// sign-up trigger (back to the replaced one, or none), so the merge function
// can go without failing every sign-up.
func TestDetachPutsThePreviousTriggerBack(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID)
	adopting, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	adopted := register(t, adopting)
	for _, tc := range []struct {
		name, restore string
		wantChanges   []string
	}{
		{"restore the blog's trigger", recordedBlogTrigger,
			[]string{"user pool " + recordedPoolID + ": put the pre sign-up trigger " + recordedBlogTrigger + " back (detach)"}},
		{"no trigger before", "",
			[]string{"user pool " + recordedPoolID + ": remove the pre sign-up trigger " + mergeFunctionARN + " (detach)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owned := Owned{ProviderName: "Descope", MergeFunctionName: mergeFunctionName, Detach: true, RestorePreSignUpARN: tc.restore}
			plan, err := Adopt(afterAdoption(state), owned)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(plan.Changes, tc.wantChanges) {
				t.Errorf("changes %v, want %v", plan.Changes, tc.wantChanges)
			}
			detached := register(t, plan)
			trigger, declared := lookup(detached.pool, "lambdaConfig.preSignUp")
			if tc.restore == "" && declared || tc.restore != "" && trigger != tc.restore {
				t.Errorf("pre sign-up trigger %v (declared %v), want %q", trigger, declared, tc.restore)
			}
			// Apart from the trigger, detaching declares what adoption left.
			delete(detached.pool["lambdaConfig"].(map[string]any), "preSignUp")
			want := register(t, adopting)
			delete(want.pool["lambdaConfig"].(map[string]any), "preSignUp")
			if !reflect.DeepEqual(detached, want) {
				t.Errorf("detaching changes more than the trigger:\n got %v\nwant %v", detached, want)
			}
		})
	}
	if _, declared := lookup(adopted.pool, "lambdaConfig.preSignUp"); !declared {
		t.Fatal("the adopting run declares no trigger; the comparison above proves nothing")
	}
}

// TestDetachLeavesAnUnadoptedClientAlone: detaching adds nothing to clients.
func TestDetachLeavesAnUnadoptedClientAlone(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID)
	state.Pool.LambdaConfig.PreSignUp = aws.String(mergeFunctionARN)
	plan, err := Adopt(state, Owned{ProviderName: "Descope", MergeFunctionName: mergeFunctionName, Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	client := register(t, plan).clients[0]
	if got := asStrings(client["supportedIdentityProviders"].([]any)); !slices.Equal(got, []string{"COGNITO", "Google"}) {
		t.Errorf("supportedIdentityProviders %v, want the live ones", got)
	}
	if client["allowedOauthFlowsUserPoolClient"] != false {
		t.Errorf("allowedOauthFlowsUserPoolClient %v, want the live false", client["allowedOauthFlowsUserPoolClient"])
	}
}

// TestAdoptedClientsCanWriteWhatTheProviderMaps: Cognito fails a federated
// sign-in through a client that cannot write an attribute the provider maps,
// so a client with an explicit write list gets every mapped attribute (the
// program's mappings and the live provider's others, not username); a client
// without a list may write every attribute already and is left alone, and
// detaching keeps the list adoption left.
func TestAdoptedClientsCanWriteWhatTheProviderMaps(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID, recordedMobileClientID)
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	got := register(t, plan)
	wantWeb := []string{"email", "custom:descope_sub", "email_verified", "given_name", "name"}
	if v, _ := got.clients[0]["writeAttributes"].([]any); !slices.Equal(asStrings(v), wantWeb) {
		t.Errorf("web client writeAttributes %v, want %v", v, wantWeb)
	}
	if v, declared := got.clients[1]["writeAttributes"]; declared {
		t.Errorf("mobile client (no write list: every attribute writable) declares writeAttributes %v", v)
	}
	want := "app client " + recordedClientID + ": add custom:descope_sub, email_verified, given_name, name to WriteAttributes (the Descope provider maps them; Cognito fails a federated sign-in that cannot write one)"
	if !slices.Contains(plan.Changes, want) {
		t.Errorf("changes %v do not name the write list change %q", plan.Changes, want)
	}
	for _, change := range plan.Changes {
		if strings.Contains(change, recordedMobileClientID) && strings.Contains(change, "WriteAttributes") {
			t.Errorf("change %q for the client without a write list", change)
		}
	}

	detaching, err := Adopt(afterAdoption(state), Owned{ProviderName: "Descope", MergeFunctionName: mergeFunctionName, Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := register(t, detaching).clients[0]["writeAttributes"].([]any); !slices.Equal(asStrings(v), wantWeb) {
		t.Errorf("detaching declares writeAttributes %v, want what adoption left %v", v, wantWeb)
	}
}

// TestDescopeAttributeMappingKeepsLiveMappings: the provider's mapping is the
// program's, plus the live provider's other mappings; the program's win.
func TestDescopeAttributeMappingKeepsLiveMappings(t *testing.T) {
	got := DescopeAttributeMapping(map[string]string{"email": "mail", "given_name": "given_name"})
	want := map[string]string{
		"username": "sub", "email": "email", "email_verified": "email_verified", "name": "name",
		"custom:" + DescopeSubjectAttribute: "sub", "given_name": "given_name",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DescopeAttributeMapping = %v, want %v", got, want)
	}
}

// TestTokenValidityUnitsAsTheProviderReadsThem: the provider's Read leaves
// the default units (hours, hours, days) out of an imported client's state,
// so declaring them would show "+ tokenValidityUnits" in the first preview;
// any other units are declared as they are live.
func TestTokenValidityUnitsAsTheProviderReadsThem(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID, recordedMobileClientID)
	web, mobile := state.Clients[0].TokenValidityUnits, state.Clients[1].TokenValidityUnits
	if web == nil || web.AccessToken != types.TimeUnitsTypeHours || mobile == nil || mobile.AccessToken != types.TimeUnitsTypeMinutes {
		t.Fatal("the recordings should hold the default units (web) and minutes (mobile)")
	}
	for _, tc := range []struct {
		name  string
		units *types.TokenValidityUnitsType
		want  map[string]any // nil: not declared
	}{
		{"recorded defaults", web, nil},
		{"recorded minutes", mobile, map[string]any{"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"}},
		{"one unit differs", &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeHours, IdToken: types.TimeUnitsTypeHours, RefreshToken: types.TimeUnitsTypeHours},
			map[string]any{"accessToken": "hours", "idToken": "hours", "refreshToken": "hours"}},
		{"none reported", &types.TokenValidityUnitsType{}, nil},
		{"absent", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state.Clients[0].TokenValidityUnits = tc.units
			plan, err := Adopt(state, ownedForTest())
			if err != nil {
				t.Fatal(err)
			}
			got, declared := register(t, plan).clients[0]["tokenValidityUnits"]
			if tc.want == nil && declared || tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tokenValidityUnits %v (declared %v), want %v", got, declared, tc.want)
			}
		})
	}
}

// TestAnalyticsAsTheProviderAcceptsThem: a configuration by project ARN is
// declared by its ARN alone (the provider refuses applicationId, externalId
// and roleArn beside it; roleArn is then the service-linked role Cognito
// fills in); one by project ID keeps its ID, role and external ID.
func TestAnalyticsAsTheProviderAcceptsThem(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID, recordedMobileClientID)
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	got := register(t, plan)
	for i, want := range []map[string]any{
		{"applicationArn": "arn:aws:mobiletargeting:us-east-1:123456789012:apps/acmepinpointapp0001", "userDataShared": true},
		{"applicationId": "acmepinpointapp0002", "roleArn": "arn:aws:iam::123456789012:role/acme-pinpoint", "externalId": "acme-analytics", "userDataShared": false},
	} {
		if v := got.clients[i]["analyticsConfiguration"]; !reflect.DeepEqual(v, want) {
			t.Errorf("client %s analyticsConfiguration\n got %v\nwant %v", aws.ToString(state.Clients[i].ClientId), v, want)
		}
	}
}

// TestLegacyTemporaryPasswordValidityIsKept: a pool that holds only the
// legacy UnusedAccountValidityDays keeps that validity, declared as the
// password policy's TemporaryPasswordValidityDays (pulumi-aws has no other),
// and the preview says so; where both are set, the password policy's wins.
func TestLegacyTemporaryPasswordValidityIsKept(t *testing.T) {
	for _, tc := range []struct {
		poolID     string
		wantDays   float64
		wantChange string
	}{
		{recordedAliasPoolID, 5, "user pool " + recordedAliasPoolID + ": carry the legacy UnusedAccountValidityDays (5 days) as PasswordPolicy.TemporaryPasswordValidityDays; Cognito then no longer accepts the legacy setting"},
		{recordedPoolID, 3, ""},
	} {
		t.Run(tc.poolID, func(t *testing.T) {
			state := readRecorded(t, tc.poolID)
			plan, err := Adopt(state, ownedForTest())
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := lookup(register(t, plan).pool, "passwordPolicy.temporaryPasswordValidityDays"); v != tc.wantDays {
				t.Errorf("temporaryPasswordValidityDays %v, want %v", v, tc.wantDays)
			}
			legacy := slices.IndexFunc(plan.Changes, func(c string) bool { return strings.Contains(c, "UnusedAccountValidityDays") })
			switch {
			case tc.wantChange == "" && legacy >= 0:
				t.Errorf("unexpected change %q", plan.Changes[legacy])
			case tc.wantChange != "" && !slices.Contains(plan.Changes, tc.wantChange):
				t.Errorf("changes %v, want %q", plan.Changes, tc.wantChange)
			}
		})
	}
}

// TestEmptyInvitationTemplateIsNotDeclared: the provider sends every message
// of a declared template, and Cognito rejects empty ones, so a template
// without any message stays undeclared (Cognito's default messages, as live).
func TestEmptyInvitationTemplateIsNotDeclared(t *testing.T) {
	state := readRecorded(t, recordedPoolID)
	state.Pool.AdminCreateUserConfig.InviteMessageTemplate = &types.MessageTemplateType{}
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	if v, declared := lookup(register(t, plan).pool, "adminCreateUserConfig.inviteMessageTemplate"); declared {
		t.Errorf("inviteMessageTemplate %v declared", v)
	}
}
