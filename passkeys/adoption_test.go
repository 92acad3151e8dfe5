package passkeys

import (
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

const (
	livePoolID   = "us-east-1_Live12345"
	livePoolARN  = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + livePoolID
	liveClientID = "liveclient0000000000000001"
	mergeARN     = "arn:aws:lambda:us-east-1:123456789012:function:passkeys-dev-merge"
)

// liveState is a small adoptable pool: email sign-in, a prefix domain, one
// app client with its own callback URLs and scopes; trigger as given.
func liveState(preSignUp string) *livepool.State {
	pool := types.UserPoolType{
		Id:                 aws.String(livePoolID),
		Arn:                aws.String(livePoolARN),
		Name:               aws.String("live"),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		SchemaAttributes: []types.SchemaAttributeType{{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString,
			Mutable: aws.Bool(true), Required: aws.Bool(true)}},
		Domain: aws.String("live-login"),
	}
	if preSignUp != "" {
		pool.LambdaConfig = &types.LambdaConfigType{PreSignUp: aws.String(preSignUp)}
	}
	return &livepool.State{
		Pool: pool,
		Clients: []types.UserPoolClientType{{
			UserPoolId: aws.String(livePoolID), ClientId: aws.String(liveClientID), ClientName: aws.String("web"),
			CallbackURLs:       []string{"https://live.example/cb", "https://live.example/other"},
			AllowedOAuthScopes: []string{"email", "profile"},
		}},
		Domains: []types.DomainDescriptionType{{Domain: aws.String("live-login"), UserPoolId: aws.String(livePoolID)}},
	}
}

func adoptingArgs(adoption *Adoption) CognitoPasskeysArgs {
	args := validArgs()
	args.CallbackURLs, args.LogoutURLs = nil, nil
	args.Adoption = adoption
	return args
}

// The login URL goes through the adopted domain and client, to the client's
// own first callback URL, asking for the scopes that client allows.
func TestAdoptedClientFeedsThePasskeyLoginURL(t *testing.T) {
	_, outs := mustDeploy(t, adoptingArgs(&Adoption{State: liveState(""), ReplacePreSignUpTrigger: true}))
	login, err := url.Parse(outs.values["passkeyLoginUrl"])
	if err != nil {
		t.Fatal(err)
	}
	query := login.Query()
	assertEqual(t, "host", login.Host, "live-login.auth.us-east-1.amazoncognito.com")
	assertEqual(t, "client_id", query.Get("client_id"), liveClientID)
	assertEqual(t, "redirect_uri", query.Get("redirect_uri"), "https://live.example/cb")
	assertEqual(t, "scope", strings.Fields(query.Get("scope")), []string{"email", "profile", "openid"})
	assertEqual(t, "userPoolClientId", outs.values["userPoolClientId"], liveClientID)
	assertEqual(t, "descopeRedirectUri", outs.values["descopeRedirectUri"], "https://live-login.auth.us-east-1.amazoncognito.com/oauth2/idpresponse")
}

// A plain `pulumi destroy` of an adopted stack still stops at the guard
// before deleting anything.
func TestDestroyOfAnAdoptedStackDeletesNothing(t *testing.T) {
	rec, _ := mustDeploy(t, adoptingArgs(&Adoption{State: liveState(""), ReplacePreSignUpTrigger: true}))
	for _, r := range simulateDestroy(rec.All()) {
		t.Errorf("destroy deletes %s (%s) before it stops", r.Name, r.Type)
	}
}

// inPool reports whether a resource lives in the user pool: the pool itself
// or anything declared with its ID.
func inPool(r pulumitest.Resource) bool {
	_, inside := r.Inputs["userPoolId"]
	return r.Type == typeUserPool || inside
}

// Under teardown the destroy goes through: it deletes what the stack
// created outside the pool and never anything in it (the pool, clients,
// domains, provider, adopted or created there by the stack: each is only
// forgotten), and by then the pool's trigger is the previous one, not the
// function being deleted.
func TestTeardownOfAnAdoptedPoolDeletesNothingInIt(t *testing.T) {
	const previous = "arn:aws:lambda:us-east-1:123456789012:function:descope-blog-presignup"
	withClients := liveState(mergeARN)
	withoutClients := liveState(mergeARN)
	withoutClients.Clients = nil
	bare := liveState(mergeARN)
	bare.Clients, bare.Domains, bare.Pool.Domain = nil, nil, nil
	withProvider := liveState(mergeARN)
	withProvider.Provider = &types.IdentityProviderType{ProviderName: aws.String(DefaultProviderName), ProviderType: types.IdentityProviderTypeTypeOidc}
	tests := []struct {
		name  string
		state *livepool.State
		args  func(*CognitoPasskeysArgs)
	}{
		{"adopted client and domain", withClients, func(*CognitoPasskeysArgs) {}},
		{"the stack's own client", withoutClients, func(a *CognitoPasskeysArgs) { a.CallbackURLs = validArgs().CallbackURLs }},
		{"the stack's own client and domain", bare, func(a *CognitoPasskeysArgs) { a.CallbackURLs = validArgs().CallbackURLs }},
		{"the stack's own custom domain", bare, func(a *CognitoPasskeysArgs) {
			a.CallbackURLs = validArgs().CallbackURLs
			a.CustomDomain, a.CustomDomainCertificateARN = "auth.example.com", "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"
		}},
		{"an existing provider", withProvider, func(*CognitoPasskeysArgs) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := adoptingArgs(&Adoption{State: tt.state, RestorePreSignUpARN: previous})
			args.Teardown = true
			tt.args(&args)
			rec, _ := mustDeploy(t, args)

			deleted := simulateDestroy(rec.All())
			if !slices.ContainsFunc(deleted, func(r pulumitest.Resource) bool { return r.Type == typeFunction }) {
				t.Fatal("teardown does not let the destroy delete the merge function")
			}
			var inside int
			for _, r := range rec.All() {
				if !inPool(r) {
					continue
				}
				inside++
				if !r.RetainOnDelete {
					t.Errorf("the destroy deletes %s (%s) from the adopted pool", r.Name, r.Type)
				}
			}
			if inside < 4 {
				t.Errorf("%d resources in the pool, want at least the pool, a client, a domain and the provider", inside)
			}
			pool := one(t, rec, typeUserPool)
			assertEqual(t, "preSignUp", get(t, pool.Inputs, "lambdaConfig.preSignUp"), previous)
		})
	}
}

