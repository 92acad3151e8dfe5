// Package passkeys declares a Cognito user pool that signs users in with
// Descope passkeys: Descope federated as an OpenID Connect provider, and a
// pre sign-up function that links a Descope identity to the existing Cognito
// user with the same verified email.
//
// One file per concern: the pool (pool.go), the Descope provider
// (provider.go), the app client (client.go) and hosted domain (domain.go), the
// merge function and its rights (function.go, policy.go), and its alarm
// (alarm.go); what survives a destroy (lifecycle.go); adopting a pool the
// program did not create (adoption.go); and the order in which the pool, the
// trigger's rights, the provider and the clients change (order.go). Each
// concern is a function taking the pool's ID or ARN as inputs, so an adopted
// pool slots in.
package passkeys

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComponentType is the Pulumi type token of CognitoPasskeys.
const ComponentType = "cognito-descope-passkeys:index:CognitoPasskeys"

// CognitoPasskeys is a user pool with Descope passkey sign-in.
type CognitoPasskeys struct {
	pulumi.ResourceState

	UserPoolID           pulumi.StringOutput `pulumi:"userPoolId"`
	UserPoolARN          pulumi.StringOutput `pulumi:"userPoolArn"`
	UserPoolClientID     pulumi.StringOutput `pulumi:"userPoolClientId"`
	UserPoolClientSecret pulumi.StringOutput `pulumi:"userPoolClientSecret"`
	HostedUIURL          pulumi.StringOutput `pulumi:"hostedUiUrl"`
	CognitoIssuerURL     pulumi.StringOutput `pulumi:"cognitoIssuerUrl"`
	PasskeyLoginURL      pulumi.StringOutput `pulumi:"passkeyLoginUrl"`
	DescopeRedirectURI   pulumi.StringOutput `pulumi:"descopeRedirectUri"`
	// DescopeFlowHostingURL is Descope's Auth Hosting page running the flow:
	// a Flow Hosting URL that needs no page of one's own.
	DescopeFlowHostingURL pulumi.StringOutput `pulumi:"descopeFlowHostingUrl"`
	// CustomDomainTarget is the CloudFront name a custom domain's DNS alias must point at.
	CustomDomainTarget     pulumi.StringOutput `pulumi:"customDomainTarget"`
	MergeFunctionName      pulumi.StringOutput `pulumi:"mergeFunctionName"`
	MergeFunctionLogGroup  pulumi.StringOutput `pulumi:"mergeFunctionLogGroup"`
	MergeFunctionAlarmName pulumi.StringOutput `pulumi:"mergeFunctionAlarmName"`
	// MergeFunctionMetricNamespace holds the Refusals, DecisionErrors and
	// ThrottledInvocations metrics counted from the function's decision line.
	MergeFunctionMetricNamespace pulumi.StringOutput `pulumi:"mergeFunctionMetricNamespace"`
	// PreviousPreSignUpTrigger is the trigger an adopted pool had before the
	// merge function (empty if none): what detaching puts back.
	PreviousPreSignUpTrigger pulumi.StringOutput `pulumi:"previousPreSignUpTrigger"`
}

