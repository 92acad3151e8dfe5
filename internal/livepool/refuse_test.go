package livepool

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

var refusalCases = []struct {
	name string
	// change turns the recorded, adoptable state into one to refuse.
	change  func(s *State, o *Owned)
	setting string
	// reason and fix are fragments the message must hold.
	reason, fix string
}{
	{
		name: "inbound federation trigger",
		change: func(s *State, _ *Owned) {
			s.Pool.LambdaConfig.InboundFederation = &types.InboundFederationLambdaType{
				LambdaArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:acme-inbound"), LambdaVersion: types.InboundFederationLambdaVersionTypeV10,
			}
		},
		setting: "LambdaConfig.InboundFederation",
		reason:  "function:acme-inbound", fix: "remove the inbound federation trigger",
	},
	{
		name:    "existing pre sign-up trigger without replacePreSignUpTrigger",
		change:  func(_ *State, o *Owned) { o.ReplacePreSignUpTrigger = false },
		setting: "LambdaConfig.PreSignUp",
		reason:  recordedBlogTrigger, fix: "pulumi config set replacePreSignUpTrigger true",
	},
	{
		name: "no email sign-in",
		change: func(s *State, _ *Owned) {
			s.Pool.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypePhoneNumber}
		},
		setting: "UsernameAttributes/AliasAttributes",
		reason:  "does not sign users in by email", fix: "leave userPoolId unset",
	},
	{
		name: "no email attribute",
		change: func(s *State, _ *Owned) {
			var kept []types.SchemaAttributeType
			for _, a := range s.Pool.SchemaAttributes {
				if aws.ToString(a.Name) != "email" {
					kept = append(kept, a)
				}
			}
			s.Pool.SchemaAttributes = kept
		},
		setting: "SchemaAttributes.email",
		reason:  "no email attribute", fix: "standard email attribute",
	},
	{
		name: "updated issuer",
		change: func(s *State, _ *Owned) {
			s.Pool.IssuerConfiguration = &types.IssuerConfigurationType{Type: types.IssuerTypeUpdated}
		},
		setting: "IssuerConfiguration.Type",
		reason:  "UPDATED", fix: "original issuer",
	},
	{
		name: "customer managed key",
		change: func(s *State, _ *Owned) {
			s.Pool.KeyConfiguration = &types.KeyConfigurationType{KeyType: types.EncryptionKeyTypeCustomerManagedKey, KmsKeyArn: aws.String("arn:aws:kms:us-east-1:123456789012:key/k")}
		},
		setting: "KeyConfiguration",
		reason:  "customer managed KMS key", fix: "AWS owned key",
	},
	{
		name: "passkeys as multi-factor",
		change: func(s *State, _ *Owned) {
			s.MFA.WebAuthnConfiguration.FactorConfiguration = types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification
		},
		setting: "WebAuthnConfiguration.FactorConfiguration",
		reason:  "multi-factor", fix: "SINGLE_FACTOR",
	},
	{
		name: "SMS MFA configuration differs from the pool's",
		change: func(s *State, _ *Owned) {
			s.MFA.SmsMfaConfiguration = &types.SmsMfaConfigType{SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/other")}}
		},
		setting: "SmsMfaConfiguration",
		reason:  "differ", fix: "make the pool's SMS configuration and the SMS MFA configuration the same",
	},
	{
		name:    "verification message differs from the template's",
		change:  func(s *State, _ *Owned) { s.Pool.EmailVerificationMessage = aws.String("Another code: {####}") },
		setting: "EmailVerificationMessage",
		reason:  "VerificationMessageTemplate", fix: "make both the same",
	},
	{
		name: "subject attribute exists with the wrong shape",
		change: func(s *State, _ *Owned) {
			s.Pool.SchemaAttributes = append(s.Pool.SchemaAttributes, types.SchemaAttributeType{
				Name: aws.String("custom:descope_sub"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false),
			})
		},
		setting: "SchemaAttributes.custom:descope_sub",
		reason:  "not a mutable", fix: "adopt a pool without this attribute",
	},
	{
		name: "no room for the subject attribute",
		change: func(s *State, _ *Owned) {
			for i := range maxCustomAttributes {
				s.Pool.SchemaAttributes = append(s.Pool.SchemaAttributes, types.SchemaAttributeType{
					Name: aws.String(fmt.Sprintf("custom:extra%02d", i)), AttributeDataType: types.AttributeDataTypeString,
				})
			}
		},
		setting: "SchemaAttributes",
		reason:  "Cognito's limit", fix: "fewer custom attributes",
	},
	{
		name:    "client without callback URLs",
		change:  func(s *State, _ *Owned) { s.Clients[0].CallbackURLs = nil },
		setting: "appClientIds[0] (" + recordedClientID + ").CallbackURLs",
		reason:  "no callback URL", fix: "add the app's callback URL",
	},
	{
		name: "domain with failover routing",
		change: func(s *State, _ *Owned) {
			s.Domains[0].Routing = &types.RoutingType{Failover: &types.FailoverType{
				PrimaryRoute53HealthCheckId: aws.String("0a1b2c3d-health"), SecondaryRegion: aws.String("us-west-2"),
			}}
		},
		setting: "domain acme-login.Routing",
		reason:  "us-west-2", fix: "leave userPoolId unset",
	},
	{
		name:    "invitation without an SMS message",
		change:  func(s *State, _ *Owned) { s.Pool.AdminCreateUserConfig.InviteMessageTemplate.SMSMessage = nil },
		setting: "AdminCreateUserConfig.InviteMessageTemplate.SMSMessage",
		reason:  "empty", fix: "Invitation messages",
	},
	{
		name: "invitation without an email subject",
		change: func(s *State, _ *Owned) {
			s.Pool.AdminCreateUserConfig.InviteMessageTemplate.EmailSubject = aws.String("")
		},
		setting: "AdminCreateUserConfig.InviteMessageTemplate.EmailSubject",
		reason:  "empty", fix: "Invitation messages",
	},
	{
		name:    "legacy temporary password validity without a password policy",
		change:  func(s *State, _ *Owned) { s.Pool.Policies.PasswordPolicy = nil },
		setting: "AdminCreateUserConfig.UnusedAccountValidityDays",
		reason:  "3 days", fix: "Password policy",
	},
	{
		name:    "provider name taken by another type",
		change:  func(s *State, _ *Owned) { s.Provider.ProviderType = types.IdentityProviderTypeTypeSaml },
		setting: "identity provider Descope.ProviderType",
		reason:  "SAML", fix: "pulumi config set providerName",
	},
}

