package livepool

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
)

// notUpdateUserPool are the pool arguments UpdateUserPool does not take, so
// UpdateInput leaves them out and they stay as they are: attributes fixed
// when the pool was created, the schema (AddCustomAttributes only adds), and
// the MFA factor settings (SetUserPoolMfaConfig; pulumi-aws calls it only
// when they change).
var notUpdateUserPool = []string{
	"AliasAttributes", "UsernameAttributes", "UsernameConfiguration", "Schemas",
	"SoftwareTokenMfaConfiguration", "EmailMfaConfiguration", "WebAuthnConfiguration",
}

// UpdateInput is the UpdateUserPool request that sets the pool to the plan's
// arguments, as pulumi-aws's update does (the upstream provider's
// resourceUserPoolUpdate, which expands the same inputs), plus the pool's
// name, tier and tags so that nothing is left to a default. It is for a
// command that changes the pool without the Pulumi engine (cmd/restore-trigger)
// and sends exactly what a detach `pulumi up` would.
//
// Every argument the plan sets is either carried or listed in
// notUpdateUserPool; any other (a field added to the translation later) is an
// error, never silently dropped. Arguments must be plain values (the
// translation's own), not outputs.
func (p PoolPlan) UpdateInput() (*cognitoidentityprovider.UpdateUserPoolInput, error) {
	d := &plainReader{}
	a := p.Args
	if a == nil {
		return nil, fmt.Errorf("livepool: the plan of %s has no pool arguments", p.ImportID)
	}
	d.only("UserPoolArgs", a, append([]string{"AccountRecoverySetting", "AdminCreateUserConfig", "AutoVerifiedAttributes",
		"DeletionProtection", "DeviceConfiguration", "EmailConfiguration", "EmailVerificationMessage", "EmailVerificationSubject",
		"LambdaConfig", "MfaConfiguration", "Name", "PasswordPolicy", "SignInPolicy", "SmsAuthenticationMessage",
		"SmsConfiguration", "SmsVerificationMessage", "Tags", "UserAttributeUpdateSettings", "UserPoolAddOns", "UserPoolTier",
		"VerificationMessageTemplate"}, notUpdateUserPool...)...)

	in := &cognitoidentityprovider.UpdateUserPoolInput{
		UserPoolId:               aws.String(p.ImportID),
		PoolName:                 d.str(a.Name),
		AutoVerifiedAttributes:   stringsOf[types.VerifiedAttributeType](d.strs(a.AutoVerifiedAttributes)),
		DeletionProtection:       types.DeletionProtectionType(aws.ToString(d.str(a.DeletionProtection))),
		EmailVerificationMessage: d.str(a.EmailVerificationMessage),
		EmailVerificationSubject: d.str(a.EmailVerificationSubject),
		MfaConfiguration:         types.UserPoolMfaType(aws.ToString(d.str(a.MfaConfiguration))),
		SmsAuthenticationMessage: d.str(a.SmsAuthenticationMessage),
		SmsVerificationMessage:   d.str(a.SmsVerificationMessage),
		UserPoolTags:             d.strMap(a.Tags),
		UserPoolTier:             types.UserPoolTierType(aws.ToString(d.str(a.UserPoolTier))),
	}
	if ar, ok := nested[cognito.UserPoolAccountRecoverySettingArgs](d, "AccountRecoverySetting", a.AccountRecoverySetting); ok {
		d.only("AccountRecoverySetting", ar, "RecoveryMechanisms")
		setting := &types.AccountRecoverySettingType{}
		mechanisms, _ := ar.RecoveryMechanisms.(cognito.UserPoolAccountRecoverySettingRecoveryMechanismArray)
		if ar.RecoveryMechanisms != nil && mechanisms == nil {
			d.fail("AccountRecoverySetting.RecoveryMechanisms is not a plain list")
		}
		for _, m := range mechanisms {
			if m, ok := nested[cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs](d, "RecoveryMechanisms[]", m); ok {
				d.only("RecoveryMechanisms[]", m, "Name", "Priority")
				setting.RecoveryMechanisms = append(setting.RecoveryMechanisms,
					types.RecoveryOptionType{Name: types.RecoveryOptionNameType(aws.ToString(d.str(m.Name))), Priority: d.integer(m.Priority)})
			}
		}
		in.AccountRecoverySetting = setting
	}
	if ac, ok := nested[cognito.UserPoolAdminCreateUserConfigArgs](d, "AdminCreateUserConfig", a.AdminCreateUserConfig); ok {
		d.only("AdminCreateUserConfig", ac, "AllowAdminCreateUserOnly", "InviteMessageTemplate")
		// Never UnusedAccountValidityDays: Cognito refuses it beside
		// PasswordPolicy.TemporaryPasswordValidityDays, which replaces it.
		config := &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: d.boolean(ac.AllowAdminCreateUserOnly)}
		if t, ok := nested[cognito.UserPoolAdminCreateUserConfigInviteMessageTemplateArgs](d, "InviteMessageTemplate", ac.InviteMessageTemplate); ok {
			d.only("InviteMessageTemplate", t, "EmailMessage", "EmailSubject", "SmsMessage")
			config.InviteMessageTemplate = &types.MessageTemplateType{EmailMessage: d.str(t.EmailMessage), EmailSubject: d.str(t.EmailSubject), SMSMessage: d.str(t.SmsMessage)}
		}
		in.AdminCreateUserConfig = config
	}
	if dc, ok := nested[cognito.UserPoolDeviceConfigurationArgs](d, "DeviceConfiguration", a.DeviceConfiguration); ok {
		d.only("DeviceConfiguration", dc, "ChallengeRequiredOnNewDevice", "DeviceOnlyRememberedOnUserPrompt")
		in.DeviceConfiguration = &types.DeviceConfigurationType{
			ChallengeRequiredOnNewDevice:     d.boolean(dc.ChallengeRequiredOnNewDevice),
			DeviceOnlyRememberedOnUserPrompt: d.boolean(dc.DeviceOnlyRememberedOnUserPrompt),
		}
	}
	if ec, ok := nested[cognito.UserPoolEmailConfigurationArgs](d, "EmailConfiguration", a.EmailConfiguration); ok {
		d.only("EmailConfiguration", ec, "ConfigurationSet", "EmailSendingAccount", "FromEmailAddress", "ReplyToEmailAddress", "SourceArn")
		in.EmailConfiguration = &types.EmailConfigurationType{
			ConfigurationSet:    d.str(ec.ConfigurationSet),
			EmailSendingAccount: types.EmailSendingAccountType(aws.ToString(d.str(ec.EmailSendingAccount))),
			From:                d.str(ec.FromEmailAddress),
			ReplyToEmailAddress: d.str(ec.ReplyToEmailAddress),
			SourceArn:           d.str(ec.SourceArn),
		}
	}
	if lc, ok := nested[cognito.UserPoolLambdaConfigArgs](d, "LambdaConfig", a.LambdaConfig); ok {
		in.LambdaConfig = lambdaConfigInput(d, lc)
	}
	if pp, ok := nested[cognito.UserPoolPasswordPolicyArgs](d, "PasswordPolicy", a.PasswordPolicy); ok {
		d.only("PasswordPolicy", pp, "MinimumLength", "PasswordHistorySize", "RequireLowercase", "RequireNumbers", "RequireSymbols", "RequireUppercase", "TemporaryPasswordValidityDays")
		in.Policies = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength:                 d.integer(pp.MinimumLength),
			PasswordHistorySize:           d.integer(pp.PasswordHistorySize),
			RequireLowercase:              d.boolean(pp.RequireLowercase),
			RequireNumbers:                d.boolean(pp.RequireNumbers),
			RequireSymbols:                d.boolean(pp.RequireSymbols),
			RequireUppercase:              d.boolean(pp.RequireUppercase),
			TemporaryPasswordValidityDays: aws.ToInt32(d.integer(pp.TemporaryPasswordValidityDays)),
		}}
	}
	if sp, ok := nested[cognito.UserPoolSignInPolicyArgs](d, "SignInPolicy", a.SignInPolicy); ok {
		d.only("SignInPolicy", sp, "AllowedFirstAuthFactors")
		if in.Policies == nil {
			in.Policies = &types.UserPoolPolicyType{}
		}
		in.Policies.SignInPolicy = &types.SignInPolicyType{AllowedFirstAuthFactors: stringsOf[types.AuthFactorType](d.strs(sp.AllowedFirstAuthFactors))}
	}
	if sc, ok := nested[cognito.UserPoolSmsConfigurationArgs](d, "SmsConfiguration", a.SmsConfiguration); ok {
		d.only("SmsConfiguration", sc, "ExternalId", "SnsCallerArn", "SnsRegion")
		in.SmsConfiguration = &types.SmsConfigurationType{ExternalId: nonEmpty(d.str(sc.ExternalId)), SnsCallerArn: d.str(sc.SnsCallerArn), SnsRegion: d.str(sc.SnsRegion)}
	}
	if us, ok := nested[cognito.UserPoolUserAttributeUpdateSettingsArgs](d, "UserAttributeUpdateSettings", a.UserAttributeUpdateSettings); ok {
		d.only("UserAttributeUpdateSettings", us, "AttributesRequireVerificationBeforeUpdates")
		in.UserAttributeUpdateSettings = &types.UserAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: stringsOf[types.VerifiedAttributeType](d.strs(us.AttributesRequireVerificationBeforeUpdates)),
		}
	}
	if ao, ok := nested[cognito.UserPoolUserPoolAddOnsArgs](d, "UserPoolAddOns", a.UserPoolAddOns); ok {
		d.only("UserPoolAddOns", ao, "AdvancedSecurityMode", "AdvancedSecurityAdditionalFlows")
		addOns := &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeType(aws.ToString(d.str(ao.AdvancedSecurityMode)))}
		if f, ok := nested[cognito.UserPoolUserPoolAddOnsAdvancedSecurityAdditionalFlowsArgs](d, "AdvancedSecurityAdditionalFlows", ao.AdvancedSecurityAdditionalFlows); ok {
			d.only("AdvancedSecurityAdditionalFlows", f, "CustomAuthMode")
			addOns.AdvancedSecurityAdditionalFlows = &types.AdvancedSecurityAdditionalFlowsType{
				CustomAuthMode: types.AdvancedSecurityEnabledModeType(aws.ToString(d.str(f.CustomAuthMode))),
			}
		}
		in.UserPoolAddOns = addOns
	}
	if vt, ok := nested[cognito.UserPoolVerificationMessageTemplateArgs](d, "VerificationMessageTemplate", a.VerificationMessageTemplate); ok {
		d.only("VerificationMessageTemplate", vt, "DefaultEmailOption", "EmailMessage", "EmailMessageByLink", "EmailSubject", "EmailSubjectByLink", "SmsMessage")
		in.VerificationMessageTemplate = &types.VerificationMessageTemplateType{
			DefaultEmailOption: types.DefaultEmailOptionType(aws.ToString(d.str(vt.DefaultEmailOption))),
			EmailMessage:       d.str(vt.EmailMessage),
			EmailMessageByLink: d.str(vt.EmailMessageByLink),
			EmailSubject:       d.str(vt.EmailSubject),
			EmailSubjectByLink: d.str(vt.EmailSubjectByLink),
			SmsMessage:         d.str(vt.SmsMessage),
		}
	}
	if len(d.problems) > 0 {
		return nil, fmt.Errorf("livepool: the UpdateUserPool request for %s cannot carry every setting of the plan:\n  - %s", p.ImportID, strings.Join(d.problems, "\n  - "))
	}
	return in, nil
}

