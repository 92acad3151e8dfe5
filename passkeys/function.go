package passkeys

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
)

// mergeFunctionTimeoutSeconds stays within the 5 seconds Cognito waits for a trigger.
const mergeFunctionTimeoutSeconds = 5

type mergeFunction struct {
	role       *iam.Role
	logGroup   *cloudwatch.LogGroup
	logsPolicy *iam.RolePolicy
	function   *lambda.Function
	// previousPreSignUp is the function's PreviousPreSignUpTag: the trigger
	// an adopted pool had before (empty for a created pool).
	previousPreSignUp pulumi.StringOutput
}

func (f *mergeFunction) resources() []pulumi.Resource {
	return []pulumi.Resource{f.role, f.logGroup, f.logsPolicy, f.function}
}

// newMergeFunction declares the function, its role, its log group and the
// rights to write there. Its Cognito rights come later, once the pool exists.
func newMergeFunction(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, opts ...pulumi.ResourceOption) (*mergeFunction, error) {
	fnName := MergeFunctionName(ctx.Project(), ctx.Stack(), name)

	trustPolicy, err := lambdaTrustPolicy()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-merge-role", &iam.RoleArgs{
		Description:      pulumi.String("Runs the Cognito pre sign-up function that links Descope sign-ins to existing users."),
		AssumeRolePolicy: pulumi.String(trustPolicy),
	}, opts...)
	if err != nil {
		return nil, err
	}

	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-merge-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String("/aws/lambda/" + fnName),
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
	}, opts...)
	if err != nil {
		return nil, err
	}

	logsPolicy, err := iam.NewRolePolicy(ctx, name+"-merge-logs", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: logsPolicy(logGroup.Arn),
	}, opts...)
	if err != nil {
		return nil, err
	}

	functionOpts := withOptions(opts, pulumi.DependsOn([]pulumi.Resource{logsPolicy}))
	var tags pulumi.StringMap
	if a.Adoption != nil {
		// Written when the function is created, then kept: later runs no
		// longer see the trigger adoption replaced.
		previous := livepool.PreviousPreSignUpARN(a.Adoption.State, a.owned(ctx, name, nil))
		tags = pulumi.StringMap{PreviousPreSignUpTag: pulumi.String(previous)}
		functionOpts = withOptions(functionOpts, pulumi.IgnoreChanges([]string{fmt.Sprintf("tags[%q]", PreviousPreSignUpTag)}))
	}
	function, err := lambda.NewFunction(ctx, name+"-merge", &lambda.FunctionArgs{
		Name:           pulumi.String(fnName),
		Description:    pulumi.String("Cognito pre sign-up: links a Descope sign-in to the existing user with the same verified email."),
		Role:           role.Arn,
		Runtime:        pulumi.String("provided.al2023"),
		Handler:        pulumi.String("bootstrap"),
		Architectures:  pulumi.StringArray{pulumi.String("arm64")},
		MemorySize:     pulumi.Int(128),
		Timeout:        pulumi.Int(mergeFunctionTimeoutSeconds),
		Code:           pulumi.NewFileArchive(a.MergeFunction.ZipPath),
		SourceCodeHash: pulumi.String(a.MergeFunction.SourceCodeHash),
		// JSON format makes Lambda filter by level; stating the levels keeps
		// AWS's defaults from showing up as a diff.
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat:           pulumi.String("JSON"),
			LogGroup:            logGroup.Name,
			ApplicationLogLevel: pulumi.String("INFO"),
			SystemLogLevel:      pulumi.String("INFO"),
		},
		Environment: &lambda.FunctionEnvironmentArgs{
			Variables: functionEnvironment(a),
		},
		Tags: tags,
	}, functionOpts...)
	if err != nil {
		return nil, err
	}
	previous := function.Tags.ApplyT(func(tags map[string]string) string { return tags[PreviousPreSignUpTag] }).(pulumi.StringOutput)
	return &mergeFunction{role: role, logGroup: logGroup, logsPolicy: logsPolicy, function: function, previousPreSignUp: previous}, nil
}

// functionEnvironment is the build's runtime environment plus the function's
// own settings.
func functionEnvironment(a CognitoPasskeysArgs) pulumi.StringMap {
	vars := pulumi.StringMap{}
	for k, v := range a.MergeFunction.Environment {
		vars[k] = pulumi.String(v)
	}
	vars["DESCOPE_PROVIDER_NAME"] = pulumi.String(a.ProviderName)
	vars["REQUIRE_EXISTING_USER"] = pulumi.String(strconv.FormatBool(a.RequireExistingUser))
	return vars
}

