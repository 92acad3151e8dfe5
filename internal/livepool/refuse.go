package livepool

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// maxCustomAttributes is Cognito's limit of custom attributes per pool.
const maxCustomAttributes = 50

// Refusal is one reason a pool cannot be adopted safely.
type Refusal struct {
	// Setting names the live setting, as the Cognito API spells it.
	Setting string
	// Reason says what is wrong.
	Reason string
	// Fix says what to do about it.
	Fix string
}

func (r Refusal) String() string {
	return fmt.Sprintf("%s: %s. Fix: %s", r.Setting, r.Reason, r.Fix)
}

// RefusedError lists every reason a pool cannot be adopted.
type RefusedError struct {
	UserPoolID string
	Refusals   []Refusal
}

func (e *RefusedError) Error() string {
	lines := make([]string, 0, len(e.Refusals)+1)
	lines = append(lines, fmt.Sprintf("livepool: user pool %s cannot be adopted without losing or changing settings the program does not own:", e.UserPoolID))
	for _, r := range e.Refusals {
		lines = append(lines, "  - "+r.String())
	}
	return strings.Join(lines, "\n")
}

// Check returns a *RefusedError naming every setting that stops a safe
// adoption, or nil.
func Check(state *State, owned Owned) error {
	if state == nil {
		return errors.New("livepool: no state: call Read first")
	}
	var refusals []Refusal
	refuse := func(setting, reason, fix string) {
		refusals = append(refusals, Refusal{Setting: setting, Reason: reason, Fix: fix})
	}
	pool := state.Pool

	if lc := pool.LambdaConfig; lc != nil {
		if lc.InboundFederation != nil && aws.ToString(lc.InboundFederation.LambdaArn) != "" {
			refuse("LambdaConfig.InboundFederation",
				fmt.Sprintf("the inbound federation trigger %s cannot be expressed in pulumi-aws v6, so adopting would remove it", aws.ToString(lc.InboundFederation.LambdaArn)),
				"remove the inbound federation trigger from the pool (console: Extensions > Lambda triggers), or leave userPoolId unset")
		}
		arn := aws.ToString(lc.PreSignUp)
		foreign := arn != "" && !isFunction(arn, owned.MergeFunctionName)
		switch {
		case foreign && owned.Detach && arn != owned.RestorePreSignUpARN:
			refuse("LambdaConfig.PreSignUp",
				fmt.Sprintf("the pool's pre sign-up trigger is %s, not the merge function, so detaching would replace a trigger this program did not set", arn),
				"leave the trigger as it is and drop the pool from the stack without detaching, or restore that same ARN")
		case foreign && !owned.Detach && !owned.ReplacePreSignUpTrigger && owned.ChainPreSignUpARN == "":
			refuse("LambdaConfig.PreSignUp",
				fmt.Sprintf("the pool already has the pre sign-up trigger %s; the merge function must take its place, and replacing it stops that function for every sign-up, not only Descope's: whatever else it does (auto-confirming users, allowing only some email domains) stops too", arn),
				"to keep its rules, run `pulumi config set chainPreSignUpTrigger true` (the merge function calls it first; see docs/adoption.md); if it does nothing but link Descope sign-ins (as the Python function of Descope's post), run `pulumi config set replacePreSignUpTrigger true` to replace it (the previous ARN is kept for detaching); or remove the trigger first")
		}
	}
	refusals = append(refusals, chainRefusals(state, owned)...)

	if !slices.Contains(pool.UsernameAttributes, types.UsernameAttributeTypeEmail) &&
		!slices.Contains(pool.AliasAttributes, types.AliasAttributeTypeEmail) {
		refuse("UsernameAttributes/AliasAttributes",
			"the pool does not sign users in by email (email is neither a username attribute nor an alias), so a Descope identity cannot be matched to a user by email",
			"adopt a pool that signs in by email; Cognito fixes these attributes at creation, so for this pool leave userPoolId unset and migrate its users to a new pool")
	}
	if !slices.ContainsFunc(pool.SchemaAttributes, func(a types.SchemaAttributeType) bool { return aws.ToString(a.Name) == "email" }) {
		refuse("SchemaAttributes.email",
			"the pool has no email attribute",
			"adopt a pool with the standard email attribute, or leave userPoolId unset to create a new pool")
	}
	refusals = append(refusals, schemaRefusals(pool.SchemaAttributes)...)

	if ic := pool.IssuerConfiguration; ic != nil && ic.Type != "" && ic.Type != types.IssuerTypeOriginal {
		refuse("IssuerConfiguration.Type",
			fmt.Sprintf("the pool uses the %s token issuer, which pulumi-aws v6 cannot express", ic.Type),
			"adopt a pool with the original issuer, or leave userPoolId unset")
	}
	if kc := pool.KeyConfiguration; kc != nil && (kc.KeyType == types.EncryptionKeyTypeCustomerManagedKey || aws.ToString(kc.KmsKeyArn) != "") {
		refuse("KeyConfiguration",
			"the pool is encrypted with a customer managed KMS key, which pulumi-aws v6 cannot express",
			"adopt a pool encrypted with the AWS owned key, or leave userPoolId unset")
	}
	if vt := pool.VerificationMessageTemplate; vt != nil {
		for _, pair := range []struct{ setting, top, template string }{
			{"EmailVerificationMessage", aws.ToString(pool.EmailVerificationMessage), aws.ToString(vt.EmailMessage)},
			{"EmailVerificationSubject", aws.ToString(pool.EmailVerificationSubject), aws.ToString(vt.EmailSubject)},
			{"SmsVerificationMessage", aws.ToString(pool.SmsVerificationMessage), aws.ToString(vt.SmsMessage)},
		} {
			if pair.top != "" && pair.template != "" && pair.top != pair.template {
				refuse(pair.setting,
					"it differs from the same message in VerificationMessageTemplate; pulumi-aws accepts only one of them",
					"make both the same in the console (Messaging > Message templates), then preview again")
			}
		}
	}

	if ac := pool.AdminCreateUserConfig; ac != nil {
		if days := legacyValidityDays(pool); days != 0 && (pool.Policies == nil || pool.Policies.PasswordPolicy == nil) {
			refuse("AdminCreateUserConfig.UnusedAccountValidityDays",
				fmt.Sprintf("temporary passwords stay valid %d days by the legacy setting, and the pool reports no password policy to carry it in; pulumi-aws has only PasswordPolicy.TemporaryPasswordValidityDays", days),
				"set the temporary password validity in the console (Authentication > Sign-in > Password policy), then preview again")
		}
		if t := ac.InviteMessageTemplate; t != nil {
			messages := map[string]string{"EmailMessage": aws.ToString(t.EmailMessage), "EmailSubject": aws.ToString(t.EmailSubject), "SMSMessage": aws.ToString(t.SMSMessage)}
			// All empty is Cognito's default template, left undeclared.
			if slices.ContainsFunc(slices.Collect(maps.Values(messages)), func(m string) bool { return m != "" }) {
				for _, setting := range slices.Sorted(maps.Keys(messages)) {
					if messages[setting] == "" {
						refuse("AdminCreateUserConfig.InviteMessageTemplate."+setting,
							"the invitation template has other messages but this one is empty; pulumi-aws sends every message of the template, and Cognito rejects an empty one, so the pool update would fail",
							"write it in the console (Messaging > Message templates > Invitation messages; the email and SMS messages need {username} and {####}), then preview again")
					}
				}
			}
		}
	}

	if wa := state.MFA.WebAuthnConfiguration; wa != nil && wa.FactorConfiguration == types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification {
		refuse("WebAuthnConfiguration.FactorConfiguration",
			"passkeys count as multi-factor authentication in this pool, which pulumi-aws v6 cannot express, so adopting would reset it",
			"set passkeys back to a single factor (SetUserPoolMfaConfig FactorConfiguration SINGLE_FACTOR), or leave userPoolId unset")
	}
	if sms := state.MFA.SmsMfaConfiguration; sms != nil && !smsMFAMirrorsPool(sms, pool) {
		refuse("SmsMfaConfiguration",
			"the SMS MFA settings differ from the pool's SMS configuration and authentication message; pulumi-aws keeps one copy, so adopting would change one of them",
			"make the pool's SMS configuration and the SMS MFA configuration the same, then preview again")
	}

	for i, client := range state.Clients {
		if len(client.CallbackURLs) == 0 {
			refuse(fmt.Sprintf("appClientIds[%d] (%s).CallbackURLs", i, aws.ToString(client.ClientId)),
				"the client has no callback URL, so the authorization code flow cannot return to the app",
				"add the app's callback URL to the client, or drop the client from appClientIds and let the program create one")
		}
	}
	for _, d := range state.Domains {
		if r := d.Routing; r != nil && r.Failover != nil {
			refuse(fmt.Sprintf("domain %s.Routing", aws.ToString(d.Domain)),
				fmt.Sprintf("the domain fails over to %s, which pulumi-aws v6 cannot express, so adopting could drop it", aws.ToString(r.Failover.SecondaryRegion)),
				"leave userPoolId unset until pulumi-aws can declare domain routing, or remove the failover from the domain first")
		}
	}
	if p := state.Provider; p != nil && p.ProviderType != types.IdentityProviderTypeTypeOidc {
		refuse(fmt.Sprintf("identity provider %s.ProviderType", aws.ToString(p.ProviderName)),
			fmt.Sprintf("an identity provider with the configured name exists with type %s, not OIDC", p.ProviderType),
			"choose another name with `pulumi config set providerName <name>`, or delete that provider")
	}

	if len(refusals) == 0 {
		return nil
	}
	return &RefusedError{UserPoolID: aws.ToString(pool.Id), Refusals: refusals}
}