// TestRefusals: each unsafe setting is refused, naming the setting, the
// reason and the fix, and nothing is planned.
func TestRefusals(t *testing.T) {
	for _, tc := range refusalCases {
		t.Run(tc.name, func(t *testing.T) {
			state := readRecorded(t, recordedPoolID, recordedClientID)
			owned := ownedForTest()
			tc.change(state, &owned)
			plan, err := Adopt(state, owned)
			if plan != nil {
				t.Error("a refused pool got a plan")
			}
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("err = %v, want a *RefusedError", err)
			}
			if len(refused.Refusals) != 1 {
				t.Errorf("want exactly one refusal, got %v", refused.Refusals)
			}
			r := refused.Refusals[0]
			if r.Setting != tc.setting || !strings.Contains(r.Reason, tc.reason) || !strings.Contains(r.Fix, tc.fix) {
				t.Errorf("refusal %+v, want setting %q, reason with %q, fix with %q", r, tc.setting, tc.reason, tc.fix)
			}
			if msg := err.Error(); !strings.Contains(msg, recordedPoolID) || !strings.Contains(msg, tc.setting) || !strings.Contains(msg, tc.fix) {
				t.Errorf("message does not name the pool, the setting and the fix:\n%s", msg)
			}
		})
	}
}

// TestRefusalsAreReportedAtOnce: an operator fixes everything in one round.
func TestRefusalsAreReportedAtOnce(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID)
	owned := ownedForTest()
	for _, tc := range refusalCases {
		if tc.setting == "SchemaAttributes" || strings.HasPrefix(tc.setting, "SchemaAttributes.custom") {
			continue // these two are alternatives of one check
		}
		tc.change(state, &owned)
	}
	var refused *RefusedError
	if !errors.As(Check(state, owned), &refused) {
		t.Fatal("want a *RefusedError")
	}
	got := map[string]bool{}
	for _, r := range refused.Refusals {
		got[r.Setting] = true
	}
	for _, tc := range refusalCases {
		if tc.setting != "SchemaAttributes" && !strings.HasPrefix(tc.setting, "SchemaAttributes.custom") && !got[tc.setting] {
			t.Errorf("%s not reported together with the others", tc.setting)
		}
	}
}

