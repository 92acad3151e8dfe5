// Package passkeys declares a Cognito user pool that signs users in with
// Descope passkeys: Descope federated as an OpenID Connect provider, and a
// pre sign-up function that links a Descope identity to the existing Cognito
// user with the same verified email.
package passkeys

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComponentType is the Pulumi type token of CognitoPasskeys.
const ComponentType = "cognito-descope-passkeys:index:CognitoPasskeys"

// Defaults of the optional arguments.
const (
	DefaultProviderName     = "Descope"
	DefaultLogRetentionDays = 30
)

// DescopeScopes are the scopes Cognito requests from Descope. descope:custom_claims
// carries roles, tenants and custom claims from the Descope flow.
const DescopeScopes = "openid profile email descope:custom_claims"

// AppClientScopes are the scopes the app client may request from Cognito.
var AppClientScopes = []string{"openid", "email", "profile"}

// DescopeSubjectAttribute holds the exact Descope subject. Cognito may lowercase
// the federated userName in case-insensitive pools, so the merge function links
// with this attribute, never with the userName.
const DescopeSubjectAttribute = "custom:descope_sub"

// providerDetailsFilledByAWS are the keys Cognito adds to an OIDC provider's
// details from the issuer's discovery document. The upstream provider diffs them
// against the program's inputs on every run; ignoring them keeps a second
// `pulumi up` with unchanged config a no-op.
var providerDetailsFilledByAWS = []string{
	"attributes_url",
	"attributes_url_add_attributes",
	"authorize_url",
	"jwks_uri",
	"token_url",
}

// MergeFunctionCode is a built merge function: a zip holding a linux `bootstrap`.
type MergeFunctionCode struct {
	// ZipPath is the deployment archive on local disk.
	ZipPath string
	// SourceCodeHash is the base64 SHA-256 of the archive.
	SourceCodeHash string
}

// CognitoPasskeysArgs configures CognitoPasskeys. Plain values are validated
// before any resource is declared.
type CognitoPasskeysArgs struct {
	// DescopeProjectID is the Descope project ID, Cognito's OIDC client ID.
	DescopeProjectID string
	// DescopeAccessKey is a Descope access key, Cognito's OIDC client secret.
	// Pass a secret output (config.RequireSecret or pulumi.ToSecret).
	DescopeAccessKey pulumi.StringInput
	// DescopeIssuerURL is the OIDC issuer; empty derives it from the project ID.
	DescopeIssuerURL string
	// ProviderName names the identity provider in the pool; empty means "Descope".
	ProviderName string
	// CallbackURLs are the app's sign-in redirect URLs; the first one goes into PasskeyLoginURL.
	CallbackURLs []string
	// LogoutURLs are the app's sign-out redirect URLs.
	LogoutURLs []string
	// DomainPrefix is the hosted domain's prefix; empty derives a per-stack,
	// per-account prefix. Ignored when CustomDomain is set.
	DomainPrefix string
	// CustomDomain serves the hosted UI from your own domain, with CustomDomainCertificateARN.
	CustomDomain string
	// CustomDomainCertificateARN is an ACM certificate in us-east-1 for CustomDomain.
	CustomDomainCertificateARN string
	// DescopeOnly removes Cognito's own username/password sign-in from the app client.
	DescopeOnly bool
	// ConfidentialClient gives the app client a secret, for server-side apps.
	ConfidentialClient bool
	// RequireExistingUser makes the merge function refuse Descope sign-ups that
	// match no existing Cognito user.
	RequireExistingUser bool
	// MergeFunction is the built pre sign-up function.
	MergeFunction MergeFunctionCode
	// LogRetentionDays keeps the function's logs this long; zero means 30.
	LogRetentionDays int
	// AlarmEmail subscribes an address to the function's failure alarm.
	AlarmEmail string
	// AlarmTopicARN sends the failure alarm to an existing SNS topic.
	AlarmTopicARN string
}

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
	// CustomDomainTarget is the CloudFront name a custom domain's DNS alias must point at.
	CustomDomainTarget     pulumi.StringOutput `pulumi:"customDomainTarget"`
	MergeFunctionName      pulumi.StringOutput `pulumi:"mergeFunctionName"`
	MergeFunctionLogGroup  pulumi.StringOutput `pulumi:"mergeFunctionLogGroup"`
	MergeFunctionAlarmName pulumi.StringOutput `pulumi:"mergeFunctionAlarmName"`
}

