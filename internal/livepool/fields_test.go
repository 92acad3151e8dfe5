package livepool

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// disposition says what adoption does with one field of the Cognito API.
type disposition int

const (
	// carried: declared with the live value, at the pulumi input path given.
	carried disposition = iota
	// owned: changed by adoption on purpose (asserted by its own tests).
	owned
	// readOnly: reported by Cognito, not a setting (or fixed by the import ID).
	readOnly
	// refused: pulumi-aws v6 cannot express it; Check refuses a pool where it
	// is set to anything but its default.
	refused
)

type fieldRule struct {
	disposition disposition
	// input is the pulumi input path of a carried field.
	input string
	// why explains read-only and refused fields, and when a carried field is
	// left undeclared.
	why string
	// undeclaredWhen reports, for the whole live value (a types.UserPoolType,
	// MFAConfig, types.UserPoolClientType or types.DomainDescriptionType),
	// that the carried field is deliberately left undeclared; nil: never.
	undeclaredWhen func(live any) bool
}

func carry(input string) fieldRule { return fieldRule{disposition: carried, input: input} }

// carryUnless is carried, except where undeclared holds for the live value.
func carryUnless[T any](input, why string, undeclared func(T) bool) fieldRule {
	return fieldRule{disposition: carried, input: input, why: why, undeclaredWhen: func(live any) bool { return undeclared(live.(T)) }}
}

func ownedBy(why string) fieldRule   { return fieldRule{disposition: owned, why: why} }
func readOnlyF(why string) fieldRule { return fieldRule{disposition: readOnly, why: why} }
func refuse(why string) fieldRule    { return fieldRule{disposition: refused, why: why} }