// TestEveryRefusedFieldHasARefusal ties the field rules to Check: a field
// marked refused must have a refusal case above.
func TestEveryRefusedFieldHasARefusal(t *testing.T) {
	tested := map[string]bool{}
	for _, tc := range refusalCases {
		tested[tc.setting] = true
	}
	for _, rules := range []map[string]fieldRule{poolFieldRules, mfaFieldRules, clientFieldRules, domainFieldRules} {
		for path, rule := range rules {
			if rule.disposition != refused || tested[path] || tested[path+".Type"] {
				continue
			}
			// Per-resource settings are named "<resource>.<field>".
			if !slices.ContainsFunc(slices.Collect(maps.Keys(tested)), func(setting string) bool { return strings.HasSuffix(setting, "."+path) }) {
				t.Errorf("%s is refused but no refusal case sets it", path)
			}
		}
	}
}

// TestDefaultsOfRefusedFieldsAreAdoptable: the default values of refused
// settings (as the recording holds them) are not refused.
func TestDefaultsOfRefusedFieldsAreAdoptable(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID)
	if state.Pool.IssuerConfiguration == nil || state.Pool.KeyConfiguration == nil || state.MFA.WebAuthnConfiguration == nil || state.MFA.SmsMfaConfiguration == nil {
		t.Fatal("the recording lacks the default issuer, key, passkey or SMS MFA settings this test needs")
	}
	if err := Check(state, ownedForTest()); err != nil {
		t.Errorf("the recorded pool is refused: %v", err)
	}
}

// TestAliasEmailIsEmailSignIn: email as an alias attribute is enough.
func TestAliasEmailIsEmailSignIn(t *testing.T) {
	state := readRecorded(t, recordedAliasPoolID)
	if len(state.Pool.UsernameAttributes) != 0 {
		t.Fatal("the alias recording should have no username attributes")
	}
	if err := Check(state, ownedForTest()); err != nil {
		t.Errorf("a pool with email as alias is refused: %v", err)
	}
}

func TestIsFunction(t *testing.T) {
	for _, tc := range []struct {
		arn  string
		want bool
	}{
		{mergeFunctionARN, true},
		{mergeFunctionARN + ":live", true},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:" + mergeFunctionName, true},
		{recordedBlogTrigger, false},
		{"arn:aws:lambda:us-east-1:123456789012:function:" + mergeFunctionName + "-old", false},
		{"arn:aws:iam::123456789012:role/" + mergeFunctionName, false},
		{mergeFunctionName, false},
	} {
		if got := isFunction(tc.arn, mergeFunctionName); got != tc.want {
			t.Errorf("isFunction(%q) = %v, want %v", tc.arn, got, tc.want)
		}
	}
}

func TestCheckAndAdoptNeedAState(t *testing.T) {
	if err := Check(nil, ownedForTest()); err == nil || !strings.Contains(err.Error(), "call Read first") {
		t.Errorf("Check(nil) = %v", err)
	}
	if _, err := Adopt(nil, ownedForTest()); err == nil || !strings.Contains(err.Error(), "call Read first") {
		t.Errorf("Adopt(nil) = %v", err)
	}
	if _, err := Adopt(&State{}, Owned{ProviderName: "Descope"}); err == nil || !strings.Contains(err.Error(), "PreSignUpARN") {
		t.Errorf("Adopt without the merge function = %v", err)
	}
}