// NewCognitoPasskeys declares the pool, the Descope provider, the hosted domain,
// the app client and the merge function with its role, logs and alarm. With
// args.Adoption it imports the existing pool, its clients, domain and
// provider instead, declared as they are live plus only the owned changes.
func NewCognitoPasskeys(ctx *pulumi.Context, name string, args *CognitoPasskeysArgs, opts ...pulumi.ResourceOption) (*CognitoPasskeys, error) {
	if args == nil {
		return nil, errors.New("passkeys: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("passkeys %s: invalid arguments:\n%w", name, err)
	}

	if a.Adoption != nil {
		if err := checkAdoption(ctx, name, a); err != nil {
			return nil, fmt.Errorf("passkeys %s: adopt user pool: %w", name, err)
		}
	}

	component := &CognitoPasskeys{}
	if err := ctx.RegisterComponentResource(ComponentType, name, component, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(component)
	accountID := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, parent).AccountId()
	region := aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, parent).Name()

	life := lifecycle{teardown: a.Teardown}

	fn, err := newMergeFunction(ctx, name, a, parent)
	if err != nil {
		return nil, fmt.Errorf("passkeys %s: merge function: %w", name, err)
	}
	signIn, err := declareSignIn(ctx, name, a, life, fn, accountID, component, parent)
	if err != nil {
		return nil, fmt.Errorf("passkeys %s: %w", name, err)
	}
	pool, plan, provider, client := signIn.pool, signIn.plan, signIn.provider, signIn.client
	poolID := pool.ID().ToStringOutput()
	domain, domains, err := declareDomain(ctx, name, a, plan, poolID, accountID, region, parent)
	if err != nil {
		return nil, fmt.Errorf("passkeys %s: hosted domain: %w", name, err)
	}
	alarm, err := newFailureAlarm(ctx, name, a, fn, parent)
	if err != nil {
		return nil, fmt.Errorf("passkeys %s: alarm: %w", name, err)
	}

	everything := slices.Concat(fn.resources(), []pulumi.Resource{pool}, signIn.access,
		[]pulumi.Resource{provider}, domains, signIn.clients, alarm.resources)
	if err := life.newDestroyGuard(ctx, name, everything, parent); err != nil {
		return nil, fmt.Errorf("passkeys %s: destroy guard: %w", name, err)
	}

	hostedUIURL := pulumi.Sprintf("https://%s", domain.host)
	component.UserPoolID = poolID
	component.UserPoolARN = pool.Arn
	component.UserPoolClientID = client.client.ID().ToStringOutput()
	component.UserPoolClientSecret = pulumi.ToSecret(client.client.ClientSecret).(pulumi.StringOutput)
	component.HostedUIURL = hostedUIURL
	component.CognitoIssuerURL = pulumi.Sprintf("https://%s", pool.Endpoint)
	component.PasskeyLoginURL = pulumi.All(hostedUIURL, client.client.ID(), provider.ProviderName).ApplyT(
		func(v []any) string {
			return passkeyLoginURL(v[0].(string), string(v[1].(pulumi.ID)), v[2].(string), client.redirectURI, client.scopes)
		}).(pulumi.StringOutput)
	component.DescopeRedirectURI = pulumi.Sprintf("%s/oauth2/idpresponse", hostedUIURL)
	component.DescopeFlowHostingURL = pulumi.String(DescopeFlowHostingURL(a.DescopeProjectID, a.DescopeIssuerURL, a.DescopeFlowID)).ToStringOutput()
	component.CustomDomainTarget = domain.domain.CloudfrontDistribution
	component.MergeFunctionName = fn.function.Name
	component.MergeFunctionLogGroup = fn.logGroup.Name
	component.MergeFunctionAlarmName = alarm.alarm.Name
	component.MergeFunctionMetricNamespace = alarm.metricNamespace
	component.PreviousPreSignUpTrigger = fn.previousPreSignUp

	if err := ctx.RegisterResourceOutputs(component, pulumi.Map{
		"userPoolId":                   component.UserPoolID,
		"userPoolArn":                  component.UserPoolARN,
		"userPoolClientId":             component.UserPoolClientID,
		"userPoolClientSecret":         component.UserPoolClientSecret,
		"hostedUiUrl":                  component.HostedUIURL,
		"cognitoIssuerUrl":             component.CognitoIssuerURL,
		"passkeyLoginUrl":              component.PasskeyLoginURL,
		"descopeRedirectUri":           component.DescopeRedirectURI,
		"descopeFlowHostingUrl":        component.DescopeFlowHostingURL,
		"customDomainTarget":           component.CustomDomainTarget,
		"mergeFunctionName":            component.MergeFunctionName,
		"mergeFunctionLogGroup":        component.MergeFunctionLogGroup,
		"mergeFunctionAlarmName":       component.MergeFunctionAlarmName,
		"mergeFunctionMetricNamespace": component.MergeFunctionMetricNamespace,
		"previousPreSignUpTrigger":     component.PreviousPreSignUpTrigger,
	}); err != nil {
		return nil, err
	}
	return component, nil
}

// withOptions adds options to a caller's list without writing into its array.
func withOptions(opts []pulumi.ResourceOption, more ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append(slices.Clip(opts), more...)
}