// withDefaults returns a copy with empty optional fields filled in.
func (a CognitoPasskeysArgs) withDefaults() CognitoPasskeysArgs {
	if a.ProviderName == "" {
		a.ProviderName = DefaultProviderName
	}
	if a.DescopeIssuerURL == "" {
		a.DescopeIssuerURL = DescopeIssuerURL(a.DescopeProjectID)
	}
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = DefaultLogRetentionDays
	}
	return a
}

// validate reports every problem at once, naming the field and the fix.
func (a CognitoPasskeysArgs) validate() error {
	var problems []error
	check := func(field string, err error) {
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", field, err))
		}
	}
	check("DescopeProjectID", ValidateDescopeProjectID(a.DescopeProjectID))
	if a.DescopeAccessKey == nil {
		check("DescopeAccessKey", errors.New("is required: a Descope access key, passed as a secret"))
	}
	check("DescopeIssuerURL", ValidateIssuerURL(a.DescopeIssuerURL))
	check("ProviderName", ValidateProviderName(a.ProviderName))
	check("CallbackURLs", ValidateRedirectURLs(a.CallbackURLs, true))
	check("LogoutURLs", ValidateRedirectURLs(a.LogoutURLs, false))
	if a.DomainPrefix != "" {
		check("DomainPrefix", ValidateDomainPrefix(a.DomainPrefix))
	}
	switch {
	case a.CustomDomain != "" && a.CustomDomainCertificateARN == "":
		check("CustomDomainCertificateARN", errors.New("is required with CustomDomain: an ACM certificate in us-east-1 that covers it"))
	case a.CustomDomain == "" && a.CustomDomainCertificateARN != "":
		check("CustomDomain", errors.New("is required with CustomDomainCertificateARN"))
	case a.CustomDomain != "":
		check("CustomDomain", ValidateCustomDomain(a.CustomDomain))
		check("CustomDomainCertificateARN", ValidateCertificateARN(a.CustomDomainCertificateARN))
	}
	if a.MergeFunction.ZipPath == "" || a.MergeFunction.SourceCodeHash == "" {
		check("MergeFunction", errors.New("is required: build ./lambda with lambdabuild.Build"))
	}
	check("LogRetentionDays", ValidateLogRetentionDays(a.LogRetentionDays))
	if a.AlarmEmail != "" {
		check("AlarmEmail", ValidateEmail(a.AlarmEmail))
	}
	if a.AlarmTopicARN != "" {
		check("AlarmTopicARN", ValidateTopicARN(a.AlarmTopicARN))
	}
	return errors.Join(problems...)
}

