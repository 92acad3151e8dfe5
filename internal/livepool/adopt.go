package livepool

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DescopeSubjectAttribute is the custom attribute adoption adds to the pool.
// It matches passkeys.DescopeSubjectAttribute, without the "custom:" prefix.
const DescopeSubjectAttribute = "descope_sub"

// Owned is what this program changes on an adopted pool; everything else
// stays as it is live.
type Owned struct {
	// ProviderName is the Descope identity provider's name: added to the
	// adopted clients' SupportedIdentityProviders.
	ProviderName string
	// PreSignUpARN is the merge function's ARN, set as the pre sign-up trigger.
	PreSignUpARN pulumi.StringInput
	// MergeFunctionName is the merge function's name. A live pre sign-up
	// trigger naming it is this program's own (a second run), not a trigger
	// to refuse.
	MergeFunctionName string
	// ReplacePreSignUpTrigger allows replacing another pre sign-up trigger
	// (the stack's replacePreSignUpTrigger).
	ReplacePreSignUpTrigger bool
	// ChainPreSignUpARN is the previous pre sign-up trigger the merge
	// function calls first (the stack's chainPreSignUpTrigger); the merge
	// function still takes its place in the pool. Empty: no chaining.
	ChainPreSignUpARN string
	// Detach plans the way out of adoption: the pre sign-up trigger goes back
	// to RestorePreSignUpARN (or is removed when that is empty), so that the
	// merge function can then be deleted without failing every sign-up.
	// Everything else is declared as it is live; PreSignUpARN is not used.
	Detach bool
	// RestorePreSignUpARN is the trigger to put back when detaching: the
	// PreviousPreSignUpARN of the run that adopted the pool.
	RestorePreSignUpARN string
}

// Plan is what the component declares for an adopted pool. Every entry
// carries the ID to pass to pulumi.Import.
type Plan struct {
	Pool     PoolPlan
	Clients  []ClientPlan
	Provider *ProviderPlan
	Domains  []DomainPlan
	// HostedDomain is the host name of the pool's hosted UI (the custom domain
	// if there is one, else the prefix domain), empty when the pool has no
	// domain and the component must create one.
	HostedDomain string
	// PreviousPreSignUpARN is the pre sign-up trigger adoption replaces (empty
	// if none, or if it is already the merge function). Keep it so that
	// detaching can put it back.
	PreviousPreSignUpARN string
	// SubjectAttributeLive reports that the live pool already has
	// custom:descope_sub, so the provider may map it and the clients may
	// write it before the pool's own update.
	SubjectAttributeLive bool
	// PreSignUpWaits reports that the trigger stays as it is live in this run
	// (see triggerWaits): the next run moves it.
	PreSignUpWaits bool
	// Changes says in words what adoption changes on the live resources (for
	// the preview's log); empty once the pool is adopted.
	Changes []string
}

// PoolPlan declares the adopted pool.
type PoolPlan struct {
	ImportID string
	Args     *cognito.UserPoolArgs
}

// ClientPlan declares one adopted app client.
type ClientPlan struct {
	ImportID string
	Args     *cognito.UserPoolClientArgs
	// CallbackURLs are the client's own redirect URLs; the first one feeds
	// passkeyLoginUrl when the component creates no client.
	CallbackURLs []string
	// Scopes are the OAuth scopes the client allows after adoption, for the
	// passkey login URL's scope parameter.
	Scopes []string
}

// ProviderPlan says that an identity provider with the configured name exists
// and must be imported, not created a second time.
type ProviderPlan struct {
	ImportID string
	// IdpIdentifiers and AttributeMapping are the live provider's, so the
	// component can keep identifiers and mappings it does not set itself.
	IdpIdentifiers   []string
	AttributeMapping map[string]string
}

// DomainPlan declares one adopted hosted domain.
type DomainPlan struct {
	ImportID string
	Args     *cognito.UserPoolDomainArgs
	// Custom is true for a custom domain (served through CloudFront with an
	// ACM certificate), false for a prefix domain under amazoncognito.com.
	Custom bool
}