func lambdaConfigInput(d *plainReader, lc *cognito.UserPoolLambdaConfigArgs) *types.LambdaConfigType {
	d.only("LambdaConfig", lc, "CreateAuthChallenge", "CustomEmailSender", "CustomMessage", "CustomSmsSender", "DefineAuthChallenge",
		"KmsKeyId", "PostAuthentication", "PostConfirmation", "PreAuthentication", "PreSignUp", "PreTokenGeneration",
		"PreTokenGenerationConfig", "UserMigration", "VerifyAuthChallengeResponse")
	config := &types.LambdaConfigType{
		CreateAuthChallenge:         nonEmpty(d.str(lc.CreateAuthChallenge)),
		CustomMessage:               nonEmpty(d.str(lc.CustomMessage)),
		DefineAuthChallenge:         nonEmpty(d.str(lc.DefineAuthChallenge)),
		KMSKeyID:                    nonEmpty(d.str(lc.KmsKeyId)),
		PostAuthentication:          nonEmpty(d.str(lc.PostAuthentication)),
		PostConfirmation:            nonEmpty(d.str(lc.PostConfirmation)),
		PreAuthentication:           nonEmpty(d.str(lc.PreAuthentication)),
		PreSignUp:                   nonEmpty(d.str(lc.PreSignUp)),
		PreTokenGeneration:          nonEmpty(d.str(lc.PreTokenGeneration)),
		UserMigration:               nonEmpty(d.str(lc.UserMigration)),
		VerifyAuthChallengeResponse: nonEmpty(d.str(lc.VerifyAuthChallengeResponse)),
	}
	if c, ok := nested[cognito.UserPoolLambdaConfigCustomEmailSenderArgs](d, "CustomEmailSender", lc.CustomEmailSender); ok {
		d.only("CustomEmailSender", c, "LambdaArn", "LambdaVersion")
		config.CustomEmailSender = &types.CustomEmailLambdaVersionConfigType{
			LambdaArn: d.str(c.LambdaArn), LambdaVersion: types.CustomEmailSenderLambdaVersionType(aws.ToString(d.str(c.LambdaVersion))),
		}
	}
	if c, ok := nested[cognito.UserPoolLambdaConfigCustomSmsSenderArgs](d, "CustomSmsSender", lc.CustomSmsSender); ok {
		d.only("CustomSmsSender", c, "LambdaArn", "LambdaVersion")
		config.CustomSMSSender = &types.CustomSMSLambdaVersionConfigType{
			LambdaArn: d.str(c.LambdaArn), LambdaVersion: types.CustomSMSSenderLambdaVersionType(aws.ToString(d.str(c.LambdaVersion))),
		}
	}
	if c, ok := nested[cognito.UserPoolLambdaConfigPreTokenGenerationConfigArgs](d, "PreTokenGenerationConfig", lc.PreTokenGenerationConfig); ok {
		d.only("PreTokenGenerationConfig", c, "LambdaArn", "LambdaVersion")
		config.PreTokenGenerationConfig = &types.PreTokenGenerationVersionConfigType{
			LambdaArn: d.str(c.LambdaArn), LambdaVersion: types.PreTokenGenerationLambdaVersionType(aws.ToString(d.str(c.LambdaVersion))),
		}
	}
	return config
}