// poolFieldRules covers every field of types.UserPoolType. Read-only and
// refused rules may cover a whole subtree; carried and owned rules name one
// leaf each, so a field the SDK adds anywhere fails TestEveryPoolFieldIsDecided.
// (The invitation messages are carried when all three are set; Check refuses
// a template missing only some.)
var poolFieldRules = map[string]fieldRule{
	"AccountRecoverySetting.RecoveryMechanisms[].Name":         carry("accountRecoverySetting.recoveryMechanisms[].name"),
	"AccountRecoverySetting.RecoveryMechanisms[].Priority":     carry("accountRecoverySetting.recoveryMechanisms[].priority"),
	"AdminCreateUserConfig.AllowAdminCreateUserOnly":           carry("adminCreateUserConfig.allowAdminCreateUserOnly"),
	"AdminCreateUserConfig.InviteMessageTemplate.EmailMessage": carry("adminCreateUserConfig.inviteMessageTemplate.emailMessage"),
	"AdminCreateUserConfig.InviteMessageTemplate.EmailSubject": carry("adminCreateUserConfig.inviteMessageTemplate.emailSubject"),
	"AdminCreateUserConfig.InviteMessageTemplate.SMSMessage":   carry("adminCreateUserConfig.inviteMessageTemplate.smsMessage"),
	"AdminCreateUserConfig.UnusedAccountValidityDays": carryUnless("passwordPolicy.temporaryPasswordValidityDays",
		"pulumi-aws has only the new setting; the legacy one carries over only where the pool has no PasswordPolicy.TemporaryPasswordValidityDays",
		func(p types.UserPoolType) bool {
			return p.Policies != nil && p.Policies.PasswordPolicy != nil && p.Policies.PasswordPolicy.TemporaryPasswordValidityDays != 0
		}),
	"AliasAttributes[]":        carry("aliasAttributes[]"),
	"Arn":                      readOnlyF("identity"),
	"AutoVerifiedAttributes[]": carry("autoVerifiedAttributes[]"),
	"CreationDate":             readOnlyF("timestamp"),
	"CustomDomain":             readOnlyF("adopted as a UserPoolDomain (Plan.Domains)"),
	"DeletionProtection":       carry("deletionProtection"),
	"DeviceConfiguration.ChallengeRequiredOnNewDevice":     carry("deviceConfiguration.challengeRequiredOnNewDevice"),
	"DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt": carry("deviceConfiguration.deviceOnlyRememberedOnUserPrompt"),
	"Domain":                                 readOnlyF("adopted as a UserPoolDomain (Plan.Domains)"),
	"EmailConfiguration.ConfigurationSet":    carry("emailConfiguration.configurationSet"),
	"EmailConfiguration.EmailSendingAccount": carry("emailConfiguration.emailSendingAccount"),
	"EmailConfiguration.From":                carry("emailConfiguration.fromEmailAddress"),
	"EmailConfiguration.ReplyToEmailAddress": carry("emailConfiguration.replyToEmailAddress"),
	"EmailConfiguration.SourceArn":           carry("emailConfiguration.sourceArn"),
	"EmailConfigurationFailure":              readOnlyF("status message"),
	// Declared once, in the template: the provider refuses both (ConflictsWith).
	"EmailVerificationMessage":                              carry("verificationMessageTemplate.emailMessage"),
	"EmailVerificationSubject":                              carry("verificationMessageTemplate.emailSubject"),
	"EstimatedNumberOfUsers":                                readOnlyF("statistic"),
	"Id":                                                    readOnlyF("the import ID"),
	"IssuerConfiguration":                                   refuse("pulumi-aws v6 has no issuer setting"),
	"KeyConfiguration":                                      refuse("pulumi-aws v6 has no key configuration"),
	"LambdaConfig.CreateAuthChallenge":                      carry("lambdaConfig.createAuthChallenge"),
	"LambdaConfig.CustomEmailSender.LambdaArn":              carry("lambdaConfig.customEmailSender.lambdaArn"),
	"LambdaConfig.CustomEmailSender.LambdaVersion":          carry("lambdaConfig.customEmailSender.lambdaVersion"),
	"LambdaConfig.CustomMessage":                            carry("lambdaConfig.customMessage"),
	"LambdaConfig.CustomSMSSender.LambdaArn":                carry("lambdaConfig.customSmsSender.lambdaArn"),
	"LambdaConfig.CustomSMSSender.LambdaVersion":            carry("lambdaConfig.customSmsSender.lambdaVersion"),
	"LambdaConfig.DefineAuthChallenge":                      carry("lambdaConfig.defineAuthChallenge"),
	"LambdaConfig.InboundFederation":                        refuse("pulumi-aws v6 has no inbound federation trigger"),
	"LambdaConfig.KMSKeyID":                                 carry("lambdaConfig.kmsKeyId"),
	"LambdaConfig.PostAuthentication":                       carry("lambdaConfig.postAuthentication"),
	"LambdaConfig.PostConfirmation":                         carry("lambdaConfig.postConfirmation"),
	"LambdaConfig.PreAuthentication":                        carry("lambdaConfig.preAuthentication"),
	"LambdaConfig.PreSignUp":                                ownedBy("set to the merge function; another trigger is refused unless replacePreSignUpTrigger"),
	"LambdaConfig.PreTokenGeneration":                       carry("lambdaConfig.preTokenGeneration"),
	"LambdaConfig.PreTokenGenerationConfig.LambdaArn":       carry("lambdaConfig.preTokenGenerationConfig.lambdaArn"),
	"LambdaConfig.PreTokenGenerationConfig.LambdaVersion":   carry("lambdaConfig.preTokenGenerationConfig.lambdaVersion"),
	"LambdaConfig.UserMigration":                            carry("lambdaConfig.userMigration"),
	"LambdaConfig.VerifyAuthChallengeResponse":              carry("lambdaConfig.verifyAuthChallengeResponse"),
	"LastModifiedDate":                                      readOnlyF("timestamp"),
	"MfaConfiguration":                                      carry("mfaConfiguration"),
	"Name":                                                  carry("name"),
	"Policies.PasswordPolicy.MinimumLength":                 carry("passwordPolicy.minimumLength"),
	"Policies.PasswordPolicy.PasswordHistorySize":           carry("passwordPolicy.passwordHistorySize"),
	"Policies.PasswordPolicy.RequireLowercase":              carry("passwordPolicy.requireLowercase"),
	"Policies.PasswordPolicy.RequireNumbers":                carry("passwordPolicy.requireNumbers"),
	"Policies.PasswordPolicy.RequireSymbols":                carry("passwordPolicy.requireSymbols"),
	"Policies.PasswordPolicy.RequireUppercase":              carry("passwordPolicy.requireUppercase"),
	"Policies.PasswordPolicy.TemporaryPasswordValidityDays": carry("passwordPolicy.temporaryPasswordValidityDays"),
	"Policies.SignInPolicy.AllowedFirstAuthFactors[]":       carry("signInPolicy.allowedFirstAuthFactors[]"),
	"SchemaAttributes":                                      ownedBy("carried as the provider's Read keeps it, plus custom:descope_sub (TestSchemasAreWhatReadKeepsPlusTheSubject)"),
	"SmsAuthenticationMessage":                              carry("smsAuthenticationMessage"),
	"SmsConfiguration.ExternalId":                           carry("smsConfiguration.externalId"),
	"SmsConfiguration.SnsCallerArn":                         carry("smsConfiguration.snsCallerArn"),
	"SmsConfiguration.SnsRegion":                            carry("smsConfiguration.snsRegion"),
	"SmsConfigurationFailure":                               readOnlyF("status message"),
	"SmsVerificationMessage":                                carry("verificationMessageTemplate.smsMessage"),
	"Status":                                                readOnlyF("deprecated status"),
	"UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate[]": carry("userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdates[]"),
	"UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode":           carry("userPoolAddOns.advancedSecurityAdditionalFlows.customAuthMode"),
	"UserPoolAddOns.AdvancedSecurityMode":                                     carry("userPoolAddOns.advancedSecurityMode"),
	"UserPoolTags{}":                                                          carry("tags{}"),
	"UserPoolTier":                                                            carry("userPoolTier"),
	"UsernameAttributes[]":                                                    carry("usernameAttributes[]"),
	"UsernameConfiguration.CaseSensitive":                                     carry("usernameConfiguration.caseSensitive"),
	"VerificationMessageTemplate.DefaultEmailOption":                          carry("verificationMessageTemplate.defaultEmailOption"),
	"VerificationMessageTemplate.EmailMessage":                                carry("verificationMessageTemplate.emailMessage"),
	"VerificationMessageTemplate.EmailMessageByLink":                          carry("verificationMessageTemplate.emailMessageByLink"),
	"VerificationMessageTemplate.EmailSubject":                                carry("verificationMessageTemplate.emailSubject"),
	"VerificationMessageTemplate.EmailSubjectByLink":                          carry("verificationMessageTemplate.emailSubjectByLink"),
	"VerificationMessageTemplate.SmsMessage":                                  carry("verificationMessageTemplate.smsMessage"),
}