// Adopt checks the live state and translates it. A pool that cannot be
// adopted safely yields a *RefusedError listing every reason at once.
func Adopt(state *State, owned Owned) (*Plan, error) {
	if state == nil {
		return nil, errors.New("livepool: no state: call Read first")
	}
	if (owned.PreSignUpARN == nil && !owned.Detach) || owned.ProviderName == "" || owned.MergeFunctionName == "" {
		return nil, errors.New("livepool: Owned needs PreSignUpARN (unless detaching), ProviderName and MergeFunctionName")
	}
	if err := Check(state, owned); err != nil {
		return nil, err
	}
	poolID := aws.ToString(state.Pool.Id)
	plan := &Plan{
		Pool:                 PoolPlan{ImportID: poolID, Args: poolArgs(state, owned)},
		PreviousPreSignUpARN: previousPreSignUp(state, owned),
		SubjectAttributeLive: hasSubjectAttribute(state),
		PreSignUpWaits:       triggerWaits(state, owned),
	}
	mapped := mappedAttributes(state)
	for _, client := range state.Clients {
		plan.Clients = append(plan.Clients, clientPlan(client, owned, mapped))
	}
	if p := state.Provider; p != nil {
		plan.Provider = &ProviderPlan{
			ImportID:         ProviderImportID(poolID, aws.ToString(p.ProviderName)),
			IdpIdentifiers:   p.IdpIdentifiers,
			AttributeMapping: p.AttributeMapping,
		}
	}
	plan.Domains, plan.HostedDomain = domainPlans(state)
	plan.Changes = changes(state, owned, mapped)
	return plan, nil
}

// changes lists the owned changes the plan makes to the live state, and the
// one carried setting that changes shape (the legacy validity).
func changes(state *State, owned Owned, mapped []string) []string {
	poolID := aws.ToString(state.Pool.Id)
	var out []string
	live := ""
	if state.Pool.LambdaConfig != nil {
		live = aws.ToString(state.Pool.LambdaConfig.PreSignUp)
	}
	switch {
	case owned.Detach && owned.RestorePreSignUpARN == "" && live != "":
		return []string{fmt.Sprintf("user pool %s: remove the pre sign-up trigger %s (detach)", poolID, live)}
	case owned.Detach && owned.RestorePreSignUpARN != live:
		return []string{fmt.Sprintf("user pool %s: put the pre sign-up trigger %s back (detach)", poolID, owned.RestorePreSignUpARN)}
	case owned.Detach:
		return nil
	case triggerWaits(state, owned):
		kept := "no pre sign-up trigger"
		if live != "" {
			kept = "the pre sign-up trigger " + live
		}
		out = append(out, fmt.Sprintf("user pool %s: keep %s in this run; the next `pulumi up` moves it to the merge function %s, "+
			"once this one has added custom:%s, let the app clients write it and mapped it on the provider %s (the function links only with it)",
			poolID, kept, owned.MergeFunctionName, DescopeSubjectAttribute, owned.ProviderName))
	case live == "":
		out = append(out, fmt.Sprintf("user pool %s: set the pre sign-up trigger to the merge function %s", poolID, owned.MergeFunctionName))
	case live == owned.ChainPreSignUpARN:
		out = append(out, fmt.Sprintf("user pool %s: set the pre sign-up trigger to the merge function %s, which calls the previous trigger %s first (chained, its rules kept)", poolID, owned.MergeFunctionName, live))
	case !isFunction(live, owned.MergeFunctionName):
		out = append(out, fmt.Sprintf("user pool %s: replace the pre sign-up trigger %s with the merge function %s", poolID, live, owned.MergeFunctionName))
	}
	if !hasSubjectAttribute(state) {
		out = append(out, fmt.Sprintf("user pool %s: add the custom attribute custom:%s (in place)", poolID, DescopeSubjectAttribute))
	}
	if days := legacyValidityDays(state.Pool); days != 0 {
		out = append(out, fmt.Sprintf("user pool %s: carry the legacy UnusedAccountValidityDays (%d days) as PasswordPolicy.TemporaryPasswordValidityDays; Cognito then no longer accepts the legacy setting", poolID, days))
	}
	for _, c := range state.Clients {
		clientID := aws.ToString(c.ClientId)
		if !slices.Contains(c.SupportedIdentityProviders, owned.ProviderName) {
			out = append(out, fmt.Sprintf("app client %s: add %s to SupportedIdentityProviders", clientID, owned.ProviderName))
		}
		if !slices.Contains(c.AllowedOAuthFlows, types.OAuthFlowTypeCode) {
			out = append(out, fmt.Sprintf("app client %s: add code to AllowedOAuthFlows", clientID))
		}
		if !slices.Contains(c.AllowedOAuthScopes, "openid") {
			out = append(out, fmt.Sprintf("app client %s: add openid to AllowedOAuthScopes", clientID))
		}
		if !aws.ToBool(c.AllowedOAuthFlowsUserPoolClient) {
			out = append(out, fmt.Sprintf("app client %s: turn on AllowedOAuthFlowsUserPoolClient", clientID))
		}
		if missing := missingWrites(c, mapped); len(missing) > 0 {
			out = append(out, fmt.Sprintf("app client %s: add %s to WriteAttributes (the Descope provider maps them; Cognito fails a federated sign-in that cannot write one)", clientID, strings.Join(missing, ", ")))
		}
	}
	return out
}