// plainReader reads the translation's plain input values (pulumi.String,
// pulumi.StringPtr, pulumi.Int, ...) back, and collects what it cannot read
// or carry.
type plainReader struct {
	problems []string
}

func (d *plainReader) fail(format string, args ...any) {
	d.problems = append(d.problems, fmt.Sprintf(format, args...))
}

// only reports each set field of args (a pointer to an Args struct) not named.
func (d *plainReader) only(path string, args any, named ...string) {
	v := reflect.ValueOf(args).Elem()
	for i := range v.NumField() {
		field := v.Type().Field(i)
		if !v.Field(i).IsNil() && !slices.Contains(named, field.Name) {
			d.fail("%s.%s is set, and this request does not carry it", path, field.Name)
		}
	}
}

// nested is the Args struct behind a nested input, false when unset.
func nested[T any](d *plainReader, path string, in any) (*T, bool) {
	if in == nil {
		return nil, false
	}
	args, ok := in.(*T)
	if !ok || args == nil {
		d.fail("%s is a %T, not plain arguments", path, in)
		return nil, false
	}
	return args, true
}

// value is the plain value behind an input of the given kind; false when unset.
func (d *plainReader) value(in any, kind reflect.Kind) (reflect.Value, bool) {
	v := reflect.ValueOf(in)
	if !v.IsValid() {
		return v, false
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return v, false
		}
		v = v.Elem()
	}
	if v.Kind() != kind {
		d.fail("an input of type %T is not a plain %s", in, kind)
		return v, false
	}
	return v, true
}