// A pool whose trigger is another function is refused before anything is
// declared, unless replacing it is allowed; the stack's own function is not
// refused (a second run).
func TestForeignTriggerIsRefusedUnlessReplacing(t *testing.T) {
	const foreign = "arn:aws:lambda:us-east-1:123456789012:function:someone-elses"
	rec, _, err := deploy(t, adoptingArgs(&Adoption{State: liveState(foreign)}))
	if err == nil {
		t.Fatal("a foreign trigger is replaced without replacePreSignUpTrigger")
	}
	// Replacing stops the function's own rules too: the refusal says so and
	// names the way to keep them.
	for _, words := range []string{foreign, "replacePreSignUpTrigger", "stops that function for every sign-up, not only Descope's", "auto-confirming users", "chainPreSignUpTrigger", "docs/adoption.md"} {
		if !strings.Contains(err.Error(), words) {
			t.Errorf("the refusal does not say %q:\n%v", words, err)
		}
	}
	if n := len(rec.All()); n != 0 {
		t.Errorf("%d resources declared before the refusal", n)
	}
	if _, _, err := deploy(t, adoptingArgs(&Adoption{State: liveState(mergeARN)})); err != nil {
		t.Errorf("the stack's own trigger is refused: %v", err)
	}
}

// The trigger's access is declared from the live pool's ARN, so a state
// without it (not from livepool.Read) is refused before anything is declared.
func TestAdoptionWithoutThePoolARNIsRefused(t *testing.T) {
	state := liveState(mergeARN)
	state.Pool.Arn = nil
	rec, _, err := deploy(t, adoptingArgs(&Adoption{State: state}))
	if err == nil || !strings.Contains(err.Error(), "livepool.Read") {
		t.Errorf("err = %v, want a refusal pointing at livepool.Read", err)
	}
	if n := len(rec.All()); n != 0 {
		t.Errorf("%d resources declared before the refusal", n)
	}
}

// recordedLog keeps the Info and Warn lines the component logs.
type recordedLog struct {
	pulumi.Log
	mu         sync.Mutex
	info, warn []string
}

func (l *recordedLog) Info(msg string, _ *pulumi.LogArgs) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.info = append(l.info, msg)
	return nil
}