// NewCognitoPasskeys declares the pool, the Descope provider, the hosted domain,
// the app client and the merge function with its role, logs and alarm.
func NewCognitoPasskeys(ctx *pulumi.Context, name string, args *CognitoPasskeysArgs, opts ...pulumi.ResourceOption) (*CognitoPasskeys, error) {
	if args == nil {
		return nil, errors.New("passkeys: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("passkeys %s: invalid arguments:\n%w", name, err)
	}

	component := &CognitoPasskeys{}
	if err := ctx.RegisterComponentResource(ComponentType, name, component, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(component)

	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, parent)
	region := aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, parent)

	fn, err := newMergeFunction(ctx, name, a, parent)
	if err != nil {
		return nil, err
	}

	pool, err := cognito.NewUserPool(ctx, name+"-user-pool", &cognito.UserPoolArgs{
		UsernameAttributes: pulumi.StringArray{pulumi.String("email")},
		UsernameConfiguration: &cognito.UserPoolUsernameConfigurationArgs{
			CaseSensitive: pulumi.Bool(false),
		},
		AutoVerifiedAttributes: pulumi.StringArray{pulumi.String("email")},
		AccountRecoverySetting: &cognito.UserPoolAccountRecoverySettingArgs{
			RecoveryMechanisms: cognito.UserPoolAccountRecoverySettingRecoveryMechanismArray{
				&cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs{
					Name:     pulumi.String("verified_email"),
					Priority: pulumi.Int(1),
				},
			},
		},
		PasswordPolicy: &cognito.UserPoolPasswordPolicyArgs{
			MinimumLength:                 pulumi.Int(12),
			RequireLowercase:              pulumi.Bool(true),
			RequireUppercase:              pulumi.Bool(true),
			RequireNumbers:                pulumi.Bool(true),
			RequireSymbols:                pulumi.Bool(false),
			TemporaryPasswordValidityDays: pulumi.Int(7),
		},
		// Constraints are spelled out as AWS stores them; left empty, the
		// provider reports a schema diff on every run.
		Schemas: cognito.UserPoolSchemaArray{
			&cognito.UserPoolSchemaArgs{
				Name:              pulumi.String("email"),
				AttributeDataType: pulumi.String("String"),
				Required:          pulumi.Bool(true),
				Mutable:           pulumi.Bool(true),
				StringAttributeConstraints: &cognito.UserPoolSchemaStringAttributeConstraintsArgs{
					MinLength: pulumi.String("0"),
					MaxLength: pulumi.String("2048"),
				},
			},
			&cognito.UserPoolSchemaArgs{
				Name:              pulumi.String(strings.TrimPrefix(DescopeSubjectAttribute, "custom:")),
				AttributeDataType: pulumi.String("String"),
				// Mapped attributes must be mutable: Cognito rewrites them at every federated sign-in.
				Mutable: pulumi.Bool(true),
				StringAttributeConstraints: &cognito.UserPoolSchemaStringAttributeConstraintsArgs{
					MinLength: pulumi.String("1"),
					MaxLength: pulumi.String("256"),
				},
			},
		},
		LambdaConfig: &cognito.UserPoolLambdaConfigArgs{
			PreSignUp: fn.function.Arn,
		},
		DeletionProtection: pulumi.String("ACTIVE"),
	}, parent, pulumi.Protect(true), pulumi.RetainOnDelete(true))
	if err != nil {
		return nil, err
	}

	cognitoPolicy, err := iam.NewRolePolicy(ctx, name+"-merge-cognito", &iam.RolePolicyArgs{
		Role:   fn.role.ID(),
		Policy: linkPolicy(pool.Arn),
	}, parent)
	if err != nil {
		return nil, err
	}

	// Cognito may invoke the function only once it can do its job. DependsOn is
	// the one ordering here without a data edge to carry it.
	if _, err := lambda.NewPermission(ctx, name+"-merge-invoke", &lambda.PermissionArgs{
		Action:        pulumi.String("lambda:InvokeFunction"),
		Function:      fn.function.Name,
		Principal:     pulumi.String("cognito-idp.amazonaws.com"),
		SourceArn:     pool.Arn,
		SourceAccount: account.AccountId(),
	}, parent, pulumi.DependsOn([]pulumi.Resource{cognitoPolicy})); err != nil {
		return nil, err
	}

	provider, err := cognito.NewIdentityProvider(ctx, name+"-descope", &cognito.IdentityProviderArgs{
		UserPoolId:   pool.ID(),
		ProviderName: pulumi.String(a.ProviderName),
		ProviderType: pulumi.String("OIDC"),
		ProviderDetails: pulumi.StringMap{
			"client_id":                 pulumi.String(a.DescopeProjectID),
			"client_secret":             pulumi.ToSecret(a.DescopeAccessKey).(pulumi.StringOutput),
			"oidc_issuer":               pulumi.String(a.DescopeIssuerURL),
			"authorize_scopes":          pulumi.String(DescopeScopes),
			"attributes_request_method": pulumi.String("GET"),
		},
		AttributeMapping: pulumi.StringMap{
			// Cognito maps username to sub itself; declaring it avoids a diff.
			"username":              pulumi.String("sub"),
			"email":                 pulumi.String("email"),
			"email_verified":        pulumi.String("email_verified"),
			"name":                  pulumi.String("name"),
			DescopeSubjectAttribute: pulumi.String("sub"),
		},
	}, parent, pulumi.IgnoreChanges(ignoredProviderDetails()))
	if err != nil {
		return nil, err
	}

	domain, hostedDomain, err := newDomain(ctx, name, a, pool, account, region, parent)
	if err != nil {
		return nil, err
	}

	identityProviders := pulumi.StringArray{provider.ProviderName}
	if !a.DescopeOnly {
		identityProviders = pulumi.StringArray{pulumi.String("COGNITO"), provider.ProviderName}
	}
	client, err := cognito.NewUserPoolClient(ctx, name+"-client", &cognito.UserPoolClientArgs{
		UserPoolId:                      pool.ID(),
		GenerateSecret:                  pulumi.Bool(a.ConfidentialClient),
		AllowedOauthFlowsUserPoolClient: pulumi.Bool(true),
		AllowedOauthFlows:               pulumi.StringArray{pulumi.String("code")},
		AllowedOauthScopes:              pulumi.ToStringArray(AppClientScopes),
		SupportedIdentityProviders:      identityProviders,
		CallbackUrls:                    pulumi.ToStringArray(a.CallbackURLs),
		LogoutUrls:                      pulumi.ToStringArray(a.LogoutURLs),
		PreventUserExistenceErrors:      pulumi.String("ENABLED"),
		EnableTokenRevocation:           pulumi.Bool(true),
		ExplicitAuthFlows: pulumi.StringArray{
			pulumi.String("ALLOW_REFRESH_TOKEN_AUTH"),
			pulumi.String("ALLOW_USER_SRP_AUTH"),
		},
		AuthSessionValidity:  pulumi.Int(3),
		AccessTokenValidity:  pulumi.Int(60),
		IdTokenValidity:      pulumi.Int(60),
		RefreshTokenValidity: pulumi.Int(30),
		TokenValidityUnits: &cognito.UserPoolClientTokenValidityUnitsArgs{
			AccessToken:  pulumi.String("minutes"),
			IdToken:      pulumi.String("minutes"),
			RefreshToken: pulumi.String("days"),
		},
	}, parent)
	if err != nil {
		return nil, err
	}

	alarm, err := newFailureAlarm(ctx, name, a, fn.function.Name, parent)
	if err != nil {
		return nil, err
	}

	hostedUIURL := pulumi.Sprintf("https://%s", hostedDomain)
	component.UserPoolID = pool.ID().ToStringOutput()
	component.UserPoolARN = pool.Arn
	component.UserPoolClientID = client.ID().ToStringOutput()
	component.UserPoolClientSecret = pulumi.ToSecret(client.ClientSecret).(pulumi.StringOutput)
	component.HostedUIURL = hostedUIURL
	component.CognitoIssuerURL = pulumi.Sprintf("https://%s", pool.Endpoint)
	component.PasskeyLoginURL = pulumi.All(hostedUIURL, client.ID(), provider.ProviderName).ApplyT(
		func(v []any) string {
			return PasskeyLoginURL(v[0].(string), string(v[1].(pulumi.ID)), v[2].(string), a.CallbackURLs[0])
		}).(pulumi.StringOutput)
	component.DescopeRedirectURI = pulumi.Sprintf("%s/oauth2/idpresponse", hostedUIURL)
	component.CustomDomainTarget = domain.CloudfrontDistribution
	component.MergeFunctionName = fn.function.Name
	component.MergeFunctionLogGroup = fn.logGroup.Name
	component.MergeFunctionAlarmName = alarm.Name

	if err := ctx.RegisterResourceOutputs(component, pulumi.Map{
		"userPoolId":             component.UserPoolID,
		"userPoolArn":            component.UserPoolARN,
		"userPoolClientId":       component.UserPoolClientID,
		"userPoolClientSecret":   component.UserPoolClientSecret,
		"hostedUiUrl":            component.HostedUIURL,
		"cognitoIssuerUrl":       component.CognitoIssuerURL,
		"passkeyLoginUrl":        component.PasskeyLoginURL,
		"descopeRedirectUri":     component.DescopeRedirectURI,
		"customDomainTarget":     component.CustomDomainTarget,
		"mergeFunctionName":      component.MergeFunctionName,
		"mergeFunctionLogGroup":  component.MergeFunctionLogGroup,
		"mergeFunctionAlarmName": component.MergeFunctionAlarmName,
	}); err != nil {
		return nil, err
	}
	return component, nil
}