// hasSubjectAttribute reports whether the live pool has custom:descope_sub.
func hasSubjectAttribute(state *State) bool {
	return slices.ContainsFunc(state.Pool.SchemaAttributes, func(a types.SchemaAttributeType) bool {
		return aws.ToString(a.Name) == "custom:"+DescopeSubjectAttribute
	})
}

// triggerWaits reports whether the pre sign-up trigger must stay as it is
// live in this run: the pool has a Descope provider (sign-ins go through it
// already) but not yet custom:descope_sub. The merge function links only
// with that attribute and refuses a sign-in it would link without it, so
// the trigger may move only once the provider maps it; the provider, and the
// clients that must first be able to write it, can name it only once the
// pool has it; and the pool's schema and trigger change in one update. So
// this run adds the attribute, then widens the clients and the mapping, and
// the next moves the trigger.
func triggerWaits(state *State, owned Owned) bool {
	return !owned.Detach && state.Provider != nil && !hasSubjectAttribute(state)
}

// ClientImportID is pulumi-aws's import ID of an app client: "<pool ID>/<client ID>".
func ClientImportID(poolID, clientID string) string { return poolID + "/" + clientID }

// ProviderImportID is pulumi-aws's import ID of an identity provider: "<pool ID>:<provider name>".
func ProviderImportID(poolID, providerName string) string { return poolID + ":" + providerName }

// PreviousPreSignUpARN is what Plan.PreviousPreSignUpARN will be, known
// before the merge function (whose ARN Adopt needs) is declared, so that the
// function can keep it. Like Plan's, it is only known on the first run.
func PreviousPreSignUpARN(state *State, owned Owned) string {
	if state == nil {
		return ""
	}
	return previousPreSignUp(state, owned)
}

// previousPreSignUp is the live pre sign-up trigger when it is not the merge function.
func previousPreSignUp(state *State, owned Owned) string {
	if state.Pool.LambdaConfig == nil {
		return ""
	}
	arn := aws.ToString(state.Pool.LambdaConfig.PreSignUp)
	if arn == "" || isFunction(arn, owned.MergeFunctionName) || owned.Detach {
		return ""
	}
	return arn
}

// isFunction reports whether a Lambda ARN
// (arn:partition:lambda:region:account:function:name[:qualifier]) names the function.
func isFunction(arn, name string) bool {
	parts := strings.Split(arn, ":")
	return len(parts) >= 7 && parts[2] == "lambda" && parts[5] == "function" && parts[6] == name
}

// regionOf is the region in a pool ID ("us-east-1_AbCdEf123").
func regionOf(poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return region
}

// domainPlans adopts every domain the pool has (never a second one) and
// names the hosted UI's host: the custom domain when there is one, else
// <prefix>.auth.<region>.amazoncognito.com.
func domainPlans(state *State) ([]DomainPlan, string) {
	poolID := aws.ToString(state.Pool.Id)
	var plans []DomainPlan
	hosted := ""
	for _, d := range state.Domains {
		name := aws.ToString(d.Domain)
		args := &cognito.UserPoolDomainArgs{
			Domain:     pulumi.String(name),
			UserPoolId: pulumi.String(poolID),
		}
		custom := name == aws.ToString(state.Pool.CustomDomain) ||
			(d.CustomDomainConfig != nil && aws.ToString(d.CustomDomainConfig.CertificateArn) != "")
		if custom && d.CustomDomainConfig != nil && d.CustomDomainConfig.CertificateArn != nil {
			args.CertificateArn = pulumi.String(aws.ToString(d.CustomDomainConfig.CertificateArn))
		}
		if d.ManagedLoginVersion != nil {
			args.ManagedLoginVersion = pulumi.Int(int(*d.ManagedLoginVersion))
		}
		plans = append(plans, DomainPlan{ImportID: name, Args: args, Custom: custom})
		switch {
		case custom:
			hosted = name
		case hosted == "":
			hosted = fmt.Sprintf("%s.auth.%s.amazoncognito.com", name, regionOf(poolID))
		}
	}
	return plans, hosted
}