func (l *recordedLog) Warn(msg string, _ *pulumi.LogArgs) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.warn = append(l.warn, msg)
	return nil
}

// logged runs the component and returns what it logged as Info and as Warn.
func logged(t *testing.T, args CognitoPasskeysArgs) (info, warn []string) {
	t.Helper()
	log := &recordedLog{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		log.Log = ctx.Log
		ctx.Log = log
		_, err := NewCognitoPasskeys(ctx, "passkeys", &args)
		return err
	}, pulumi.WithMocks("cognito-descope-passkeys", "dev", &pulumitest.Recorder{}))
	if err != nil {
		t.Fatal(err)
	}
	return log.info, log.warn
}

// The preview says in words what adoption changes, and says nothing once the
// pool is adopted.
func TestAdoptionLogsItsChanges(t *testing.T) {
	const foreign = "arn:aws:lambda:us-east-1:123456789012:function:descope-blog-presignup"
	first, warnings := logged(t, adoptingArgs(&Adoption{State: liveState(foreign), ReplacePreSignUpTrigger: true}))
	want := []string{
		"adoption: user pool " + livePoolID + ": replace the pre sign-up trigger " + foreign + " with the merge function passkeys-dev-merge",
		"adoption: user pool " + livePoolID + ": add the custom attribute custom:descope_sub (in place)",
		"adoption: app client " + liveClientID + ": add Descope to SupportedIdentityProviders",
	}
	for _, line := range want {
		if !slices.Contains(first, line) {
			t.Errorf("the preview does not say %q; it logged %q", line, first)
		}
	}
	// The replaced function stops for every sign-up, with its own rules.
	if len(warnings) != 1 {
		t.Fatalf("the preview warns %q, want one warning about the replaced trigger", warnings)
	}
	for _, words := range []string{foreign, "stops running for every sign-up, not only Descope's", "auto-confirming users", "chainPreSignUpTrigger", "docs/adoption.md"} {
		if !strings.Contains(warnings[0], words) {
			t.Errorf("the preview's warning does not say %q: %s", words, warnings[0])
		}
	}
	if _, warnings := logged(t, adoptingArgs(&Adoption{State: liveState(""), ReplacePreSignUpTrigger: true})); len(warnings) != 0 {
		t.Errorf("a pool without a trigger gets the warning %q", warnings)
	}
	// A chained trigger keeps running: no warning that it stops.
	if _, warnings := logged(t, adoptingArgs(&Adoption{State: liveState(foreign), ChainPreSignUpARN: foreign})); len(warnings) != 0 {
		t.Errorf("a chained trigger gets the warning %q", warnings)
	}

	// With the provider already in the pool and no custom:descope_sub, the
	// trigger moves in the next run, and the preview says when.
	withProvider := liveState(foreign)
	withProvider.Provider = &types.IdentityProviderType{ProviderName: aws.String(DefaultProviderName), ProviderType: types.IdentityProviderTypeTypeOidc}
	waiting, warnings := logged(t, adoptingArgs(&Adoption{State: withProvider, ReplacePreSignUpTrigger: true}))
	if keep := "adoption: user pool " + livePoolID + ": keep the pre sign-up trigger " + foreign + " in this run; the next `pulumi up` moves it to the merge function passkeys-dev-merge"; !slices.ContainsFunc(waiting, func(line string) bool { return strings.HasPrefix(line, keep) }) {
		t.Errorf("the preview does not say %q; it logged %q", keep, waiting)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "adoption: at the next `pulumi up`, the pre sign-up trigger "+foreign+" stops running for every sign-up") {
		t.Errorf("the preview warns %q, want one warning that the replaced trigger stops at the next run", warnings)
	}

	adopted := liveState(mergeARN)
	adopted.Pool.SchemaAttributes = append(adopted.Pool.SchemaAttributes, types.SchemaAttributeType{Name: aws.String(DescopeSubjectAttribute),
		AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)})
	client := &adopted.Clients[0]
	client.SupportedIdentityProviders = []string{"COGNITO", DefaultProviderName}
	client.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode}
	client.AllowedOAuthScopes = append(client.AllowedOAuthScopes, "openid")
	client.AllowedOAuthFlowsUserPoolClient = aws.Bool(true)
	if again, warnings := logged(t, adoptingArgs(&Adoption{State: adopted})); len(again)+len(warnings) != 0 {
		t.Errorf("a second run logs changes %q and warnings %q", again, warnings)
	}
}
