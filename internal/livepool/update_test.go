package livepool

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// detachPlan is the plan that puts restore back as the pool's trigger.
func detachPlan(t *testing.T, state *State, restore string) *Plan {
	t.Helper()
	plan, err := Adopt(state, Owned{ProviderName: "Descope", MergeFunctionName: "descope-blog-presignup", Detach: true, RestorePreSignUpARN: restore})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// updateExpectations says, for every field of UpdateUserPoolInput, what the
// request must hold for the live state: the live value (UpdateUserPool resets
// whatever it is not given), or nothing, with the reason.
func updateExpectations(state *State, preSignUp *string) (carried map[string]any, omitted map[string]string) {
	pool := state.Pool
	var lambdaConfig *types.LambdaConfigType
	if pool.LambdaConfig != nil || preSignUp != nil {
		lambdaConfig = &types.LambdaConfigType{}
		if pool.LambdaConfig != nil {
			live := *pool.LambdaConfig
			lambdaConfig = &live
		}
		lambdaConfig.PreSignUp = preSignUp
	}
	var adminCreateUser *types.AdminCreateUserConfigType
	if ac := pool.AdminCreateUserConfig; ac != nil {
		adminCreateUser = &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: ac.AllowAdminCreateUserOnly, InviteMessageTemplate: ac.InviteMessageTemplate}
	}
	// A legacy validity travels as the password policy's, as adoption declares it.
	policies := pool.Policies
	if days := legacyValidityDays(pool); days != 0 {
		password := *policies.PasswordPolicy
		password.TemporaryPasswordValidityDays = days
		policies = &types.UserPoolPolicyType{PasswordPolicy: &password, SignInPolicy: policies.SignInPolicy}
	}
	carried = map[string]any{
		"UserPoolId":                  pool.Id,
		"PoolName":                    pool.Name,
		"AccountRecoverySetting":      pool.AccountRecoverySetting,
		"AdminCreateUserConfig":       adminCreateUser,
		"AutoVerifiedAttributes":      pool.AutoVerifiedAttributes,
		"DeletionProtection":          pool.DeletionProtection,
		"DeviceConfiguration":         pool.DeviceConfiguration,
		"EmailConfiguration":          pool.EmailConfiguration,
		"LambdaConfig":                lambdaConfig,
		"MfaConfiguration":            state.MFA.MfaConfiguration,
		"Policies":                    policies,
		"SmsAuthenticationMessage":    pool.SmsAuthenticationMessage,
		"SmsConfiguration":            pool.SmsConfiguration,
		"UserAttributeUpdateSettings": pool.UserAttributeUpdateSettings,
		"UserPoolAddOns":              pool.UserPoolAddOns,
		"UserPoolTags":                pool.UserPoolTags,
		"UserPoolTier":                pool.UserPoolTier,
		"VerificationMessageTemplate": pool.VerificationMessageTemplate,
	}
	omitted = map[string]string{
		"EmailVerificationMessage": "legacy: VerificationMessageTemplate carries it, as pulumi-aws declares it",
		"EmailVerificationSubject": "legacy: VerificationMessageTemplate carries it",
		"SmsVerificationMessage":   "legacy: VerificationMessageTemplate carries it",
		"IssuerConfiguration":      "Check refuses any issuer but the original one, the default",
		"KeyConfiguration":         "Check refuses a customer managed key; the AWS owned key is the default",
	}
	return carried, omitted
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The request keeps every live setting UpdateUserPool takes and changes only
// the pre sign-up trigger; every field of the SDK's request is decided here,
// so an SDK upgrade that adds one fails until someone decides.
func TestUpdateInputKeepsEveryLiveSetting(t *testing.T) {
	tests := []struct {
		name    string
		poolID  string
		restore string
	}{
		{"the rich pool, trigger put back", recordedPoolID, recordedBlogTrigger},
		{"the rich pool, trigger removed", recordedPoolID, ""},
		{"the alias pool, which has no triggers", recordedAliasPoolID, recordedBlogTrigger},
		{"the alias pool, nothing to remove", recordedAliasPoolID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := readRecorded(t, tt.poolID)
			in, err := detachPlan(t, state, tt.restore).Pool.UpdateInput()
			if err != nil {
				t.Fatal(err)
			}
			var preSignUp *string
			if tt.restore != "" {
				preSignUp = aws.String(tt.restore)
			}
			carried, omitted := updateExpectations(state, preSignUp)
			v := reflect.ValueOf(*in)
			for i := range v.NumField() {
				name := v.Type().Field(i).Name
				if !v.Type().Field(i).IsExported() {
					continue
				}
				got := v.Field(i).Interface()
				if want, ok := carried[name]; ok {
					if asJSON(t, got) != asJSON(t, want) {
						t.Errorf("%s = %s\nwant the live %s", name, asJSON(t, got), asJSON(t, want))
					}
				} else if reason, ok := omitted[name]; ok {
					if !v.Field(i).IsZero() {
						t.Errorf("%s = %s, want it left out (%s)", name, asJSON(t, got), reason)
					}
				} else {
					t.Errorf("UpdateUserPoolInput.%s is not decided: carry it in PoolPlan.UpdateInput, or say here why not", name)
				}
			}
		})
	}
}

// The runbook's hand-written request failed on both counts.
func TestUpdateInputIsAcceptedByCognitoRules(t *testing.T) {
	state := readRecorded(t, recordedPoolID)
	if state.Pool.AdminCreateUserConfig.UnusedAccountValidityDays == 0 || state.Pool.Policies.PasswordPolicy.TemporaryPasswordValidityDays == 0 {
		t.Fatal("the recording no longer has both validity settings; this test needs them")
	}
	in, err := detachPlan(t, state, "").Pool.UpdateInput()
	if err != nil {
		t.Fatal(err)
	}
	if in.AdminCreateUserConfig.UnusedAccountValidityDays != 0 {
		t.Error("the request sets UnusedAccountValidityDays beside TemporaryPasswordValidityDays, which Cognito refuses")
	}
	if aws.ToString(in.PoolName) != aws.ToString(state.Pool.Name) {
		t.Errorf("PoolName = %q, want the pool's Name %q", aws.ToString(in.PoolName), aws.ToString(state.Pool.Name))
	}
}

// Anything the request cannot carry is an error naming it, never dropped.
func TestUpdateInputRefusesWhatItCannotRead(t *testing.T) {
	plan := detachPlan(t, readRecorded(t, recordedPoolID), recordedBlogTrigger)
	tests := []struct {
		name   string
		change func(*cognito.UserPoolArgs)
		want   string
	}{
		{"an output", func(a *cognito.UserPoolArgs) {
			a.LambdaConfig.(*cognito.UserPoolLambdaConfigArgs).PreSignUp = pulumi.String(recordedBlogTrigger).ToStringOutput()
		}, "is not a plain string"},
		{"arguments of another kind", func(a *cognito.UserPoolArgs) {
			a.PasswordPolicy = cognito.UserPoolPasswordPolicyArgs{}
		}, "PasswordPolicy is a cognito.UserPoolPasswordPolicyArgs, not plain arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := *plan.Pool.Args
			lambdaConfig := *args.LambdaConfig.(*cognito.UserPoolLambdaConfigArgs)
			args.LambdaConfig = &lambdaConfig
			tt.change(&args)
			_, err := PoolPlan{ImportID: recordedPoolID, Args: &args}.UpdateInput()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("UpdateInput: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