// mfaFieldRules covers GetUserPoolMfaConfigOutput, where the provider reads
// the MFA settings from.
var mfaFieldRules = map[string]fieldRule{
	"EmailMfaConfiguration.Message":             carry("emailMfaConfiguration.message"),
	"EmailMfaConfiguration.Subject":             carry("emailMfaConfiguration.subject"),
	"MfaConfiguration":                          carry("mfaConfiguration"),
	"SmsMfaConfiguration":                       refuse("pulumi-aws keeps one SMS configuration; refused when it differs from the pool's"),
	"SoftwareTokenMfaConfiguration.Enabled":     carry("softwareTokenMfaConfiguration.enabled"),
	"WebAuthnConfiguration.FactorConfiguration": refuse("pulumi-aws v6 has no passkey factor setting"),
	"WebAuthnConfiguration.RelyingPartyId":      carry("webAuthnConfiguration.relyingPartyId"),
	"WebAuthnConfiguration.UserVerification":    carry("webAuthnConfiguration.userVerification"),
}

// clientFieldRules covers types.UserPoolClientType.
var clientFieldRules = map[string]fieldRule{
	"AccessTokenValidity":                          carry("accessTokenValidity"),
	"AllowedOAuthFlows[]":                          ownedBy("code added"),
	"AllowedOAuthFlowsUserPoolClient":              ownedBy("set to true"),
	"AllowedOAuthScopes[]":                         ownedBy("openid added"),
	"AnalyticsConfiguration.ApplicationArn":        carry("analyticsConfiguration.applicationArn"),
	"AnalyticsConfiguration.ApplicationId":         carryUnless("analyticsConfiguration.applicationId", "the provider refuses it beside applicationArn", analyticsByARN),
	"AnalyticsConfiguration.ExternalId":            carryUnless("analyticsConfiguration.externalId", "the provider refuses it beside applicationArn", analyticsByARN),
	"AnalyticsConfiguration.RoleArn":               carryUnless("analyticsConfiguration.roleArn", "beside applicationArn it is the service-linked role Cognito fills in, and the provider refuses it in the configuration", analyticsByARN),
	"AnalyticsConfiguration.UserDataShared":        carry("analyticsConfiguration.userDataShared"),
	"AuthSessionValidity":                          carry("authSessionValidity"),
	"CallbackURLs[]":                               carry("callbackUrls[]"),
	"ClientId":                                     readOnlyF("the import ID"),
	"ClientName":                                   carry("name"),
	"ClientSecret":                                 readOnlyF("GenerateSecret is write-once and not read back on import; declaring it would replace the client"),
	"CreationDate":                                 readOnlyF("timestamp"),
	"DefaultRedirectURI":                           carry("defaultRedirectUri"),
	"EnablePropagateAdditionalUserContextData":     carry("enablePropagateAdditionalUserContextData"),
	"EnableTokenRevocation":                        carry("enableTokenRevocation"),
	"ExplicitAuthFlows[]":                          carry("explicitAuthFlows[]"),
	"IdTokenValidity":                              carry("idTokenValidity"),
	"LastModifiedDate":                             readOnlyF("timestamp"),
	"LogoutURLs[]":                                 carry("logoutUrls[]"),
	"PreventUserExistenceErrors":                   carry("preventUserExistenceErrors"),
	"ReadAttributes[]":                             carry("readAttributes[]"),
	"RefreshTokenRotation.Feature":                 carry("refreshTokenRotation.feature"),
	"RefreshTokenRotation.RetryGracePeriodSeconds": carry("refreshTokenRotation.retryGracePeriodSeconds"),
	"RefreshTokenValidity":                         carry("refreshTokenValidity"),
	"SupportedIdentityProviders[]":                 ownedBy("the Descope provider added"),
	"TokenValidityUnits.AccessToken":               carryUnless("tokenValidityUnits.accessToken", unitsWhy, defaultUnits),
	"TokenValidityUnits.IdToken":                   carryUnless("tokenValidityUnits.idToken", unitsWhy, defaultUnits),
	"TokenValidityUnits.RefreshToken":              carryUnless("tokenValidityUnits.refreshToken", unitsWhy, defaultUnits),
	"UserPoolId":                                   carry("userPoolId"),
	"WriteAttributes[]":                            ownedBy("the provider's mapped attributes added to an explicit list"),
}