// triggerAccess is what must exist before the pool names the function as
// its trigger: Cognito's right to invoke it, and its right to link users in
// the pool. Until both exist, every SignUp, AdminCreateUser and first
// federated sign-in of the pool fails.
type triggerAccess struct {
	linkPolicy *iam.RolePolicy
	permission *lambda.Permission
}

func (t *triggerAccess) resources() []pulumi.Resource {
	return []pulumi.Resource{t.linkPolicy, t.permission}
}

// ready is what the pool waits for (DependsOn), so that the engine moves the
// trigger, in a first adoption or to a new function (one renamed, whose
// permission names it), only once Cognito may call that function. A destroy
// then goes the other way: the pool goes (or, adopted, is forgotten) before
// the permission and the function.
func (t *triggerAccess) ready() []pulumi.Resource {
	if t.linkPolicy == nil {
		return []pulumi.Resource{t.permission}
	}
	return t.resources()
}

// newTriggerAccess declares, before the pool, what the pool must wait for.
//
// An adopted pool's ARN is known from the live read, so the link policy and
// the permission name it exactly. A created pool's ARN is unknown until its
// first create, and afterwards known only to the engine's state, which the
// program cannot read; anything declared from it comes after the pool. So
// for a created pool Cognito may invoke the function for any pool of this
// account and region (Lambda matches SourceArn with wildcards; SourceAccount
// keeps other accounts out), which lets a renamed function's permission come
// first on every run. The function can still touch only its own pool: its
// role's link policy names that pool exactly, and follows the pool
// (linkCreatedPool). The pool cannot wait for that policy, but needs to
// only once: on its first create, before it has users or an app client.
// The policy belongs to the role, which stays when the function changes.
func newTriggerAccess(ctx *pulumi.Context, name string, fn *mergeFunction, adoptedPoolARN string, accountID pulumi.StringOutput, opts ...pulumi.ResourceOption) (*triggerAccess, error) {
	access := &triggerAccess{}
	sourceARN := fn.function.Arn.ApplyT(poolsOfFunctionAccount).(pulumi.StringOutput)
	permissionOpts := opts
	if adoptedPoolARN != "" {
		sourceARN = pulumi.String(adoptedPoolARN).ToStringOutput()
		if err := access.declareLinkPolicy(ctx, name, fn, sourceARN, opts...); err != nil {
			return nil, err
		}
		// Cognito may invoke the function only once it can do its job.
		permissionOpts = withOptions(opts, pulumi.DependsOn([]pulumi.Resource{access.linkPolicy}))
	}
	permission, err := lambda.NewPermission(ctx, name+"-merge-invoke", &lambda.PermissionArgs{
		Action:        pulumi.String("lambda:InvokeFunction"),
		Function:      fn.function.Name,
		Principal:     pulumi.String("cognito-idp.amazonaws.com"),
		SourceArn:     sourceARN,
		SourceAccount: accountID,
	}, permissionOpts...)
	if err != nil {
		return nil, err
	}
	access.permission = permission
	return access, nil
}

// linkCreatedPool declares a created pool's link policy, from the pool's ARN
// (an adopted pool's is declared before the pool).
func (t *triggerAccess) linkCreatedPool(ctx *pulumi.Context, name string, fn *mergeFunction, poolARN pulumi.StringOutput, opts ...pulumi.ResourceOption) error {
	if t.linkPolicy != nil {
		return nil
	}
	return t.declareLinkPolicy(ctx, name, fn, poolARN, opts...)
}

func (t *triggerAccess) declareLinkPolicy(ctx *pulumi.Context, name string, fn *mergeFunction, poolARN pulumi.StringOutput, opts ...pulumi.ResourceOption) error {
	policy, err := iam.NewRolePolicy(ctx, name+"-merge-cognito", &iam.RolePolicyArgs{
		Role:   fn.role.ID(),
		Policy: linkPolicy(poolARN),
	}, opts...)
	t.linkPolicy = policy
	return err
}

// poolsOfFunctionAccount turns a function's ARN
// (arn:partition:lambda:region:account:function:name) into the ARN pattern
// of every user pool in its partition, region and account.
func poolsOfFunctionAccount(functionARN string) (string, error) {
	parts := strings.SplitN(functionARN, ":", 6)
	if len(parts) < 6 || parts[2] != "lambda" {
		return "", fmt.Errorf("merge function ARN %q is not a Lambda ARN", functionARN)
	}
	return fmt.Sprintf("arn:%s:cognito-idp:%s:%s:userpool/*", parts[1], parts[3], parts[4]), nil
}
