package livepool

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// poolArgs declares every live setting pulumi-aws can express, because an
// imported pool is then updated to exactly these inputs (the import option
// no longer fails on a mismatch since pulumi/pulumi#19339, CLI 3.174), and
// UpdateUserPool resets whatever it is not given ("If you don't provide a
// value for an attribute, Amazon Cognito sets it to its default value",
// Cognito developer guide, "Updating user pool and app client
// configuration"). The only differences from the live pool are the pre
// sign-up trigger and the Descope subject attribute.
func poolArgs(state *State, owned Owned) *cognito.UserPoolArgs {
	pool := state.Pool
	args := &cognito.UserPoolArgs{
		// The live name, so that Pulumi's auto-naming never plans a replacement.
		Name:         pulumi.String(aws.ToString(pool.Name)),
		LambdaConfig: lambdaConfig(pool.LambdaConfig, preSignUpTrigger(state, owned)),
		Schemas:      schemas(pool.SchemaAttributes, !owned.Detach),
	}
	if len(pool.AliasAttributes) > 0 {
		args.AliasAttributes = stringArray(pool.AliasAttributes)
	}
	if len(pool.UsernameAttributes) > 0 {
		args.UsernameAttributes = stringArray(pool.UsernameAttributes)
	}
	if len(pool.AutoVerifiedAttributes) > 0 {
		args.AutoVerifiedAttributes = stringArray(pool.AutoVerifiedAttributes)
	}
	if uc := pool.UsernameConfiguration; uc != nil && uc.CaseSensitive != nil {
		args.UsernameConfiguration = &cognito.UserPoolUsernameConfigurationArgs{CaseSensitive: pulumi.Bool(*uc.CaseSensitive)}
	}
	if pool.DeletionProtection != "" {
		args.DeletionProtection = pulumi.String(string(pool.DeletionProtection))
	}
	if pool.UserPoolTier != "" {
		args.UserPoolTier = pulumi.String(string(pool.UserPoolTier))
	}
	if len(pool.UserPoolTags) > 0 {
		args.Tags = pulumi.ToStringMap(pool.UserPoolTags)
	}
	if policies := pool.Policies; policies != nil {
		if pp := policies.PasswordPolicy; pp != nil {
			validityDays := pp.TemporaryPasswordValidityDays
			if legacy := legacyValidityDays(pool); legacy != 0 {
				validityDays = legacy
			}
			args.PasswordPolicy = &cognito.UserPoolPasswordPolicyArgs{
				MinimumLength:                 intPtr(pp.MinimumLength),
				PasswordHistorySize:           intPtr(pp.PasswordHistorySize),
				RequireLowercase:              pulumi.Bool(pp.RequireLowercase),
				RequireNumbers:                pulumi.Bool(pp.RequireNumbers),
				RequireSymbols:                pulumi.Bool(pp.RequireSymbols),
				RequireUppercase:              pulumi.Bool(pp.RequireUppercase),
				TemporaryPasswordValidityDays: pulumi.Int(int(validityDays)),
			}
		}
		if sp := policies.SignInPolicy; sp != nil && len(sp.AllowedFirstAuthFactors) > 0 {
			args.SignInPolicy = &cognito.UserPoolSignInPolicyArgs{AllowedFirstAuthFactors: stringArray(sp.AllowedFirstAuthFactors)}
		}
	}
	if ar := pool.AccountRecoverySetting; ar != nil && len(ar.RecoveryMechanisms) > 0 {
		mechanisms := cognito.UserPoolAccountRecoverySettingRecoveryMechanismArray{}
		for _, m := range ar.RecoveryMechanisms {
			mechanisms = append(mechanisms, &cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs{
				Name:     pulumi.String(string(m.Name)),
				Priority: pulumi.Int(int(aws.ToInt32(m.Priority))),
			})
		}
		args.AccountRecoverySetting = &cognito.UserPoolAccountRecoverySettingArgs{RecoveryMechanisms: mechanisms}
	}
	if ac := pool.AdminCreateUserConfig; ac != nil {
		config := &cognito.UserPoolAdminCreateUserConfigArgs{AllowAdminCreateUserOnly: pulumi.Bool(ac.AllowAdminCreateUserOnly)}
		// A template without any message stays undeclared: the provider
		// sends every message of a declared one, and Cognito rejects empty
		// messages (a template missing only some is refused by Check).
		if t := ac.InviteMessageTemplate; t != nil && (aws.ToString(t.EmailMessage) != "" || aws.ToString(t.EmailSubject) != "" || aws.ToString(t.SMSMessage) != "") {
			config.InviteMessageTemplate = &cognito.UserPoolAdminCreateUserConfigInviteMessageTemplateArgs{
				EmailMessage: stringPtr(t.EmailMessage),
				EmailSubject: stringPtr(t.EmailSubject),
				SmsMessage:   stringPtr(t.SMSMessage),
			}
		}
		args.AdminCreateUserConfig = config
	}
	if dc := pool.DeviceConfiguration; dc != nil {
		args.DeviceConfiguration = &cognito.UserPoolDeviceConfigurationArgs{
			ChallengeRequiredOnNewDevice:     pulumi.Bool(dc.ChallengeRequiredOnNewDevice),
			DeviceOnlyRememberedOnUserPrompt: pulumi.Bool(dc.DeviceOnlyRememberedOnUserPrompt),
		}
	}
	if ec := pool.EmailConfiguration; ec != nil {
		config := &cognito.UserPoolEmailConfigurationArgs{
			ConfigurationSet:    stringPtr(ec.ConfigurationSet),
			FromEmailAddress:    stringPtr(ec.From),
			ReplyToEmailAddress: stringPtr(ec.ReplyToEmailAddress),
			SourceArn:           stringPtr(ec.SourceArn),
		}
		if ec.EmailSendingAccount != "" {
			config.EmailSendingAccount = pulumi.String(string(ec.EmailSendingAccount))
		}
		args.EmailConfiguration = config
	}
	if sc := pool.SmsConfiguration; sc != nil {
		args.SmsConfiguration = &cognito.UserPoolSmsConfigurationArgs{
			ExternalId:   pulumi.String(aws.ToString(sc.ExternalId)),
			SnsCallerArn: pulumi.String(aws.ToString(sc.SnsCallerArn)),
			SnsRegion:    stringPtr(sc.SnsRegion),
		}
	}
	args.SmsAuthenticationMessage = stringPtr(pool.SmsAuthenticationMessage)
	args.VerificationMessageTemplate = verificationMessageTemplate(pool)
	if us := pool.UserAttributeUpdateSettings; us != nil && len(us.AttributesRequireVerificationBeforeUpdate) > 0 {
		args.UserAttributeUpdateSettings = &cognito.UserPoolUserAttributeUpdateSettingsArgs{
			AttributesRequireVerificationBeforeUpdates: stringArray(us.AttributesRequireVerificationBeforeUpdate),
		}
	}
	if ao := pool.UserPoolAddOns; ao != nil && ao.AdvancedSecurityMode != "" {
		addOns := &cognito.UserPoolUserPoolAddOnsArgs{AdvancedSecurityMode: pulumi.String(string(ao.AdvancedSecurityMode))}
		if flows := ao.AdvancedSecurityAdditionalFlows; flows != nil && flows.CustomAuthMode != "" {
			addOns.AdvancedSecurityAdditionalFlows = &cognito.UserPoolUserPoolAddOnsAdvancedSecurityAdditionalFlowsArgs{
				CustomAuthMode: pulumi.String(string(flows.CustomAuthMode)),
			}
		}
		args.UserPoolAddOns = addOns
	}
	mfaArgs(state, args)
	return args
}