// schemaRefusals checks that the Descope subject attribute can be added in
// place (or already exists with a shape the merge function can use).
func schemaRefusals(attributes []types.SchemaAttributeType) []Refusal {
	custom := 0
	for _, a := range attributes {
		name := aws.ToString(a.Name)
		if !strings.HasPrefix(name, "custom:") && !strings.HasPrefix(name, "dev:custom:") {
			continue
		}
		custom++
		if strings.TrimPrefix(strings.TrimPrefix(name, "dev:"), "custom:") != DescopeSubjectAttribute {
			continue
		}
		if a.AttributeDataType != types.AttributeDataTypeString || !aws.ToBool(a.Mutable) || aws.ToBool(a.DeveloperOnlyAttribute) {
			return []Refusal{{
				Setting: "SchemaAttributes.custom:" + DescopeSubjectAttribute,
				Reason:  "the attribute exists but is not a mutable, non-developer-only String; Cognito cannot change or remove a custom attribute",
				Fix:     "adopt a pool without this attribute, or leave userPoolId unset",
			}}
		}
		return nil
	}
	if custom >= maxCustomAttributes {
		return []Refusal{{
			Setting: "SchemaAttributes",
			Reason:  fmt.Sprintf("the pool has %d custom attributes, Cognito's limit, so custom:%s cannot be added", custom, DescopeSubjectAttribute),
			Fix:     "adopt a pool with fewer custom attributes, or leave userPoolId unset",
		}}
	}
	return nil
}

// smsMFAMirrorsPool reports whether GetUserPoolMfaConfig's SMS settings equal
// the pool's own, the single copy pulumi-aws declares.
func smsMFAMirrorsPool(sms *types.SmsMfaConfigType, pool types.UserPoolType) bool {
	if msg := aws.ToString(sms.SmsAuthenticationMessage); msg != "" && msg != aws.ToString(pool.SmsAuthenticationMessage) {
		return false
	}
	mfa, own := sms.SmsConfiguration, pool.SmsConfiguration
	if mfa == nil {
		return true
	}
	if own == nil {
		return false
	}
	return aws.ToString(mfa.SnsCallerArn) == aws.ToString(own.SnsCallerArn) &&
		aws.ToString(mfa.ExternalId) == aws.ToString(own.ExternalId) &&
		(aws.ToString(mfa.SnsRegion) == "" || aws.ToString(mfa.SnsRegion) == aws.ToString(own.SnsRegion))
}