const unitsWhy = "the provider's Read leaves the default units (hours, hours, days) out of an imported client's state"

func defaultUnits(c types.UserPoolClientType) bool {
	u := c.TokenValidityUnits
	return u != nil && u.AccessToken == types.TimeUnitsTypeHours && u.IdToken == types.TimeUnitsTypeHours && u.RefreshToken == types.TimeUnitsTypeDays
}

func analyticsByARN(c types.UserPoolClientType) bool {
	return c.AnalyticsConfiguration != nil && c.AnalyticsConfiguration.ApplicationArn != nil
}

// domainFieldRules covers types.DomainDescriptionType.
var domainFieldRules = map[string]fieldRule{
	"AWSAccountId":                      readOnlyF("identity"),
	"CloudFrontDistribution":            readOnlyF("status"),
	"CustomDomainConfig.CertificateArn": carry("certificateArn"),
	"Domain":                            carry("domain"),
	"ManagedLoginVersion":               carry("managedLoginVersion"),
	"Routing":                           refuse("pulumi-aws v6 has no domain routing (failover) setting"),
	"S3Bucket":                          readOnlyF("status"),
	"Status":                            readOnlyF("status"),
	"UserPoolId":                        carry("userPoolId"),
	"Version":                           readOnlyF("status"),
}