// legacyValidityDays is the legacy AdminCreateUserConfig.UnusedAccountValidityDays
// of a pool whose password policy has no TemporaryPasswordValidityDays, else
// 0. Both say how long a temporary password stays valid; pulumi-aws has only
// the password policy's, so the legacy value is declared there (botocore:
// once TemporaryPasswordValidityDays is set, the legacy parameter can no
// longer be set). Check refuses a legacy value without a password policy.
func legacyValidityDays(pool types.UserPoolType) int32 {
	ac := pool.AdminCreateUserConfig
	if ac == nil || ac.UnusedAccountValidityDays == 0 {
		return 0
	}
	if pool.Policies != nil && pool.Policies.PasswordPolicy != nil && pool.Policies.PasswordPolicy.TemporaryPasswordValidityDays != 0 {
		return 0
	}
	return ac.UnusedAccountValidityDays
}

// mfaArgs carries GetUserPoolMfaConfig's answer, which is where the provider
// reads these settings from too.
func mfaArgs(state *State, args *cognito.UserPoolArgs) {
	mfa := state.MFA
	switch {
	case mfa.MfaConfiguration != "":
		args.MfaConfiguration = pulumi.String(string(mfa.MfaConfiguration))
	case state.Pool.MfaConfiguration != "":
		args.MfaConfiguration = pulumi.String(string(state.Pool.MfaConfiguration))
	}
	if st := mfa.SoftwareTokenMfaConfiguration; st != nil {
		args.SoftwareTokenMfaConfiguration = &cognito.UserPoolSoftwareTokenMfaConfigurationArgs{Enabled: pulumi.Bool(st.Enabled)}
	}
	if em := mfa.EmailMfaConfiguration; em != nil {
		args.EmailMfaConfiguration = &cognito.UserPoolEmailMfaConfigurationArgs{
			Message: stringPtr(em.Message),
			Subject: stringPtr(em.Subject),
		}
	}
	if wa := mfa.WebAuthnConfiguration; wa != nil {
		config := &cognito.UserPoolWebAuthnConfigurationArgs{RelyingPartyId: stringPtr(wa.RelyingPartyId)}
		if wa.UserVerification != "" {
			config.UserVerification = pulumi.String(string(wa.UserVerification))
		}
		args.WebAuthnConfiguration = config
	}
}