func ignoredProviderDetails() []string {
	paths := make([]string, len(providerDetailsFilledByAWS))
	for i, key := range providerDetailsFilledByAWS {
		paths[i] = fmt.Sprintf("providerDetails[%q]", key)
	}
	return paths
}

// PasskeyLoginURL is what the app's "Login with Passkeys" button opens: Cognito's
// authorize endpoint, sent straight to the Descope provider.
func PasskeyLoginURL(hostedUIURL, clientID, providerName, redirectURI string) string {
	query := url.Values{
		"client_id":         {clientID},
		"identity_provider": {providerName},
		"redirect_uri":      {redirectURI},
		"response_type":     {"code"},
		"scope":             {strings.Join(AppClientScopes, " ")},
	}
	return hostedUIURL + "/oauth2/authorize?" + query.Encode()
}

// newDomain declares the hosted domain and returns it with its host name.
func newDomain(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, pool *cognito.UserPool,
	account aws.GetCallerIdentityResultOutput, region aws.GetRegionResultOutput, parent pulumi.ResourceOption,
) (*cognito.UserPoolDomain, pulumi.StringOutput, error) {
	if a.CustomDomain != "" {
		domain, err := cognito.NewUserPoolDomain(ctx, name+"-domain", &cognito.UserPoolDomainArgs{
			UserPoolId:     pool.ID(),
			Domain:         pulumi.String(a.CustomDomain),
			CertificateArn: pulumi.String(a.CustomDomainCertificateARN),
		}, parent)
		if err != nil {
			return nil, pulumi.StringOutput{}, err
		}
		return domain, domain.Domain, nil
	}

	prefix := pulumi.String(a.DomainPrefix).ToStringOutput()
	if a.DomainPrefix == "" {
		prefix = account.AccountId().ApplyT(func(accountID string) string {
			return DefaultDomainPrefix(ctx.Stack(), accountID)
		}).(pulumi.StringOutput)
	}
	domain, err := cognito.NewUserPoolDomain(ctx, name+"-domain", &cognito.UserPoolDomainArgs{
		UserPoolId: pool.ID(),
		Domain:     prefix,
	}, parent)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	host := pulumi.Sprintf("%s.auth.%s.amazoncognito.com", domain.Domain, region.Name())
	return domain, host, nil
}

