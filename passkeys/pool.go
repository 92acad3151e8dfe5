package passkeys

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
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

// declarePool declares the created pool, or the adopted one from its plan
// (logging what adoption changes). The pool's trigger is the merge function,
// or on detach the one adoption replaced.
func declarePool(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, life lifecycle, fn *mergeFunction, component pulumi.Resource, opts ...pulumi.ResourceOption) (*cognito.UserPool, *livepool.Plan, error) {
	if a.Adoption == nil {
		pool, err := newUserPool(ctx, name, a, life, fn.function.Arn, opts...)
		return pool, nil, err
	}
	plan, err := livepool.Adopt(a.Adoption.State, a.owned(ctx, name, fn.function.Arn))
	if err != nil {
		return nil, nil, err
	}
	if err := logChanges(ctx, component, plan); err != nil {
		return nil, nil, err
	}
	pool, err := adoptedPool(ctx, name, plan, life, opts...)
	return pool, plan, err
}

// declarePoolWithTrigger declares the pool and what its trigger needs:
// Cognito's right to invoke the merge function and the function's right to
// link in the pool. The engine creates and updates in dependency order, so
// the pool must wait for both, or its trigger moves first and every SignUp,
// AdminCreateUser and first federated sign-in fails until they exist (until
// a later run, if this one stops in between).
//
// An adopted pool's ARN is known from the live read: both are declared from
// it, and the pool depends on them. That covers the first adoption and any
// later move to a new function (a renamed one, whose permission names it).
// A destroy then goes the other way: the pool is forgotten before the
// permission and the function go.
//
// A created pool's ARN exists only once the pool does (later, only in the
// engine's state), so both follow the pool. The gap is harmless on its first
// create, before it has an app client or users. On a later move to a new
// function (the stack, project or component renamed) it remains; the only
// way around it, letting Cognito invoke the function for every pool of the
// account, would be a wider grant than verify accepts.
func declarePoolWithTrigger(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, life lifecycle, fn *mergeFunction, accountID pulumi.StringOutput, component pulumi.Resource, opts ...pulumi.ResourceOption) (*cognito.UserPool, *livepool.Plan, []pulumi.Resource, error) {
	if arn := a.adoptedPoolARN(); arn != "" {
		access, err := newTriggerAccess(ctx, name, fn, pulumi.String(arn).ToStringOutput(), accountID, opts...)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("trigger access: %w", err)
		}
		pool, plan, err := declarePool(ctx, name, a, life, fn, component, withOptions(opts, pulumi.DependsOn(access))...)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("user pool: %w", err)
		}
		return pool, plan, access, nil
	}
	pool, plan, err := declarePool(ctx, name, a, life, fn, component, opts...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("user pool: %w", err)
	}
	access, err := newTriggerAccess(ctx, name, fn, pool.Arn, accountID, opts...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("trigger access: %w", err)
	}
	return pool, plan, access, nil
}