// ruleFor finds the rule of a field pattern: its own, or (for read-only,
// refused and owned subtrees) its nearest ancestor's.
func ruleFor(rules map[string]fieldRule, pattern string) (fieldRule, bool) {
	if rule, ok := rules[pattern]; ok {
		return rule, true
	}
	for prefix := pattern; ; {
		cut := strings.LastIndexAny(prefix, ".[")
		if cut < 0 {
			return fieldRule{}, false
		}
		prefix = prefix[:cut]
		if rule, ok := rules[prefix]; ok && rule.disposition != carried {
			return rule, true
		}
	}
}

var decidedTypes = []struct {
	name  string
	typ   reflect.Type
	rules map[string]fieldRule
}{
	{"types.UserPoolType", reflect.TypeFor[types.UserPoolType](), poolFieldRules},
	{"GetUserPoolMfaConfigOutput", reflect.TypeFor[cognitoidentityprovider.GetUserPoolMfaConfigOutput](), mfaFieldRules},
	{"types.UserPoolClientType", reflect.TypeFor[types.UserPoolClientType](), clientFieldRules},
	{"types.DomainDescriptionType", reflect.TypeFor[types.DomainDescriptionType](), domainFieldRules},
}

// TestEveryFieldIsDecided fails when the SDK has a field that is neither
// carried over, owned, read-only nor refused: an SDK upgrade that adds a
// setting cannot slip through adoption unnoticed.
func TestEveryFieldIsDecided(t *testing.T) {
	for _, d := range decidedTypes {
		t.Run(d.name, func(t *testing.T) {
			for _, leaf := range typeLeaves(d.typ, "") {
				if _, ok := ruleFor(d.rules, leaf); !ok {
					t.Errorf("%s.%s has no rule: decide whether adoption carries it (and map it in %s translation), owns it, ignores it as read-only, or refuses it (in Check)", d.name, leaf, d.name)
				}
			}
		})
	}
}

// TestNoStaleFieldRules fails when a rule names a field the SDK no longer has.
func TestNoStaleFieldRules(t *testing.T) {
	for _, d := range decidedTypes {
		leaves := typeLeaves(d.typ, "")
		for path := range d.rules {
			if !slices.ContainsFunc(leaves, func(leaf string) bool {
				return leaf == path || strings.HasPrefix(leaf, path+".") || strings.HasPrefix(leaf, path+"[")
			}) {
				t.Errorf("%s: rule %s names no field", d.name, path)
			}
		}
	}
}

// TestMFAConfigKeepsEveryMFAField: State.MFA copies GetUserPoolMfaConfigOutput
// field by field, so a new field there must be added to MFAConfig too.
func TestMFAConfigKeepsEveryMFAField(t *testing.T) {
	want := typeLeaves(reflect.TypeFor[cognitoidentityprovider.GetUserPoolMfaConfigOutput](), "")
	got := typeLeaves(reflect.TypeFor[MFAConfig](), "")
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("MFAConfig fields %v, GetUserPoolMfaConfigOutput fields %v", got, want)
	}
}