func (d *plainReader) str(in any) *string {
	if v, ok := d.value(in, reflect.String); ok {
		return aws.String(v.String())
	}
	return nil
}

func (d *plainReader) boolean(in any) bool {
	v, ok := d.value(in, reflect.Bool)
	return ok && v.Bool()
}

func (d *plainReader) integer(in any) *int32 {
	if v, ok := d.value(in, reflect.Int); ok {
		return aws.Int32(int32(v.Int())) //nolint:gosec // G115: the translation's own values, read from int32 fields
	}
	return nil
}

func (d *plainReader) strs(in any) []string {
	v, ok := d.value(in, reflect.Slice)
	if !ok {
		return nil
	}
	out := make([]string, 0, v.Len())
	for i := range v.Len() {
		if s := d.str(v.Index(i).Interface()); s != nil {
			out = append(out, *s)
		}
	}
	return out
}

func (d *plainReader) strMap(in any) map[string]string {
	v, ok := d.value(in, reflect.Map)
	if !ok {
		return nil
	}
	out := make(map[string]string, v.Len())
	for iter := v.MapRange(); iter.Next(); {
		if s := d.str(iter.Value().Interface()); s != nil {
			out[iter.Key().String()] = *s
		}
	}
	return out
}

// nonEmpty drops an empty string, as the provider's expand functions do.
func nonEmpty(s *string) *string {
	if aws.ToString(s) == "" {
		return nil
	}
	return s
}

func stringsOf[T ~string](values []string) []T {
	if values == nil {
		return nil
	}
	out := make([]T, len(values))
	for i, v := range values {
		out[i] = T(v)
	}
	return out
}
