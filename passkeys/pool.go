package passkeys

import (
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DescopeSubjectAttribute holds the exact Descope subject. Cognito may lowercase
// the federated userName in case-insensitive pools, so the merge function links
// with this attribute, never with the userName.
const DescopeSubjectAttribute = "custom:descope_sub"

// newUserPool declares the user pool with the merge function as its pre
// sign-up trigger. The trigger is also a dependency: a destroy deletes the
// pool before the function, so no pool is ever left calling a deleted one.
func newUserPool(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, life lifecycle, preSignUpARN pulumi.StringInput, opts ...pulumi.ResourceOption) (*cognito.UserPool, error) {
	return cognito.NewUserPool(ctx, name+"-user-pool", &cognito.UserPoolArgs{
		// DescopeOnly closes the public SignUp API; Descope sign-ins still
		// create (or, through the trigger, link) their users.
		AdminCreateUserConfig: &cognito.UserPoolAdminCreateUserConfigArgs{
			AllowAdminCreateUserOnly: pulumi.Bool(a.DescopeOnly),
		},
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
		LambdaConfig:       &cognito.UserPoolLambdaConfigArgs{PreSignUp: preSignUpARN},
		DeletionProtection: pulumi.String(life.poolDeletionProtection()),
	}, withOptions(opts, life.poolOptions()...)...)
}
