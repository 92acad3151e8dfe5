package livepooltest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// BlogTrigger is the pre sign-up trigger CreateRichPool sets: the Python
// function of Descope's post.
const BlogTrigger = "arn:aws:lambda:us-east-1:123456789012:function:descope-blog-presignup"

func motoFunction(name string) *string {
	return aws.String("arn:aws:lambda:us-east-1:123456789012:function:" + name)
}

// CreateRichPool creates a pool with a non-default value in every area
// adoption carries, a client, the Descope provider and a prefix domain.
func CreateRichPool(ctx context.Context, t *testing.T, api *cognitoidentityprovider.Client) (poolID, clientID string) {
	t.Helper()
	sms := &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/acme-sms"), ExternalId: aws.String("acme-ext"), SnsRegion: aws.String("us-east-1")}
	text := func(name string, mutable, required, dev bool, minLength, maxLength string) types.SchemaAttributeType {
		return types.SchemaAttributeType{Name: aws.String(name), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(mutable), Required: aws.Bool(required),
			DeveloperOnlyAttribute: aws.Bool(dev), StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String(minLength), MaxLength: aws.String(maxLength)}}
	}
	created, err := api.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{
		PoolName: aws.String("acme-moto"),
		Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(15), PasswordHistorySize: aws.Int32(4), RequireLowercase: true, RequireNumbers: true,
				RequireSymbols: true, RequireUppercase: true, TemporaryPasswordValidityDays: 2},
			SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn}},
		},
		DeletionProtection: types.DeletionProtectionTypeActive,
		LambdaConfig: &types.LambdaConfigType{
			PreSignUp:                   aws.String(BlogTrigger),
			CustomMessage:               motoFunction("custom-message"),
			PostConfirmation:            motoFunction("post-confirmation"),
			PreAuthentication:           motoFunction("pre-authentication"),
			PostAuthentication:          motoFunction("post-authentication"),
			DefineAuthChallenge:         motoFunction("define-auth"),
			CreateAuthChallenge:         motoFunction("create-auth"),
			VerifyAuthChallengeResponse: motoFunction("verify-auth"),
			PreTokenGeneration:          motoFunction("pre-token"),
			PreTokenGenerationConfig:    &types.PreTokenGenerationVersionConfigType{LambdaArn: motoFunction("pre-token"), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20},
			UserMigration:               motoFunction("user-migration"),
			CustomSMSSender:             &types.CustomSMSLambdaVersionConfigType{LambdaArn: motoFunction("sms-sender"), LambdaVersion: types.CustomSMSSenderLambdaVersionTypeV10},
			CustomEmailSender:           &types.CustomEmailLambdaVersionConfigType{LambdaArn: motoFunction("email-sender"), LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10},
			KMSKeyID:                    aws.String("arn:aws:kms:us-east-1:123456789012:key/moto-key"),
		},
		Schema: []types.SchemaAttributeType{
			text("email", true, true, false, "0", "2048"),
			text("tenant_id", true, false, false, "1", "64"),
			text("risk_flags", true, false, true, "0", "128"),
		},
		AutoVerifiedAttributes:   []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UsernameAttributes:       []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		UsernameConfiguration:    &types.UsernameConfigurationType{CaseSensitive: aws.Bool(true)},
		SmsVerificationMessage:   aws.String("Moto code {####}"),
		EmailVerificationMessage: aws.String("Moto email code {####}"),
		EmailVerificationSubject: aws.String("Moto code"),
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{
			SmsMessage: aws.String("Moto code {####}"), EmailMessage: aws.String("Moto email code {####}"), EmailSubject: aws.String("Moto code"),
			EmailMessageByLink: aws.String("Moto {##link##}"), EmailSubjectByLink: aws.String("Moto link"), DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
		},
		SmsAuthenticationMessage:    aws.String("Moto sign-in {####}"),
		MfaConfiguration:            types.UserPoolMfaTypeOptional,
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
		DeviceConfiguration:         &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true},
		EmailConfiguration: &types.EmailConfigurationType{SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/moto.example"),
			ReplyToEmailAddress: aws.String("help@moto.example"), EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
			From: aws.String("Moto <noreply@moto.example>"), ConfigurationSet: aws.String("moto-set")},
		SmsConfiguration: sms,
		UserPoolTags:     map[string]string{"team": "identity", "env": "moto"},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true, InviteMessageTemplate: &types.MessageTemplateType{
			EmailMessage: aws.String("Hi {username}, password {####}"), EmailSubject: aws.String("Welcome"), SMSMessage: aws.String("{username} {####}")}},
		UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeEnforced,
			AdvancedSecurityAdditionalFlows: &types.AdvancedSecurityAdditionalFlowsType{CustomAuthMode: types.AdvancedSecurityEnabledModeTypeAudit}},
		AccountRecoverySetting: &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)}, {Name: types.RecoveryOptionNameTypeAdminOnly, Priority: aws.Int32(2)}}},
		UserPoolTier: types.UserPoolTierTypePlus,
	})
	if err != nil {
		t.Fatal(err)
	}
	poolID = aws.ToString(created.UserPool.Id)
	if _, err := api.SetUserPoolMfaConfig(ctx, &cognitoidentityprovider.SetUserPoolMfaConfigInput{
		UserPoolId:                    aws.String(poolID),
		MfaConfiguration:              types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		SmsMfaConfiguration:           &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Moto sign-in {####}"), SmsConfiguration: sms},
	}); err != nil {
		t.Fatal(err)
	}
	client, err := api.CreateUserPoolClient(ctx, &cognitoidentityprovider.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("moto-web"), GenerateSecret: true,
		RefreshTokenValidity: 20, AccessTokenValidity: aws.Int32(30), IdTokenValidity: aws.Int32(45), AuthSessionValidity: aws.Int32(12),
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeDays},
		ReadAttributes:     []string{"email", "custom:tenant_id"}, WriteAttributes: []string{"custom:tenant_id"},
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		SupportedIdentityProviders: []string{"COGNITO"},
		CallbackURLs:               []string{"https://moto.example/cb"}, LogoutURLs: []string{"https://moto.example/bye"}, DefaultRedirectURI: aws.String("https://moto.example/cb"),
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, AllowedOAuthScopes: []string{"openid", "email"}, AllowedOAuthFlowsUserPoolClient: true,
		AnalyticsConfiguration: &types.AnalyticsConfigurationType{ApplicationId: aws.String("motoapp"),
			RoleArn: aws.String("arn:aws:iam::123456789012:role/moto-analytics"), ExternalId: aws.String("moto-analytics"), UserDataShared: true},
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled, EnableTokenRevocation: aws.Bool(true), EnablePropagateAdditionalUserContextData: aws.Bool(true),
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(20)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateIdentityProvider(ctx, &cognitoidentityprovider.CreateIdentityProviderInput{
		UserPoolId: aws.String(poolID), ProviderName: aws.String("Descope"), ProviderType: types.IdentityProviderTypeTypeOidc,
		ProviderDetails:  map[string]string{"client_id": "P2Moto", "client_secret": "not-a-secret", "oidc_issuer": "https://api.descope.com/P2Moto", "authorize_scopes": "openid email", "attributes_request_method": "GET"},
		AttributeMapping: map[string]string{"email": "email", "username": "sub"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateUserPoolDomain(ctx, &cognitoidentityprovider.CreateUserPoolDomainInput{UserPoolId: aws.String(poolID), Domain: aws.String("acme-moto")}); err != nil {
		t.Fatal(err)
	}
	return poolID, aws.ToString(client.UserPoolClient.ClientId)
}

// call sends one raw JSON request, as the provider's full update would:
// UpdateUserPool resets whatever it is not given.
func call(ctx context.Context, t *testing.T, endpoint, operation string, body map[string]any) map[string]any {
	t.Helper()
	payload, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+operation)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIALIVEPOOLFAKE0000/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s", operation, resp.Status, answer)
	}
	out := map[string]any{}
	if len(answer) > 0 {
		if err := json.Unmarshal(answer, &out); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// ApplyOwnedChanges does to the emulated pool what `pulumi up` does: the
// subject attribute added in place, a full UpdateUserPool from the declared
// state with the new trigger, and the client enabled for Descope.
func ApplyOwnedChanges(ctx context.Context, t *testing.T, endpoint string, api *cognitoidentityprovider.Client, poolID, clientID, mergeFunctionARN string) {
	t.Helper()
	if _, err := api.AddCustomAttributes(ctx, &cognitoidentityprovider.AddCustomAttributesInput{
		UserPoolId: aws.String(poolID),
		CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("descope_sub"), AttributeDataType: types.AttributeDataTypeString,
			DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(true), Required: aws.Bool(false),
			StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("256")}}},
	}); err != nil {
		t.Fatal(err)
	}
	pool := call(ctx, t, endpoint, "DescribeUserPool", map[string]any{"UserPoolId": poolID})["UserPool"].(map[string]any)
	update := map[string]any{"UserPoolId": poolID}
	for key, value := range pool {
		switch key {
		case "Id", "Arn", "Name", "Status", "CreationDate", "LastModifiedDate", "EstimatedNumberOfUsers", "SchemaAttributes", "Domain", "CustomDomain":
		default:
			update[key] = value
		}
	}
	update["LambdaConfig"].(map[string]any)["PreSignUp"] = mergeFunctionARN
	call(ctx, t, endpoint, "UpdateUserPool", update)

	client := call(ctx, t, endpoint, "DescribeUserPoolClient", map[string]any{"UserPoolId": poolID, "ClientId": clientID})["UserPoolClient"].(map[string]any)
	client["SupportedIdentityProviders"] = append(client["SupportedIdentityProviders"].([]any), "Descope")
	// The client has a write list: it gains the attributes the Descope
	// provider maps (the program's mapping; this pool's provider adds none).
	writes := client["WriteAttributes"].([]any)
	for _, attribute := range []string{"custom:descope_sub", "email", "email_verified", "name"} {
		if !slices.Contains(writes, any(attribute)) {
			writes = append(writes, attribute)
		}
	}
	client["WriteAttributes"] = writes
	delete(client, "ClientSecret")
	call(ctx, t, endpoint, "UpdateUserPoolClient", client)
}