// preSignUpTrigger is the merge function, the live trigger while it must
// wait (see triggerWaits), or when detaching the trigger to restore (nil:
// none).
func preSignUpTrigger(state *State, owned Owned) pulumi.StringInput {
	switch {
	case triggerWaits(state, owned):
		if lc := state.Pool.LambdaConfig; lc != nil && aws.ToString(lc.PreSignUp) != "" {
			return pulumi.String(*lc.PreSignUp)
		}
		return nil
	case !owned.Detach:
		return owned.PreSignUpARN
	case owned.RestorePreSignUpARN != "":
		return pulumi.String(owned.RestorePreSignUpARN)
	default:
		return nil
	}
}

// lambdaConfig keeps every live trigger and sets the pre sign-up trigger.
// (InboundFederation is refused by Check.)
func lambdaConfig(live *types.LambdaConfigType, preSignUp pulumi.StringInput) *cognito.UserPoolLambdaConfigArgs {
	if live == nil && preSignUp == nil {
		return nil
	}
	config := &cognito.UserPoolLambdaConfigArgs{}
	if preSignUp != nil {
		config.PreSignUp = preSignUp
	}
	if live == nil {
		return config
	}
	config.CreateAuthChallenge = stringPtr(live.CreateAuthChallenge)
	config.CustomMessage = stringPtr(live.CustomMessage)
	config.DefineAuthChallenge = stringPtr(live.DefineAuthChallenge)
	config.KmsKeyId = stringPtr(live.KMSKeyID)
	config.PostAuthentication = stringPtr(live.PostAuthentication)
	config.PostConfirmation = stringPtr(live.PostConfirmation)
	config.PreAuthentication = stringPtr(live.PreAuthentication)
	config.PreTokenGeneration = stringPtr(live.PreTokenGeneration)
	config.UserMigration = stringPtr(live.UserMigration)
	config.VerifyAuthChallengeResponse = stringPtr(live.VerifyAuthChallengeResponse)
	if c := live.CustomEmailSender; c != nil {
		config.CustomEmailSender = &cognito.UserPoolLambdaConfigCustomEmailSenderArgs{
			LambdaArn:     pulumi.String(aws.ToString(c.LambdaArn)),
			LambdaVersion: pulumi.String(string(c.LambdaVersion)),
		}
	}
	if c := live.CustomSMSSender; c != nil {
		config.CustomSmsSender = &cognito.UserPoolLambdaConfigCustomSmsSenderArgs{
			LambdaArn:     pulumi.String(aws.ToString(c.LambdaArn)),
			LambdaVersion: pulumi.String(string(c.LambdaVersion)),
		}
	}
	if c := live.PreTokenGenerationConfig; c != nil {
		config.PreTokenGenerationConfig = &cognito.UserPoolLambdaConfigPreTokenGenerationConfigArgs{
			LambdaArn:     pulumi.String(aws.ToString(c.LambdaArn)),
			LambdaVersion: pulumi.String(string(c.LambdaVersion)),
		}
	}
	return config
}

// verificationMessageTemplate declares the messages once, in the template:
// pulumi-aws refuses a top-level verification message together with the
// template's (ConflictsWith), and Cognito keeps the two in step. A message
// only the top level holds moves into the template.
func verificationMessageTemplate(pool types.UserPoolType) *cognito.UserPoolVerificationMessageTemplateArgs {
	vt := pool.VerificationMessageTemplate
	if vt == nil {
		vt = &types.VerificationMessageTemplateType{}
	}
	first := func(a, b *string) *string {
		if aws.ToString(a) != "" {
			return a
		}
		return b
	}
	emailMessage := first(vt.EmailMessage, pool.EmailVerificationMessage)
	emailSubject := first(vt.EmailSubject, pool.EmailVerificationSubject)
	smsMessage := first(vt.SmsMessage, pool.SmsVerificationMessage)
	if vt.DefaultEmailOption == "" && emailMessage == nil && emailSubject == nil && smsMessage == nil &&
		vt.EmailMessageByLink == nil && vt.EmailSubjectByLink == nil {
		return nil
	}
	template := &cognito.UserPoolVerificationMessageTemplateArgs{
		EmailMessage:       stringPtr(emailMessage),
		EmailMessageByLink: stringPtr(vt.EmailMessageByLink),
		EmailSubject:       stringPtr(emailSubject),
		EmailSubjectByLink: stringPtr(vt.EmailSubjectByLink),
		SmsMessage:         stringPtr(smsMessage),
	}
	if vt.DefaultEmailOption != "" {
		template.DefaultEmailOption = pulumi.String(string(vt.DefaultEmailOption))
	}
	return template
}

// stringPtr is nil for a missing value, so the input stays unset.
func stringPtr(s *string) pulumi.StringPtrInput {
	if s == nil {
		return nil
	}
	return pulumi.StringPtr(*s)
}

func intPtr(i *int32) pulumi.IntPtrInput {
	if i == nil {
		return nil
	}
	return pulumi.IntPtr(int(*i))
}

func stringArray[S ~string](values []S) pulumi.StringArray {
	out := make(pulumi.StringArray, 0, len(values))
	for _, v := range values {
		out = append(out, pulumi.String(string(v)))
	}
	return out
}