// DefaultDomainPrefix derives a hosted-domain prefix from the stack and the AWS
// account. Prefixes are global per region, so a hash of the account keeps two
// accounts' "dev" stacks apart without publishing the account ID.
func DefaultDomainPrefix(stack, accountID string) string {
	sum := sha256.Sum256([]byte(accountID))
	suffix := hex.EncodeToString(sum[:])[:8]
	var b strings.Builder
	for _, r := range strings.ToLower(stack) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	const maxStackPart = 63 - len("passkeys--") - 8
	stackPart := strings.Trim(b.String(), "-")
	if len(stackPart) > maxStackPart {
		stackPart = strings.Trim(stackPart[:maxStackPart], "-")
	}
	// "aws", "amazon" and "cognito" are not allowed in a prefix.
	for _, reserved := range []string{"aws", "amazon", "cognito"} {
		stackPart = strings.ReplaceAll(stackPart, reserved, strings.Repeat("x", len(reserved)))
	}
	if stackPart == "" {
		return "passkeys-" + suffix
	}
	return "passkeys-" + stackPart + "-" + suffix
}

// newFailureAlarm alarms when the merge function fails or is throttled: either
// way a user's first passkey sign-in was refused.
func newFailureAlarm(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, functionName pulumi.StringOutput, parent pulumi.ResourceOption) (*cloudwatch.MetricAlarm, error) {
	var actions pulumi.Array
	if a.AlarmTopicARN != "" {
		actions = append(actions, pulumi.String(a.AlarmTopicARN))
	}
	if a.AlarmEmail != "" {
		topic, err := sns.NewTopic(ctx, name+"-alarms", &sns.TopicArgs{}, parent)
		if err != nil {
			return nil, err
		}
		if _, err := sns.NewTopicSubscription(ctx, name+"-alarms-email", &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(a.AlarmEmail),
		}, parent); err != nil {
			return nil, err
		}
		actions = append(actions, topic.Arn)
	}

	lambdaMetric := func(id, metric string) *cloudwatch.MetricAlarmMetricQueryArgs {
		return &cloudwatch.MetricAlarmMetricQueryArgs{
			Id:         pulumi.String(id),
			ReturnData: pulumi.Bool(false),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace:  pulumi.String("AWS/Lambda"),
				MetricName: pulumi.String(metric),
				Dimensions: pulumi.StringMap{"FunctionName": functionName},
				Period:     pulumi.Int(300),
				Stat:       pulumi.String("Sum"),
			},
		}
	}
	return cloudwatch.NewMetricAlarm(ctx, name+"-merge-failures", &cloudwatch.MetricAlarmArgs{
		AlarmDescription: pulumi.Sprintf("The pre sign-up function %s failed or was throttled: a first passkey sign-in was refused. Read its log group for the reason.", functionName),
		MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
			lambdaMetric("errors", "Errors"),
			lambdaMetric("throttles", "Throttles"),
			&cloudwatch.MetricAlarmMetricQueryArgs{
				Id:         pulumi.String("failures"),
				Expression: pulumi.String("errors + throttles"),
				Label:      pulumi.String("Failed or throttled invocations"),
				ReturnData: pulumi.Bool(true),
			},
		},
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		Threshold:          pulumi.Float64(1),
		EvaluationPeriods:  pulumi.Int(1),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       actions,
		OkActions:          actions,
	}, parent)
}
